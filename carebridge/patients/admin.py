"""Back office for patients: masked everywhere, exact search by keyed hash, every look logged.

Staff never see a full ID, phone or card number here: the list and the detail page show masked
values, there is no export, and patients are read-only (they belong to the WeChat users who
added them). Opening a patient and searching write AccessLog rows.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import crypto, validation
from .audit import log_access
from .choices import AccessAction, IdType
from .models import HASH_CARD, HASH_ID, HASH_PHONE, AccessLog, Patient, PatientPolicy

SEARCH_LOG_LIMIT = 100  # an exact search finds a handful; a cap keeps one request bounded


def search_hashes(term: str) -> Q:
    """Rows whose ID, phone or card number is exactly ``term`` (normalised as stored)."""
    number = validation.compact(term)
    query = Q(id_number_hash=crypto.blind_index(HASH_ID, number)) | Q(
        card_number_hash=crypto.blind_index(HASH_CARD, number)
    )
    try:
        query |= Q(phone_hash=crypto.blind_index(HASH_PHONE, validation.normalize_phone(term)))
    except ValidationError:
        pass  # not a phone number: search ID and card only
    return query


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = [
        "masked_name_column",
        "id_type",
        "masked_id_column",
        "masked_phone_column",
        "relation",
        "institution_column",
        "is_default",
        "archived_at",
        "created_at",
    ]
    list_filter = ["id_type", "relation", "owner__account__institution", "archived_at"]
    list_select_related = ["owner__account__institution"]
    # Searching is by exact number through the keyed hashes (get_search_results); a search
    # field must be named for the admin to show its search box.
    search_fields = ["id_number_hash"]
    search_help_text = _("输入完整的证件号码、手机号或就诊卡号精确查找（每次查找都会记录）")
    fields = [
        "name",
        "sex",
        "birth_date",
        "id_type",
        "masked_id_column",
        "masked_phone_column",
        "phone_verified_at",
        "masked_card_column",
        "relation",
        "owner_column",
        "is_default",
        "created_at",
        "updated_at",
        "archived_at",
    ]
    readonly_fields = fields
    actions = None  # no bulk actions: nothing to export, nothing to delete in bulk

    @admin.display(description=_("姓名"))
    def masked_name_column(self, obj):
        return obj.masked_name()

    @admin.display(description=_("证件号码"))
    def masked_id_column(self, obj):
        return obj.masked_id_number()

    @admin.display(description=_("手机号"))
    def masked_phone_column(self, obj):
        return obj.masked_phone()

    @admin.display(description=_("就诊卡号"))
    def masked_card_column(self, obj):
        return obj.masked_card_number()

    @admin.display(description=_("机构"))
    def institution_column(self, obj):
        return obj.owner.account.institution

    @admin.display(description=_("添加人"))
    def owner_column(self, obj):
        return f"{obj.owner.account} / {obj.owner.nickname or obj.owner.openid[:8] + '…'}"

    def has_add_permission(self, request):
        return False  # patients are added by their WeChat users

    def has_change_permission(self, request, obj=None):
        return False  # read-only: the detail page is a view, never a form with the numbers

    def has_delete_permission(self, request, obj=None):
        return False  # removal is the user's (archived when referenced), not a staff bulk job

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        found = queryset.filter(search_hashes(term))
        hits = list(found[:SEARCH_LOG_LIMIT])
        log_access(request, hits or [None], AccessAction.SEARCH, detail="admin search")
        return found, False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        patient = self.get_object(request, unquote(object_id))
        if patient is not None and self.has_view_permission(request, patient):
            log_access(
                request,
                [patient],
                AccessAction.VIEW,
                detail="admin detail page",
                reason=request.GET.get("reason", ""),
            )
        return super().change_view(request, object_id, form_url, extra_context)


class PatientPolicyForm(forms.ModelForm):
    accepted_id_types = forms.MultipleChoiceField(
        label=_("接受的证件类型"),
        choices=IdType.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = PatientPolicy
        fields = [
            "institution",
            "max_patients",
            "accepted_id_types",
            "max_age",
            "require_phone_verification",
            "notice",
            "notice_en",
        ]


@admin.register(PatientPolicy)
class PatientPolicyAdmin(admin.ModelAdmin):
    form = PatientPolicyForm
    list_display = [
        "institution",
        "max_patients",
        "max_age",
        "require_phone_verification",
        "id_types_column",
    ]

    @admin.display(description=_("接受的证件类型"))
    def id_types_column(self, obj):
        labels = dict(IdType.choices)
        return "、".join(str(labels.get(t, t)) for t in obj.accepted_id_types)


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """The audit trail: readable by whoever may view it, changeable by nobody."""

    list_display = ["created_at", "staff", "action", "patient", "detail", "ip", "reason"]
    list_filter = ["action", "created_at"]
    list_select_related = ["staff", "patient"]
    date_hierarchy = "created_at"
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
