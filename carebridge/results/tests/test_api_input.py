"""Bad input never reaches the database: each kind of bad value is a 422 naming its field (or a
400 with a code for a patient reference that cannot be right), and nothing changes. Run on
SQLite and PostgreSQL."""

import copy

import pytest

from carebridge.results.models import Report

from .helpers import item, report_body, visit_body
from .test_api import call, state

pytestmark = pytest.mark.django_db

TOO_BIG = 2**63


def changed(body, path, value):
    """``body`` with the value at ``path`` (keys and list indexes) replaced, or removed."""
    body = copy.deepcopy(body)
    *parents, last = path
    target = body
    for key in parents:
        target = target[key]
    if value is REMOVE:
        del target[last]
    else:
        target[last] = value
    return body


REMOVE = object()


def refused(r, field):
    assert r.status_code == 422, r.content
    fields = [str(part) for error in r.json()["detail"] for part in error["loc"]]
    assert field in fields, r.json()


REPORT_CASES = [
    (("identifier",), "", "identifier"),
    (("identifier",), "A" * 65, "identifier"),
    (("identifier",), "LIS/1", "identifier"),
    (("identifier",), "LIS 1", "identifier"),
    (("identifier",), 12345, "identifier"),
    (("meta", "versionId"), True, "versionId"),
    (("meta", "versionId"), "2", "versionId"),
    (("meta", "versionId"), 0, "versionId"),
    (("meta", "versionId"), -1, "versionId"),
    (("meta", "versionId"), 2**31, "versionId"),
    (("meta", "versionId"), 1.5, "versionId"),
    (("meta",), REMOVE, "meta"),
    (("status",), "signed", "status"),
    (("status",), None, "status"),
    (("category",), "pathology", "category"),
    (("code", "text"), "", "text"),
    (("code", "text"), "血" * 201, "text"),
    (("code", "code"), "C\x00BC", "code"),
    (("subject", "patient_id"), True, "patient_id"),
    (("subject", "patient_id"), TOO_BIG, "patient_id"),
    (("subject", "patient_id"), 0, "patient_id"),
    (("subject", "patient_id"), "7", "patient_id"),
    (("subject", "card_number"), "A" * 65, "card_number"),
    (("encounter",), "V/1", "encounter"),
    (("effectiveDateTime",), "2026-03-02T06:00:00", "effectiveDateTime"),  # no offset
    (("effectiveDateTime",), "1999-12-31T23:00:00+08:00", "effectiveDateTime"),
    (("issued",), "2101-01-02T00:00:00+08:00", "issued"),
    (("issued",), "9999-12-31T23:59:59-14:00", "issued"),
    (("issued",), "yesterday", "issued"),
    (("performer",), "李" * 51, "performer"),
    (("conclusion",), "正常\x00", "conclusion"),
    (("viewerUrl",), "javascript:alert(1)", "viewerUrl"),
    (("viewerUrl",), "https://" + "a" * 1000, "viewerUrl"),
    (("media",), [{"link": "ftp://pacs/1.jpg"}], "link"),
    (("result", 0, "valueQuantity", "value"), True, "value"),
    (("result", 0, "valueQuantity", "value"), "NaN", "value"),
    (("result", 0, "valueQuantity", "value"), 1e13, "value"),
    (("result", 0, "valueQuantity", "value"), 0.0000001, "value"),
    (("result", 0, "valueQuantity", "unit"), "u" * 33, "unit"),
    (("result", 0, "valueString"), "阴性", "valueString"),  # beside valueQuantity
    (("result", 0, "interpretation"), "HIGH", "interpretation"),
    (("result", 0, "referenceRange", 0, "type"), "panic", "type"),
    (("result", 0, "referenceRange", 0, "appliesTo"), ["unknown"], "appliesTo"),
    (("result", 0, "referenceRange", 0, "age"), {"low": -1}, "low"),
    (("result", 0, "referenceRange", 0, "age"), {"high": 151}, "high"),
    (("result", 0, "referenceRange", 0, "age"), {"low": True}, "low"),
    (("result",), [item("x", 1)] * 301, "result"),
    (("section",), [{"title": "内科"}], "section"),  # a lab report has no sections
]


@pytest.mark.parametrize(
    "path, value, field",
    REPORT_CASES,
    ids=[f"{'.'.join(map(str, c[0]))}={c[1]!r}"[:60] for c in REPORT_CASES],
)
def test_a_bad_report_field_is_a_422_naming_it_and_changes_nothing(
    client, his_key, alice_self, path, value, field
):
    call(client, "/reports", his_key, report_body(alice_self, identifier="FIRST"))
    before = state()
    refused(call(client, "/reports", his_key, changed(report_body(alice_self), path, value)), field)
    assert state() == before


VISIT_CASES = [
    (("identifier",), "V 1", "identifier"),
    (("meta", "versionId"), False, "versionId"),
    (("status",), "done", "status"),
    (("period", "start"), "2026-03-02", "start"),
    (("period", "end"), "2026-03-01T08:00:00+08:00", "end"),  # before the start
    (("serviceType",), {"text": ""}, "text"),
    (("participant",), [{"name": "王" * 51}], "name"),
    (("diagnosis", 0, "condition", "text"), None, "text"),
    (("prescription", 0, "quantity", "value"), 10**13, "value"),
    (("prescription", 0, "dosageInstruction"), "口服\x00", "dosageInstruction"),
    (("subject", "patient_id"), True, "patient_id"),
]


@pytest.mark.parametrize(
    "path, value, field", VISIT_CASES, ids=[".".join(map(str, c[0])) for c in VISIT_CASES]
)
def test_a_bad_visit_field_is_a_422_naming_it_and_changes_nothing(
    client, his_key, alice_self, path, value, field
):
    before = state()
    refused(call(client, "/visits", his_key, changed(visit_body(alice_self), path, value)), field)
    assert state() == before


@pytest.mark.parametrize(
    "subject, status, code",
    [
        ({}, 400, "patient_required"),
        ({"card_number": "卡-号!"}, 400, "invalid_card_number"),
        ({"id_type": "resident_id", "id_number": "110101199003070000"}, 400, "invalid_id_number"),
        ({"patient_id": 999999}, 404, "patient_not_found"),
    ],
)
def test_a_patient_reference_that_cannot_be_right_is_refused(
    client, his_key, alice_self, subject, status, code
):
    for path, body in [("/reports", report_body(alice_self)), ("/visits", visit_body(alice_self))]:
        r = call(client, path, his_key, {**body, "subject": subject})
        assert (r.status_code, r.json()["code"]) == (status, code)
    assert Report.objects.count() == 0


def test_a_body_that_is_not_json_is_a_400(client, his_key):
    for path in ("/reports", "/reports/LIS-1/withdraw", "/visits"):
        r = client.post(
            f"/api/results{path}", data="{", content_type="application/json", HTTP_X_API_KEY=his_key
        )
        assert (r.status_code, r.json()["code"]) == (400, "malformed_body")


@pytest.mark.parametrize("identifier", ["A" * 65, "%00", "a%20b"])
def test_a_bad_report_id_in_the_path_is_a_422(client, his_key, identifier):
    refused(call(client, f"/reports/{identifier}/withdraw", his_key, {}), "identifier")


def test_an_overlong_withdrawal_reason_is_a_422(client, his_key, alice_self):
    call(client, "/reports", his_key, report_body(alice_self))
    before = state()
    refused(call(client, "/reports/LIS-0001/withdraw", his_key, {"reason": "错" * 201}), "reason")
    assert state() == before
