"""H5 pages opened inside WeChat: who is the user? OAuth2 puts the answer in the session.

The session holds ``session["wechat"] = {"account": slug, "openid": …, "scope": …,
"snapshot": bool}``, signed by Django's session machinery. ``wechat_user_required`` sends a
user without it through OAuth (``snsapi_base``, silent) and back to the page.
"""

from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from carebridge.institutions.models import WeChatAccount

from .models import Follower

SESSION_KEY = "wechat"


@dataclass(frozen=True)
class WeChatUser:
    account_slug: str
    openid: str
    scope: str
    snapshot: bool = False


def sign_in(request, account_slug: str, openid: str, scope: str, snapshot: bool = False) -> None:
    request.session.cycle_key()  # a fresh session id on every sign-in (no fixation)
    request.session[SESSION_KEY] = {
        "account": account_slug,
        "openid": openid,
        "scope": scope,
        "snapshot": snapshot,
    }


def sign_out(request) -> None:
    """Forget the H5 sign-in (the sandbox's phone changing hands: in WeChat every phone has its
    own cookies, so the next user must not inherit the last one's pages)."""
    request.session.pop(SESSION_KEY, None)


def current_user(request, account_slug: str) -> WeChatUser | None:
    data = request.session.get(SESSION_KEY)
    if not data or data.get("account") != account_slug:
        return None
    return WeChatUser(data["account"], data["openid"], data["scope"], data.get("snapshot", False))


def _scope_covers(held: str, needed: str) -> bool:
    """snsapi_userinfo (consent given) covers snsapi_base; not the other way round."""
    return held == needed or held == "snsapi_userinfo"


def signed_in_follower(request, account_slug: str) -> Follower | None:
    """The Follower row of the user this session signed in to ``account_slug``, with its account
    and the account's (active) institution, in one statement; None without a (real-openid)
    sign-in, or when the row, the account or an active institution is missing (the caller then
    reads them the long way, and answers 404 or creates the row)."""
    user = current_user(request, account_slug)
    if user is None or user.snapshot:
        return None
    found = Follower.objects.select_related("account__institution")
    try:  # get, not first(): one row at most (account, openid), and no ORDER BY (0.15 ms)
        return found.get(
            account__slug=account_slug, account__institution__is_active=True, openid=user.openid
        )
    except Follower.DoesNotExist:
        return None


def _account_and_follower(request, slug: str, user: WeChatUser) -> tuple:
    """The account and the user's Follower row (created on the first visit), in as few
    statements as they take: none when ``@institution_page`` found them with the sign-in, one
    for both (and the institution) when the row exists, else the account and the row."""
    follower = getattr(request, "follower", None)
    if follower is not None and (follower.account.slug, follower.openid) == (slug, user.openid):
        return follower.account, follower
    account = getattr(request, "wechat_account", None)
    if account is None and (follower := signed_in_follower(request, slug)):
        return follower.account, follower
    if account is None or account.slug != slug:
        account = get_object_or_404(WeChatAccount, slug=slug)
    follower, _ = Follower.objects.get_or_create(account=account, openid=user.openid)
    follower.account = account  # found by its account: pages reading it need no query
    return account, follower


def wechat_user_required(view=None, *, scope: str = "snsapi_base"):
    """For views taking ``slug`` (the account): sets ``request.wechat_user``,
    ``request.wechat_account`` and ``request.follower`` (the user's Follower row), or starts OAuth.
    Snapshot-mode users (no real openid) are sent to OAuth again for a real one, and so is a user
    signed in silently (snsapi_base) on a page that needs their consent (snsapi_userinfo)."""

    def decorate(func):
        @wraps(func)
        def wrapper(request, *args, slug, **kwargs):
            user = current_user(request, slug)
            if user is None or user.snapshot or not _scope_covers(user.scope, scope):
                start = reverse("wechat:oauth_start", kwargs={"slug": slug})
                return redirect(
                    f"{start}?{urlencode({'next': request.get_full_path(), 'scope': scope})}"
                )
            request.wechat_user = user
            request.wechat_account, request.follower = _account_and_follower(request, slug, user)
            return func(request, *args, slug=slug, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate
