"""WeChat's job reports (TEMPLATESENDJOBFINISH, MASSSENDJOBFINISH) are keyed by the MsgID they
carry: two reports to one user in the same second, one a success and one a failure, are two
receipts, and each reaches its own send, in either order. A retry is still one receipt, even of
a report recorded before (under its sender-and-time key)."""

import pytest

from carebridge.wechat.models import CallbackReceipt, MassSend, TemplateSend
from carebridge.wechat.models.messaging import SendStatus

from .callback_helper import WeChatCallbacks

pytestmark = pytest.mark.django_db

ALICE = "o_alice_0000000000000000000"
SECOND = 1700000000
FAILED = "failed:user block"


@pytest.fixture
def wx(client, account, settings):
    return WeChatCallbacks(client, account, settings)


def template_sends(account, *msgids):
    return [
        TemplateSend.objects.create(
            account=account,
            openid=ALICE,
            template_id="TPL_visit_ok",
            data={"first": {"value": "您已预约成功"}},
            status=SendStatus.SENT,
            msgid=msgid,
        )
        for msgid in msgids
    ]


def mass_sends(account, *msg_ids):
    return [
        MassSend.objects.create(
            account=account,
            title=f"通知 {msg_id}",
            content={"content": "本周六起接种"},
            status=SendStatus.SENT,
            msg_id=msg_id,
        )
        for msg_id in msg_ids
    ]


def report_template(wx, msgid, status):
    wx.check_callback(
        "event__templatesendjobfinish",
        expect_reply={},
        MsgID=msgid,
        Status=status,
        CreateTime=SECOND,
    )


def report_mass(wx, msg_id, status):
    wx.check_callback(
        "event__masssendjobfinish",
        expect_reply={},
        MsgID=msg_id,
        Status=status,
        CreateTime=SECOND,
    )


@pytest.mark.parametrize("failure_first", [False, True], ids=["success-first", "failure-first"])
def test_two_template_reports_in_one_second_are_two_receipts_each_on_its_send(
    wx, account, failure_first
):
    delivered, blocked = template_sends(account, 200163836, 200163837)
    reports = [(delivered.msgid, "success"), (blocked.msgid, FAILED)]
    for msgid, status in reversed(reports) if failure_first else reports:
        report_template(wx, msgid, status)
    assert CallbackReceipt.objects.count() == 2
    delivered.refresh_from_db()
    blocked.refresh_from_db()
    assert (delivered.delivery, blocked.delivery) == ("success", FAILED)


@pytest.mark.parametrize("failure_first", [False, True], ids=["success-first", "failure-first"])
def test_two_mass_reports_in_one_second_are_two_receipts_each_on_its_send(
    wx, account, failure_first
):
    notice, recall = mass_sends(account, 1000001625, 1000001626)
    reports = [(notice.msg_id, "send success"), (recall.msg_id, "send fail")]
    for msg_id, status in reversed(reports) if failure_first else reports:
        report_mass(wx, msg_id, status)
    assert CallbackReceipt.objects.count() == 2
    notice.refresh_from_db()
    recall.refresh_from_db()
    assert (notice.report["Status"], recall.report["Status"]) == ("send success", "send fail")


def test_a_retried_report_is_one_receipt(wx, account):
    [send] = template_sends(account, 200163836)
    report_template(wx, send.msgid, "success")
    report_template(wx, send.msgid, "success")
    assert CallbackReceipt.objects.count() == 1


def test_a_retry_of_a_report_recorded_under_its_sender_and_time_key_finds_that_receipt(wx, account):
    """Receipts written before reports were keyed by MsgID: WeChat's retry of one is answered
    from it and recorded nowhere else; another report of the same second is not mistaken for it."""
    earlier, other = template_sends(account, 200163836, 200163837)
    CallbackReceipt.objects.create(
        account=account,
        dedup_key=f"evt:{ALICE}:{SECOND}:templatesendjobfinish:",
        msg_type="event",
        event="templatesendjobfinish",
        openid=ALICE,
        payload={"MsgID": str(earlier.msgid), "Status": "success"},
        reply="",
    )
    report_template(wx, earlier.msgid, FAILED)  # a retry: already handled, not applied again
    assert CallbackReceipt.objects.count() == 1
    earlier.refresh_from_db()
    assert earlier.delivery == ""
    report_template(wx, other.msgid, FAILED)
    assert CallbackReceipt.objects.count() == 2
    other.refresh_from_db()
    assert other.delivery == FAILED


def test_a_report_with_a_malformed_msgid_is_a_bad_request(wx, account):
    wx.check_callback("event__templatesendjobfinish", expect_status=400, MsgID="12ab")
    assert not CallbackReceipt.objects.exists()
