"""Property-based test of the whole JSON API (Schemathesis, with Hypothesis): every operation of
``/api/openapi.json`` is called in-process with generated input, valid and invalid, with a key
holding every scope and with no key. No answer may be a 5xx, and every answer must fit what the
document promises for it (its status, content type and schema).

Bounded and reproducible: a fixed seed, a fixed number of examples per operation, no example
database; it runs within ``make test`` on SQLite and in CI on PostgreSQL."""

import json
from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from ninja.responses import NinjaJSONEncoder
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from carebridge.booking.tests.helpers import WECHAT, before_visit, book, make_session
from carebridge.integrations.models import ApiClient, Scope
from carebridge.patients.tests import factories

pytestmark = pytest.mark.django_db

# Hypothesis examples per operation and test in the fuzzing phase; the coverage phase adds its
# deterministic edge cases. About 1,800 requests in all.
EXAMPLES = 25
SEED = 20261211
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

CONFIG = {
    "seed": SEED,
    "generation": {
        "max-examples": EXAMPLES,
        "deterministic": True,
        "database": "none",
        "mode": "all",
    },
}


def served_schema() -> dict:
    """The document /api/openapi.json serves, as JSON. Made at import, with no request and no
    database (Schemathesis's lazy ``from_fixture`` loader does not run under pytest 9)."""
    from carebridge.api import api

    return json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))


schema = schemathesis.openapi.from_dict(
    served_schema(), config=SchemathesisConfig.from_dict(CONFIG)
)
# Called through the app's own WSGI handler, in the test's thread and so its transaction.
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    """As Django's test client does: a request's start or end does not close the database
    connection, which would end the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(hospital, account):
    """Rows for the generated ids to meet sometimes: a department, a doctor, tomorrow's session
    with a WeChat booking."""
    campus = hospital.campuses.create(name="总院", address="同普路", latitude="31", longitude="121")
    department = hospital.departments.create(campus=campus, name="心内科")
    doctor = hospital.doctors.create(name="王建国", title="主任医师")
    doctor.departments.add(department)
    session = make_session(hospital, department, doctor, timezone.localdate() + timedelta(days=1))
    follower = factories.follower(account, "o_fuzz_0000000000000000000000")
    patient = factories.patient(follower, name="王小红")
    book(patient, session, WECHAT, booked_by=follower, now=before_visit(session))
    return session


@pytest.fixture
def all_scopes_key(hospital):
    client = ApiClient(institution=hospital, name="HIS", channel="window", scopes=Scope.values)
    key = client.set_new_key()
    client.save()
    return key


# The rows are made once per operation and may change as examples run: that is fine here.
ROWS_SHARED_BY_EXAMPLES = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)


@schema.parametrize()
@ROWS_SHARED_BY_EXAMPLES
def test_with_a_key_holding_every_scope_no_answer_is_a_5xx_or_off_its_schema(
    case, world, all_scopes_key
):
    case.call_and_validate(headers={"X-Api-Key": all_scopes_key}, checks=CHECKS)


@schema.parametrize()
@ROWS_SHARED_BY_EXAMPLES
def test_without_a_key_no_answer_is_a_5xx_or_off_its_schema(case, world):
    case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "x-api-key"}
    case.call_and_validate(checks=CHECKS)
