"""Pools seen full, kept in Django's cache (Redis in production), so that the flood of requests
after a release is answered "sold out" without reading the pool each time.

At 07:00 a hot expert's thirty places go in the first second, and every request after that,
thousands with the phone centres' retries, would read the same full pool again. The entry is
shared by every process. It is trusted only while nothing has been given back since it was
written: ``places_changed`` (called by ``actions.release_place``, new quotas and a suspension,
in their transaction) replaces the session's change mark when they commit, and an entry
carries the mark it was written under. The mark is read before the pool is, so a place given
back while a request reads the pool can never leave a stale "full" behind. An entry also
expires after ``BOOKING_FULL_POOL_SECONDS``, the bound on a stale answer should the cache miss
the change mark's update (the cache down at that moment).

Only "full" is kept: a pool with room is always read, and the booking's conditional updates
decide. If the cache fails, the pool is read."""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

log = logging.getLogger("carebridge.booking")

# The change mark outlives every entry written under it.
MARK_SECONDS = 24 * 3600


def _full_key(institution_id: int, session_id: int, channel: str) -> str:
    # The institution too: another institution's session id must stay a 404, not "sold out".
    return f"booking:full:{institution_id}:{session_id}:{channel}"


def _mark_key(session_id: int) -> str:
    return f"booking:changed:{session_id}"


def look(institution_id: int, session_id: int, channel: str) -> tuple[bool, str | None]:
    """(whether the pool is known full, the session's change mark to write a new entry under).
    One cache read. The mark is None when the cache failed: nothing is known, nothing kept."""
    full, mark = _full_key(institution_id, session_id, channel), _mark_key(session_id)
    try:
        found = cache.get_many([full, mark])
    except Exception:  # the cache is an optimisation: a failure reads the pool
        log.warning("full-pool cache unavailable", exc_info=True)
        return False, None
    current = found.get(mark, "")
    return full in found and found[full] == current, current


def remember(institution_id: int, session_id: int, channel: str, mark: str | None) -> None:
    """The pool was read full under ``mark`` (from ``look``, read before the pool was)."""
    if mark is None or settings.BOOKING_FULL_POOL_SECONDS <= 0:
        return
    key = _full_key(institution_id, session_id, channel)
    try:
        cache.set(key, mark, settings.BOOKING_FULL_POOL_SECONDS)
    except Exception:
        log.warning("full-pool cache unavailable", exc_info=True)


def places_changed(session_id: int) -> None:
    """A place of the session may be free again (or its pools were reshaped, or it stopped): no
    entry written before the caller's transaction commits is trusted. The mark is replaced now
    and again on commit, since a request reading the pool meanwhile still sees it full."""

    def replace_mark():
        try:
            cache.set(_mark_key(session_id), uuid.uuid4().hex, MARK_SECONDS)
        except Exception:
            log.error("full-pool cache: session %s's change not recorded", session_id)

    replace_mark()
    transaction.on_commit(replace_mark)
