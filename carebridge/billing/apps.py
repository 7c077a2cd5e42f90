from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "carebridge.billing"
    verbose_name = _("缴费与微信支付")

    def ready(self):
        # The order kinds' on_paid/on_closed, the HIS event's outbox handler and the deposit's
        # sweep register themselves on import.
        from . import deposit_sweeps, his  # noqa: F401
        from .actions import bills, deposits  # noqa: F401
