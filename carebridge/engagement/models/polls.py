"""Research polls (医院调研投票): one question, its options with live counts, one vote per
WeChat user."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carebridge.institutions.models import Institution


class PollQuerySet(models.QuerySet):
    def open(self, now=None):
        now = now or timezone.now()
        return self.filter(is_published=True, opens_at__lte=now).filter(
            Q(closes_at=None) | Q(closes_at__gt=now)
        )

    def visible(self, now=None):
        """Published and opened: closed polls still show their final counts."""
        return self.filter(is_published=True, opens_at__lte=now or timezone.now())


class Poll(models.Model):
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="polls", verbose_name=_("机构")
    )
    question = models.CharField(_("投票题目"), max_length=200)
    question_en = models.CharField(_("英文题目"), max_length=400, blank=True)
    opens_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    closes_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    is_published = models.BooleanField(_("已发布"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = PollQuerySet.as_manager()

    class Meta:
        verbose_name = _("调研投票")
        verbose_name_plural = _("调研投票")
        ordering = ["-opens_at", "-id"]

    def __str__(self):
        return self.question

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.is_published
            and self.opens_at <= now
            and (self.closes_at is None or self.closes_at > now)
        )


class PollOption(models.Model):
    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="options", verbose_name=_("投票")
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    text = models.CharField(_("选项"), max_length=100)
    text_en = models.CharField(_("英文选项"), max_length=200, blank=True)
    # Kept by actions.polls.cast_vote with an F() update, in the vote's transaction.
    votes = models.PositiveIntegerField(_("票数"), default=0, editable=False)

    class Meta:
        verbose_name = _("投票选项")
        verbose_name_plural = _("投票选项")
        ordering = ["position", "id"]

    def __str__(self):
        return self.text


class PollVote(models.Model):
    """One user's vote. ``respondent_key`` is a keyed hash of the WeChat user: votes are
    anonymous, and still one per user."""

    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="votes", verbose_name=_("投票")
    )
    option = models.ForeignKey(
        PollOption, on_delete=models.CASCADE, related_name="+", verbose_name=_("选项")
    )
    respondent_key = models.CharField(_("投票人标识"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("投票时间"), default=timezone.now)

    class Meta:
        verbose_name = _("投票记录")
        verbose_name_plural = _("投票记录")
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "respondent_key"], name="poll_one_vote_per_user"
            )
        ]
