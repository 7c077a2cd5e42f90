"""The HIS's reports in a batch (a FHIR Bundle of type "batch"): each entry pushed on its own by
the same action as POST /reports, answered in a "batch-response" with its own status; a bad
entry is refused alone and changes nothing."""

import json
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from carebridge.outbox.models import OutboxMessage
from carebridge.results.models import ReleaseRule, Report, ResultsPolicy
from carebridge.results.schemas import MAX_BATCH

from .helpers import push, report_body, visit_body
from .test_api import call, state


def bundle(*resources):
    return {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [{"resource": r} for r in resources],
    }


def statuses(r):
    assert r.status_code == 200, r.content
    answer = r.json()
    assert (answer["resourceType"], answer["type"]) == ("Bundle", "batch-response")
    return [e["response"]["status"] for e in answer["entry"]]


def outcomes(r):
    return [(e["response"].get("outcome") or {}).get("code") for e in r.json()["entry"]]


def mixed(alice_self, alice_mother, carol):
    malformed = report_body(alice_self, identifier="LIS-BAD")
    malformed["meta"]["versionId"] = "two"
    return bundle(
        report_body(alice_self, identifier="LIS-A"),
        malformed,
        report_body(alice_mother, identifier="LIS-B"),
        # Names alice_mother's visit: refused after its report row was written, rolled back.
        report_body(alice_self, identifier="LIS-C", encounter="V-0001"),
        report_body(carol, identifier="LIS-D"),  # another institution's patient
    )


@pytest.fixture
def carol(other_hospital):
    from carebridge.patients.tests import factories

    follower = factories.follower(other_hospital.wechat_accounts.get(), "o_xh_carol_0000000000000")
    return factories.patient(follower, name="陈小兰")


@pytest.mark.django_db(transaction=True)
def test_good_entries_are_pushed_and_each_bad_one_refused_alone_and_a_retry_changes_nothing(
    client, hospital, his_key, alice_self, alice_mother, carol
):
    ResultsPolicy.objects.create(institution=hospital, tpl_report_ready="TPL_READY")
    call(client, "/visits", his_key, visit_body(alice_mother))
    body = mixed(alice_self, alice_mother, carol)
    r = call(client, "/reports/batch", his_key, body)
    assert statuses(r) == [
        "201 Created",
        "422 Unprocessable Entity",
        "201 Created",
        "409 Conflict",
        "404 Not Found",
    ]
    entries = r.json()["entry"]
    assert outcomes(r) == [None, "invalid", None, "encounter_mismatch", "patient_not_found"]
    assert entries[1]["response"]["outcome"]["field"] == "meta.versionId"
    assert entries[0]["resource"]["outcome"] == "created" and entries[1]["resource"] is None
    assert entries[2]["resource"]["identifier"] == "LIS-B"
    assert sorted(Report.objects.values_list("identifier", flat=True)) == ["LIS-A", "LIS-B"]
    assert OutboxMessage.objects.filter(topic="results.report_ready").count() == 2

    before = state()
    r = call(client, "/reports/batch", his_key, body)
    assert statuses(r)[0] == statuses(r)[2] == "200 OK"
    assert [e["resource"]["outcome"] for e in r.json()["entry"] if e["resource"]] == [
        "unchanged",
        "unchanged",
    ]
    assert outcomes(r) == [None, "invalid", None, "encounter_mismatch", "patient_not_found"]
    assert state() == before
    assert OutboxMessage.objects.filter(topic="results.report_ready").count() == 2


@pytest.mark.django_db
def test_an_entry_answers_as_a_single_push_would(client, his_key, alice_self):
    single = call(client, "/reports", his_key, report_body(alice_self, identifier="LIS-1"))
    r = call(client, "/reports/batch", his_key, bundle(report_body(alice_self, identifier="LIS-2")))
    assert statuses(r) == ["201 Created"]
    answer, expected = r.json()["entry"][0]["resource"], dict(single.json())
    assert answer.pop("released_at") and expected.pop("released_at")  # each its own moment
    assert answer == {**expected, "identifier": "LIS-2"}


@pytest.mark.django_db
def test_another_institutions_key_is_refused_this_ones_patients_entry_by_entry(
    client, foreign_key, alice_self, carol
):
    body = bundle(
        report_body(alice_self, identifier="XH-1"),
        report_body(carol, identifier="XH-2"),
        {**report_body(alice_self, identifier="XH-3"), "subject": {"card_number": "RA1"}},
    )
    r = call(client, "/reports/batch", foreign_key, body)
    assert statuses(r) == ["404 Not Found", "201 Created", "404 Not Found"]
    assert list(Report.objects.values_list("identifier", "patient")) == [("XH-2", carol.pk)]


