"""Daily jobs: the day-before reminders, sessions generated weeks ahead, expired phone codes.

Each app lists its jobs in its ``tasks.py`` as ``DAILY_JOBS``. ``run_due_jobs`` runs every job
whose time of day (Asia/Shanghai) has come and that has not run today, claiming the day with a
``DailyJobRun`` row first: however many processes call it, a job runs once a day. A job that
fails is retried at the next call (up to MAX_ATTEMPTS a day); one whose process died is taken
again after STALE_AFTER. Every job is idempotent, so a retry never sends a reminder twice.

In production, either run the scheduler next to the worker::

    carebridge run_daily_jobs --loop        # checks every minute; stop with SIGTERM

or call it from cron (every few minutes; each job still runs once a day, at its time)::

    */5 * * * *  carebridge run_daily_jobs

``carebridge demo`` runs the loop itself. Times may be changed with the setting
``DAILY_JOB_TIMES`` (e.g. ``{"send_visit_reminders": "19:30"}``).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, close_old_connections, connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import DailyJobRun

log = logging.getLogger("carebridge.daily")

STALE_AFTER = timedelta(hours=1)
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class DailyJob:
    name: str
    at: time  # local time of day from which it is due
    run: Callable[[datetime], object]  # gets "now"; returns something to record
    help: str = ""

    def time_of_day(self) -> time:
        configured = getattr(settings, "DAILY_JOB_TIMES", {}).get(self.name)
        return time.fromisoformat(configured) if configured else self.at

    def due_at(self, day) -> datetime:
        return timezone.make_aware(datetime.combine(day, self.time_of_day()))


def registered_jobs() -> list[DailyJob]:
    """DAILY_JOBS of every installed app's tasks module, in app order."""
    jobs = []
    for config in apps.get_app_configs():
        name = f"{config.name}.tasks"
        if find_spec(name) is not None:
            jobs += getattr(import_module(name), "DAILY_JOBS", [])
    return jobs


def _claim(job: DailyJob, day, now) -> DailyJobRun | None:
    """Today's run of ``job`` for this caller, or None when another has it or it is done."""
    try:
        with transaction.atomic():
            return DailyJobRun.objects.create(job=job.name, day=day, started_at=now)
    except IntegrityError:
        pass
    retry = Q(failed=True) | Q(started_at__lt=now - STALE_AFTER)
    won = (
        DailyJobRun.objects.filter(retry, job=job.name, day=day, finished_at=None)
        .filter(attempts__lt=MAX_ATTEMPTS)
        .update(started_at=now, failed=False, attempts=F("attempts") + 1)
    )
    return DailyJobRun.objects.get(job=job.name, day=day) if won else None


def run_due_jobs(now=None, jobs=None) -> dict[str, str]:
    """Run what is due now; returns {job name: "done" | "failed"} for the jobs it ran."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    outcomes = {}
    for job in registered_jobs() if jobs is None else jobs:
        if now < job.due_at(today):
            continue
        run = _claim(job, today, now)
        if run is None:
            continue
        try:
            result = job.run(now)
        except Exception as exc:  # recorded and retried; one job never stops the others
            log.exception("daily job %s failed", job.name)
            DailyJobRun.objects.filter(pk=run.pk).update(
                failed=True, error=f"{exc.__class__.__name__}: {exc}"[:2000]
            )
            outcomes[job.name] = "failed"
            continue
        DailyJobRun.objects.filter(pk=run.pk).update(
            finished_at=timezone.now(), result=str(result)[:200], error=""
        )
        log.info("daily job %s done: %s", job.name, result)
        outcomes[job.name] = "done"
    return outcomes


def run_forever(stop, interval: float = 60.0) -> None:
    """Run due jobs every ``interval`` seconds until ``stop`` (a threading.Event) is set."""
    while not stop.is_set():
        close_old_connections()
        try:
            run_due_jobs()
        except Exception:  # the database away for a moment: try again at the next tick
            log.exception("daily jobs pass failed")
        stop.wait(interval)
    connections.close_all()  # this thread's own connections
