"""Back-office sign-in: in production the demo's published password opens nothing.

The demo creates ``admin`` with a password the README prints; a database the demo was loaded
into must not keep accepting it once it serves a hospital. Production refuses that password at
every sign-in (whoever types it, so the refusal says nothing about which users exist) and
`carebridge check` names the staff who still hold it.
"""

import hashlib

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, check_password
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

DEMO_PASSWORD = "carebridge-demo"  # printed by the README and `carebridge demo`

DEMO_PASSWORD_REFUSED = _(
    "这是演示用的公开密码，正式环境不接受。请先修改该账号的密码"
    "（carebridge changepassword 用户名），再登录。"
)


DEMO_PASSWORD_REFUSED_AS_NEW = _("密码不能是演示用的公开密码。")


def refuses_password(password: str | None) -> bool:
    """True in production for the demo's password; compared in constant time."""
    return settings.PRODUCTION and constant_time_compare(password or "", DEMO_PASSWORD)


class ProductionBackend(ModelBackend):
    """Django's own backend, except that the demo password signs no one in in production."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if refuses_password(password):
            raise PermissionDenied  # stops authenticate() at once, whatever backends follow
        return super().authenticate(request, username=username, password=password, **kwargs)


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's sign-in form, saying why the demo password is refused."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "demo_password": DEMO_PASSWORD_REFUSED,
    }

    def clean(self):
        if refuses_password(self.cleaned_data.get("password")):
            raise ValidationError(self.error_messages["demo_password"], code="demo_password")
        return super().clean()


class DemoPasswordValidator:
    """AUTH_PASSWORD_VALIDATORS: in production no one may choose the demo's password again
    (``carebridge changepassword``, the back office's password forms)."""

    def validate(self, password, user=None):
        if refuses_password(password):
            raise ValidationError(DEMO_PASSWORD_REFUSED_AS_NEW, code="demo_password")

    def get_help_text(self):
        return DEMO_PASSWORD_REFUSED_AS_NEW if settings.PRODUCTION else ""


def users_holding_demo_password() -> list[str]:
    """Usernames of active staff (those who can sign in to the back office) whose password is
    still the demo's. A check costs one password hash (about a second on a busy server), so
    each stored hash's answer is kept in the cache under a digest of that hash: a start checks
    only the passwords set since the last one."""
    rows = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .order_by("username")
        .values_list("username", "password")
    )
    holders = []
    for username, encoded in rows:
        key = "demo-password:" + hashlib.sha256(encoded.encode()).hexdigest()
        held = _remembered(key)
        if held is None:
            held = check_password(DEMO_PASSWORD, encoded)
            _remember(key, held)
        if held:
            holders.append(username)
    return holders


# The memo only saves time: a cache that is down or not created yet must not hide a holder, so
# its errors (which differ by backend) mean "not remembered".
def _remembered(key: str) -> bool | None:
    try:
        return cache.get(key)
    except Exception:
        return None


def _remember(key: str, held: bool) -> None:
    try:
        cache.set(key, held, timeout=None)
    except Exception:
        pass
