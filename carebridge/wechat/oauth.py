"""OAuth2 web authorisation: H5 pages learn who the WeChat user is.

``/wechat/<slug>/oauth/start?next=/h5/…&scope=snsapi_base|snsapi_userinfo`` sends the browser to
WeChat's authorize page with a signed single-use ``state``; WeChat sends it back to
``/wechat/<slug>/oauth/callback?code=…&state=…``, where the code is exchanged for the openid (and,
for snsapi_userinfo, the nickname and unionid), the user is signed in and sent to ``next``.
Snapshot-mode users (快照页, virtual accounts) are told to open the full page and not signed in.
"""

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from carebridge.institutions.models import WeChatAccount

from . import h5, oauth_client, oauth_state
from .actions.oauth import record_web_user
from .credentials import MissingCredentials

log = logging.getLogger("carebridge.wechat")
SCOPES = ("snsapi_base", "snsapi_userinfo")


def safe_next(value: str) -> str | None:
    """``value`` if it is a path on this site, else None (no open redirect)."""
    if not value or len(value) > 1000 or not value.startswith("/") or value.startswith("//"):
        return None
    if "\\" in value or any(ord(c) < 32 for c in value):
        return None
    return value if url_has_allowed_host_and_scheme(value, allowed_hosts=None) else None


def start_url(slug: str, next_path: str, scope: str = "snsapi_base") -> str:
    start = reverse("wechat:oauth_start", kwargs={"slug": slug})
    return f"{start}?{urlencode({'next': next_path, 'scope': scope})}"


def _problem(request, account, status: int, title: str, text: str, retry: str = ""):
    context = {"institution": account.institution, "title": title, "text": text, "retry": retry}
    return render(request, "wechat/oauth_problem.html", context, status=status)


@require_GET
def start(request, slug):
    """Send the browser to WeChat's authorize page."""
    account = get_object_or_404(WeChatAccount, slug=slug)
    scope = request.GET.get("scope") or "snsapi_base"
    if scope not in SCOPES:
        return _problem(request, account, 400, _("无法登录"), _("授权方式无效。"))
    try:
        app_id = account.credentials.app_id
    except MissingCredentials:
        log.error("OAuth start for %s: the account has no credentials", slug)
        return _problem(request, account, 503, _("暂时无法登录"), _("公众号尚未完成配置。"))
    default_next = reverse("wechat:oauth_me", kwargs={"slug": slug})
    next_path = safe_next(request.GET.get("next") or default_next)
    if next_path is None:
        return _problem(request, account, 400, _("无法登录"), _("不能跳转到本站以外的地址。"))
    state = oauth_state.issue(request, slug, next_path, scope)
    callback = settings.SITE_URL + reverse("wechat:oauth_callback", kwargs={"slug": slug})
    # WeChat reads the parameters in this order and needs the #wechat_redirect fragment.
    query = urlencode(
        {
            "appid": app_id,
            "redirect_uri": callback,
            "response_type": "code",
            "scope": scope,
            "state": state,
        }
    )
    return HttpResponseRedirect(
        f"{settings.WECHAT_OPEN_BASE}/connect/oauth2/authorize?{query}#wechat_redirect"
    )


@require_GET
def callback(request, slug):
    """WeChat's redirect back: exchange the code, sign the user in, go to ``next``."""
    account = get_object_or_404(WeChatAccount, slug=slug)
    pending = oauth_state.redeem(request, slug, request.GET.get("state", ""))
    if pending is None:
        text = _("登录链接已失效或不是从本页面发起的。请从公众号菜单重新打开页面。")
        return _problem(request, account, 400, _("登录已失效"), text)
    retry = start_url(slug, pending["next"], pending["scope"])
    code = request.GET.get("code")
    if not code:
        text = _("您没有允许获取微信个人信息，因此无法使用此功能。")
        return _problem(request, account, 403, _("您已拒绝授权"), text, retry)
    try:
        creds = account.credentials
    except MissingCredentials:
        log.error("OAuth callback for %s: the account has no credentials", slug)
        return _problem(request, account, 503, _("暂时无法登录"), _("公众号尚未完成配置。"))
    try:
        token = oauth_client.exchange_code(creds, code)
        if token.get("is_snapshotuser") == 1:
            context = {"institution": account.institution, "retry": retry}
            return render(request, "wechat/oauth_snapshot.html", context)
        info = {}
        if pending["scope"] == "snsapi_userinfo":
            info = oauth_client.user_info(token["access_token"], token["openid"])
    except oauth_client.OAuthFailed as exc:
        log.warning("OAuth sign-in to %s failed: %s %s", slug, exc.errcode, exc.errmsg)
        if exc.errcode in oauth_client.CODE_REFUSED:
            text = _("授权码无效、已使用或已过期，请重新进入。")
            return _problem(request, account, 400, _("授权已过期"), text, retry)
        text = _("暂时无法连接微信完成登录，请稍后重试。")
        return _problem(request, account, 502, _("登录失败"), text, retry)
    openid = token["openid"]
    record_web_user(
        account,
        openid,
        unionid=info.get("unionid") or token.get("unionid", ""),
        nickname=info.get("nickname", ""),
    )
    h5.sign_in(request, slug, openid, pending["scope"])
    return HttpResponseRedirect(pending["next"])


@h5.wechat_user_required(scope="snsapi_userinfo")
def me(request, slug):
    """Who the signed-in WeChat user is: shows OAuth working (and helps debugging it)."""
    context = {
        "institution": request.wechat_account.institution,
        "account": request.wechat_account,
        "wechat_user": request.wechat_user,
        "follower": request.follower,
    }
    return render(request, "wechat/oauth_me.html", context)
