from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatientsConfig(AppConfig):
    name = "carebridge.patients"
    verbose_name = _("就诊人")

    def ready(self):
        from . import checks  # noqa: F401  (registers the key checks)
