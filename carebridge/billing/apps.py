from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "carebridge.billing"
    verbose_name = _("缴费与微信支付")

    def ready(self):
        # The worker's jobs: refund submissions and the sweeps.
        from . import tasks  # noqa: F401
