from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "carebridge.content"
    verbose_name = _("医院动态")

    def ready(self):
        # The outbox handlers register themselves on import.
        from . import tasks  # noqa: F401
