"""What surveys and polls share: published by staff, open to patients from one moment until
an optional other."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OpenPeriodQuerySet(models.QuerySet):
    def open(self, now=None):
        """Published and between its open and close dates: patients may answer it."""
        now = now or timezone.now()
        return self.filter(is_published=True, opens_at__lte=now).filter(
            Q(closes_at=None) | Q(closes_at__gt=now)
        )

    def visible(self, now=None):
        """Published and opened: a closed one still shows its results."""
        return self.filter(is_published=True, opens_at__lte=now or timezone.now())


class OpenPeriod(models.Model):
    opens_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    closes_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    is_published = models.BooleanField(_("已发布"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        abstract = True

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.is_published
            and self.opens_at <= now
            and (self.closes_at is None or self.closes_at > now)
        )
