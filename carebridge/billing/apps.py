from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "carebridge.billing"
    verbose_name = _("缴费与微信支付")

    def ready(self):
        # Register themselves on import: the order kinds' on_paid/on_closed (registration fee,
        # bills, deposit), booking's refund signal, the outbox handlers and sweeps (refunds,
        # order checks, the HIS event, the deposit's closed refunds) and the daily jobs.
        from . import deposit_sweeps, his, registration, tasks  # noqa: F401
        from .actions import bills, deposits  # noqa: F401
