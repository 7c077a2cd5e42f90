"""The phone's JSON endpoints: what the user does (follow, write, tap the menu) and the poll
that brings what arrived. Each acts for the ``account`` and ``openid`` it is given."""

from functools import wraps

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from carebridge.institutions.models import WeChatAccount

from .. import sender
from ..forms import FollowForm, MenuTapForm, SendForm
from ..guard import sandbox_only
from ..models import SandboxMessage, SandboxUser
from . import actions, scenes
from .identity import app_id_of, remember_user
from .menu import button_at, menu_buttons
from .render import bubble


def phone_action(view):
    """JSON endpoints acting as the phone's user: resolves ``account`` and ``openid`` (POST or
    GET) to ``request.account`` and ``request.user_on_phone``; answers errors as JSON."""

    @wraps(view)
    def wrapper(request):
        data = request.POST if request.method == "POST" else request.GET
        account = WeChatAccount.objects.filter(slug=data.get("account", "")).first()
        if account is None:
            return JsonResponse({"error": _("没有这个公众号")}, status=404)
        user = SandboxUser.objects.filter(
            app_id=app_id_of(account), openid=data.get("openid", "")
        ).first()
        if user is None:
            return JsonResponse({"error": _("请先选择或新建一个模拟用户")}, status=400)
        request.account, request.user_on_phone = account, user
        try:
            return view(request)
        except actions.PhoneRefused as exc:
            return JsonResponse({"error": _refusal(str(exc))}, status=409)
        except sender.DeliveryFailed as exc:
            text = _("公众号服务器没有正确应答：%s") % exc
            return JsonResponse({"error": text}, status=502)

    return wrapper


def _refusal(reason: str) -> str:
    return {
        "already following": _("已经关注了这个公众号"),
        "not following": _("还没有关注这个公众号"),
        "follow the account first": _("请先关注公众号"),
        "expired": _("二维码已过期"),
    }.get(reason, reason)


def _invalid(form) -> JsonResponse:
    errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    return JsonResponse({"error": " ".join(errors)}, status=400)


@sandbox_only
@require_POST
@phone_action
def snapshot(request):
    on = request.POST.get("snapshot") == "1"
    actions.set_snapshot(request.user_on_phone, on)
    return JsonResponse({"ok": True, "snapshot": on})


@sandbox_only
@require_POST
@phone_action
def follow(request):
    form = FollowForm(request.POST)
    if not form.is_valid():
        return _invalid(form)
    found = scenes.resolve(request.account, request.user_on_phone.app_id, form.cleaned_data)
    if found is None:
        return JsonResponse({"error": _("没有这个二维码")}, status=400)
    scene, ticket = found
    actions.follow(request.account, request.user_on_phone, scene=scene, ticket=ticket)
    return JsonResponse({"ok": True})


@sandbox_only
@require_POST
@phone_action
def unfollow(request):
    actions.unfollow(request.account, request.user_on_phone)
    return JsonResponse({"ok": True})


@sandbox_only
@require_POST
@phone_action
def send(request):
    form = SendForm(request.POST)
    if not form.is_valid():
        return _invalid(form)
    actions.send(request.account, request.user_on_phone, form.message_fields())
    return JsonResponse({"ok": True})


@sandbox_only
@require_POST
@phone_action
def tap_menu(request):
    """Tap a button of the pushed menu; a VIEW button answers the URL to open in the phone."""
    form = MenuTapForm(request.POST)
    if not form.is_valid():
        return _invalid(form)
    button = button_at(menu_buttons(request.user_on_phone.app_id) or [], form.cleaned_data["path"])
    if button is None or button.get("sub_button"):
        return JsonResponse({"error": _("菜单里没有这个按钮")}, status=400)
    actions.tap_menu(request.account, request.user_on_phone, button)
    response = JsonResponse({"ok": True, "open": button.get("url", "")})
    # The page opens inside WeChat as this user: the authorize page must see the same person.
    remember_user(request, response, request.user_on_phone)
    return response


@sandbox_only
@require_GET
@phone_action
def poll(request):
    """What arrived on (and was sent from) the phone after message ``after``."""
    try:
        after = int(request.GET.get("after") or 0)
    except ValueError:
        return JsonResponse({"error": "after must be a number"}, status=400)
    user = request.user_on_phone
    rows = SandboxMessage.objects.filter(app_id=user.app_id, openid=user.openid, id__gt=after)
    latest = list(rows.order_by("-id")[:200])[::-1]  # the newest 200, oldest first
    return JsonResponse(
        {
            "messages": [bubble(row) for row in latest],
            "subscribed": user.subscribed,
            "snapshot": user.snapshot,
            "menu": menu_buttons(user.app_id),
        },
        json_dumps_params={"ensure_ascii": False},
    )
