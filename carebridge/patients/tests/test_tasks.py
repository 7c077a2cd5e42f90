from datetime import timedelta

import pytest
from django.utils import timezone

from carebridge.patients.models import PhoneVerification
from carebridge.patients.phone import send_phone_code
from carebridge.patients.tasks import purge_phone_codes

pytestmark = pytest.mark.django_db


def test_purge_removes_only_codes_expired_long_ago(alice):
    stale = send_phone_code(alice, "13812345678")
    fresh = send_phone_code(alice, "13900001111")
    PhoneVerification.objects.filter(pk=stale.pk).update(
        expires_at=timezone.now() - timedelta(days=2)
    )
    assert purge_phone_codes() == 1
    assert list(PhoneVerification.objects.values_list("pk", flat=True)) == [fresh.pk]
