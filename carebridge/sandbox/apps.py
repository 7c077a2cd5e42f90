from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SandboxConfig(AppConfig):
    name = "carebridge.sandbox"
    verbose_name = _("微信沙箱")

    def ready(self):
        from . import tasks  # noqa: F401  (registers the WeChat Pay sweep with the worker)
