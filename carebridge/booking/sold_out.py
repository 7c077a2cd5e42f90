"""Pools this process has just seen full, so that the flood of requests after a release is
answered "sold out" without a database read each.

At 07:00 a hot expert's thirty places go in the first second, and every request after that,
thousands with the phone centres' retries, would read the same full pool again. Each process
remembers a full pool for ``BOOKING_SOLD_OUT_MEMO_SECONDS`` (default 1; 0 turns it off), the
bound on how stale a "sold out" can be: a place given back in another process is offered again
at most that much later. A place given back (a cancel) or a new share of places (quotas) in
this process forgets the session at once. Only "sold out" is remembered: a pool with room is
always read, and the booking's conditional updates decide."""

import time

from django.conf import settings

# (institution id, session id, channel) -> time.monotonic() until which the pool counts as full.
_FULL: dict[tuple[int, int, str], float] = {}
_PRUNE_AT = 1000


def known_full(institution_id: int, session_id: int, channel: str) -> bool:
    until = _FULL.get((institution_id, session_id, channel))
    return until is not None and time.monotonic() < until


def remember_full(institution_id: int, session_id: int, channel: str) -> None:
    seconds = settings.BOOKING_SOLD_OUT_MEMO_SECONDS
    if seconds <= 0:
        return
    now = time.monotonic()
    if len(_FULL) >= _PRUNE_AT:  # the day's sessions come and go: drop what has expired
        for key in [key for key, until in _FULL.items() if until <= now]:
            _FULL.pop(key, None)
    _FULL[(institution_id, session_id, channel)] = now + seconds


def forget(session_id: int) -> None:
    """A place of this session may be free again: read its pools afresh."""
    for key in [key for key in _FULL if key[1] == session_id]:
        _FULL.pop(key, None)


def forget_all() -> None:
    _FULL.clear()
