"""One report's page: abnormal items with their range, the flags in words, the trend of an item
seen before, imaging and check-up layouts, revisions; another account's ids are a 404."""

from datetime import timedelta

import pytest

from carebridge.results.actions import withdraw_report
from carebridge.results.presenting import TREND_POINTS

from .helpers import NOW, blood_count, item, push
from .pages import alice_reports, high_count, report_url

pytestmark = pytest.mark.django_db


def test_an_abnormal_item_is_marked_in_words_with_its_range_and_trend(alice_client, alice_self):
    _earlier, later, visit = alice_reports(alice_self)
    page = alice_client.get(report_url(later)).content.decode()
    assert "results-item_abnormal" in page and "偏高 (H)" in page
    assert "参考范围：3.5–9.5 10^9/L" in page and "高于参考范围" in page
    assert "近2次：6.1 → 11.2" in page and "<svg" in page and "<polyline" in page
    assert "白细胞计数历次结果" in page  # the table for screen readers
    assert "<tr><td>2026年1月31日</td><td>6.1 10^9/L</td></tr>" in page
    assert "正常</span>" in page  # 血红蛋白: N, in words too
    assert f'href="/h5/renai/visits/{visit.pk}/"' in page
    assert "本报告有 1 项结果异常" in page


def test_an_item_seen_only_once_has_no_trend(alice_client, alice_self):
    report = push(alice_self).report
    page = alice_client.get(report_url(report)).content.decode()
    assert "<svg" not in page and "近" not in page.split("分享给医生")[0].split("检验结果")[1]


def test_a_corrected_report_says_so(alice_client, alice_self):
    push(alice_self)
    report = push(alice_self, version=2, status="corrected", result=high_count()).report
    page = alice_client.get(report_url(report)).content.decode()
    assert "此报告已更正" in page and "11.2" in page


def test_an_imaging_report_shows_its_findings_impression_and_viewer(alice_client, alice_self):
    report = push(
        alice_self,
        identifier="RIS-1",
        category="imaging",
        code={"code": "CT", "text": "胸部CT平扫"},
        result=[],
        modality="CT",
        bodySite="胸部",
        findings="双肺纹理清晰。",
        conclusion="胸部CT平扫未见明显异常。",
        viewerUrl="https://pacs.renai.example.cn/view/1",
    ).report
    page = alice_client.get(report_url(report)).content.decode()
    for text in ("CT", "胸部", "检查所见", "双肺纹理清晰", "诊断意见", "未见明显异常", "查看影像"):
        assert text in page


def test_a_checkup_shows_its_sections_then_summary_and_advice(alice_client, alice_self):
    report = push(
        alice_self,
        identifier="PE-1",
        category="checkup",
        code={"code": "PE", "text": "入职体检"},
        result=[],
        section=[
            {
                "title": "内科",
                "performer": "张医生",
                "conclusion": "未见异常",
                "result": [item("血压(收缩压)", 150, "mmHg", 90, 139, code="SBP")],
            },
            {"title": "检验科", "result": blood_count()},
        ],
        conclusion="血压偏高。",
        advice="低盐饮食，复查血压。",
    ).report
    page = alice_client.get(report_url(report)).content.decode()
    order = ["内科", "血压(收缩压)", "偏高 (H)", "小结：未见异常", "检验科", "总检结论", "建议"]
    positions = [page.index(text) for text in order]
    assert positions == sorted(positions) and "低盐饮食" in page


def test_another_accounts_report_is_a_404_with_nothing_revealed(bob_client, bob, alice_self):
    _earlier, later, _visit = alice_reports(alice_self)
    response = bob_client.get(report_url(later))
    assert response.status_code == 404 and "白细胞" not in response.content.decode()


def test_a_withdrawn_report_is_a_404(alice_client, alice_self):
    _earlier, later, _visit = alice_reports(alice_self)
    withdraw_report(later, now=NOW)
    assert alice_client.get(report_url(later)).status_code == 404


def test_a_report_held_for_a_critical_value_is_a_404(alice_client, alice_self):
    items = high_count()
    items[0]["interpretation"] = "HH"
    report = push(alice_self, result=items).report
    assert alice_client.get(report_url(report)).status_code == 404


def test_a_trend_keeps_the_newest_values_of_the_same_item_and_unit(alice_client, alice_self):
    for n in range(1, 11):  # 10 earlier counts, the oldest 1.0, the newest 10.0
        moment = (NOW - timedelta(days=11 - n)).isoformat()
        push(
            alice_self,
            identifier=f"LIS-{n:04}",
            issued=moment,
            result=[item("白细胞计数", float(n), "10^9/L", 3.5, 9.5, code="WBC")],
        )
    # The newest earlier value in another unit is not the same item; a withdrawn one is gone.
    other_unit = (NOW - timedelta(hours=5)).isoformat()
    push(
        alice_self,
        identifier="LIS-UNIT",
        issued=other_unit,
        result=[item("白细胞计数", 9000, "/uL", 3500, 9500, code="WBC")],
    )
    withdrawn = push(
        alice_self, identifier="LIS-GONE", issued=(NOW - timedelta(hours=4)).isoformat()
    )
    withdraw_report(withdrawn.report, now=NOW)
    report = push(alice_self, identifier="LIS-0011", result=high_count()).report
    page = alice_client.get(report_url(report)).content.decode()
    assert f"近{TREND_POINTS}次：4 → 5 → 6 → 7 → 8 → 9 → 10 → 11.2" in page
