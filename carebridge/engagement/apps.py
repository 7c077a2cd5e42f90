from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "carebridge.engagement"
    verbose_name = _("咨询与调查")

    def ready(self):
        # Router actions and outbox handlers register themselves when imported.
        from . import consult_replies, consult_tasks  # noqa: F401
