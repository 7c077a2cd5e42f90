from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "carebridge.outbox"
    verbose_name = _("发件箱")
