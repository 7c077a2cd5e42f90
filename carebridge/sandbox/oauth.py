"""open.weixin.qq.com/connect/oauth2/authorize, played by the sandbox for the phone's user.

``snsapi_base`` redirects at once; ``snsapi_userinfo`` asks for consent, except for followers
(WeChat authorises them silently when they come from the account) and for snapshot-mode users
(who get a virtual account). Refusing redirects back with ``state`` and no ``code``, as WeChat
does. Errors are WeChat's own numbered error pages.
"""

from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_http_methods, require_POST

from carebridge.institutions.models import WeChatAccount

from . import grants
from .forms import ChooseUserForm
from .guard import sandbox_only
from .models import SandboxUser
from .phone.actions import create_user
from .phone.identity import remember_user, selected_user
from .registry import account_for_app_id

PARAMS = ("appid", "redirect_uri", "response_type", "scope", "state")


class AuthorizeError(Exception):
    def __init__(self, errcode: int, message: str):
        super().__init__(message)
        self.errcode = errcode
        self.message = message


@dataclass
class AuthRequest:
    account: WeChatAccount
    app_id: str
    redirect_uri: str
    scope: str
    state: str

    @property
    def query(self) -> dict:
        return {
            "appid": self.app_id,
            "redirect_uri": self.redirect_uri,
            "response_type": "code",
            "scope": self.scope,
            "state": self.state,
        }


def _authorised_domains() -> set[str]:
    # WeChat accepts only the account's configured 网页授权域名; the sandbox's is SITE_URL's host
    # and loopback (the demo and the tests run there).
    return {urlsplit(settings.SITE_URL).hostname or "", "127.0.0.1", "localhost"}


def parse_request(params) -> AuthRequest:
    """Validate an authorize request the way WeChat does, with its error codes."""
    app_id = params.get("appid", "")
    if not app_id:
        raise AuthorizeError(10012, _("appid 不能为空"))
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri:
        raise AuthorizeError(10011, _("redirect_uri 不能为空"))
    scope = params.get("scope", "")
    if not scope:
        raise AuthorizeError(10010, _("scope 不能为空"))
    found = account_for_app_id(app_id)
    if found is None:
        raise AuthorizeError(40013, _("appid 无效"))
    account = found[0]
    if params.get("response_type") != "code":
        raise AuthorizeError(40002, _("response_type 必须为 code"))
    parts = urlsplit(redirect_uri)
    if parts.scheme not in ("http", "https") or parts.hostname not in _authorised_domains():
        raise AuthorizeError(10003, _("redirect_uri 域名与后台配置不一致"))
    # Web authorisation is a verified service account's privilege.
    if scope not in grants.SCOPES or not (account.is_service and account.verified):
        raise AuthorizeError(10005, _("此公众号并没有这些 scope 的权限"))
    state = params.get("state", "")
    if len(state.encode()) > 128:
        raise AuthorizeError(40002, _("state 超过 128 字节"))
    return AuthRequest(account, app_id, redirect_uri, scope, state)


def _back_to_site(auth: AuthRequest, code: str | None) -> HttpResponseRedirect:
    parts = urlsplit(auth.redirect_uri)
    added = ({"code": code} if code else {}) | {"state": auth.state}
    query = "&".join(q for q in (parts.query, urlencode(added)) if q)
    return HttpResponseRedirect(urlunsplit(parts._replace(query=query, fragment="")))


def _error(request, exc: AuthorizeError):
    context = {"errcode": exc.errcode, "message": exc.message}
    return render(request, "sandbox/oauth_error.html", context, status=400)


@sandbox_only
@xframe_options_exempt  # it opens inside the phone simulator's frame, from another port
@require_http_methods(["GET", "POST"])
def authorize(request):
    """The authorisation page: silent for snsapi_base, a consent screen for snsapi_userinfo."""
    params = request.POST if request.method == "POST" else request.GET
    try:
        auth = parse_request(params)
    except AuthorizeError as exc:
        return _error(request, exc)
    user = selected_user(request, auth.app_id)
    if user is None:
        return _choose_page(request, auth, ChooseUserForm())
    if request.method == "POST":
        decision = request.POST.get("decision")
        if decision == "refuse":
            return _back_to_site(auth, code=None)
        if decision != "allow":
            return _error(request, AuthorizeError(40002, _("请选择允许或拒绝")))
    elif auth.scope == "snsapi_userinfo" and not (user.snapshot or user.subscribed):
        context = {"auth": auth, "user": user, "params": auth.query}
        return render(request, "sandbox/oauth_consent.html", context)
    return _back_to_site(auth, grants.issue_code(user, auth.scope).code)


def _choose_page(request, auth: AuthRequest, form, status=200):
    users = SandboxUser.objects.filter(app_id=auth.app_id).order_by("-created_at")
    context = {"auth": auth, "users": users, "form": form, "params": auth.query}
    return render(request, "sandbox/oauth_choose.html", context, status=status)


@sandbox_only
@xframe_options_exempt
@require_POST
def choose_user(request):
    """Pick (or create) the simulated user holding the phone, then resume authorisation."""
    try:
        auth = parse_request(request.POST)
    except AuthorizeError as exc:
        return _error(request, exc)
    form = ChooseUserForm(request.POST, app_id=auth.app_id)
    if not form.is_valid():
        return _choose_page(request, auth, form, status=400)
    user = form.cleaned_data["user"] or create_user(auth.account, form.cleaned_data["nickname"])
    response = HttpResponseRedirect(f"{reverse('sandbox:oauth_authorize')}?{urlencode(auth.query)}")
    remember_user(request, response, user)
    return response
