from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from carebridge.institutions.admin_scoping import InstitutionScopedAdmin
from carebridge.lib.api_refusals import ApiRefusal
from carebridge.lib.money import YuanField, format_yuan
from carebridge.patients.audited_admin import AuditedAdmin, ReadOnlyInline

from ..actions.refunds import request_refund
from ..models import Order, OrderStatus, PayNotification, Refund

ORDER_FIELDS = [
    "out_trade_no",
    "kind",
    "description",
    "masked_patient",
    "total",
    "status",
    "expires_at",
    "appointment",
    "paid_wxpay",
    "paid_deposit",
    "paid_insurance",
    "transaction_id",
    "paid_at",
    "closed_at",
    "query_attempts",
    "next_query_at",
    "follow_up_due",
    "follow_up_failures",
    "follow_up_after",
    "created_at",
    "refund_tool",
]


class PartialRefundForm(forms.Form):
    """A refund of part (or all) of what WeChat Pay paid: the amount in yuan, and why."""

    amount = YuanField(label=_("退款金额(元)"))
    reason = forms.CharField(label=_("退款原因"), max_length=80)


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ["out_refund_no", "amount", "reason", "status", "requested_by", "created_at"]
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(AuditedAdmin):
    """Orders as paid: read-only; amounts in fen."""

    list_display = ["created_at", "out_trade_no", "kind", "masked_patient", "total", "status"]
    list_filter = ["status", "kind", "follow_up_due", "institution"]
    list_select_related = ["patient"]
    search_fields = ["=out_trade_no", "=transaction_id"]
    date_hierarchy = "created_at"
    fields = ORDER_FIELDS
    readonly_fields = ORDER_FIELDS
    inlines = [RefundInline]

    def patient_of(self, obj):
        return obj.patient

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def may_refund(self, request, obj) -> bool:
        """Refunding is the billing staff's right to change refunds, on an order they see."""
        return request.user.has_perm("billing.add_refund") and obj is not None

    @admin.display(description=_("退款"))
    def refund_tool(self, obj):
        if obj.status != OrderStatus.PAID or not obj.refundable():
            return format_html("{}", _("无可退金额"))
        url = reverse("admin:billing_order_refund", args=[obj.pk])
        return format_html(
            '<a href="{}">{}</a> ({})', url, _("部分退款"), format_yuan(obj.refundable())
        )

    def get_urls(self):
        own = [
            path(
                "<int:order_id>/refund/",
                self.admin_site.admin_view(self.refund_view),
                name="billing_order_refund",
            )
        ]
        return own + super().get_urls()

    def refund_view(self, request, order_id):
        """Staff refund part of a paid order, with a reason: a PENDING refund that WeChat Pay's
        answer and notification settle (the order's page shows its state)."""
        order = get_object_or_404(self.get_queryset(request), pk=order_id)
        if not self.may_refund(request, order):
            raise PermissionDenied
        form = PartialRefundForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                refund = request_refund(
                    order, form.cleaned_data["amount"], form.cleaned_data["reason"], by=request.user
                )
            except ApiRefusal as refusal:
                form.add_error(None, str(refusal.message))
            else:
                self.message_user(
                    request,
                    _("已提交退款 %(amount)s,以微信支付的退款结果为准")
                    % {"amount": format_yuan(refund.amount)},
                    messages.SUCCESS,
                )
                return redirect("admin:billing_order_change", order.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("部分退款"),
            "order": order,
            "refundable": format_yuan(order.refundable()),
            "form": form,
            "opts": self.model._meta,
        }
        return render(request, "admin/billing/order_refund.html", context)


@admin.register(Refund)
class RefundAdmin(AuditedAdmin):
    institution_path = "order__institution"
    list_display = ["created_at", "out_refund_no", "order", "amount", "status", "requested_by"]
    list_filter = ["status"]
    list_select_related = ["order"]
    search_fields = ["=out_refund_no", "=order__out_trade_no"]
    fields = [
        "out_refund_no",
        "order",
        "masked_patient",
        "amount",
        "reason",
        "status",
        "requested_by",
        "refund_id",
        "created_at",
        "accepted_at",
        "succeeded_at",
    ]
    readonly_fields = fields

    def patient_of(self, obj):
        return obj.order.patient

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PayNotification)
class PayNotificationAdmin(InstitutionScopedAdmin):
    """What WeChat Pay told us, and what applying it did. Holds no patient data."""

    institution_path = "merchant__institution"
    list_display = ["received_at", "event_type", "out_trade_no", "out_refund_no", "outcome"]
    list_filter = ["event_type"]
    search_fields = ["=out_trade_no", "=out_refund_no", "=notification_id"]
    readonly_fields = [
        "merchant",
        "notification_id",
        "event_type",
        "out_trade_no",
        "out_refund_no",
        "outcome",
        "received_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
