"""An institution's billing settings: online top-up limits (typed in yuan) and the HIS's
callback URL and secret."""

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from carebridge.institutions.admin_scoping import InstitutionScopedAdmin
from carebridge.lib.money import YuanAdmin, yuan_column

from ..models import BillingPolicy


@admin.register(BillingPolicy)
class BillingPolicyAdmin(YuanAdmin, InstitutionScopedAdmin):
    list_display = ["institution", "min_yuan", "max_yuan", "his_callback_url"]
    fields = ["institution", "topup_min", "topup_max", "his_callback_url", "his_callback_secret"]
    yuan_fields = {"topup_min": _("线上充值下限(元)"), "topup_max": _("线上充值上限(元)")}
    min_yuan = yuan_column("topup_min", _("线上充值下限"))
    max_yuan = yuan_column("topup_max", _("线上充值上限"))
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
