"""End to end: the HIS's push and withdrawal reach the patient's phone in the WeChat sandbox
(on a loopback server, spoken to by the production client code) as exactly the expected
template messages, and another user's phone gets none."""

from datetime import timedelta

import pytest

from carebridge.outbox import worker
from carebridge.results.actions import withdraw_report
from carebridge.results.models import ResultsPolicy
from carebridge.sandbox.models import SandboxMessage
from carebridge.wechat.tests.outgoing_helpers import phone_user

from .helpers import NOW, push

READY, WITHDRAWN = "TPL_report_ready", "TPL_report_withdrawn"


def drain() -> None:
    while worker.run_once():
        pass


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_phone_receives_the_ready_message_then_the_withdrawal_notice(
    sandbox, hospital, account, alice, alice_self, bob, bob_self
):
    phone_user(account, alice.openid)
    phone_user(account, bob.openid)
    ResultsPolicy.objects.create(
        institution=hospital, tpl_report_ready=READY, tpl_report_withdrawn=WITHDRAWN
    )
    pushed = push(alice_self)
    push(alice_self)  # the HIS retries
    drain()
    withdraw_report(pushed.report, reason="entered-in-error", now=NOW + timedelta(hours=1))
    drain()
    received = SandboxMessage.objects.filter(kind="template").order_by("id")
    assert [(m.openid, m.body["template_id"]) for m in received] == [
        (alice.openid, READY),
        (alice.openid, WITHDRAWN),
    ]
    ready = received[0].body
    assert ready["url"] == f"{sandbox.url}/h5/renai/reports/{pushed.report.pk}/"
    assert ready["data"]["keyword1"]["value"] == "王*红"
    assert ready["data"]["keyword2"]["value"] == "血常规"
