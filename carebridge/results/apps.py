from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "carebridge.results"
    verbose_name = _("检查检验报告")

    def ready(self):
        # The signal receivers and the outbox handlers register themselves on import.
        from . import notify, rule_changes, tasks  # noqa: F401
