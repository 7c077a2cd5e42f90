"""Back office for patients: masked everywhere, exact search by keyed hash, every look logged.

Staff never see a full ID, phone or card number here: the list and the detail page show masked
values, there is no export, and patients are read-only (they belong to the WeChat users who
added them). Opening a patient and searching write AccessLog rows. Staff who are not superusers
see only the patients of their own institution's accounts, and only its audit entries.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from carebridge.institutions.admin_scoping import InstitutionScopedAdmin, Scope

from . import crypto, validation
from .audit import log_access
from .choices import AccessAction, IdType
from .models import HASH_CARD, HASH_ID, HASH_PHONE, AccessLog, Patient, PatientPolicy

SEARCH_LIMIT = 100  # an exact search finds a handful; a cap keeps one request bounded


class FindPatientForm(forms.Form):
    number = forms.CharField(
        label=_("证件号码、手机号或就诊卡号"),
        max_length=40,
        help_text=_("完整号码精确查找;每次查找都会记录"),
    )
    reason = forms.CharField(label=_("事由"), max_length=200, required=False)


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
class PatientAdmin(InstitutionScopedAdmin):
    institution_path = "owner__account__institution"
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
    # No GET search box: a number typed there would travel in the URL, into access logs and
    # browser history. Staff find a patient with the POST form of find_view instead.
    change_list_template = "admin/patients/patient/change_list.html"
    fields = [
        "name",
        "sex",
        "birth_date",
        "id_type",
        "masked_id_column",
        "id_note_column",
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

    @admin.display(description=_("证件备注"))
    def id_note_column(self, obj):
        # A remark, not a refusal: the number passed every check when it was added.
        return validation.region_note(obj.id_type, obj.id_number) or "-"

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

    def get_urls(self):
        find = path(
            "find/", self.admin_site.admin_view(self.find_view), name="patients_patient_find"
        )
        return [find, *super().get_urls()]

    def find_view(self, request):
        """Exact search by ID, phone or card number (POST, so the number stays out of URLs);
        every search is logged, with the patients found or none."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = FindPatientForm(request.POST if request.method == "POST" else None)
        found, reason, status = None, "", 200
        if form.is_bound and form.is_valid():
            term, reason = form.cleaned_data["number"], form.cleaned_data["reason"]
            queryset = self.get_queryset(request).filter(search_hashes(term))
            found = list(queryset.select_related("owner__account__institution")[:SEARCH_LIMIT])
            log_access(
                request, found or [None], AccessAction.SEARCH, detail="admin search", reason=reason
            )
            form = FindPatientForm(initial={"reason": reason})  # the number is not shown again
        elif form.is_bound:
            status = 400
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("按号码查找就诊人"),
            "form": form,
            "found": found,
            "reason": reason,
        }
        return TemplateResponse(request, "admin/patients/patient/find.html", context, status=status)

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
class PatientPolicyAdmin(InstitutionScopedAdmin):
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
    """The audit trail: readable by whoever may view it, changeable by nobody. Staff of one
    institution see the looks at its patients and the looks by its people and systems."""

    list_display = [
        "created_at",
        "staff",
        "api_client",
        "action",
        "patient",
        "detail",
        "ip",
        "reason",
    ]
    list_filter = ["action", "created_at", ("api_client", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["staff", "api_client", "patient"]
    date_hierarchy = "created_at"
    actions = None

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = Scope(request)
        if scope.everything:
            return queryset
        if scope.institution_id is None:
            return queryset.none()
        mine = scope.institution_id
        return queryset.filter(
            Q(patient__owner__account__institution=mine)
            | Q(api_client__institution=mine)
            | Q(staff__staff_member__institution=mine)
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
