from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ..errors import BadDates, NotReleased, SessionClosed
from .choices import Channel, ClinicType, FeePayment, Period, SessionStatus

# The longest range of days one listing of sessions may cover (the API's date window).
MAX_LISTING_DAYS = 62
DEFAULT_LISTING_DAYS = 7

QUOTA_FIELDS = {
    Channel.WECHAT: "quota_wechat",
    Channel.WINDOW: "quota_window",
    Channel.KIOSK: "quota_kiosk",
    Channel.PHONE: "quota_phone",
    Channel.REFERRAL: "quota_referral",
}


class QuotaFields(models.Model):
    """The capacity of a session and how it is shared between channels (pools add up to it)."""

    capacity = models.PositiveSmallIntegerField(_("号源总数"))
    quota_wechat = models.PositiveSmallIntegerField(_("微信号源"), default=0)
    quota_window = models.PositiveSmallIntegerField(_("窗口号源"), default=0)
    quota_kiosk = models.PositiveSmallIntegerField(_("自助机号源"), default=0)
    quota_phone = models.PositiveSmallIntegerField(_("电话号源"), default=0)
    quota_referral = models.PositiveSmallIntegerField(_("转诊预留"), default=0)

    class Meta:
        abstract = True

    def quotas(self) -> dict[str, int]:
        return {channel: getattr(self, field) for channel, field in QUOTA_FIELDS.items()}

    def clean_quotas(self):
        total = sum(self.quotas().values())
        if self.capacity is not None and total != self.capacity:
            raise ValidationError(
                _("各渠道号源之和(%(total)d)必须等于号源总数(%(capacity)d)")
                % {"total": total, "capacity": self.capacity}
            )


