"""Phone verification codes: delivered to the simulated phone, hashed, expiring, limited."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone

from carebridge.patients import crypto, sms
from carebridge.patients.actions import add_patient
from carebridge.patients.models import HASH_PHONE, Patient, PhoneVerification
from carebridge.patients.phone import check_phone_code, send_phone_code
from carebridge.sandbox.models import SandboxMessage

from .helpers import details, last_code

pytestmark = pytest.mark.django_db
PHONE = "13812345678"


class RefusingGateway(sms.BaseSmsBackend):
    def send(self, phone, text, *, follower=None):
        raise sms.SmsError("gateway said no")


def refusal(call) -> str:
    with pytest.raises(ValidationError) as exc:
        call()
    ((field, errors),) = exc.value.error_dict.items()
    return f"{field}:{errors[0].code}"


def test_the_code_arrives_on_the_users_simulated_phone(alice, account):
    send_phone_code(alice, PHONE)
    message = SandboxMessage.objects.get(kind="sms", openid=alice.openid)
    assert message.direction == "in"
    assert message.app_id == account.credentials.app_id
    assert message.body["to"] == "138****5678"
    assert "仁爱医院" in message.body["text"]


def test_only_a_hash_of_the_code_is_stored(alice):
    send_phone_code(alice, PHONE)
    code = last_code(alice)
    row = PhoneVerification.objects.get()
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert check_phone_code(alice, PHONE, code) == row


def test_adding_a_patient_needs_the_right_code_and_nothing_changes_without_it(alice):
    send_phone_code(alice, PHONE)
    right = last_code(alice)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    assert refusal(lambda: add_patient(alice, details(), code=wrong)) == "code:wrong"
    assert refusal(lambda: add_patient(alice, details(), code="")) == "code:required"
    assert not Patient.objects.exists()
    assert add_patient(alice, details(), code=right).phone_verified_at


def test_a_code_proves_only_the_phone_it_was_sent_to(alice):
    send_phone_code(alice, PHONE)
    code = last_code(alice)
    assert refusal(lambda: check_phone_code(alice, "13900001111", code)) == "code:missing"


def test_a_code_is_the_requesting_users_only(alice, bob):
    send_phone_code(alice, PHONE)
    code = last_code(alice)
    assert refusal(lambda: add_patient(bob, details(), code=code)) == "code:missing"


def test_an_expired_code_is_refused(alice):
    send_phone_code(alice, PHONE)
    code = last_code(alice)
    PhoneVerification.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert refusal(lambda: add_patient(alice, details(), code=code)) == "code:expired"
    assert not Patient.objects.exists()


def test_too_many_wrong_attempts_burn_the_code(alice, settings):
    settings.PATIENT_CODE_MAX_ATTEMPTS = 3
    send_phone_code(alice, PHONE)
    right = last_code(alice)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for _ in range(3):
        assert refusal(lambda: check_phone_code(alice, PHONE, wrong)) == "code:wrong"
    assert PhoneVerification.objects.get().attempts == 3
    assert refusal(lambda: check_phone_code(alice, PHONE, right)) == "code:attempts"


def test_a_code_is_used_once(alice):
    send_phone_code(alice, PHONE)
    code = last_code(alice)
    add_patient(alice, details(), code=code)
    assert refusal(lambda: check_phone_code(alice, PHONE, code)) == "code:missing"


def test_sending_again_to_the_same_phone_waits_for_the_cooldown(alice, bob):
    send_phone_code(alice, PHONE)
    assert refusal(lambda: send_phone_code(alice, PHONE)) == "phone:rate"
    assert refusal(lambda: send_phone_code(bob, PHONE)) == "phone:rate"  # per phone, not user
    assert SandboxMessage.objects.filter(kind="sms").count() == 1


def test_one_user_cannot_send_codes_to_many_phones(alice, settings):
    settings.PATIENT_SMS_PER_OPENID_PER_HOUR = 3
    for n in range(3):
        send_phone_code(alice, f"1380000000{n}")
    assert refusal(lambda: send_phone_code(alice, "13800000009")) == "phone:rate"
    assert SandboxMessage.objects.filter(kind="sms").count() == 3


def test_one_phone_gets_a_daily_cap(alice, settings):
    settings.PATIENT_SMS_PER_PHONE_PER_DAY = 2
    cooldown_key = f"patients:sms:cooldown:{crypto.blind_index(HASH_PHONE, PHONE)}"
    for _ in range(2):
        send_phone_code(alice, PHONE)
        cache.delete(cooldown_key)  # as if the minute's cooldown had passed
    assert refusal(lambda: send_phone_code(alice, PHONE)) == "phone:rate"
    assert SandboxMessage.objects.filter(kind="sms").count() == 2


def test_a_gateway_failure_leaves_no_usable_code(alice, settings):
    settings.SMS_BACKEND = f"{__name__}.RefusingGateway"
    assert refusal(lambda: send_phone_code(alice, PHONE)) == "phone:sms"
    assert not PhoneVerification.objects.exists()


def test_production_refuses_the_sandbox_backend_and_a_missing_one(settings):
    settings.SANDBOX_ENABLED = False
    with pytest.raises(ImproperlyConfigured):
        sms.get_backend()
    settings.SMS_BACKEND = ""
    with pytest.raises(ImproperlyConfigured):
        sms.get_backend()
