"""就诊记录: each visit with date, department, doctor, diagnosis, prescription and its reports;
opened from 个人中心 and from a report; another account's visits are a 404."""

from datetime import timedelta

import pytest
from django.conf import settings

from carebridge.results.views.common import PAGE_SIZE

from .helpers import NOW, push_visit
from .pages import alice_reports

pytestmark = pytest.mark.django_db


def test_the_list_and_a_visit_show_what_was_found_and_prescribed(alice_client, alice_self):
    _earlier, later, visit = alice_reports(alice_self)
    listing = alice_client.get("/h5/renai/visits/").content.decode()
    assert "心内科" in listing and "王建国" in listing and "原发性高血压" in listing
    page = alice_client.get(f"/h5/renai/visits/{visit.pk}/").content.decode()
    for text in (
        "2026年3月2日",
        "心内科",
        "王建国",
        "原发性高血压",
        "苯磺酸氨氯地平片",
        "每日一次",
    ):
        assert text in page
    assert f'href="/h5/renai/reports/{later.pk}/"' in page and "有异常" in page


def test_a_family_patients_visits_are_one_switch_away(alice_client, alice_self, alice_mother):
    push_visit(alice_mother, identifier="V-MOM", serviceType={"code": "04", "text": "眼科"})
    push_visit(alice_self)
    mine = alice_client.get("/h5/renai/visits/").content.decode()
    assert "心内科" in mine and "眼科" not in mine
    hers = alice_client.get("/h5/renai/visits/", {"patient": alice_mother.pk}).content.decode()
    assert "眼科" in hers and "心内科" not in hers


def test_another_accounts_visit_is_a_404(bob_client, bob, alice_self):
    visit, _outcome = push_visit(alice_self)
    response = bob_client.get(f"/h5/renai/visits/{visit.pk}/")
    assert response.status_code == 404 and "心内科" not in response.content.decode()
    assert bob_client.get("/h5/renai/visits/", {"patient": alice_self.pk}).status_code == 400


def test_a_cancelled_visit_is_not_shown(alice_client, alice_self):
    visit, _outcome = push_visit(alice_self, status="entered-in-error")
    assert "心内科" not in alice_client.get("/h5/renai/visits/").content.decode()
    assert alice_client.get(f"/h5/renai/visits/{visit.pk}/").status_code == 404


def test_the_personal_centre_links_to_visits(alice_client, alice):
    page = alice_client.get("/h5/renai/me/").content.decode()
    assert 'href="/h5/renai/visits/"' in page and 'href="/h5/renai/reports/"' in page


def test_a_long_history_of_visits_comes_a_page_at_a_time(alice_client, alice_self):
    for n in range(PAGE_SIZE + 2):
        start = (NOW - timedelta(days=n, hours=5)).isoformat()
        push_visit(alice_self, identifier=f"V-{n:04}", period={"start": start})
    first = alice_client.get("/h5/renai/visits/").content.decode()
    assert first.count("原发性高血压") == PAGE_SIZE and "更早的就诊记录" in first
    second = alice_client.get("/h5/renai/visits/", {"page": 2}).content.decode()
    assert second.count("原发性高血压") == 2 and "较新的就诊记录" in second and "2 / 2" in second
    assert alice_client.get("/h5/renai/visits/", {"page": "x"}).status_code == 200  # the first
    alice_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = alice_client.get("/h5/renai/visits/", {"page": 2}).content.decode()
    assert "Newer visits" in english and "较新的就诊记录" not in english
