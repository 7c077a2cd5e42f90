from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from carebridge.institutions.admin_scoping import InstitutionScopedAdmin

from ..actions.reconcile import AlreadyResolved, resolve_mismatch
from ..models import Mismatch, ReconciliationRun, Resolution

MISMATCH_FIELDS = [
    "kind",
    "out_trade_no",
    "out_refund_no",
    "transaction_id",
    "ours",
    "theirs",
    "detail",
]


class MismatchInline(admin.TabularInline):
    model = Mismatch
    extra = 0
    can_delete = False
    show_change_link = True
    fields = [*MISMATCH_FIELDS, "resolution", "resolved_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(InstitutionScopedAdmin):
    """One run per merchant and day (after 10:00, for the day before)."""

    institution_path = "merchant__institution"
    list_display = ["bill_date", "merchant", "status", "bill_rows", "open_count", "ran_at"]
    list_filter = ["status"]
    date_hierarchy = "bill_date"
    fields = [
        "merchant",
        "bill_date",
        "status",
        "bill_rows",
        "bill_paid_total",
        "bill_refund_total",
        "error",
        "ran_at",
    ]
    readonly_fields = fields
    inlines = [MismatchInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("待处理差异"))
    def open_count(self, obj):
        return obj.mismatches.filter(resolved_at=None).count()


class ResolveForm(forms.ModelForm):
    resolution = forms.ChoiceField(label=_("处理方式"), choices=Resolution.choices)
    note = forms.CharField(label=_("处理备注"), max_length=200)

    class Meta:
        model = Mismatch
        fields = ["resolution", "note"]


class OpenFilter(admin.SimpleListFilter):
    title = _("处理状态")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("1", _("待处理")), ("0", _("已处理"))]

    def queryset(self, request, queryset):
        if self.value() in ("0", "1"):
            return queryset.filter(resolved_at__isnull=self.value() == "1")
        return queryset


@admin.register(Mismatch)
class MismatchAdmin(InstitutionScopedAdmin):
    """The list staff work through: each mismatch is resolved once, with a recorded action
    and a note; resolving moves no money (refund or record a payment first, then resolve)."""

    institution_path = "run__merchant__institution"
    form = ResolveForm
    list_display = ["run", "kind", "out_trade_no", "out_refund_no", "ours", "theirs", "resolution"]
    list_filter = [OpenFilter, "kind"]
    list_select_related = ["run__merchant"]
    search_fields = ["=out_trade_no", "=out_refund_no", "=transaction_id"]
    fields = ["run", *MISMATCH_FIELDS, "resolution", "note", "resolved_by", "resolved_at"]

    readonly_fields = ["run", *MISMATCH_FIELDS, "resolved_by", "resolved_at"]

    def has_change_permission(self, request, obj=None):
        # A resolved mismatch is final: its page is read-only.
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or not obj.is_resolved)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Resolving is the only change, through the action: who and when are recorded."""
        try:
            resolve_mismatch(
                obj, form.cleaned_data["resolution"], form.cleaned_data["note"], by=request.user
            )
        except AlreadyResolved:
            self.message_user(request, _("该差异已由他人处理"), messages.WARNING)