class ScheduleTemplate(QuotaFields):
    """A weekly pattern (e.g. Dr Wang, Tuesday morning, 30 places) that generates sessions."""

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, verbose_name=_("机构")
    )
    department = models.ForeignKey(
        "institutions.Department", on_delete=models.CASCADE, verbose_name=_("科室")
    )
    doctor = models.ForeignKey(
        "institutions.Doctor",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("医生"),
        help_text=_("留空表示科室普通门诊"),
    )
    weekday = models.PositiveSmallIntegerField(
        _("星期"),
        choices=[
            (0, _("星期一")),
            (1, _("星期二")),
            (2, _("星期三")),
            (3, _("星期四")),
            (4, _("星期五")),
            (5, _("星期六")),
            (6, _("星期日")),
        ],
    )
    period = models.CharField(_("时段"), max_length=10, choices=Period.choices)
    clinic_type = models.CharField(
        _("门诊类型"), max_length=10, choices=ClinicType.choices, default=ClinicType.GENERAL
    )
    start_time = models.TimeField(_("开始时间"))
    end_time = models.TimeField(_("结束时间"))
    fee = models.PositiveIntegerField(_("挂号费"), help_text=_("以分为单位存储"))
    fee_payment = models.CharField(
        _("挂号费支付方式"),
        max_length=10,
        choices=FeePayment.choices,
        default=FeePayment.AT_VISIT,
        help_text=_("预约时在线支付:未在支付期限内支付的预约自动取消,号源退回"),
    )
    weeks_ahead = models.PositiveSmallIntegerField(_("提前生成周数"), default=4)
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_until = models.DateField(_("失效日期"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("排班模板")
        verbose_name_plural = _("排班模板")
        ordering = ["institution", "department", "weekday", "period"]

    def __str__(self):
        who = self.doctor.name if self.doctor_id else self.department.name
        return f"{who} {self.get_weekday_display()} {self.get_period_display()}"

    def clean(self):
        self.clean_quotas()
        if self.start_time and self.end_time and self.start_time >= self.end_time:
            raise ValidationError(_("结束时间必须晚于开始时间"))
        if self.department_id and self.department.institution_id != self.institution_id:
            raise ValidationError(_("科室不属于该机构"))
        if self.doctor_id and self.doctor.institution_id != self.institution_id:
            raise ValidationError(_("医生不属于该机构"))


class ClosedDay(models.Model):
    """A day without clinics besides the statutory holidays chinese-calendar knows (which only
    covers the years the State Council has announced)."""

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, verbose_name=_("机构")
    )
    date = models.DateField(_("日期"))
    reason = models.CharField(_("原因"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("停诊日")
        verbose_name_plural = _("停诊日")
        constraints = [
            models.UniqueConstraint(fields=["institution", "date"], name="closedday_unique")
        ]

    def __str__(self):
        return f"{date_format(self.date, 'SHORT_DATE_FORMAT')} {self.reason}"


class ClinicSessionQuerySet(models.QuerySet):
    def listing(self, date_from=None, date_to=None, today=None):
        """Sessions from ``date_from`` (default today) to ``date_to`` (default a week later), at
        most MAX_LISTING_DAYS apart; BadDates otherwise. The one date window of every listing
        (the API's, the back office's exports)."""
        start = date_from or today or timezone.localdate()
        end = date_to or start + timedelta(days=DEFAULT_LISTING_DAYS)
        if end < start or (end - start).days > MAX_LISTING_DAYS:
            raise BadDates()
        return self.filter(date__range=(start, end))

    def with_free_slot_count(self, now):
        """Each session annotated ``free_slots``: how many of its slots are free at ``now``
        (``Slot.objects.free``)."""
        free = (
            Slot.objects.free(now)
            .filter(session=models.OuterRef("pk"))
            .order_by()
            .values("session")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.annotate(free_slots=Coalesce(models.Subquery(free), 0))

    def open_for_booking(self):
        """Sessions whose places may be taken (not suspended). Whether booking has begun is the
        policy's (``ClinicSession.check_bookable``)."""
        return self.filter(status=SessionStatus.OPEN)


class ClinicSession(QuotaFields):
    """One doctor's (or one department clinic's) half day: its numbered slots are its places."""

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, verbose_name=_("机构")
    )
    department = models.ForeignKey(
        "institutions.Department", on_delete=models.CASCADE, verbose_name=_("科室")
    )
    doctor = models.ForeignKey(
        "institutions.Doctor",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="clinic_sessions",
        verbose_name=_("医生"),
    )
    date = models.DateField(_("日期"))
    period = models.CharField(_("时段"), max_length=10, choices=Period.choices)
    clinic_type = models.CharField(
        _("门诊类型"), max_length=10, choices=ClinicType.choices, default=ClinicType.GENERAL
    )
    start_time = models.TimeField(_("开始时间"))
    end_time = models.TimeField(_("结束时间"))
    fee = models.PositiveIntegerField(_("挂号费"), help_text=_("以分为单位存储"))
    fee_payment = models.CharField(
        _("挂号费支付方式"),
        max_length=10,
        choices=FeePayment.choices,
        default=FeePayment.AT_VISIT,
        help_text=_("预约时在线支付:未在支付期限内支付的预约自动取消,号源退回"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.OPEN
    )
    suspension_reason = models.CharField(_("停诊原因"), max_length=200, blank=True)
    template = models.ForeignKey(
        ScheduleTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("排班模板"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ClinicSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("出诊")
        verbose_name_plural = _("出诊")
        ordering = ["date", "start_time", "id"]
        indexes = [models.Index(fields=["institution", "date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["doctor", "date", "period"],
                condition=Q(doctor__isnull=False),
                name="session_doctor_date_period",
            ),
            models.UniqueConstraint(
                fields=["department", "date", "period"],
                condition=Q(doctor__isnull=True),
                name="session_department_date_period",
            ),
        ]

    def __str__(self):
        return (
            f"{date_format(self.date, 'SHORT_DATE_FORMAT')} {self.get_period_display()} {self.who}"
        )

    @property
    def who(self) -> str:
        return self.doctor.name if self.doctor_id else self.department.name

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date, self.start_time))

    @property
    def ends_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date, self.end_time))

    def released_at(self, policy) -> datetime:
        """When the session opens for booking: ``release_days_ahead`` days before, at the
        institution's release time."""
        day = self.date - timedelta(days=policy.release_days_ahead)
        return timezone.make_aware(datetime.combine(day, policy.release_time))

    def is_released(self, policy, now) -> bool:
        return now >= self.released_at(policy)

    @property
    def is_open(self) -> bool:
        return self.status == SessionStatus.OPEN

    @property
    def is_suspended(self) -> bool:
        return self.status == SessionStatus.SUSPENDED

    def check_bookable(self, policy, now) -> None:
        """Refuse a booking of this session at ``now``: SessionClosed when it is suspended or
        over, NotReleased (saying when) before its release."""
        if not self.is_open or now >= self.ends_at:
            raise SessionClosed()
        if not self.is_released(policy, now):
            released = timezone.localtime(self.released_at(policy))
            raise NotReleased(
                _("号源将于 %(when)s 开放预约") % {"when": date_format(released, "DATETIME_FORMAT")}
            )

    @property
    def fee_paid_at_booking(self) -> bool:
        """A booking opens a registration fee order, to be paid on WeChat by its deadline."""
        return self.fee_payment == FeePayment.AT_BOOKING and self.fee > 0

    def cancel_deadline(self, policy) -> datetime:
        """The last moment a patient may cancel (staff and a suspension have no deadline)."""
        return self.starts_at - timedelta(minutes=policy.cancel_before_minutes)

    def clean(self):
        self.clean_quotas()
        if self.start_time and self.end_time and self.start_time >= self.end_time:
            raise ValidationError(_("结束时间必须晚于开始时间"))
        if self.department_id and self.department.institution_id != self.institution_id:
            raise ValidationError(_("科室不属于该机构"))
        if self.doctor_id and self.doctor.institution_id != self.institution_id:
            raise ValidationError(_("医生不属于该机构"))

    def booked_count(self) -> int:
        return self.slots.aggregate(n=Sum("booked"))["n"] or 0


class SessionQuotaQuerySet(models.QuerySet):
    def with_room(self):
        return self.filter(booked__lt=F("capacity"))


class SessionQuota(models.Model):
    """One channel's pool of a session: claimed with a conditional update like the slot."""

    session = models.ForeignKey(ClinicSession, on_delete=models.CASCADE, related_name="pools")
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    capacity = models.PositiveSmallIntegerField(_("号源"))
    booked = models.PositiveSmallIntegerField(_("已约"), default=0)

    objects = SessionQuotaQuerySet.as_manager()

    class Meta:
        verbose_name = _("渠道号源")
        verbose_name_plural = _("渠道号源")
        constraints = [
            models.UniqueConstraint(fields=["session", "channel"], name="pool_session_channel"),
            # The database itself refuses an oversold pool, whatever the code does.
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="pool_not_oversold"
            ),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.booked}/{self.capacity}"

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.booked, 0)


class SlotQuerySet(models.QuerySet):
    def free(self, now):
        """Slots with room that have not ended by ``now``, first number first: the places a
        booking may take."""
        return self.filter(booked__lt=F("capacity"), ends_at__gt=now).order_by("number")


class Slot(models.Model):
    """A numbered place (号) in a session, with its time window: number 5 is the fifth patient of
    the session's single queue, whatever channel booked it. ``capacity`` is 1, or 0 when staff
    close the place."""

    session = models.ForeignKey(ClinicSession, on_delete=models.CASCADE, related_name="slots")
    number = models.PositiveSmallIntegerField(_("序号"))
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveSmallIntegerField(_("容量"), default=1)
    booked = models.PositiveSmallIntegerField(_("已约"), default=0)

    objects = SlotQuerySet.as_manager()

    class Meta:
        verbose_name = _("号源")
        verbose_name_plural = _("号源")
        ordering = ["session", "number"]
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="slot_session_number"),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="slot_not_oversold"
            ),
            models.CheckConstraint(condition=Q(capacity__lte=1), name="slot_is_one_place"),
        ]

    def __str__(self):
        return f"#{self.number} {timezone.localtime(self.starts_at):%H:%M}"

    @property
    def is_free(self) -> bool:
        return self.booked < self.capacity

    @property
    def window_label(self) -> str:
        start, end = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        return f"{start:%H:%M}–{end:%H:%M}"
