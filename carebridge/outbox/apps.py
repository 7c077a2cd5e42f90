from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "carebridge.outbox"
    verbose_name = _("发件箱")

    def ready(self):
        from django.contrib import admin

        # The back office's front page carries the banner for messages that failed after
        # retrying (templatetags/outbox_alerts.py); the outbox's own list has it too.
        admin.site.index_template = "outbox/admin_index.html"