@pytest.mark.django_db
def test_too_many_entries_or_a_malformed_bundle_is_refused_whole(client, his_key, alice_self):
    before = state()
    too_many = bundle(
        *(report_body(alice_self, identifier=f"LIS-{n}") for n in range(MAX_BATCH + 1))
    )
    for body, field in [
        (too_many, "entry"),
        (bundle(), "entry"),
        ({**bundle(report_body(alice_self)), "type": "transaction"}, "type"),
        ({**bundle(report_body(alice_self)), "resourceType": "DiagnosticReport"}, "resourceType"),
        ({"resourceType": "Bundle", "type": "batch", "entry": [{}]}, "resource"),
    ]:
        r = call(client, "/reports/batch", his_key, body)
        assert r.status_code == 422, (field, r.content)
        assert field in json.dumps(r.json()["detail"]), (field, r.content)
    assert state() == before


@pytest.mark.django_db
def test_a_resource_that_is_not_an_object_is_refused_alone(client, his_key, alice_self):
    body = bundle("LIS-1", report_body(alice_self))
    r = call(client, "/reports/batch", his_key, body)
    assert statuses(r) == ["422 Unprocessable Entity", "201 Created"]


@pytest.mark.django_db
def test_the_batch_is_documented_with_the_report_shape(client):
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/results/reports/batch"]["post"]
    assert "reports:push" in operation["x-scopes"]
    assert "batch-response" in operation["description"]
    entry = schema["components"]["schemas"]["BatchEntry"]
    resource = entry["properties"]["resource"]
    assert {"identifier", "meta", "subject", "result"} <= set(resource["properties"])


@pytest.mark.django_db
def test_versions_of_one_report_in_a_batch_and_of_one_pushed_before(client, his_key, alice_self):
    call(client, "/reports", his_key, report_body(alice_self, identifier="LIS-OLD"))
    body = bundle(
        report_body(alice_self, identifier="LIS-NEW", status="preliminary"),
        report_body(alice_self, identifier="LIS-NEW", version=2),
        report_body(alice_self, identifier="LIS-OLD", version=2, status="corrected"),
        report_body(alice_self, identifier="LIS-OLD", version=1),
    )
    r = call(client, "/reports/batch", his_key, body)
    assert statuses(r) == ["201 Created", "201 Created", "201 Created", "200 OK"]
    answers = [e["resource"] for e in r.json()["entry"]]
    assert [a["outcome"] for a in answers] == ["created", "updated", "updated", "unchanged"]
    assert [a["current_version"] for a in answers] == [1, 2, 2, 2]
    assert Report.objects.get(identifier="LIS-NEW").current.version == 2


@pytest.mark.django_db
def test_hold_rules_apply_to_every_entry_read_once_per_batch(
    client, hospital, his_key, alice_self, django_assert_max_num_queries
):
    ReleaseRule.objects.create(institution=hospital, kind="laboratory", mode="delay", days=3)
    issued = timezone.now().isoformat()
    body = bundle(*(report_body(alice_self, identifier=f"L-{n}", issued=issued) for n in range(5)))
    # Once: the key, the patients, the reports that exist, the rules, the template setting.
    # Per entry: its savepoint (a transaction in production), the report, the version, its
    # items, the current pointer, the first-issued moment the delay counts from, the release,
    # the patient's stamp. The patient's first stamp: its row made (3 statements more).
    with django_assert_max_num_queries(5 + 5 * 10 + 3):
        r = call(client, "/reports/batch", his_key, body)
    answers = [e["resource"] for e in r.json()["entry"]]
    held_until = {a["released_at"] for a in answers if a["outcome"] == "created"}
    assert len(answers) == 5 and len(held_until) == 1
    assert datetime.fromisoformat(held_until.pop()) > timezone.now() + timedelta(days=2)


@pytest.mark.django_db
def test_a_report_expected_new_that_exists_after_all_is_pushed_as_usual(alice_self):
    """A batch inserts the reports it did not find without looking again; one created in the
    meantime by another call makes the insert fail, and the push is done again the usual way."""
    from carebridge.results.actions import push_report
    from carebridge.results.schemas import ReportIn

    push(alice_self)
    institution = alice_self.owner.account.institution
    data = ReportIn.model_validate(report_body(alice_self))
    assert push_report(institution, alice_self, data, expect_new=True).outcome == "unchanged"
    data = ReportIn.model_validate(report_body(alice_self, version=2, status="corrected"))
    assert push_report(institution, alice_self, data, expect_new=True).outcome == "updated"
    assert Report.objects.count() == 1
