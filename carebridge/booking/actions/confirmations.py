"""The booking confirmation, written by the worker from the rows the bookings queued."""

from django.db import connection, transaction
from django.utils import timezone

from .. import notify
from ..models import Appointment

WRITTEN_BEFORE = "written before"


@transaction.atomic
def send_booking_confirmations(appointment_ids, now=None) -> dict[int, str]:
    """Write the "booked" template messages of many appointments together (quota, TemplateSends
    and their outbox rows): a few statements for the lot. Returns each appointment's outcome
    (``notify.booking_confirmations``), or WRITTEN_BEFORE.

    Once per appointment: ``confirmation_sent_at`` is claimed with one conditional update in the
    same transaction as the messages' rows, so a worker that runs the rows again after a crash,
    or two workers at once, write each message once; and a crash part way writes nothing."""
    ids = sorted(set(appointment_ids))
    outcomes = dict.fromkeys(ids, WRITTEN_BEFORE)
    claimed = _claim(ids, now or timezone.now())
    if claimed:
        # No ORDER BY: with the model's default ordering Django hashes every selected column of
        # the seven joined tables to build the query, a third of a small batch's CPU in the
        # booking rush (bench/RESULTS.md). The messages go out in id order all the same.
        appointments = (
            Appointment.objects.select_related(
                "session__institution__booking_policy",
                "session__department",
                "session__doctor",
                "slot",
                "patient__owner__account",
                "booked_by__account",
            )
            .filter(id__in=claimed)
            .order_by()
        )
        outcomes.update(notify.booking_confirmations(sorted(appointments, key=lambda a: a.pk)))
    return outcomes


def send_booking_confirmation(appointment_id: int, now=None) -> bool:
    """One appointment's confirmation (``send_booking_confirmations``). Returns False when it
    was written before."""
    return send_booking_confirmations([appointment_id], now)[appointment_id] != WRITTEN_BEFORE


def _claim(ids: list[int], now) -> list[int]:
    """``UPDATE … SET confirmation_sent_at = now WHERE id IN (ids) AND confirmation_sent_at IS
    NULL RETURNING id``: the ids this transaction claimed, in one statement (the ORM's update
    cannot say which rows it changed)."""
    if not ids:
        return []
    table = connection.ops.quote_name(Appointment._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET confirmation_sent_at = %s"
            f" WHERE id IN ({marks}) AND confirmation_sent_at IS NULL RETURNING id",
            [connection.ops.adapt_datetimefield_value(now), *ids],
        )
        return [row[0] for row in cursor.fetchall()]
