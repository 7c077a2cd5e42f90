from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SandboxConfig(AppConfig):
    name = "carebridge.sandbox"
    verbose_name = _("微信沙箱")
