"""Research polls (医院调研投票): one question, its options with live counts, one vote per
WeChat user."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carebridge.institutions.models import Institution

from .open_period import OpenPeriod, OpenPeriodQuerySet


class Poll(OpenPeriod):
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="polls", verbose_name=_("机构")
    )
    question = models.CharField(_("投票题目"), max_length=200)
    question_en = models.CharField(_("英文题目"), max_length=400, blank=True)

    objects = OpenPeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("调研投票")
        verbose_name_plural = _("调研投票")
        ordering = ["-opens_at", "-id"]

    def __str__(self):
        return self.question


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
