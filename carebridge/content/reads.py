"""Article reads, counted in memory and written in batches: one UPDATE per article every
``FLUSH_SECONDS`` instead of a write transaction (and, on PostgreSQL, a commit waiting for the
disk) per view. Under the release rush's readers the per-view UPDATE was the largest cost of an
article page (bench/RESULTS.md, 医院动态).

Each web process keeps its own tally and adds it to the rows with ``F("reads") + n``, so any
number of processes (gunicorn's, runserver's threads) count together without losing an
increment. The web server flushes every ``FLUSH_SECONDS`` from a thread of its own
(``flush_in_background``, started by carebridge/wsgi.py) and once more when the process exits,
so a crash loses at most the last few seconds of one process's reads; a flush that fails keeps
its counts for the next. Anything else that counts reads (a shell, a test) calls ``flush()``.

The count a page shows is the row's plus what this process has not written yet: right in the
process that counted, and at most ``FLUSH_SECONDS`` behind in the others."""

import atexit
import logging
import os
import threading
from collections import Counter, defaultdict

from django.db import close_old_connections
from django.db.models import F

from .models import Article

log = logging.getLogger("carebridge.content")

FLUSH_SECONDS = 3.0

_lock = threading.Lock()
_tally: Counter = Counter()  # article id -> reads not yet written
_flusher_pid: int | None = None  # the process whose flushing thread runs
_in_background = False


def add(article_id: int) -> int:
    """Count one read of the article; return its reads not yet written (this one included)."""
    with _lock:
        _tally[article_id] += 1
        unwritten = _tally[article_id]
    if _in_background and _flusher_pid != os.getpid():
        _start_flusher()
    return unwritten


def unwritten(article_id: int) -> int:
    with _lock:
        return _tally[article_id]


def flush() -> int:
    """Write the reads counted so far: one UPDATE per number of reads (articles read equally
    often share one). Returns how many reads were written. On a failure, what was taken goes
    back to the tally for the next flush, and the error is raised."""
    with _lock:
        taken = Counter(_tally)
        _tally.clear()
    by_count = defaultdict(list)
    for article_id, n in taken.items():
        by_count[n].append(article_id)
    done = Counter()
    try:
        for n, ids in sorted(by_count.items()):
            Article.objects.filter(pk__in=ids).update(reads=F("reads") + n)
            done.update(dict.fromkeys(ids, n))
    except Exception:
        with _lock:
            _tally.update(taken - done)
        raise
    return sum(taken.values())


def forget() -> None:
    """Drop the counts not yet written (tests: a new test's rows may reuse old ids)."""
    with _lock:
        _tally.clear()


def flush_in_background() -> None:
    """In a web server: flush every FLUSH_SECONDS from a daemon thread, and at exit. The thread
    is started by the first read counted in a process, so a server that forks after loading the
    application (gunicorn's --preload) gets one in each worker."""
    global _in_background
    _in_background = True


def _start_flusher() -> None:
    global _flusher_pid
    with _lock:
        if _flusher_pid == os.getpid():
            return
        _flusher_pid = os.getpid()
    threading.Thread(target=_flush_forever, name="content-reads", daemon=True).start()
    atexit.register(_flush_quietly)


def _flush_forever() -> None:
    stop = threading.Event()
    while not stop.wait(FLUSH_SECONDS):
        close_old_connections()  # this thread's own connection, as the daily jobs' loop does
        _flush_quietly()


def _flush_quietly() -> None:
    try:
        flush()
    except Exception:  # the database away for a moment: the counts wait for the next flush
        log.exception("writing article reads failed")
