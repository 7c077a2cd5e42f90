"""PUBLISHJOBFINISH (WeChat's XML, nested PublishEventInfo) records the outcome of a free
publish, once, and a report for a publish_id that is not ours changes nothing."""

from pathlib import Path

import pytest

from carebridge.wechat import xml
from carebridge.wechat.actions.callbacks import receive_message
from carebridge.wechat.actions.publish import free_publish
from carebridge.wechat.models import CallbackReceipt, FreePublish

REPORT = (Path(__file__).parent.parent / "fixtures" / "event__publishjobfinish.xml").read_text()


def report(publish_id="2247503051", status=0) -> dict:
    text = REPORT.replace("2247503051", publish_id)
    return xml.parse(text.replace("<publish_status>0", f"<publish_status>{status}").encode())


@pytest.fixture
def submitted(account):
    row = free_publish(account, title="立冬话养生", content="<p>正文</p>")
    FreePublish.objects.filter(pk=row.pk).update(status="submitted", publish_id="2247503051")
    return row


@pytest.mark.django_db
def test_the_report_records_the_article_and_its_url(account, submitted):
    assert receive_message(account, report()) == ""
    receive_message(account, report())  # WeChat's retry
    row = FreePublish.objects.get(pk=submitted.pk)
    assert row.status == "published" and row.published_at
    assert (row.article_id, row.article_url) == (
        "b5O2OUs25HBxRceL7hfReg",
        "https://mp.weixin.qq.com/s/abc",
    )
    assert CallbackReceipt.objects.count() == 1


@pytest.mark.django_db
def test_a_failed_publication_says_why(account, submitted):
    receive_message(account, report(status=4))
    row = FreePublish.objects.get(pk=submitted.pk)
    assert row.status == "failed" and row.error == "平台审核不通过"


@pytest.mark.django_db
def test_a_report_that_is_not_ours_changes_nothing(account, submitted):
    receive_message(account, report(publish_id="99"))
    receive_message(account, report(publish_id="not a number"))
    assert FreePublish.objects.get(pk=submitted.pk).status == "submitted"


@pytest.mark.django_db
def test_two_reports_in_one_second_are_two_reports(account, submitted):
    other = free_publish(account, title="冬至", content="<p>正文</p>")
    FreePublish.objects.filter(pk=other.pk).update(status="submitted", publish_id="2247503052")
    receive_message(account, report())
    receive_message(account, report(publish_id="2247503052", status=3))
    assert FreePublish.objects.get(pk=other.pk).status == "failed"
