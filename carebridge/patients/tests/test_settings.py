"""Production refuses to start without the keys and the SMS gateway of the patients app."""

import pytest

from carebridge.wechat.tests.test_settings import PROD, start_django


@pytest.mark.parametrize("missing", ["FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY", "SMS_BACKEND"])
def test_production_refuses_to_start_without_patient_data_settings(missing):
    result = start_django({k: v for k, v in PROD.items() if k != missing})
    assert result.returncode != 0
    assert missing in result.stderr and "ImproperlyConfigured" in result.stderr


def test_production_starts_with_them():
    result = start_django(PROD)
    assert result.returncode == 0, result.stderr
