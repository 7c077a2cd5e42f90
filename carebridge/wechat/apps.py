from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WeChatConfig(AppConfig):
    name = "carebridge.wechat"
    verbose_name = _("微信公众号")

    def ready(self):
        # Outbox handlers and router actions register themselves on import.
        from . import checks, handlers, tasks  # noqa: F401
