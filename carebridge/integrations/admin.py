from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from carebridge.institutions.admin_scoping import InstitutionScopedAdmin

from .models import ApiClient, Scope


class ApiClientForm(forms.ModelForm):
    # Ticked boxes with each scope's label, stored as the list of their names.
    scopes = forms.MultipleChoiceField(
        label=_("权限"),
        choices=Scope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("新建时留空则取该渠道的默认权限"),
    )

    class Meta:
        model = ApiClient
        fields = ["institution", "name", "channel", "scopes", "is_active"]


@admin.register(ApiClient)
class ApiClientAdmin(InstitutionScopedAdmin):
    form = ApiClientForm
    list_display = [
        "name",
        "institution",
        "channel",
        "scope_labels",
        "key_id",
        "is_active",
        "created_at",
    ]
    list_filter = ["institution", "channel", "is_active"]
    search_fields = ["name", "key_id"]
    readonly_fields = ["key_id", "created_at"]
    actions = ["rotate_key"]

    @admin.display(description=_("权限"))
    def scope_labels(self, obj):
        return ", ".join(str(Scope(s).label) for s in obj.scopes if s in Scope.values)

    def save_model(self, request, obj, form, change):
        if not change:
            key = obj.set_new_key()
            messages.warning(request, _("新密钥(仅显示这一次,请立即保存):%s") % key)
        super().save_model(request, obj, form, change)

    @admin.action(description=_("更换密钥"))
    def rotate_key(self, request, queryset):
        for client in queryset:
            key = client.set_new_key()
            client.save(update_fields=["key_id", "key_hash"])
            messages.warning(
                request,
                _("%(name)s 的新密钥(仅显示这一次):%(key)s") % {"name": client.name, "key": key},
            )
