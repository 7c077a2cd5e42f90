from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "carebridge.publishing"
    verbose_name = _("推送日历")

    def ready(self):
        # The outbox handlers and signal receivers register themselves on import.
        from . import signals, tasks  # noqa: F401
