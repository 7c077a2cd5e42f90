"""Which account an AppID belongs to, as WeChat's servers know it: the accounts in the database
whose credentials (configured, or the sandbox's deterministic ones) carry that AppID."""

from carebridge.institutions.models import WeChatAccount
from carebridge.wechat.credentials import Credentials, MissingCredentials, get_credentials


def account_for_app_id(app_id: str) -> tuple[WeChatAccount, Credentials] | None:
    """The account whose AppID is ``app_id``, with its credentials; None for a stranger."""
    if not app_id:
        return None
    for account in WeChatAccount.objects.select_related("institution").order_by("id"):
        try:
            creds = get_credentials(account.slug)
        except MissingCredentials:
            continue
        if creds.app_id == app_id:
            return account, creds
    return None


def account_for(app_id: str) -> WeChatAccount | None:
    found = account_for_app_id(app_id)
    return found[0] if found else None
