"""JS-SDK configuration for H5 pages: ``wx.config({appId, timestamp, nonceStr, signature})``.

The signature is the SHA-1 of ``jsapi_ticket=…&noncestr=…&timestamp=…&url=…`` (keys in that
order, the page's URL without its #fragment). The ticket is cached and refreshed like the access
token (tokens.TokenStore). ``GET /wechat/<slug>/jssdk/?url=…`` answers the configuration as JSON.
"""

import hashlib
import logging
import secrets
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from carebridge.institutions.models import WeChatAccount

from .client import WeChatClient
from .tokens import TokenStore, credential
from .transport import WeChatError

log = logging.getLogger("carebridge.wechat")
MAX_URL_BYTES = 2048


def script_for(request) -> str:
    """The jweixin address for this request's page, or "" when the page should not load it:
    WeChat's own script (an http(s) address) only inside WeChat's browser, whose user agent
    says MicroMessenger; a static file (the sandbox's stand-in) always. See
    settings.WECHAT_JSSDK_SCRIPT."""
    script = settings.WECHAT_JSSDK_SCRIPT
    if not script:
        return ""
    if not script.startswith(("https://", "http://")):
        return static(script)
    return script if "MicroMessenger" in request.headers.get("User-Agent", "") else ""


def signature(ticket: str, noncestr: str, timestamp: int | str, url: str) -> str:
    """WeChat's JS-SDK signature of ``url`` (its #fragment is not signed)."""
    page = url.split("#", 1)[0]
    text = f"jsapi_ticket={ticket}&noncestr={noncestr}&timestamp={timestamp}&url={page}"
    return hashlib.sha1(text.encode()).hexdigest()


def jsapi_tickets(account) -> TokenStore:
    """The JS-SDK ticket store of one account; the ticket is fetched with its access token."""

    def fetch(force: bool) -> tuple[str, int]:
        data = WeChatClient(account).get("/cgi-bin/ticket/getticket", {"type": "jsapi"})
        return credential(data, "ticket")

    return TokenStore("jsapi", account.credentials.app_id, fetch)


def config(account, url: str) -> dict:
    """The ``wx.config`` parameters for the page at ``url``."""
    ticket = jsapi_tickets(account).get()
    noncestr = secrets.token_hex(8)
    timestamp = int(time.time())
    return {
        "appId": account.credentials.app_id,
        "timestamp": timestamp,
        "nonceStr": noncestr,
        "signature": signature(ticket, noncestr, timestamp, url),
    }


def _host(parts) -> str | None:
    """``host[:port]`` of a split URL, lower-cased, the scheme's default port left out; None when
    it has none or carries a user name (``https://ours@theirs/`` is theirs)."""
    try:
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname or "@" in parts.netloc:
        return None
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.hostname if port in (None, default) else f"{parts.hostname}:{port}"


def signed_hosts() -> set[str]:
    """The hosts whose pages get a signature: SITE_URL's and WECHAT_JSSDK_EXTRA_HOSTS. Never the
    request's own Host header, which whoever sends the request chooses: a signature for someone
    else's page would lend them our account's JS-SDK."""
    hosts = {_host(urlsplit(settings.SITE_URL))}
    hosts.update(_host(urlsplit(f"https://{h}")) for h in settings.WECHAT_JSSDK_EXTRA_HOSTS)
    return hosts - {None}


@require_GET
def config_view(request, slug):
    account = get_object_or_404(WeChatAccount, slug=slug)
    url = request.GET.get("url", "")
    parts = urlsplit(url)
    if not url or len(url.encode()) > MAX_URL_BYTES or parts.scheme not in ("http", "https"):
        return JsonResponse({"error": _("请提供当前页面的完整网址（url 参数）")}, status=400)
    if _host(parts) not in signed_hosts():
        return JsonResponse({"error": _("只能为本站页面生成 JS-SDK 签名")}, status=400)
    try:
        return JsonResponse(config(account, url))
    except WeChatError as exc:
        log.warning("JS-SDK config for %s failed: %s", slug, exc)
        return JsonResponse({"error": exc.staff_message}, status=503)
