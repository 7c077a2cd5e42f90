"""One call to WeChat's server API, without a token, and the errors any call may raise.

``request_json(method, path, params=…, json=…)`` returns WeChat's JSON answer and raises
``WeChatError`` for a non-zero errcode (``WeChatUnreachable`` when no answer came); busy (-1)
backs off per ``WECHAT_BUSY_BACKOFF`` and retries. ``client.WeChatClient`` adds the account's
access token, which ``tokens.py`` fetches through this same call.
"""

import json as jsonlib
import logging
import time
from functools import lru_cache

import httpx
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from carebridge.lib.http import outgoing

log = logging.getLogger("carebridge.wechat")

BUSY = -1
# The access token the call carried is wrong, not the latest, or expired: refetch and retry once.
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
# Call-frequency and quota errors: they pass with time, so the outbox tries again later.
RATE_LIMITED = frozenset({45009, 45011, 45066})

# What an errcode means for a message the outbox carries: PASSING, the same call will probably
# succeed later (retried for the topic's period: outbox/worker.py), or PERMANENT, it never will
# (failed at once with WeChat's reason). No answer at all (network, timeout, HTTP 5xx: errcode
# None) is passing; a code not in the table is permanent.
PASSING, PERMANENT = "passing", "permanent"

# WeChat's documented errcodes (official-account global return codes and each API's own): how
# they pass, and what a member of staff reads.
ERRCODES = {
    BUSY: (PASSING, _("微信系统繁忙，请稍后再试")),
    40001: (PASSING, _("微信接口凭证无效或已被更新")),
    40002: (PERMANENT, _("获取凭证的方式不正确")),
    40003: (PERMANENT, _("该用户的 OpenID 不正确")),
    40004: (PERMANENT, _("素材类型不正确")),
    40005: (PERMANENT, _("图片格式不正确")),
    40006: (PERMANENT, _("文件大小超出限制")),
    40007: (PERMANENT, _("素材或草稿 ID 不正确（可能已被删除或已发表）")),
    40008: (PERMANENT, _("消息类型不正确")),
    40009: (PERMANENT, _("图片大小超出限制")),
    40013: (PERMANENT, _("AppID 不正确，请检查公众号配置")),
    40014: (PASSING, _("微信接口凭证不合法")),
    40016: (PERMANENT, _("一级菜单数量不正确（1～3 个）")),
    40017: (PERMANENT, _("菜单类型不正确")),
    40018: (PERMANENT, _("一级菜单名称过长")),
    40019: (PERMANENT, _("菜单 KEY 长度不正确")),
    40020: (PERMANENT, _("菜单网址长度不正确")),
    40023: (PERMANENT, _("子菜单数量不正确（1～5 个）")),
    40024: (PERMANENT, _("子菜单类型不正确")),
    40025: (PERMANENT, _("子菜单名称过长")),
    40026: (PERMANENT, _("子菜单 KEY 长度不正确")),
    40027: (PERMANENT, _("子菜单网址长度不正确")),
    40032: (PERMANENT, _("一次查询的用户数不正确（1～100 个）")),
    40037: (PERMANENT, _("模板 ID 不正确")),
    40052: (PERMANENT, _("二维码类型不正确")),
    40053: (PERMANENT, _("二维码场景值不正确")),
    40097: (PERMANENT, _("请求参数不正确")),
    40125: (PERMANENT, _("AppSecret 不正确，请检查公众号配置")),
    40164: (PERMANENT, _("服务器 IP 不在公众号的 IP 白名单中")),
    41001: (PERMANENT, _("缺少微信接口凭证")),
    41005: (PERMANENT, _("缺少上传的文件")),
    42001: (PASSING, _("微信接口凭证已过期")),
    43004: (PERMANENT, _("用户未关注公众号")),
    43101: (PERMANENT, _("用户拒绝接收该消息")),
    44002: (PERMANENT, _("请求内容为空")),
    44004: (PERMANENT, _("消息内容为空")),
    45009: (PASSING, _("今日接口调用次数已达上限")),
    45011: (PASSING, _("接口调用太频繁，请稍后再试")),
    45015: (PERMANENT, _("已超出客服消息的回复时限（用户48小时内未互动）或用户已取消关注")),
    45026: (PERMANENT, _("模板数量已达上限（最多 25 个），请先在公众平台删除不用的模板")),
    45028: (PERMANENT, _("群发次数已用完")),
    45029: (PERMANENT, _("永久二维码数量已达上限")),
    45047: (PERMANENT, _("客服消息条数已达上限")),
    45065: (PERMANENT, _("相同的群发已提交过")),
    45066: (PASSING, _("相同的群发重试太快，请1分钟后再试")),
    45067: (PERMANENT, _("群发编号过长")),
    46003: (PERMANENT, _("公众号尚未设置自定义菜单")),
    47001: (PERMANENT, _("数据格式不正确")),
    47003: (PERMANENT, _("模板参数不正确")),
    48001: (PERMANENT, _("公众号没有该接口的权限（需已认证的服务号）")),
    53503: (PERMANENT, _("该草稿未通过发表检查")),
    53504: (PERMANENT, _("该草稿需到公众平台官网发表")),
    53505: (PERMANENT, _("请在公众平台手动保存该草稿后再发表")),
}


