"""/cgi-bin/user/get (the follower list, 10,000 a page), /cgi-bin/user/info and
/cgi-bin/user/info/batchget (at most 100 at a time).

Since 2021 WeChat no longer returns nicknames or avatars here; neither does the sandbox.
"""

from ..models import SandboxMessage, SandboxUser
from . import ApiError, answer, api
from .messages import follower

PAGE = 10_000
BATCH = 100


@api("GET")
def user_get(request, app_id, _body):
    followers = SandboxUser.objects.filter(app_id=app_id, subscribed=True).order_by("id")
    total = followers.count()
    after = request.GET.get("next_openid", "")
    if after:
        followers = followers.filter(id__gt=follower(app_id, after).id)
    page = list(followers.values_list("openid", flat=True)[:PAGE])
    if not page:
        return answer({"total": total, "count": 0, "next_openid": ""})
    return answer(
        {"total": total, "count": len(page), "data": {"openid": page}, "next_openid": page[-1]}
    )


def _scene(user: SandboxUser) -> dict:
    """How the user came: the scene of their latest follow through a QR code, if any."""
    for row in SandboxMessage.objects.filter(
        app_id=user.app_id, openid=user.openid, direction="out"
    ).order_by("-created_at", "-id"):
        body = row.body if isinstance(row.body, dict) else {}
        if str(body.get("Event", "")).lower() != "subscribe":
            continue
        key = str(body.get("EventKey") or "")
        scene = key.removeprefix("qrscene_") if key.startswith("qrscene_") else ""
        if not scene:
            break
        if scene.isdigit():
            return {
                "subscribe_scene": "ADD_SCENE_QR_CODE",
                "qr_scene": int(scene),
                "qr_scene_str": "",
            }
        return {"subscribe_scene": "ADD_SCENE_QR_CODE", "qr_scene": 0, "qr_scene_str": scene}
    return {"subscribe_scene": "ADD_SCENE_OTHERS", "qr_scene": 0, "qr_scene_str": ""}


def info(user: SandboxUser, lang: str = "zh_CN") -> dict:
    if not user.subscribed:
        return {"subscribe": 0, "openid": user.openid, "tagid_list": []}
    data = {
        "subscribe": 1,
        "openid": user.openid,
        "language": lang or "zh_CN",
        "subscribe_time": int(user.subscribed_at.timestamp()) if user.subscribed_at else 0,
        "remark": "",
        "groupid": 0,
        "tagid_list": [],
        **_scene(user),
    }
    if user.unionid:
        data["unionid"] = user.unionid
    return data


@api("GET")
def user_info(request, app_id, _body):
    openid = request.GET.get("openid")
    if not openid:
        raise ApiError(41009, "missing openid")
    return answer(info(follower(app_id, openid), request.GET.get("lang", "zh_CN")))


@api("POST")
def user_batchget(request, app_id, body):
    wanted = body.get("user_list")
    if not isinstance(wanted, list) or not 1 <= len(wanted) <= BATCH:
        raise ApiError(40032, "invalid openid list size")
    infos = []
    for item in wanted:
        if not isinstance(item, dict):
            raise ApiError(47001, "data format error")
        infos.append(info(follower(app_id, item.get("openid")), item.get("lang", "zh_CN")))
    return answer({"user_info_list": infos})
