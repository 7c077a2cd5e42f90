"""Shortcuts for tests that go through the real paths (actions, the sandbox SMS backend)."""

import re
from datetime import date

from carebridge.patients.actions import PatientDetails, add_patient
from carebridge.patients.phone import send_phone_code
from carebridge.sandbox.models import SandboxMessage

from . import factories


def details(**overrides) -> PatientDetails:
    born = overrides.pop("born", date(1990, 3, 7))
    values = {
        "name": "王小红",
        "id_type": "resident_id",
        "id_number": factories.resident_id(born, "female"),
        "phone": "13812345678",
        "relation": "self",
    }
    values.update(overrides)
    return PatientDetails(**values)


def last_code(follower) -> str:
    """The code in the newest text message on the follower's simulated phone."""
    message = SandboxMessage.objects.filter(openid=follower.openid, kind="sms").latest("id")
    return re.search(r"\d{6}", message.body["text"]).group(0)


def add_verified(follower, **overrides):
    """Add a patient the way a user does: get a code on the phone, then submit it."""
    data = details(**overrides)
    send_phone_code(follower, data.phone)
    return add_patient(follower, data, code=last_code(follower))
