"""查报告单's list: the account's patients, newest first, filtered by kind and date; abnormal
reports marked; anyone else's ids refused with nothing revealed."""

from datetime import timedelta

import pytest
from django.conf import settings

from carebridge.results.actions import withdraw_report
from carebridge.results.views.common import PAGE_SIZE

from .helpers import NOW, push
from .pages import alice_reports, high_count

pytestmark = pytest.mark.django_db
LIST = "/h5/renai/reports/"


def test_it_lists_the_default_patients_reports_newest_first_with_abnormal_marked(
    alice_client, alice_self
):
    earlier, later, _visit = alice_reports(alice_self)
    page = alice_client.get(LIST).content.decode()
    assert page.index(f"/reports/{later.pk}/") < page.index(f"/reports/{earlier.pk}/")
    assert page.count("有异常") == 1 and "王小红" in page
    assert "2026年3月2日 08:00" in page  # the project's date format


def test_it_switches_to_a_family_patient(alice_client, alice_self, alice_mother):
    alice_reports(alice_self)
    push(alice_mother, identifier="LIS-9000", code={"code": "GLU", "text": "血糖"})
    page = alice_client.get(LIST, {"patient": alice_mother.pk}).content.decode()
    assert "血糖" in page and "血常规" not in page and "李秀英" in page


def test_it_filters_by_kind_and_date(alice_client, alice_self):
    alice_reports(alice_self)
    push(alice_self, identifier="RIS-1", category="imaging", code={"code": "CT", "text": "胸部CT"})
    imaging = alice_client.get(LIST, {"kind": "imaging"}).content.decode()
    assert "胸部CT" in imaging and "血常规" not in imaging
    day = (NOW - timedelta(days=30)).date().isoformat()
    dated = alice_client.get(LIST, {"start": day, "end": day}).content.decode()
    assert dated.count("血常规") == 1 and "胸部CT" not in dated


@pytest.mark.parametrize(
    "query",
    [
        {"kind": "x-ray"},
        {"start": "yesterday"},
        {"start": "2026-13-40"},
        {"start": "2026-03-02", "end": "2026-03-01"},
        {"patient": "abc"},
        {"patient": "99999999999999999999"},
    ],
)
def test_a_bad_filter_is_a_form_error_not_a_500(alice_client, alice_self, query):
    alice_reports(alice_self)
    response = alice_client.get(LIST, query)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_another_accounts_patient_id_is_refused_and_shows_nothing(
    alice_client, alice_self, bob_client, bob_self
):
    push(bob_self, identifier="LIS-BOB", code={"code": "BOB", "text": "鲍勃的报告"})
    alice_reports(alice_self)
    response = alice_client.get(LIST, {"patient": bob_self.pk})
    page = response.content.decode()
    assert response.status_code == 400 and "鲍勃的报告" not in page and "赵大勇" not in page
    bob_page = bob_client.get(LIST).content.decode()
    assert "鲍勃的报告" in bob_page and "王小红" not in bob_page and "白细胞" not in bob_page


def test_a_withdrawn_report_leaves_the_list(alice_client, alice_self):
    _earlier, later, _visit = alice_reports(alice_self)
    withdraw_report(later, reason="标本错误", now=NOW)
    assert f"/reports/{later.pk}/" not in alice_client.get(LIST).content.decode()


def test_a_critical_report_is_listed_only_once_acknowledged(alice_client, alice_self, dr_li):
    from carebridge.results.actions import acknowledge_critical

    items = high_count()
    items[0]["valueQuantity"]["value"] = 40
    items[0]["referenceRange"].append(
        {"type": "critical", "low": {"value": 1}, "high": {"value": 30}}
    )
    pushed = push(alice_self, result=items)
    assert f"/reports/{pushed.report.pk}/" not in alice_client.get(LIST).content.decode()
    acknowledge_critical(pushed.version, by=dr_li, contact="phone", now=NOW)
    page = alice_client.get(f"/h5/renai/reports/{pushed.report.pk}/").content.decode()
    assert "危急值(高) (HH)" in page and "医生已确认此结果" in page


def test_an_account_without_patients_is_asked_to_add_one(bob_client, bob):
    page = bob_client.get(LIST).content.decode()
    assert "请先添加就诊人" in page and 'href="/h5/renai/patients/"' in page


def test_an_unknown_account_is_a_404(alice_client, account):
    assert alice_client.get("/h5/nowhere/reports/").status_code == 404


def test_it_speaks_english(alice_client, alice_self):
    alice_reports(alice_self)
    alice_client.post("/i18n/setlang/", {"language": "en", "next": LIST})
    page = alice_client.get(LIST).content.decode()
    assert 'lang="en"' in page and "Abnormal" in page and "2 Mar 2026 08:00" in page


def test_a_long_history_comes_a_page_at_a_time_with_the_filter_kept(alice_client, alice_self):
    for n in range(PAGE_SIZE + 3):
        moment = (NOW - timedelta(days=n)).isoformat()
        push(alice_self, identifier=f"LIS-{n:04}", issued=moment)
    first = alice_client.get(LIST, {"kind": "laboratory"}).content.decode()
    assert first.count("血常规") == PAGE_SIZE and "更早的报告" in first
    assert "?kind=laboratory&amp;page=2" in first
    second = alice_client.get(LIST, {"kind": "laboratory", "page": 2}).content.decode()
    assert second.count("血常规") == 3 and "较新的报告" in second
    assert "2 / 2" in second
    alice_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = alice_client.get(LIST, {"page": 2}).content.decode()
    assert "Newer reports" in english and "较新的报告" not in english


def test_a_correction_back_within_range_takes_the_mark_away(alice_client, alice_self):
    push(alice_self, result=high_count())
    assert "有异常" in alice_client.get(LIST).content.decode()
    push(alice_self, version=2, status="corrected")  # every item normal
    assert "有异常" not in alice_client.get(LIST).content.decode()
