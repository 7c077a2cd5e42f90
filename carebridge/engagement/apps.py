from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "carebridge.engagement"
    verbose_name = _("咨询与调查")

    def ready(self):
        # The router actions, the signal receivers and the outbox handlers register themselves
        # on import.
        from . import consult_replies, consult_tasks, survey_notify, survey_tasks  # noqa: F401
