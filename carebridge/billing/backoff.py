"""When to ask WeChat Pay again about an order or a refund whose outcome has not come.

WeChat Pay notifies within seconds; when it has not, the first query is 5 minutes after the
order was opened (or the refund accepted), then 10, 20, 40 minutes… apart, at most an hour
(its own notifications are retried for 24 h, hours apart by then: polling faster only adds
calls). An unreachable WeChat Pay is asked again after a minute, whatever the backoff."""

from datetime import timedelta

FIRST_CHECK = timedelta(minutes=5)
LONGEST_PAUSE = timedelta(hours=1)
UNAVAILABLE_PAUSE = timedelta(minutes=1)
# How long a sweep holds what it took: another worker leaves it alone meanwhile, and a worker
# that died with it lets it go after this.
CHECK_LEASE = timedelta(minutes=2)


def pause(attempts: int) -> timedelta:
    """The pause after ``attempts`` unanswered checks (1 → 10 min, 2 → 20 min…)."""
    return min(FIRST_CHECK * 2 ** min(attempts, 10), LONGEST_PAUSE)


# A payment's follow-up (its kind's on_paid, run by the worker) that failed: tried again after
# 2 s, doubling to at most 10 minutes, like the outbox's messages; staff are alerted in the log
# once it has failed FOLLOW_UP_ALERT_AFTER times (about a quarter of an hour).
FOLLOW_UP_FIRST_PAUSE = timedelta(seconds=2)
FOLLOW_UP_LONGEST_PAUSE = timedelta(minutes=10)
FOLLOW_UP_ALERT_AFTER = 10


def follow_up_pause(failures: int) -> timedelta:
    """The pause after a follow-up's ``failures``-th failure (1 → 2 s, 2 → 4 s…)."""
    return min(FOLLOW_UP_FIRST_PAUSE * 2 ** min(failures - 1, 20), FOLLOW_UP_LONGEST_PAUSE)
