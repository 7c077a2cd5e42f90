from django.db import models


class ApiQuota(models.Model):
    """How much of one WeChat quota (menu creates a day, mass sends a month…) one account has
    used in one period. Consumed with a conditional update, so two processes never overrun it."""

    account = models.ForeignKey("institutions.WeChatAccount", on_delete=models.CASCADE)
    name = models.CharField(max_length=64)
    period = models.CharField(max_length=16)  # "2026-11-21" or "2026-11"
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "name", "period"], name="quota_period")
        ]
