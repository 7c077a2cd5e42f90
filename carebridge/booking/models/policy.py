from datetime import time

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _


class BookingPolicy(models.Model):
    """An institution's booking rules and WeChat template ids, edited in the back office.

    An institution without a row gets the defaults below (``for_institution``)."""

    institution = models.OneToOneField(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="booking_policy",
        verbose_name=_("机构"),
    )
    # Release: a session on day D opens at ``release_time`` on D - ``release_days_ahead``.
    release_days_ahead = models.PositiveSmallIntegerField(
        _("提前放号天数"), default=7, validators=[MinValueValidator(0), MaxValueValidator(60)]
    )
    release_time = models.TimeField(_("放号时间"), default=time(7, 0))
    cancel_before_minutes = models.PositiveIntegerField(_("取消截止(就诊开始前分钟)"), default=120)
    # How long a place waits for its fee, where the schedule takes it at booking: a longer wait
    # holds places from other patients, a shorter one cancels those still typing.
    fee_pay_minutes = models.PositiveSmallIntegerField(
        _("挂号费支付期限(分钟)"),
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(60)],
        help_text=_("预约时在线支付的挂号费须在此时间内支付,逾期预约自动取消,号源退回"),
    )
    # Anti-scalping: appointments holding a place, counted by visit date / ISO week.
    patient_daily_limit = models.PositiveSmallIntegerField(_("每位就诊人每日上限"), default=2)
    patient_weekly_limit = models.PositiveSmallIntegerField(_("每位就诊人每周上限"), default=4)
    account_daily_limit = models.PositiveSmallIntegerField(_("每个微信账号每日上限"), default=4)
    account_weekly_limit = models.PositiveSmallIntegerField(_("每个微信账号每周上限"), default=8)
    # N no-shows within M days suspend the account's online booking for D days.
    no_show_limit = models.PositiveSmallIntegerField(_("爽约次数上限"), default=3)
    no_show_window_days = models.PositiveSmallIntegerField(_("爽约统计天数"), default=90)
    no_show_ban_days = models.PositiveSmallIntegerField(_("暂停预约天数"), default=30)
    turn_near_ahead = models.PositiveSmallIntegerField(
        _("前方剩余几人时提醒"), default=3, validators=[MinValueValidator(1)]
    )
    default_consultation_minutes = models.PositiveSmallIntegerField(
        _("默认接诊时长(分钟)"), default=8, help_text=_("尚无接诊记录时用于估算等候时间")
    )
    # WeChat template ids (公众平台 → 模板消息); blank: that message is not sent.
    tpl_booking_confirmed = models.CharField(_("模板:预约成功"), max_length=64, blank=True)
    tpl_booking_cancelled = models.CharField(_("模板:预约取消"), max_length=64, blank=True)
    tpl_visit_reminder = models.CharField(_("模板:就诊提醒"), max_length=64, blank=True)
    tpl_suspension = models.CharField(_("模板:停诊通知"), max_length=64, blank=True)
    tpl_turn_near = models.CharField(_("模板:即将叫号"), max_length=64, blank=True)
    tpl_doctor_notice = models.CharField(_("模板:出诊通知"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("预约规则")
        verbose_name_plural = _("预约规则")

    def __str__(self):
        return str(self.institution)

    @classmethod
    def for_institution(cls, institution) -> "BookingPolicy":
        """The institution's rules, or the defaults (unsaved) if staff have not set any.

        The row ``select_related("institution__booking_policy")`` brought, else one query, whose
        answer Django keeps on ``institution`` as it keeps any related object."""
        try:
            return institution.booking_policy
        except cls.DoesNotExist:
            return cls(institution=institution)


class BookingBanQuerySet(models.QuerySet):
    def in_force(self, now):
        return self.filter(ends_at__gt=now)


class BookingBan(models.Model):
    """An account suspended from online booking after too many no-shows."""

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, verbose_name=_("机构")
    )
    follower = models.ForeignKey(
        "wechat.Follower",
        on_delete=models.CASCADE,
        related_name="booking_bans",
        verbose_name=_("微信用户"),
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"), db_index=True)
    no_shows = models.PositiveSmallIntegerField(_("爽约次数"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = BookingBanQuerySet.as_manager()

    class Meta:
        verbose_name = _("暂停预约")
        verbose_name_plural = _("暂停预约")
        ordering = ["-ends_at"]

    def __str__(self):
        until = date_format(timezone.localtime(self.ends_at), "SHORT_DATE_FORMAT")
        return f"{self.follower} → {until}"

    @classmethod
    def current(cls, follower, institution, now) -> "BookingBan | None":
        """The ban in force on ``follower``'s online booking at ``institution``, if any."""
        bans = cls.objects.in_force(now).filter(follower=follower, institution=institution)
        return bans.order_by("-ends_at").first()
