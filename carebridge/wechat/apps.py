from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WeChatConfig(AppConfig):
    name = "carebridge.wechat"
    verbose_name = _("微信公众号")

    def ready(self):
        # Router actions, outbox handlers and checks register themselves on import; rules
        # connects the signals that invalidate compiled rule sets.
        from . import builtin_actions, checks, publish_tasks, rules, slow_replies, tasks  # noqa: F401
