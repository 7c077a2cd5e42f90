"""/cgi-bin/menu/create, get and delete, with WeChat's checks and its 1,000 creates a day.

Written apart from carebridge.wechat.menu on purpose: it checks what our client sends, the way
WeChat would, rather than agreeing with it by construction.
"""

from django.utils import timezone

from ..models import SandboxMenu
from . import ApiError, answer, api, bump, ok, today

CREATES_PER_DAY = 1000
KEY_TYPES = {
    "click",
    "scancode_push",
    "scancode_waitmsg",
    "pic_sysphoto",
    "pic_photo_or_album",
    "pic_weixin",
    "location_select",
}
URL_TYPES = {"view", "miniprogram"}
MEDIA_TYPES = {"media_id", "view_limited", "article_id", "article_view_limited"}

# (top-level errcode, sub-button errcode, errmsg stem)
_SIZE = (40016, 40023, "button size")
_TYPE = (40017, 40024, "button type")
_NAME = (40018, 40025, "button name size")
_KEY = (40019, 40026, "button key size")
_URL = (40020, 40027, "button url size")
_DOMAIN = (40055, 40054, "button url domain")


def _refuse(which, sub: bool):
    top_code, sub_code, stem = which
    raise ApiError(sub_code if sub else top_code, f"invalid {'sub ' if sub else ''}{stem}")


def _nbytes(value) -> int:
    return len(value.encode()) if isinstance(value, str) else 0


def _check_leaf(button: dict, sub: bool) -> None:
    kind = button.get("type")
    if kind not in KEY_TYPES | URL_TYPES | MEDIA_TYPES:
        _refuse(_TYPE, sub)
    if kind in KEY_TYPES and not 1 <= _nbytes(button.get("key")) <= 128:
        _refuse(_KEY, sub)
    if kind in URL_TYPES:
        url = button.get("url")
        if not 1 <= _nbytes(url) <= 1024:
            _refuse(_URL, sub)
        if not url.startswith(("http://", "https://")):
            _refuse(_DOMAIN, sub)
    if kind == "miniprogram" and not (button.get("appid") and button.get("pagepath")):
        raise ApiError(40097, "invalid args")
    if kind in MEDIA_TYPES and not (button.get("media_id") or button.get("article_id")):
        raise ApiError(40097, "invalid args")


def check_menu(body: dict) -> list:
    buttons = body.get("button")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        _refuse(_SIZE, False)
    for button in buttons:
        if not isinstance(button, dict):
            raise ApiError(47001, "data format error")
        if not 1 <= _nbytes(button.get("name")) <= 16:
            _refuse(_NAME, False)
        subs = button.get("sub_button") or []
        if not subs:
            _check_leaf(button, sub=False)
            continue
        if not isinstance(subs, list) or len(subs) > 5:
            _refuse(_SIZE, True)
        for sub in subs:
            if not isinstance(sub, dict):
                raise ApiError(47001, "data format error")
            if not 1 <= _nbytes(sub.get("name")) <= 60:
                _refuse(_NAME, True)
            if sub.get("sub_button"):
                raise ApiError(40022, "invalid sub menu level")
            _check_leaf(sub, sub=True)
    return buttons


@api("POST")
def create(request, app_id, body):
    # WeChat counts the call before it judges the menu.
    if not bump(app_id, "menu_create", today(), CREATES_PER_DAY):
        raise ApiError(45009, "reach max api daily quota limit")
    buttons = check_menu(body)
    SandboxMenu.objects.update_or_create(
        app_id=app_id, defaults={"body": {"button": buttons}, "updated_at": timezone.now()}
    )
    return ok()


def _as_read(button: dict) -> dict:
    # menu/get lists leaves with an empty sub_button, as WeChat does.
    subs = button.get("sub_button") or []
    return {**button, "sub_button": [_as_read(s) for s in subs] if subs else []}


@api("GET")
def get(request, app_id, _body):
    menu = SandboxMenu.objects.filter(app_id=app_id).first()
    if menu is None:
        raise ApiError(46003, "menu no exist")
    return answer({"menu": {"button": [_as_read(b) for b in menu.body.get("button", [])]}})


@api("GET")
def delete(request, app_id, _body):
    SandboxMenu.objects.filter(app_id=app_id).delete()
    return ok()
