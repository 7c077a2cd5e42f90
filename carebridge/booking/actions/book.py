"""Taking and giving back a place.

A booking claims two counters with conditional updates (STYLE.md item 5) in one transaction:
the slot (``booked < capacity``) and the channel's pool. The database's check constraints and
the partial unique constraints on holding appointments back them up, so no code path can
oversell or double-book, on SQLite or PostgreSQL. On PostgreSQL a booking without a WeChat
account (window, kiosk, phone centre) is first tried as one statement (one_statement.py), which
books or changes nothing; this module's transaction then does the rest.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from carebridge.lib import rawrows
from carebridge.patients.queries import ineligibility

from .. import notify, sold_out
from ..errors import (
    AccountSuspended,
    AlreadyBooked,
    CancelTooLate,
    NotEligible,
    NotReleased,
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
    SessionStatus,
    Slot,
)
from ..signals import refund_requested
from . import hot_sql, one_statement
from .limits import check_limits, most_allowed


def active_ban(follower, institution, now=None) -> BookingBan | None:
    now = now or timezone.now()
    return (
        BookingBan.objects.filter(follower=follower, institution=institution, ends_at__gt=now)
        .order_by("-ends_at")
        .first()
    )


def check_bookable(session: ClinicSession, policy: BookingPolicy, now) -> None:
    if session.status != SessionStatus.OPEN or now >= session.ends_at:
        raise SessionClosed()
    released = session.released_at(policy)
    if now < released:
        raise NotReleased(
            _("号源将于 %(when)s 开放预约")
            % {"when": timezone.localtime(released).strftime("%Y-%m-%d %H:%M")}
        )


def _sold_out(channel) -> SoldOut:
    return SoldOut(_("%(channel)s渠道的号源已约满") % {"channel": Channel(channel).label})


def open_booking(
    session_id: int, institution, channel: str, patient_id: int | None = None
) -> hot_sql.Opening | None:
    """What a booking through ``channel`` starts from: the institution's session with its
    rules (``.session()``) and the patient ``patient_id`` if it is the institution's
    (``.patient()``). None when the session has no such pool (the caller answers 404); SoldOut
    at once when the pool is full.

    The cheap early answer at release time: all of it is one hand-written read, no lock, and a
    full pool is answered before anything is built (most of a rush's requests end here;
    bench/RESULTS.md). A read sees only committed bookings, so the answer is true when given; a
    place given back meanwhile is found by the next request. A pool with room proves nothing:
    the booking's own conditional updates decide. A session that is not open falls through to
    the full checks, and is answered session_closed or not_released as before. A pool found
    full is remembered for a moment (sold_out.py), so the requests after it are answered
    without the read."""
    if sold_out.known_full(institution.pk, session_id, channel):
        raise _sold_out(channel)
    opening = hot_sql.booking_context(session_id, institution, channel, patient_id)
    if opening is None:
        return None
    if opening.session_status == SessionStatus.OPEN and opening.full:
        sold_out.remember_full(institution.pk, session_id, channel)
        raise _sold_out(channel)
    return opening


def opened(session: ClinicSession, channel: str) -> ClinicSession:
    """``session`` ready to be booked through ``channel`` by a caller that already holds it
    (the WeChat pages): SoldOut at once when the pool is full (open_booking), else the session
    as that read brought it, with the institution's booking and patient rules attached, so the
    booking reads neither again. ``session`` itself when it has no such pool: the booking
    refuses it."""
    opening = open_booking(session.pk, session.institution, channel)
    return opening.session() if opening is not None else session


def _claim_slot(session, channel, slot, now, policy, person_key, booked_by) -> Slot:
    """Take the given slot, or the first free one that has not started yet, if the person and
    the account are within their limits (check_limits)."""
    if slot is not None:
        check_limits(session, policy, person_key, booked_by)
        if slot.session_id != session.id:
            raise SlotTaken()
        won = Slot.objects.filter(id=slot.id, booked__lt=F("capacity"), ends_at__gt=now).update(
            booked=F("booked") + 1
        )
        if not won:
            raise SlotTaken()
        return slot
    booked_by_id = booked_by.pk if booked_by else None
    taken = hot_sql.take_first_free_slot(
        session, channel, now, person_key, booked_by_id, most_allowed(policy)
    )
    if taken is not None:
        return taken
    check_limits(session, policy, person_key, booked_by)  # a limit reached: say which
    # Every free slot is locked by another booking in flight (or none is free): wait for those
    # to commit or roll back, so "sold out" is only said when it is true.
    for slot_id in hot_sql.free_slot_ids(session.id, channel, now):
        if hot_sql.take_slot(slot_id):
            return Slot.objects.get(id=slot_id)
    if not SessionQuota.objects.filter(
        session=session, channel=channel, booked__lt=F("capacity")
    ).exists():
        raise _sold_out(channel)
    raise SoldOut()


def _claim_place(session, channel) -> None:
    """Take a place from the channel's pool while the session is still open, keeping the
    session's row share-locked until commit.

    A suspension committing meanwhile waits for this booking and then tells its patient; one
    that committed first is seen here, and the booking is refused. Without it a booking in
    flight could land in a suspended session, its patient never told (PostgreSQL; SQLite runs
    writers one at a time). A share lock, so bookings of one session never queue on it. The
    pool's row, which they do queue on, is the session's hottest: claimed last, in the same
    statement, so its lock is held only until the commit."""
    if hot_sql.take_pool_place(session.id, channel):
        return
    if not hot_sql.session_is_open(session.id):
        raise SessionClosed()
    raise _sold_out(channel)


def book_appointment(
    patient,
    session: ClinicSession,
    channel: str,
    *,
    slot: Slot | None = None,
    booked_by=None,
    api_client=None,
    walk_in_name: str = "",
    person_key: str = "",
    now=None,
    audit=None,
) -> Appointment:
    """Book ``patient`` (or a walk-in named ``walk_in_name`` with ``person_key``) into
    ``session`` through ``channel``'s pool, in ``slot`` or the first free one.

    ``booked_by`` is the WeChat user booking online: their ban and account limits apply.
    ``audit`` is the unsaved audit row (patients.AccessLog) of showing the booked patient in
    the answer: written with the appointment, in its transaction (its statement), only if it
    is booked. Raises a BookingError (nothing changed) when refused."""
    try:
        return _book(
            patient,
            session,
            channel,
            slot,
            booked_by,
            api_client,
            walk_in_name,
            person_key,
            now or timezone.now(),
            audit,
        )
    except IntegrityError as exc:
        # The transaction has rolled back. Only a race the checks could not see gets here:
        # the same person booking this session twice at once (or, never, one slot twice).
        if "slot" in str(exc) and "person_key" not in str(exc):
            raise SlotTaken() from exc
        raise AlreadyBooked() from exc


def _book(
    patient, session, channel, slot, booked_by, api_client, walk_in_name, person_key, now, audit
) -> Appointment:
    policy = BookingPolicy.for_institution(session.institution)
    check_bookable(session, policy, now)
    if patient is not None:
        person_key = patient.id_number_hash
        if patient.owner.account.institution_id != session.institution_id:
            raise SessionClosed()
        problem = ineligibility(patient, session.institution, session.date)
        if problem:
            raise NotEligible(problem)
    if not person_key:
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
    if one_statement.usable(slot, booked_by, audit):
        if one_statement.book(appointment, policy, now, audit):
            return appointment
        # Nothing was taken: the usual way waits for bookings in flight and names the reason.
    return _book_in_transaction(appointment, slot, policy, now, audit)


@transaction.atomic
def _book_in_transaction(appointment, slot, policy, now, audit) -> Appointment:
    session, channel, booked_by = appointment.session, appointment.channel, appointment.booked_by
    if booked_by is not None:
        ban = active_ban(booked_by, session.institution_id, now)
        if ban is not None:
            raise AccountSuspended(
                _("因 %(n)d 次爽约,您的账号暂停网上预约至 %(until)s")
                % {"n": ban.no_shows, "until": timezone.localtime(ban.ends_at).strftime("%Y-%m-%d")}
            )
        # Serialises one account's bookings so two tabs cannot both pass the limits (PostgreSQL;
        # SQLite's write transactions are serial anyway).
        type(booked_by).objects.select_for_update().filter(pk=booked_by.pk).first()
    taken = _claim_slot(session, channel, slot, now, policy, appointment.person_key, booked_by)
    appointment.slot = taken
    appointment.queue_number = taken.number
    rawrows.insert(appointment)
    # One outbox row; the worker writes the confirmation itself, outside this transaction.
    notify.queue_confirmation(appointment, policy)
    if audit is not None:
        rawrows.insert(audit)
    _claim_place(session, channel)
    return appointment


def _release_place(appointment: Appointment) -> None:
    Slot.objects.filter(id=appointment.slot_id, booked__gt=0).update(booked=F("booked") - 1)
    SessionQuota.objects.filter(
        session=appointment.session_id, channel=appointment.channel, booked__gt=0
    ).update(booked=F("booked") - 1)


@transaction.atomic
def cancel_appointment(
    appointment: Appointment, by: str = CancelledBy.PATIENT, reason: str = "", now=None
) -> Appointment:
    """Give the place back to its slot and channel pool; the row stays, cancelled.

    Patients may cancel until the institution's deadline; staff and suspensions any time before
    the visit. A paid fee becomes ``refund_due`` for billing to refund."""
    now = now or timezone.now()
    # The status change is itself a conditional update: two cancels never return a place twice.
    won = Appointment.objects.filter(id=appointment.id, status=AppointmentStatus.BOOKED).update(
        status=AppointmentStatus.CANCELLED, cancelled_at=now, cancelled_by=by, cancel_reason=reason
    )
    if not won:
        raise WrongState(_("只有尚未签到的预约可以取消"))
    session = appointment.session
    # After a suspension (停诊) patients may cancel whatever the deadline.
    if (
        by == CancelledBy.PATIENT
        and session.status == SessionStatus.OPEN
        and now > session.cancel_deadline(BookingPolicy.for_institution(session.institution))
    ):
        raise CancelTooLate()
    _release_place(appointment)
    sold_out.forget(appointment.session_id)  # this process reads the pool afresh
    if appointment.payment_status == PaymentStatus.PAID:
        # The billing issue refunds appointments in this state and marks them refunded.
        Appointment.objects.filter(id=appointment.id).update(
            payment_status=PaymentStatus.REFUND_DUE
        )
        transaction.on_commit(
            lambda: refund_requested.send(sender=Appointment, appointment_id=appointment.id)
        )
    appointment.refresh_from_db()
    return appointment
