"""The merchant's configuration: secrets encrypted at rest, notify URL on SITE_URL."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from carebridge.billing.models import Merchant, VerifyMode

# The merchant fixture's ``mode`` is parametrised, which sets it up after the cache
# clearing (root conftest) that needs the database: the mark opens it first.
pytestmark = pytest.mark.django_db


def test_the_private_key_and_apiv3_key_are_not_stored_in_clear(merchant):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT private_key, apiv3_key FROM billing_merchant WHERE id = %s", [merchant.pk]
        )
        private_key, apiv3_key = cursor.fetchone()
    fresh = Merchant.objects.get(pk=merchant.pk)
    assert fresh.private_key.startswith("-----BEGIN PRIVATE KEY-----")
    assert len(fresh.apiv3_key) == 32
    assert "PRIVATE KEY" not in private_key
    assert fresh.private_key not in private_key
    assert fresh.apiv3_key not in apiv3_key


def test_the_notify_url_is_on_site_url(merchant, settings):
    settings.SITE_URL = "https://pay.renai.example.cn"
    assert (
        merchant.notify_url
        == f"https://pay.renai.example.cn/billing/wxpay/notify/{merchant.mchid}/"
    )


def test_an_apiv3_key_must_be_32_bytes(merchant):
    merchant.apiv3_key = "too-short"
    with pytest.raises(ValidationError) as refused:
        merchant.full_clean()
    assert "apiv3_key" in refused.value.message_dict


@pytest.mark.parametrize("mode", [VerifyMode.PUBLIC_KEY])
def test_public_key_mode_needs_a_pub_key_id(merchant):
    merchant.public_key_id = "not-a-pub-key-id"
    with pytest.raises(ValidationError):
        merchant.full_clean()


@pytest.mark.parametrize("mode", [VerifyMode.CERTIFICATE])
def test_certificate_mode_needs_a_certificate(merchant):
    merchant.platform_certificates = ""
    with pytest.raises(ValidationError):
        merchant.full_clean()


def test_the_labels_are_chinese_by_default_and_english_on_request():
    from django.utils import translation

    assert str(VerifyMode.PUBLIC_KEY.label) == "微信支付公钥"
    with translation.override("en"):
        assert str(VerifyMode.PUBLIC_KEY.label) == "WeChat Pay public key"
        assert str(Merchant._meta.verbose_name) == "WeChat Pay merchant"
