from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "carebridge.billing"
    verbose_name = _("缴费与微信支付")

    def ready(self):
        # The registration fee's hooks (kinds, booking's refund signal) and the worker's jobs.
        from . import registration, tasks  # noqa: F401