class WeChatError(Exception):
    """WeChat answered with a non-zero errcode (or could not be reached: errcode None)."""

    def __init__(self, errcode: int | None, errmsg: str, response: dict | None = None):
        self.errcode = errcode
        self.errmsg = errmsg
        self.response = response if response is not None else {"errcode": errcode, "errmsg": errmsg}
        super().__init__(errcode, errmsg)

    @property
    def staff_message(self) -> str:
        """What a member of staff reads: Chinese when the code is known, WeChat's text otherwise."""
        known = ERRCODES.get(self.errcode)
        return str(known[1]) if known else str(_("微信返回错误"))

    def __str__(self) -> str:
        return f"{self.staff_message} (errcode {self.errcode}: {self.errmsg})"


class WeChatUnreachable(WeChatError):
    """No answer from WeChat (network, timeout, not JSON): the call may or may not have run."""

    def __init__(self, reason: str):
        super().__init__(None, reason)

    @property
    def staff_message(self) -> str:
        return str(_("无法连接微信服务器"))


def is_passing(exc: WeChatError) -> bool:
    """Will the same call probably succeed later (so the outbox should try again)? Yes when no
    answer came (network, timeout, HTTP 5xx, no token to be had), or for a PASSING errcode."""
    if exc.errcode is None:
        return True
    kind, _message = ERRCODES.get(exc.errcode, (PERMANENT, None))
    return kind == PASSING


def request_json(method: str, path: str, *, params=None, json=None, files=None) -> dict:
    """One call to WeChat's API (no token added): the JSON answer, or ``WeChatError``.

    Busy (-1) answers are retried after each pause of ``WECHAT_BUSY_BACKOFF``.
    """
    pauses = list(settings.WECHAT_BUSY_BACKOFF)
    while True:
        try:
            return _request_once(method, path, params=params, json=json, files=files)
        except WeChatError as exc:
            if exc.errcode != BUSY or not pauses:
                raise
            pause = pauses.pop(0)
            log.info("WeChat busy on %s; retrying in %.1fs", path, pause)
            time.sleep(pause)


@lru_cache(maxsize=256)
def _cached_url(url: str, query: tuple) -> httpx.URL:
    return httpx.URL(url, params=dict(query))


def _url(path: str, params: dict | None) -> httpx.URL:
    """The call's URL, built once per path, parameters and access token: httpx checks every
    character of a URL each time it parses one, and a 512-character token made that the
    costliest part of the worker's template deliveries (bench/RESULTS.md)."""
    url = settings.WECHAT_API_BASE + path
    try:
        return _cached_url(url, tuple((params or {}).items()))
    except TypeError:  # a parameter value that cannot be a cache key (a list): build it anew
        return httpx.URL(url, params=params)


def _request_once(method: str, path: str, *, params=None, json=None, files=None) -> dict:
    # WeChat wants UTF-8 text, not \u-escapes (menus showed escapes literally).
    content = None if json is None else jsonlib.dumps(json, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json; charset=utf-8"} if content else None
    try:
        response = outgoing().request(
            method,
            _url(path, params),
            content=content,
            headers=headers,
            files=files,  # uploads: multipart/form-data, WeChat's field is "media"
            timeout=settings.WECHAT_HTTP_TIMEOUT,
        )
    except httpx.HTTPError as exc:
        raise WeChatUnreachable(f"{exc.__class__.__name__}: {exc}") from exc
    if response.status_code != 200:
        raise WeChatUnreachable(f"HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError as exc:
        raise WeChatUnreachable("the answer is not JSON") from exc
    if not isinstance(data, dict):
        raise WeChatUnreachable("the answer is not a JSON object")
    errcode = data.get("errcode") or 0
    if errcode:
        raise WeChatError(errcode, str(data.get("errmsg", "")), data)
    return data
