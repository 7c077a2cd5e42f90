"""Simulated time for the outbox's tests and the WeChat layer's: hours of retrying pass in no
time, never by sleeping."""

from datetime import timedelta

from django.utils import timezone


class Clock:
    """``timezone.now()`` for everything in this process (the worker, a live server's threads):
    the real time plus an offset the test moves forward. Rows whose default is the real clock
    (``OutboxMessage.available_at``) are simply due a little early."""

    def __init__(self, monkeypatch):
        self.offset = timedelta()
        real = timezone.now
        monkeypatch.setattr(timezone, "now", lambda: real() + self.offset)

    def advance(self, delta: timedelta | None = None, **kwargs) -> None:
        self.offset += delta if delta is not None else timedelta(**kwargs)
