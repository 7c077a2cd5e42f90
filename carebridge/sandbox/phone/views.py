"""The phone simulator at /sandbox/: a WeChat user's phone talking to one account.

The page is server-rendered, with forms to pick or create the simulated user; the JSON
endpoints (endpoints.py) take its actions and poll what arrives.
"""

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from carebridge.institutions.models import WeChatAccount

from ..forms import NicknameForm
from ..guard import sandbox_only
from ..models import SandboxPayOrder, SandboxUser
from . import actions, scenes
from .identity import app_id_of, remember_user, selected_user
from .menu import menu_buttons


def _pick_account(slug: str | None) -> WeChatAccount | None:
    accounts = WeChatAccount.objects.order_by("id")
    if slug:
        return accounts.filter(slug=slug).first()
    return accounts.filter(slug="demo").first() or accounts.first()


def _phone_url(account: WeChatAccount) -> str:
    return f"{reverse('sandbox:phone')}?{urlencode({'account': account.slug})}"


@sandbox_only
@require_GET
def index(request):
    """The simulator page."""
    account = _pick_account(request.GET.get("account"))
    if account is None:
        return render(request, "sandbox/phone_empty.html", status=404 if request.GET else 200)
    app_id = app_id_of(account)
    user = selected_user(request, app_id)
    menu = menu_buttons(app_id)
    context = {
        "accounts": WeChatAccount.objects.order_by("id"),
        "account": account,
        "users": SandboxUser.objects.filter(app_id=app_id).order_by("created_at"),
        "user": user,
        "menu": menu,
        "scenes": scenes.for_account(account, app_id),
        "cashier_codes": cashier_codes(app_id),
        "phone_data": _phone_data(account, user, menu),
        "identity_url": settings.SITE_URL
        + reverse("wechat:oauth_me", kwargs={"slug": account.slug}),
        "site_url": settings.SITE_URL,
        "wrong_host": request.get_host() != urlsplit(settings.SITE_URL).netloc,
    }
    return render(request, "sandbox/phone.html", context)


def cashier_codes(app_id: str):
    """The account's merchant's Native-pay QR codes still to be paid (a cashier showed one in
    the back office): the phone can "scan" each, as a patient scans the code at the window."""
    return SandboxPayOrder.objects.filter(
        appid=app_id, trade_type="NATIVE", trade_state="NOTPAY", time_expire__gt=timezone.now()
    ).order_by("-id")[:10]


def _phone_data(account: WeChatAccount, user: SandboxUser | None, menu) -> dict:
    """What the page's script needs: who, where to post, and its words in the current language."""
    campus = account.institution.campuses.order_by("position", "id").first()
    return {
        "account": account.slug,
        "openid": user.openid if user else "",
        "subscribed": bool(user and user.subscribed),
        "menu": menu,
        "urls": {
            name: reverse(f"sandbox:phone_{name}")
            for name in (
                "follow",
                "unfollow",
                "send",
                "menu",
                "messages",
                "snapshot",
                "pay_sheet",
                "pay_confirm",
            )
        }
        | {"scan_pay": reverse("sandbox:pay_scan")},
        "location": {
            "latitude": float(campus.latitude) if campus else 31.2990,
            "longitude": float(campus.longitude) if campus else 120.5853,
            "label": campus.address if campus else "",
        },
        "text": {
            "details": _("详情"),
            "read": _("阅读全文"),
            "no_menu": _(
                "菜单尚未推送到微信：运行 carebridge sync-menu（make demo 启动时会自动推送）"
            ),
            "voice_hint": _("先在输入框里写下要说的话"),
            "failed": _("操作失败"),
        },
    }


def _account_from_post(request) -> WeChatAccount | None:
    return WeChatAccount.objects.filter(slug=request.POST.get("account", "")).first()


@sandbox_only
@require_POST
def create_user(request):
    """Create a simulated user and hand them the phone."""
    account = _account_from_post(request)
    form = NicknameForm(request.POST)
    if account is None or not form.is_valid():
        messages.error(request, _("请输入昵称（最多 32 个字）"))
        return redirect(_phone_url(account) if account else reverse("sandbox:phone"))
    user = actions.create_user(account, form.cleaned_data["nickname"])
    response = redirect(_phone_url(account))
    remember_user(request, response, user)
    return response


@sandbox_only
@require_POST
def select_user(request):
    """Hand the phone to another simulated user of the account."""
    account = _account_from_post(request)
    if account is None:
        return redirect(reverse("sandbox:phone"))
    user = SandboxUser.objects.filter(
        app_id=app_id_of(account), openid=request.POST.get("openid", "")
    ).first()
    response = redirect(_phone_url(account))
    if user is None:
        messages.error(request, _("没有这个模拟用户"))
    else:
        remember_user(request, response, user)
    return response
