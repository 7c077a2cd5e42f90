from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "carebridge.billing"
    verbose_name = _("缴费与微信支付")

    def ready(self):
        # The order kinds' on_paid/on_closed and the HIS event's outbox handler register
        # themselves on import.
        from . import his  # noqa: F401
        from .actions import bills, deposits  # noqa: F401
