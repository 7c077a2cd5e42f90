"""Editors planning at the same moment on the real database (SQLite file or PostgreSQL): the
month's quota is never overbooked."""

import pytest
from django.utils import timezone

from carebridge.institutions.models import WeChatAccount
from carebridge.publishing.actions.sends import SendRefused
from carebridge.publishing.models import PlannedSend
from carebridge.tests.threads import run_together

from .sends_helpers import local, plan, previewers

pytestmark = pytest.mark.django_db(transaction=True)


def try_plan(account_id, n):
    account = WeChatAccount.objects.select_related("institution").get(pk=account_id)
    try:
        plan(account, local(2031, 5, 10 + n, 9, 0), title=f"五月第{n}次")
    except SendRefused:
        return "refused"
    return "planned"


def test_six_editors_planning_together_get_four_sends(account):
    previewers(account.institution)
    assert timezone.now() < local(2031, 5, 1)
    outcomes = run_together(try_plan, [(account.pk, n) for n in range(6)])
    assert sorted(outcomes) == ["planned"] * 4 + ["refused"] * 2
    assert PlannedSend.objects.filter(period="2031-05").count() == 4
