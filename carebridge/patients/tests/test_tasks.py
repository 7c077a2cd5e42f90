from datetime import timedelta

import pytest
from django.utils import timezone

from carebridge.patients.models import PhoneVerification
from carebridge.patients.phone import send_phone_code
from carebridge.patients.tasks import purge_phone_codes

pytestmark = pytest.mark.django_db


def test_purge_removes_only_codes_expired_long_ago(alice):
    stale = send_phone_code(alice, "13812345678")
    fresh = send_phone_code(alice, "13900001111")
    PhoneVerification.objects.filter(pk=stale.pk).update(
        expires_at=timezone.now() - timedelta(days=2)
    )
    assert purge_phone_codes() == 1
    assert list(PhoneVerification.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_the_command_purges_and_says_how_many(alice, capsys):
    from django.core.management import call_command

    stale = send_phone_code(alice, "13812345678")
    PhoneVerification.objects.filter(pk=stale.pk).update(
        expires_at=timezone.now() - timedelta(hours=3)
    )
    call_command("purge_phone_codes")
    assert PhoneVerification.objects.count() == 1  # expired only 3 hours ago: kept a day
    call_command("purge_phone_codes", "--older-than-hours", "2")
    assert not PhoneVerification.objects.exists()
    assert capsys.readouterr().out.splitlines() == [
        "0 expired code(s) deleted",
        "1 expired code(s) deleted",
    ]


def test_the_command_refuses_a_negative_age(alice):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    send_phone_code(alice, "13812345678")
    with pytest.raises(CommandError, match="negative"):
        call_command("purge_phone_codes", "--older-than-hours", "-1")
    assert PhoneVerification.objects.count() == 1


def test_the_purge_runs_every_night_through_the_daily_jobs(alice):
    from datetime import datetime, time

    from carebridge.booking.daily import run_due_jobs
    from carebridge.booking.models import DailyJobRun

    stale = send_phone_code(alice, "13812345678")
    PhoneVerification.objects.filter(pk=stale.pk).update(
        expires_at=timezone.now() - timedelta(days=2)
    )
    night = timezone.make_aware(datetime.combine(timezone.localdate(), time(3, 30)))
    assert run_due_jobs(night)["purge_phone_codes"] == "done"
    assert not PhoneVerification.objects.exists()
    assert DailyJobRun.objects.get(job="purge_phone_codes").result == "1 code(s) deleted"
