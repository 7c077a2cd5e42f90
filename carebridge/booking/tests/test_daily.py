"""The daily jobs: each runs once a day from its time, however often or concurrently the
scheduler is called; a failure is retried, a crash taken over; the demo and cron can run it."""

import threading
import time as clock
from datetime import date, time, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from carebridge.booking import daily
from carebridge.booking.models import BookingPolicy, DailyJobRun, ScheduleTemplate
from carebridge.wechat.models import TemplateSend

from .helpers import WECHAT, at, before_visit, book

pytestmark = pytest.mark.django_db

DAY = date(2026, 9, 16)  # a Wednesday


def counting_job(name="count", at_time=time(9, 0), fail=0):
    """A job that records its calls and fails its first ``fail`` runs."""
    calls = []

    def run(now):
        calls.append(now)
        if len(calls) <= fail:
            raise RuntimeError("the gateway is down")
        return f"run {len(calls)}"

    return daily.DailyJob(name, at_time, run), calls


def test_the_apps_register_reminders_generation_purge_and_reconciliation():
    jobs = {job.name: job.at for job in daily.registered_jobs()}
    assert jobs == {
        "generate_sessions": time(0, 30),
        "send_visit_reminders": time(18, 0),
        "purge_phone_codes": time(3, 30),
        "reconcile_wxpay": time(10, 30),
    }


def test_a_job_runs_once_a_day_from_its_time():
    job, calls = counting_job()
    assert daily.run_due_jobs(at(DAY, 8, 59), [job]) == {}
    assert daily.run_due_jobs(at(DAY, 9, 0), [job]) == {"count": "done"}
    assert daily.run_due_jobs(at(DAY, 23, 0), [job]) == {}
    assert daily.run_due_jobs(at(DAY + timedelta(days=1), 9, 5), [job]) == {"count": "done"}
    assert len(calls) == 2
    run = DailyJobRun.objects.get(job="count", day=DAY)
    assert (run.result, run.failed, run.attempts) == ("run 1", False, 1)
    assert run.finished_at is not None


def test_a_failed_job_is_retried_until_it_succeeds_and_recorded():
    job, calls = counting_job(fail=2)
    assert daily.run_due_jobs(at(DAY, 9), [job]) == {"count": "failed"}
    run = DailyJobRun.objects.get()
    assert run.failed and "RuntimeError: the gateway is down" in run.error
    assert daily.run_due_jobs(at(DAY, 9, 5), [job]) == {"count": "failed"}
    assert daily.run_due_jobs(at(DAY, 9, 10), [job]) == {"count": "done"}
    run.refresh_from_db()
    assert (run.attempts, run.failed, run.error, run.result) == (3, False, "", "run 3")


def test_a_job_that_keeps_failing_stops_for_the_day():
    job, calls = counting_job(fail=99)
    for minute in range(10):
        daily.run_due_jobs(at(DAY, 9, minute), [job])
    assert len(calls) == daily.MAX_ATTEMPTS
    assert daily.run_due_jobs(at(DAY + timedelta(days=1), 9), [job]) == {"count": "failed"}


def test_a_run_whose_process_died_is_taken_over_after_a_while():
    job, calls = counting_job()
    DailyJobRun.objects.create(job="count", day=DAY, started_at=at(DAY, 9))  # never finished
    assert daily.run_due_jobs(at(DAY, 9, 30), [job]) == {}  # it may still be running
    assert daily.run_due_jobs(at(DAY, 10, 1), [job]) == {"count": "done"}
    assert len(calls) == 1


def test_one_failing_job_does_not_stop_the_others():
    broken, _ = counting_job("broken", fail=1)
    fine, calls = counting_job("fine")
    assert daily.run_due_jobs(at(DAY, 9), [broken, fine]) == {"broken": "failed", "fine": "done"}


def test_the_time_of_day_can_be_configured(settings):
    job, _ = counting_job()
    settings.DAILY_JOB_TIMES = {"count": "20:15"}
    assert daily.run_due_jobs(at(DAY, 20, 14), [job]) == {}
    assert daily.run_due_jobs(at(DAY, 20, 15), [job]) == {"count": "done"}


