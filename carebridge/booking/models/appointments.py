import secrets

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import HOLDING, AppointmentStatus, CancelledBy, Channel, PaymentStatus
from .schedules import ClinicSession, Slot


def new_checkin_code() -> str:
    """The secret in the check-in QR code: unguessable, so a code proves the appointment."""
    return secrets.token_urlsafe(18)


class Appointment(models.Model):
    """A patient's place in a session's single queue, from any channel.

    ``person_key`` is the keyed hash of the patient's ID number (patients.Patient.id_number_hash):
    the same person added by two accounts is still one person, so the one-appointment-per-session
    rule holds across accounts and channels. Cancelled rows keep their history; only appointments
    holding a place take part in the unique constraints."""

    session = models.ForeignKey(
        ClinicSession, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("出诊")
    )
    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("号源")
    )
    queue_number = models.PositiveSmallIntegerField(_("就诊序号"))
    # Null for a walk-in booked at the window for someone without a WeChat account.
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("就诊人"),
    )
    person_key = models.CharField(max_length=64, db_index=True, editable=False)
    walk_in_name = models.CharField(_("现场患者姓名"), max_length=50, blank=True)
    # The WeChat account that booked (online bookings), for the per-account limits and no-shows.
    booked_by = models.ForeignKey(
        "wechat.Follower",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("预约微信用户"),
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    api_client = models.ForeignKey(
        "integrations.ApiClient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("接口客户端"),
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
        db_index=True,
    )
    fee = models.PositiveIntegerField(_("挂号费(分)"))
    payment_status = models.CharField(
        _("支付状态"), max_length=12, choices=PaymentStatus.choices, default=PaymentStatus.UNPAID
    )
    checkin_code = models.CharField(max_length=32, unique=True, default=new_checkin_code)
    booked_at = models.DateTimeField(_("预约时间"), auto_now_add=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    called_at = models.DateTimeField(_("叫号时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancelled_by = models.CharField(
        _("取消方"), max_length=12, choices=CancelledBy.choices, blank=True
    )
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    no_show_at = models.DateTimeField(_("爽约记录时间"), null=True, blank=True)
    # Claimed with a conditional update before the message is queued: sent once, whoever runs.
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    turn_near_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["session__date", "session__start_time", "queue_number"]
        constraints = [
            # A place is held by one appointment at most (the slot's own counter says the same).
            models.UniqueConstraint(
                fields=["slot"], condition=Q(status__in=HOLDING), name="appointment_one_per_slot"
            ),
            # One person, one appointment per session (same doctor, same half day).
            models.UniqueConstraint(
                fields=["session", "person_key"],
                condition=Q(status__in=HOLDING),
                name="appointment_one_per_person_session",
            ),
        ]
        indexes = [models.Index(fields=["session", "status", "queue_number"])]

    def __str__(self):
        return f"{self.session} #{self.queue_number}"

    @property
    def patient_name(self) -> str:
        return self.patient.name if self.patient_id else self.walk_in_name

    @property
    def is_holding(self) -> bool:
        return self.status in HOLDING

    @property
    def checkin_payload(self) -> str:
        """What the QR code carries; a kiosk sends it to POST /api/booking/check-in."""
        return f"CBA:{self.checkin_code}"


class WaitRecord(models.Model):
    """How long a checked-in patient waited to be called: kept per department for analysis
    (seed 004: the hospital tracks waiting in each department to tune its online quotas)."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE)
    department = models.ForeignKey(
        "institutions.Department", on_delete=models.CASCADE, verbose_name=_("科室")
    )
    doctor = models.ForeignKey(
        "institutions.Doctor", on_delete=models.SET_NULL, null=True, blank=True
    )
    appointment = models.OneToOneField(
        Appointment, on_delete=models.CASCADE, related_name="wait_record"
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    date = models.DateField(_("日期"), db_index=True)
    checked_in_at = models.DateTimeField(_("签到时间"))
    called_at = models.DateTimeField(_("叫号时间"))
    wait_seconds = models.PositiveIntegerField(_("等候秒数"))

    class Meta:
        verbose_name = _("候诊时长记录")
        verbose_name_plural = _("候诊时长记录")
        ordering = ["-called_at"]
        indexes = [models.Index(fields=["department", "date"])]

    @property
    def wait_minutes(self) -> float:
        return round(self.wait_seconds / 60, 1)


class NoShow(Appointment):
    """Missed appointments, as their own back-office list (爽约名单)."""

    class Meta:
        proxy = True
        verbose_name = _("爽约记录")
        verbose_name_plural = _("爽约名单")
