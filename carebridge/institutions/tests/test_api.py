"""The public read-only catalogue API."""

import pytest

pytestmark = pytest.mark.django_db

BASE = "/api/institutions/renai"


def items(client, path, **params):
    response = client.get(f"{BASE}{path}", params)
    assert response.status_code == 200, response.content
    return response.json()["items"]


def test_departments_are_listed_in_campus_order(client, catalogue):
    found = items(client, "/departments")
    assert [d["name"] for d in found] == ["儿科", "心血管内科", "重症医学科"]
    assert found[0]["campus_name"] == "总院" and found[0]["name_en"] == "Paediatrics"


def test_departments_filter_by_campus(client, catalogue):
    found = items(client, "/departments", campus=catalogue.east.pk)
    assert [d["name"] for d in found] == ["重症医学科"]


def test_one_department(client, catalogue):
    response = client.get(f"{BASE}/departments/{catalogue.paeds.pk}")
    assert response.json()["location"] == "门诊楼2层"


def test_doctors_filter_by_department(client, catalogue):
    found = items(client, "/doctors", department=catalogue.cardio.pk)
    assert {d["name"] for d in found} == {"张伟", "朱红", "李四"}
    assert all(catalogue.cardio.pk in d["department_ids"] for d in found)


def test_doctor_search_is_ranked_like_the_pages(client, catalogue):
    assert [d["name"] for d in items(client, "/doctors", q="zh")][0] == "朱红"
    assert [d["name"] for d in items(client, "/doctors", q="zs")] == ["张三"]


def test_search_within_a_department(client, catalogue):
    found = items(client, "/doctors", q="zh", department=catalogue.paeds.pk)
    assert [d["name"] for d in found] == ["张三"]


def test_a_doctor_has_an_absolute_photo_url(client, catalogue):
    catalogue.zhang_san.photo = "doctors/zhang.jpg"
    catalogue.zhang_san.save(update_fields=["photo"])
    body = client.get(f"{BASE}/doctors/{catalogue.zhang_san.pk}").json()
    assert body["photo_url"] == "http://testserver/media/doctors/zhang.jpg"
    assert body["title_en"] == "Chief Physician"
    assert client.get(f"{BASE}/doctors/{catalogue.li.pk}").json()["photo_url"] is None


def test_pagination(client, catalogue):
    response = client.get(f"{BASE}/doctors", {"limit": 3, "offset": 0})
    assert response.json()["count"] == 8 and len(response.json()["items"]) == 3


def test_another_institutions_ids_are_404(client, catalogue, other):
    assert client.get(f"{BASE}/doctors/{other.doctor.pk}").status_code == 404
    assert client.get(f"{BASE}/departments/{other.department.pk}").status_code == 404


def test_an_unknown_institution_is_404(client, catalogue):
    assert client.get("/api/institutions/nosuch/doctors").status_code == 404


def test_the_other_institution_sees_only_its_own(client, catalogue, other):
    found = client.get("/api/institutions/other/doctors").json()["items"]
    assert [d["id"] for d in found] == [other.doctor.pk]


@pytest.mark.parametrize(
    "params",
    [{"q": "z" * 41}, {"q": "zs\x00"}, {"department": "abc"}, {"limit": "-1"}],
)
def test_bad_parameters_are_a_clear_422(client, catalogue, params):
    response = client.get(f"{BASE}/doctors", params)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_the_endpoints_are_documented_in_openapi(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/institutions/{slug}/departments",
        "/api/institutions/{slug}/departments/{department_id}",
        "/api/institutions/{slug}/doctors",
        "/api/institutions/{slug}/doctors/{doctor_id}",
    ):
        assert "get" in paths[path]
    params = {p["name"] for p in paths["/api/institutions/{slug}/doctors"]["get"]["parameters"]}
    assert {"q", "department", "limit", "offset"} <= params
