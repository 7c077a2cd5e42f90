"""The custom menu as WeChat wants it: validated against WeChat's limits, then built as JSON.

Limits (WeChat's custom-menu rules): 1–3 top buttons; a top button either acts itself or opens
1–5 sub-buttons; names ≤ 16 bytes (top) / ≤ 60 bytes (sub), UTF-8, so a Chinese character counts
3; key ≤ 128 bytes; url ≤ 1024 bytes; each type needs its own fields.
"""

from django.utils.translation import gettext as _

from .limits import LimitExceeded, utf8_len
from .models import MenuButton
from .models.menu import ButtonType

MAX_TOP = 3
MAX_SUB = 5
NAME_BYTES = {"top": 16, "sub": 60}
KEY_BYTES = 128
URL_BYTES = 1024
KEY_TYPES = {
    ButtonType.CLICK,
    ButtonType.SCANCODE_PUSH,
    ButtonType.SCANCODE_WAITMSG,
    ButtonType.PIC_SYSPHOTO,
    ButtonType.PIC_PHOTO_OR_ALBUM,
    ButtonType.PIC_WEIXIN,
    ButtonType.LOCATION_SELECT,
}


def button_errors(button: dict, level: str, children: int = 0) -> list[str]:
    """What is wrong with one button (``level``: top or sub); ``children``: its sub-buttons."""
    label = _("一级菜单") if level == "top" else _("子菜单")
    name = button.get("name") or ""
    where = f"{label}「{name}」" if name else str(label)
    errors = []
    if not name.strip():
        errors.append(_("%(where)s：名称不能为空") % {"where": where})
    elif utf8_len(name) > NAME_BYTES[level]:
        errors.append(
            _("%(where)s：名称最多 %(max)d 个字节（一个汉字算 3 个字节），现在是 %(size)d 个字节")
            % {"where": where, "max": NAME_BYTES[level], "size": utf8_len(name)}
        )
    kind = button.get("type") or ""
    if kind not in ButtonType.values:
        return [*errors, _("%(where)s：未知的菜单类型 %(type)s") % {"where": where, "type": kind}]
    if level == "top" and children:
        if kind:
            errors.append(_("%(where)s：有子菜单的一级菜单不能再设置类型") % {"where": where})
        if children > MAX_SUB:
            errors.append(
                _("%(where)s：子菜单最多 %(max)d 个，现在有 %(count)d 个")
                % {"where": where, "max": MAX_SUB, "count": children}
            )
        return errors
    if not kind:
        if level == "top":
            errors.append(_("%(where)s：请设置菜单类型，或添加 1～5 个子菜单") % {"where": where})
        else:
            errors.append(_("%(where)s：请设置菜单类型（菜单最多两级）") % {"where": where})
        return errors
    return errors + _type_errors(button, kind, where)


def _type_errors(button: dict, kind: str, where: str) -> list[str]:
    errors = []
    key, url = button.get("key") or "", button.get("url") or ""
    if kind in KEY_TYPES:
        if not key:
            errors.append(_("%(where)s：此类型需要填写键（KEY）") % {"where": where})
        elif utf8_len(key) > KEY_BYTES:
            errors.append(
                _("%(where)s：键（KEY）最多 %(max)d 个字节") % {"where": where, "max": KEY_BYTES}
            )
    if kind in (ButtonType.VIEW, ButtonType.MINIPROGRAM):
        if not url:
            errors.append(_("%(where)s：此类型需要填写网址") % {"where": where})
        elif utf8_len(url) > URL_BYTES:
            errors.append(
                _("%(where)s：网址最多 %(max)d 个字节") % {"where": where, "max": URL_BYTES}
            )
        elif not url.startswith(("http://", "https://")):
            errors.append(_("%(where)s：网址须以 http:// 或 https:// 开头") % {"where": where})
    if kind == ButtonType.MINIPROGRAM and not (button.get("appid") and button.get("pagepath")):
        errors.append(_("%(where)s：小程序菜单需要填写小程序 AppID 和页面路径") % {"where": where})
    return errors


def _as_dict(button: MenuButton) -> dict:
    return {
        "name": button.name,
        "type": button.type,
        "key": button.key,
        "url": button.url,
        "appid": button.appid,
        "pagepath": button.pagepath,
    }


def menu_tree(account) -> list[tuple[MenuButton, list[MenuButton]]]:
    """The account's top buttons in order, each with its sub-buttons in order."""
    buttons = list(MenuButton.objects.filter(account=account).order_by("position", "id"))
    children: dict[int, list[MenuButton]] = {}
    for button in buttons:
        if button.parent_id:
            children.setdefault(button.parent_id, []).append(button)
    return [(b, children.get(b.pk, [])) for b in buttons if b.parent_id is None]


def menu_errors(tree) -> list[str]:
    if not tree:
        return [_("菜单至少需要 1 个一级菜单")]
    errors = []
    if len(tree) > MAX_TOP:
        errors.append(
            _("一级菜单最多 %(max)d 个，现在有 %(count)d 个") % {"max": MAX_TOP, "count": len(tree)}
        )
    for top, subs in tree:
        errors += button_errors(_as_dict(top), "top", children=len(subs))
        for sub in subs:
            errors += button_errors(_as_dict(sub), "sub")
    return errors


def _wire(button: MenuButton) -> dict:
    data = {"type": button.type, "name": button.name}
    if button.type in KEY_TYPES:
        data["key"] = button.key
    if button.type in (ButtonType.VIEW, ButtonType.MINIPROGRAM):
        data["url"] = button.url
    if button.type == ButtonType.MINIPROGRAM:
        data.update(appid=button.appid, pagepath=button.pagepath)
    return data


def build_menu(account) -> dict:
    """WeChat's menu/create body for the account, or LimitExceeded listing every problem."""
    tree = menu_tree(account)
    errors = menu_errors(tree)
    if errors:
        raise LimitExceeded(errors, code="menu")
    buttons = []
    for top, subs in tree:
        if subs:
            buttons.append({"name": top.name, "sub_button": [_wire(s) for s in subs]})
        else:
            buttons.append(_wire(top))
    return {"button": buttons}
