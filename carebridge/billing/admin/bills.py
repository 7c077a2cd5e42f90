"""Outpatient bills per patient with their items: the HIS's record, read-only here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from carebridge.lib.money import yuan_column

from ..models import Bill, BillItem
from .common import AuditedAdmin, ReadOnlyInline


class ItemInline(ReadOnlyInline):
    model = BillItem
    fields = ["position", "category", "code", "name", "spec", "quantity", "unit", "price", "cost"]
    readonly_fields = fields
    price = yuan_column("unit_price", _("单价"))
    cost = yuan_column("amount", _("金额"))


@admin.register(Bill)
class BillAdmin(AuditedAdmin):
    list_display = [
        "issued_at",
        "his_id",
        "department",
        "doctor",
        "masked_patient",
        "total_yuan",
        "state",
        "paid_at",
    ]
    list_filter = ["state", "institution"]
    list_select_related = ["patient"]
    search_fields = ["his_id"]
    date_hierarchy = "issued_at"
    fields = [
        "his_id",
        "masked_patient",
        "issued_at",
        "department",
        "doctor",
        "total_yuan",
        "state",
        "order",
        "wxpay_yuan",
        "deposit_yuan",
        "insurance_yuan",
        "paid_at",
        "cancelled_at",
        "invoice_number",
        "invoice_url",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields
    inlines = [ItemInline]
    total_yuan = yuan_column("total", _("金额"))
    wxpay_yuan = yuan_column("paid_wxpay", _("微信支付"))
    deposit_yuan = yuan_column("paid_deposit", _("预交金支付"))
    insurance_yuan = yuan_column("paid_insurance", _("医保支付"))

    def has_change_permission(self, request, obj=None):
        return False  # the HIS's record: changed only by its push

    def lookup_allowed(self, lookup, value, request=None):
        # "All bills of this patient": by id, never by name or number.
        return lookup == "patient__id__exact" or super().lookup_allowed(lookup, value, request)
