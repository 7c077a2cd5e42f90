"""Who is holding the simulated phone.

The phone's current user per account lives in a signed cookie, like WeChat's own client knows
who is logged in: the sandbox's authorize page (another port in the demo, same host) reads it to
act for that user. Cookies ignore ports, so the web server and the sandbox server share it.
"""

import json

from carebridge.institutions.models import WeChatAccount
from carebridge.wechat.credentials import get_credentials
from carebridge.wechat.h5 import sign_out

from ..models import SandboxUser

COOKIE = "cb_sandbox_phone"
_SALT = "carebridge.sandbox.phone"
_MAX_AGE = 90 * 24 * 3600


def app_id_of(account: WeChatAccount) -> str:
    return get_credentials(account.slug).app_id


def _selection(request) -> dict:
    raw = request.get_signed_cookie(COOKIE, default="", salt=_SALT)
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def selected_user(request, app_id: str) -> SandboxUser | None:
    """The simulated user currently holding the phone for ``app_id``, if any."""
    openid = _selection(request).get(app_id)
    if not isinstance(openid, str):
        return None
    return SandboxUser.objects.filter(app_id=app_id, openid=openid).first()


def remember_user(request, response, user: SandboxUser) -> None:
    """Make ``user`` the phone's current user for its account (on ``response``), signed out of
    the H5 pages the previous holder had opened."""
    selection = _selection(request)
    if selection.get(user.app_id) != user.openid:
        sign_out(request)
    selection[user.app_id] = user.openid
    response.set_signed_cookie(
        COOKIE,
        json.dumps(selection, separators=(",", ":")),
        salt=_SALT,
        max_age=_MAX_AGE,
        httponly=True,
        samesite="Lax",
    )
