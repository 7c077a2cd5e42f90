"""Deposit accounts with their ledger (read-only), and the cashier's three tools on one
account: record cash/card/bank taken at the window, show a Native-pay QR for the patient to
scan, and refund the balance (each part to its channel). Every one goes through the deposit
actions; opening any of them is an audited look at the patient."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from carebridge.booking.qr import svg
from carebridge.institutions.admin_scoping import Scope
from carebridge.institutions.models import Institution
from carebridge.lib.api_refusals import ApiRefusal
from carebridge.lib.money import format_yuan, yuan_column
from carebridge.patients.references import find_patient

from ..actions.deposits import open_account, refund_balance, start_window_qr, top_up_at_window
from ..models import DepositAccount, DepositMovement, WindowTopUp
from ..wxpay import WxPayError
from .common import AuditedAdmin, ReadOnlyInline, audit
from .forms import BalanceRefundForm, OpenAccountForm, QrTopUpForm, WindowTopUpForm


class MovementInline(ReadOnlyInline):
    model = DepositMovement
    fk_name = "account"
    fields = ["created_at", "kind", "signed", "after", "reason", "actor", "receipt_no", "order"]
    readonly_fields = fields
    ordering = ["-id"]
    verbose_name_plural = _("流水(只读)")
    signed = yuan_column("amount", _("金额"))
    after = yuan_column("balance_after", _("余额"))

    @admin.display(description=_("经办"))
    def actor(self, obj):
        return obj.actor


@admin.register(DepositAccount)
class DepositAccountAdmin(AuditedAdmin):
    list_display = ["masked_patient", "balance_yuan", "refund_requested_at", "updated_at"]
    list_filter = ["institution", "refund_requested_at"]
    list_select_related = ["patient"]
    fields = ["masked_patient", "balance_yuan", "refund_requested_at", "created_at", "tools"]
    readonly_fields = fields
    inlines = [MovementInline]
    balance_yuan = yuan_column("balance", _("余额"))

    def has_change_permission(self, request, obj=None):
        # The ledger is never edited; "change" is the cashier's right to use the tools below.
        return super().has_change_permission(request, obj) and request.method == "GET"

    def may_operate(self, request, account) -> bool:
        return super().has_change_permission(request, account)

    @admin.display(description=_("收费窗口"))
    def tools(self, obj):
        links = [
            ("top_up", _("现金/银行卡充值")),
            ("qr", _("扫码充值")),
            ("refund", _("退还余额")),
        ]
        return format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            (
                (reverse(f"admin:billing_depositaccount_{name}", args=[obj.pk]), label)
                for name, label in links
            ),
        )

    def get_urls(self):
        extra = [
            path(
                f"<int:account_id>/{name}/",
                self.admin_site.admin_view(view),
                name=f"billing_depositaccount_{name}",
            )
            for name, view in [
                ("top_up", self.top_up_view),
                ("qr", self.qr_view),
                ("refund", self.refund_view),
            ]
        ]
        opening = path(
            "open/",
            self.admin_site.admin_view(self.open_view),
            name="billing_depositaccount_open",
        )
        return [opening, *extra, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_open": self.may_operate(request, None)}
        return super().changelist_view(request, extra_context)

    def open_view(self, request):
        """A patient at the window with no account yet (one is otherwise opened by their first
        top-up): found by card or ID number, the search audited, the account opened once."""
        institutions = Scope(request).limit(Institution.objects.order_by("pk"), "pk")
        if not self.may_operate(request, None) or not institutions:
            raise PermissionDenied
        form = OpenAccountForm(
            request.POST if request.method == "POST" else None, institutions=institutions
        )
        if request.method == "POST" and form.is_valid():
            institution = form.cleaned_data["institution"]
            ref = form.cleaned_data["patient_ref"]
            patient = find_patient(request, institution, ref, by="billing admin")
            if patient is None:
                form.add_error(None, _("未找到该就诊人:请患者先在本院服务号添加就诊人,再来开户"))
            else:
                account, opened = open_account(institution, patient)
                audit(request, account, "depositaccount open")
                note = _("已开立预交金账户") if opened else _("该就诊人已有预交金账户")
                self.message_user(request, note)
                return self._back(account)
        return render(
            request,
            "admin/billing/open_account.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("窗口开户"),
                "form": form,
            },
            status=400 if form.errors else 200,
        )

    def _account(self, request, account_id):
        account = get_object_or_404(
            self.get_queryset(request).select_related("patient", "institution"), pk=account_id
        )
        if not self.may_operate(request, account):
            raise PermissionDenied
        audit(request, account, "depositaccount tool")
        return account

    def _render(self, request, account, template, title, **context):
        return render(
            request,
            f"admin/billing/{template}.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "account": account,
                "title": title,
                "balance": format_yuan(account.balance),
                **context,
            },
            status=400 if context.get("form") is not None and context["form"].errors else 200,
        )

    def _back(self, account):
        return redirect("admin:billing_depositaccount_change", account.pk)

    def top_up_view(self, request, account_id):
        """Cash, card or bank transfer taken at the window, against a receipt number."""
        account = self._account(request, account_id)
        form = WindowTopUpForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                _movement, created = top_up_at_window(
                    account.institution,
                    account.patient,
                    data["amount"],
                    data["channel"],
                    data["receipt_no"],
                    reason=data["reason"],
                    by=request.user,
                )
            except ApiRefusal as refusal:
                form.add_error("receipt_no", str(refusal.message))
            else:
                note = (
                    _("已充值 %(amount)s") if created else _("该收据已入账 %(amount)s,未重复充值")
                )
                self.message_user(request, note % {"amount": format_yuan(data["amount"])})
                return self._back(account)
        return self._render(request, account, "top_up", _("收费窗口充值"), form=form)

    def qr_view(self, request, account_id):
        """A Native-pay QR for the amount: the patient scans it; the payment credits the
        deposit when WeChat Pay confirms it (never when this page says so)."""
        account = self._account(request, account_id)
        form = QrTopUpForm(request.POST if request.method == "POST" else None)
        window = None
        if request.method == "POST" and form.is_valid():
            try:
                window = start_window_qr(account, form.cleaned_data["amount"], request.user)
            except (ApiRefusal, WxPayError) as exc:
                form.add_error("amount", str(getattr(exc, "message", exc)))
            else:
                return redirect(f"{request.path}?order={window.order.out_trade_no}")
        shown = request.GET.get("order")
        if shown:
            window = get_object_or_404(
                WindowTopUp.objects.select_related("order"),
                order__out_trade_no=shown,
                order__patient=account.patient,
                order__institution=account.institution,
            )
        return self._render(
            request,
            account,
            "qr",
            _("扫码充值"),
            form=form,
            window=window,
            qr=svg(window.code_url) if window and window.code_url else "",
        )

    def refund_view(self, request, account_id):
        """The balance back, each part to its channel: online top-ups as WeChat Pay refunds,
        cash and card paid out here against a receipt number."""
        account = self._account(request, account_id)
        form = BalanceRefundForm(request.POST if request.method == "POST" else None)
        parts = account.refundable_parts()
        if request.method == "POST" and form.is_valid():
            try:
                outcome = refund_balance(
                    account,
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                    receipt_no=form.cleaned_data["receipt_no"],
                )
            except ApiRefusal as refusal:
                form.add_error(None, str(refusal.message))
            else:
                self.message_user(
                    request,
                    _("已退款:微信支付 %(online)s(以微信退款结果为准),窗口付款 %(window)s")
                    % {
                        "online": format_yuan(outcome.online),
                        "window": format_yuan(outcome.window),
                    },
                    messages.SUCCESS,
                )
                return self._back(account)
        by_channel = {}
        for credit, fen in parts:
            by_channel[credit.get_kind_display()] = (
                by_channel.get(credit.get_kind_display(), 0) + fen
            )
        return self._render(
            request,
            account,
            "refund",
            _("退还余额"),
            form=form,
            parts=[(label, format_yuan(fen)) for label, fen in by_channel.items()],
        )
