from django.contrib import admin

from carebridge.institutions.admin_scoping import InstitutionScopedAdmin
from carebridge.patients.audited_admin import AuditedAdmin, ReadOnlyInline

from ..models import Order, PayNotification, Refund

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
    "created_at",
]


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ["out_refund_no", "amount", "reason", "status", "requested_by", "created_at"]
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(AuditedAdmin):
    """Orders as paid: read-only; amounts in fen."""

    list_display = ["created_at", "out_trade_no", "kind", "masked_patient", "total", "status"]
    list_filter = ["status", "kind", "institution"]
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
