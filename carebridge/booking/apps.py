from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "carebridge.booking"
    verbose_name = _("预约挂号")

    def ready(self):
        # The outbox handler and the WeChat reply actions register themselves on import.
        from . import replies, tasks  # noqa: F401
