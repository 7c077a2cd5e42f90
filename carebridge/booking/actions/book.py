"""Taking and giving back a place: the one way every channel books and cancels.

``book_appointment`` is the only write of a booking, for the WeChat pages, the API's windows,
kiosks, phone centre and referrals, on SQLite and PostgreSQL alike: what a booking writes
(the appointment, and its confirmation's outbox row or, for a fee paid at booking, its fee
order) is written here once. It reads the session first, without a lock, so a full pool is
refused before anything else (most requests of a release rush end there); then, in one
transaction, it claims the slot and the channel's pool with conditional updates (STYLE.md
item 5; hot_path.py). The database's check constraints and the partial unique constraints on
holding appointments back them up, so no path can oversell or double-book.

``release_place`` is the only place a place is given back; a pool seen full is never remembered
anywhere, so the next request after a cancellation, in any process, finds the place.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from carebridge.billing.actions.orders import open_order, withdraw_orders
from carebridge.billing.models import OrderKind
from carebridge.patients.audit import log_api_read
from carebridge.patients.models import Patient
from carebridge.patients.queries import ineligibility

from .. import hot_path, notify
from ..errors import (
    AccountSuspended,
    AlreadyBooked,
    CancelTooLate,
    NotEligible,
    NotFound,
    PatientNotFound,
    SessionClosed,
    SlotTaken,
    SoldOut,
    WrongState,
)
from ..models import (
    Appointment,
    AppointmentStatus,
    BookingBan,
    BookingPolicy,
    CancelledBy,
    Channel,
    ClinicSession,
    PaymentStatus,
    SessionQuota,
    Slot,
)
from ..signals import refund_requested
from .limits import check_limits, most_allowed


def sold_out(channel: str) -> SoldOut:
    return SoldOut(_("%(channel)s渠道的号源已约满") % {"channel": Channel(channel).label})


def book_appointment(
    institution,
    session_id: int,
    channel: str,
    *,
    patient_id: int | None = None,
    walk_in_name: str = "",
    person_key: str = "",
    slot_id: int | None = None,
    booked_by=None,
    api_client=None,
    client_ip: str | None = None,
    now=None,
) -> Appointment:
    """Book a patient into ``institution``'s session ``session_id`` through ``channel``'s pool,
    in slot ``slot_id`` or the first free one; return the appointment.

    The patient is ``patient_id``, one of the institution's active patients (and, when a WeChat
    user books, one of that user's own), or a walk-in with no WeChat account: ``walk_in_name``
    and ``person_key``, the keyed hash of their ID number. ``booked_by`` is the WeChat user
    (wechat.Follower) booking online: their ban and their account's limits apply.
    ``api_client`` is the hospital system that booked, from ``client_ip``: its answer shows the
    patient, so the patients' audit log records that in the booking's transaction. Raises a
    BookingError, with nothing changed, when the booking is refused."""
    now = now or timezone.now()
    found = hot_path.opening(institution, session_id, channel, patient_id)
    if found is None:
        raise NotFound()
    if found.full:
        raise sold_out(channel)
    session = found.session
    policy = BookingPolicy.for_institution(institution)
    session.check_bookable(policy, now)
    patient = None
    if patient_id is not None:
        patient = _bookable_patient(found.patient, session, booked_by)
        person_key = patient.id_number_hash
    elif not person_key:
        raise ValueError("a walk-in needs a person_key")
    appointment = Appointment(
        session=session,
        patient=patient,
        person_key=person_key,
        walk_in_name=walk_in_name,
        booked_by=booked_by,
        channel=channel,
        api_client=api_client,
        fee=session.fee,
    )
    try:
        with hot_path.PlaceClaim() as place:
            return _take_place(appointment, policy, slot_id, now, client_ip, place)
    except hot_path.NoPlace:
        if not ClinicSession.objects.open_for_booking().filter(pk=session.pk).exists():
            raise SessionClosed() from None
        raise sold_out(channel) from None
    except IntegrityError as exc:
        # The transaction has rolled back. Only a race the checks could not see gets here:
        # the same person booking this session twice at once (or, never, one slot twice).
        if "slot" in str(exc) and "person_key" not in str(exc):
            raise SlotTaken() from exc
        raise AlreadyBooked() from exc


def _bookable_patient(patient, session: ClinicSession, booked_by) -> Patient:
    """``patient`` (an active patient of the session's institution, or None), if ``booked_by``,
    given, owns them and the institution's rules accept them for the session's day."""
    if patient is None or (booked_by is not None and patient.owner_id != booked_by.pk):
        raise PatientNotFound()
    problem = ineligibility(patient, session.institution, session.date)
    if problem:
        raise NotEligible(problem)
    return patient


@transaction.atomic
def _take_place(
    appointment: Appointment, policy, slot_id: int | None, now, client_ip, place
) -> Appointment:
    session, channel, booked_by = appointment.session, appointment.channel, appointment.booked_by
    if booked_by is not None:
        ban = BookingBan.current(booked_by, session.institution_id, now)
        if ban is not None:
            raise AccountSuspended(
                _("因 %(n)d 次爽约,您的账号暂停网上预约至 %(until)s")
                % {"n": ban.no_shows, "until": date_format(timezone.localtime(ban.ends_at))}
            )
        # Serialises one account's bookings so two tabs cannot both pass the limits (PostgreSQL;
        # SQLite's write transactions are serial anyway).
        type(booked_by).objects.select_for_update().filter(pk=booked_by.pk).first()
    slot = _claim_slot(appointment, policy, slot_id, now)
    appointment.slot = slot
    appointment.queue_number = slot.number
    appointment.save(force_insert=True)
    if booked_by is not None and session.fee_paid_at_booking:
        # The fee is paid on WeChat now: its order, in this transaction (one INSERT); the
        # confirmation follows the payment (billing/registration.py), an unpaid place goes
        # back at the deadline.
        open_fee_order(appointment, policy)
    else:
        # One outbox row; the worker writes the confirmation itself, outside this transaction.
        notify.queue_confirmation(appointment, policy)
    if appointment.api_client is not None and appointment.patient is not None:
        # Written with the booking, in its commit: on its own it was a commit more.
        log_api_read(appointment.api_client, appointment.patient, "api booking", client_ip)
    # The pool last: its row is the one every booking of the session waits for (on PostgreSQL
    # the claim travels with the COMMIT). NoPlace when there was none, here or at the commit.
    place.take(session.pk, channel)
    return appointment


def _claim_slot(appointment: Appointment, policy, slot_id: int | None, now) -> Slot:
    """Take the chosen slot, or the first free one that has not ended, within the limits."""
    session, person, booked_by = appointment.session, appointment.person_key, appointment.booked_by
    account = booked_by.pk if booked_by is not None else None
    most = most_allowed(policy)

    def claim(slot_id=None):
        return hot_path.claim_slot(session, now, person, account, most, slot_id)

    slot = claim(slot_id)
    if slot is not None:
        return slot
    check_limits(session, policy, person, booked_by)  # a limit reached: say which
    if slot_id is not None:
        if not Slot.objects.filter(pk=slot_id, session=session).exists():
            raise NotFound()
        raise SlotTaken()
    # Every free slot is locked by a booking in flight (or none is free): wait for each in turn,
    # so "sold out" is only said when it is true.
    for free_id in Slot.objects.free(now).filter(session=session).values_list("pk", flat=True):
        slot = claim(free_id)
        if slot is not None:
            return slot
    if (
        SessionQuota.objects.with_room()
        .filter(session=session, channel=appointment.channel)
        .exists()
    ):
        raise SoldOut()  # the pool has room but staff have closed the slots
    raise sold_out(appointment.channel)


def open_fee_order(appointment: Appointment, policy: BookingPolicy):
    """The registration fee order of a pay-at-booking appointment, payable for the policy's
    ``fee_pay_minutes`` (15 by default). Its description is what WeChat Pay shows the payer,
    in Chinese, from what the booking has already read (no query)."""
    session = appointment.session
    with translation.override(settings.LANGUAGE_CODE):
        description = _("挂号费 %(date)s %(period)s 第%(n)d号") % {
            "date": session.date.isoformat(),
            "period": session.get_period_display(),
            "n": appointment.queue_number,
        }
    return open_order(
        institution=session.institution,
        patient=appointment.patient,
        follower=appointment.booked_by,
        kind=OrderKind.REGISTRATION,
        description=description,
        total=appointment.fee,
        appointment=appointment,
        deadline=timedelta(minutes=policy.fee_pay_minutes),
    )


def release_place(appointment: Appointment) -> None:
    """Give the appointment's place back to its slot and its channel's pool: the only code that
    does. The caller has already moved the appointment out of the holding statuses."""
    Slot.objects.filter(id=appointment.slot_id, booked__gt=0).update(booked=F("booked") - 1)
    SessionQuota.objects.filter(
        session=appointment.session_id, channel=appointment.channel, booked__gt=0
    ).update(booked=F("booked") - 1)


@transaction.atomic
def cancel_appointment(
    appointment: Appointment, by: str = CancelledBy.PATIENT, reason: str = "", now=None
) -> Appointment:
    """Give the place back to its slot and channel pool and tell the patient; the row stays,
    cancelled.

    Who may cancel when is ``Appointment.can_cancel``. A paid fee becomes ``refund_due`` for
    billing to refund."""
    now = now or timezone.now()
    if not appointment.can_cancel(now, by):
        if appointment.status == AppointmentStatus.BOOKED:
            raise CancelTooLate()
        raise WrongState(_("只有尚未签到的预约可以取消"))
    # The status change is itself a conditional update: two cancels never return a place twice.
    won = Appointment.objects.filter(id=appointment.id, status=AppointmentStatus.BOOKED).update(
        status=AppointmentStatus.CANCELLED, cancelled_at=now, cancelled_by=by, cancel_reason=reason
    )
    if not won:
        raise WrongState(_("只有尚未签到的预约可以取消"))
    release_place(appointment)
    if appointment.payment_status == PaymentStatus.PAID or appointment.session.fee_paid_at_booking:
        # Billing refunds appointments in this state and marks them refunded. Conditional on
        # the row, not on what was read: a payment may have been recorded since.
        owed = Appointment.objects.filter(
            id=appointment.id, payment_status=PaymentStatus.PAID
        ).update(payment_status=PaymentStatus.REFUND_DUE)
        if owed:
            transaction.on_commit(
                lambda: refund_requested.send(sender=Appointment, appointment_id=appointment.id)
            )
        else:
            # Not paid yet: the fee order is closed instead (a payment that beats the close
            # is refunded in full when it arrives).
            withdraw_orders(appointment.orders.all())
    appointment.refresh_from_db()
    notify.cancellation(appointment)
    return appointment