def test_the_evening_before_patients_are_reminded_once(hospital, session, alice, alice_self):
    BookingPolicy.objects.create(institution=hospital, tpl_visit_reminder="TPL_REMIND")
    book(alice_self, session, WECHAT, booked_by=alice, now=before_visit(session))
    eve = session.date - timedelta(days=1)
    assert "send_visit_reminders" not in daily.run_due_jobs(at(eve, 17, 59))
    assert daily.run_due_jobs(at(eve, 18, 0))["send_visit_reminders"] == "done"
    assert daily.run_due_jobs(at(eve, 21, 0)) == {}
    [reminder] = TemplateSend.objects.filter(template_id="TPL_REMIND")
    assert reminder.openid == alice.openid
    assert DailyJobRun.objects.get(job="send_visit_reminders").result == "1 reminder(s) queued"


def test_sessions_are_generated_at_night_from_the_templates(hospital, cardiology, dr_wang):
    ScheduleTemplate.objects.create(
        institution=hospital,
        department=cardiology,
        doctor=dr_wang,
        weekday=DAY.weekday(),
        period="morning",
        start_time=time(8),
        end_time=time(11, 30),
        fee=5000,
        capacity=10,
        quota_wechat=10,
        weeks_ahead=2,
    )
    daily.run_due_jobs(at(DAY, 0, 30))
    assert DailyJobRun.objects.get(job="generate_sessions").result == "2 session(s) created"
    assert sorted(s.date for s in dr_wang.clinic_sessions.all()) == [DAY, DAY + timedelta(7)]


@pytest.mark.django_db(transaction=True)
def test_schedulers_racing_on_the_same_day_run_a_job_once():
    job, calls = counting_job()
    barrier = threading.Barrier(6, timeout=30)
    outcomes = []

    def scheduler():
        try:
            barrier.wait()
            outcomes.append(daily.run_due_jobs(at(DAY, 9), [job]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scheduler) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(calls) == 1 and outcomes.count({"count": "done"}) == 1
    assert DailyJobRun.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_loop_runs_due_jobs_until_stopped(monkeypatch):
    job, calls = counting_job(at_time=time(0, 0))
    monkeypatch.setattr(daily, "registered_jobs", lambda: [job])
    stop = threading.Event()
    thread = threading.Thread(target=daily.run_forever, args=(stop, 0.05))
    thread.start()
    try:
        deadline = clock.monotonic() + 20
        while not DailyJobRun.objects.filter(finished_at__isnull=False).exists():
            assert clock.monotonic() < deadline, "the loop never ran the job"
            stop.wait(0.05)
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive() and len(calls) == 1


def test_the_command_runs_what_is_due_and_lists_the_jobs(capsys, monkeypatch):
    job, calls = counting_job(at_time=time(0, 0))
    monkeypatch.setattr(daily, "registered_jobs", lambda: [job])
    call_command("run_daily_jobs")
    call_command("run_daily_jobs")
    out = capsys.readouterr().out
    assert out.splitlines() == ["count: done", "nothing due"] and len(calls) == 1
    call_command("run_daily_jobs", "--list")
    listing = capsys.readouterr().out
    assert "count" in listing and "daily at 00:00" in listing and ": run 1" in listing


def test_the_command_lists_every_registered_job(capsys):
    call_command("run_daily_jobs", "--list")
    out = capsys.readouterr().out
    for name in ("generate_sessions", "send_visit_reminders", "purge_phone_codes"):
        assert name in out
    assert "daily at 18:00" in out and "never run" in out


def test_the_command_fails_loudly_when_a_job_fails(monkeypatch):
    job, _ = counting_job(at_time=time(0, 0), fail=1)
    monkeypatch.setattr(daily, "registered_jobs", lambda: [job])
    with pytest.raises(CommandError, match="failed"):
        call_command("run_daily_jobs")


def test_the_command_refuses_a_bad_interval():
    with pytest.raises(CommandError, match="positive"):
        call_command("run_daily_jobs", "--loop", "--interval", "0")
    assert not DailyJobRun.objects.exists()
