"""WeChat's web-authorisation API (api.weixin.qq.com/sns/…), played by the sandbox.

Same parameters, JSON and error codes as WeChat: HTTP 200 with ``errcode`` on refusal.
"""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from . import grants
from .guard import sandbox_only
from .registry import account_for_app_id


def _answer(payload: dict) -> JsonResponse:
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})


def _refused(errcode: int, errmsg: str) -> JsonResponse:
    return _answer({"errcode": errcode, "errmsg": errmsg})


def _token_json(token, with_unionid: bool) -> dict:
    payload = {
        "access_token": token.access_token,
        "expires_in": int(grants.ACCESS_TTL.total_seconds()),
        "refresh_token": token.refresh_token,
        "openid": token.openid,
        "scope": token.scope,
    }
    if token.snapshot:
        payload["is_snapshotuser"] = 1
    # WeChat names the unionid on the exchange only for the snsapi_userinfo scope.
    if with_unionid and token.scope == "snsapi_userinfo" and token.unionid:
        payload["unionid"] = token.unionid
    return payload


@sandbox_only
@require_GET
def access_token(request):
    """Exchange a code: ``appid``, ``secret``, ``code``, ``grant_type=authorization_code``."""
    params = request.GET
    if not params.get("appid"):
        return _refused(41002, "appid missing")
    if not params.get("secret"):
        return _refused(41004, "appsecret missing")
    if not params.get("code"):
        return _refused(41008, "missing code")
    if params.get("grant_type") != "authorization_code":
        return _refused(40002, "invalid grant_type")
    found = account_for_app_id(params["appid"])
    if found is None:
        return _refused(40013, "invalid appid")
    if params["secret"] != found[1].app_secret:
        return _refused(40125, "invalid appsecret")
    try:
        token = grants.exchange_code(params["appid"], params["code"])
    except grants.OAuthError as exc:
        return _answer(exc.as_json())
    return _answer(_token_json(token, with_unionid=True))


@sandbox_only
@require_GET
def refresh_token(request):
    """``appid``, ``grant_type=refresh_token``, ``refresh_token``: a new access token."""
    params = request.GET
    if not params.get("appid"):
        return _refused(41002, "appid missing")
    if params.get("grant_type") != "refresh_token":
        return _refused(40002, "invalid grant_type")
    if not params.get("refresh_token"):
        return _refused(40030, "invalid refresh_token")
    if account_for_app_id(params["appid"]) is None:
        return _refused(40013, "invalid appid")
    try:
        token = grants.refresh(params["appid"], params["refresh_token"])
    except grants.OAuthError as exc:
        return _answer(exc.as_json())
    return _answer(_token_json(token, with_unionid=False))


@sandbox_only
@require_GET
def userinfo(request):
    """The user's profile for a snsapi_userinfo token (48001 for snsapi_base)."""
    try:
        info = grants.user_info(request.GET.get("access_token", ""), request.GET.get("openid", ""))
    except grants.OAuthError as exc:
        return _answer(exc.as_json())
    return _answer(info)


@sandbox_only
@require_GET
def auth(request):
    """Is this web-authorisation access token still valid for this openid?"""
    try:
        grants.valid_token(request.GET.get("access_token", ""), request.GET.get("openid", ""))
    except grants.OAuthError as exc:
        return _answer(exc.as_json())
    return _answer({"errcode": 0, "errmsg": "ok"})
