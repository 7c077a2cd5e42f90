import secrets
import uuid
from datetime import timedelta

from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from carebridge.patients.masking import mask_name

from ..errors import InvalidCheckinCode, NotFound
from .choices import HOLDING, AppointmentStatus, CancelledBy, Channel, PaymentStatus
from .policy import BookingPolicy
from .schedules import ClinicSession, Slot

# What the check-in QR code carries before the appointment's secret; a kiosk sends it all back.
CHECKIN_PREFIX = "CBA:"
CHECKIN_PAYLOAD_MAX = 64

# The anti-scalping counts of ``AppointmentQuerySet.limit_counts``, by name.
LIMIT_NAMES = ("here", "person_day", "person_week", "account_day", "account_week")


def new_checkin_code() -> str:
    """The secret in the check-in QR code: unguessable, so a code proves the appointment."""
    return secrets.token_urlsafe(18)


class AppointmentQuerySet(models.QuerySet):
    def holding(self):
        """Appointments that hold their place: they count for the limits and the unique rules."""
        return self.filter(status__in=HOLDING)

    def of_follower(self, follower):
        """What one WeChat user may see: what they booked and what was booked for their
        patients."""
        return self.filter(Q(booked_by=follower) | Q(patient__owner=follower))

    def limit_counts(self, session, person_key: str, booked_by_id: int | None) -> dict[str, int]:
        """The holding appointments of the person (``person_key``) and of the WeChat account
        (``booked_by_id``; None counts nothing for it) in ``session``'s institution: in this
        session, on its day, in its ISO week (Monday to Sunday). By the names of LIMIT_NAMES;
        one query."""
        day = session.date
        monday = day - timedelta(days=day.weekday())
        person = Q(person_key=person_key)
        account = Q(pk__in=[])  # counts nothing
        whose = person
        if booked_by_id:
            account = Q(booked_by_id=booked_by_id)
            whose = person | account
        counts = (
            self.holding()
            .filter(whose, session__institution_id=session.institution_id)
            .filter(session__date__range=(monday, monday + timedelta(days=6)))
            .aggregate(
                here=Count("pk", filter=person & Q(session_id=session.pk)),
                person_day=Count("pk", filter=person & Q(session__date=day)),
                person_week=Count("pk", filter=person),
                account_day=Count("pk", filter=account & Q(session__date=day)),
                account_week=Count("pk", filter=account),
            )
        )
        return {name: counts[name] or 0 for name in LIMIT_NAMES}


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
    person_key = models.CharField(_("身份标识"), max_length=64, db_index=True, editable=False)
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
    fee = models.PositiveIntegerField(_("挂号费"), help_text=_("以分为单位存储"))
    payment_status = models.CharField(
        _("支付状态"), max_length=12, choices=PaymentStatus.choices, default=PaymentStatus.UNPAID
    )
    checkin_code = models.CharField(
        _("签到码"), max_length=32, unique=True, default=new_checkin_code
    )
    # The JSON API names an appointment by this, never by its sequential id: one client cannot
    # walk the ids of another channel's bookings.
    public_id = models.UUIDField(_("公开编号"), unique=True, default=uuid.uuid4, editable=False)
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
    confirmation_sent_at = models.DateTimeField(_("预约成功通知时间"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("就诊提醒时间"), null=True, blank=True)
    turn_near_sent_at = models.DateTimeField(_("即将叫号提醒时间"), null=True, blank=True)

    objects = AppointmentQuerySet.as_manager()

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
    def masked_patient_name(self) -> str:
        """The name as staff pages show it (张*明): a walk-in's is masked like a patient's."""
        return mask_name(self.patient_name)

    @property
    def is_holding(self) -> bool:
        return self.status in HOLDING

    @property
    def is_walk_in(self) -> bool:
        """Booked at the hospital for someone with no WeChat account: a name and an ID number's
        keyed hash, no patient row."""
        return self.patient_id is None

    @property
    def is_waiting(self) -> bool:
        """Still to be seen: the queue and its estimated wait concern it."""
        return self.status in (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)

    def can_cancel(self, now, by: str = CancelledBy.PATIENT, policy=None) -> bool:
        """Whether ``by`` may cancel at ``now``: only a booked (not yet checked-in) appointment;
        patients until the institution's deadline, or whenever the session is suspended; staff
        any time."""
        if self.status != AppointmentStatus.BOOKED:
            return False
        if by != CancelledBy.PATIENT or self.session.is_suspended:
            return True
        policy = policy or BookingPolicy.for_institution(self.session.institution)
        return now <= self.session.cancel_deadline(policy)

    @property
    def checkin_payload(self) -> str:
        """What the QR code carries; a kiosk sends it to POST /api/booking/check-in."""
        return f"{CHECKIN_PREFIX}{self.checkin_code}"

    @classmethod
    def from_checkin_code(cls, payload: str, institution) -> "Appointment":
        """The institution's appointment whose QR code carries ``payload``. InvalidCheckinCode
        when it is not one of ours; NotFound when no appointment of this institution has it."""
        payload = payload.strip()
        if not payload.startswith(CHECKIN_PREFIX) or len(payload) > CHECKIN_PAYLOAD_MAX:
            raise InvalidCheckinCode()
        found = (
            cls.objects.select_related("session__institution", "slot", "patient")
            .filter(checkin_code=payload[len(CHECKIN_PREFIX) :], session__institution=institution)
            .first()
        )
        if found is None:
            raise NotFound()
        return found


class WaitRecord(models.Model):
    """How long a checked-in patient waited to be called: kept per department for analysis
    (seed 004: the hospital tracks waiting in each department to tune its online quotas)."""

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, verbose_name=_("机构")
    )
    department = models.ForeignKey(
        "institutions.Department", on_delete=models.CASCADE, verbose_name=_("科室")
    )
    doctor = models.ForeignKey(
        "institutions.Doctor",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("医生"),
    )
    appointment = models.OneToOneField(
        Appointment, on_delete=models.CASCADE, related_name="wait_record", verbose_name=_("预约")
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
