import pytest

from carebridge.billing.models import VerifyMode
from carebridge.outbox.tests.clock import Clock

MODES = [VerifyMode.PUBLIC_KEY, VerifyMode.CERTIFICATE]


@pytest.fixture
def clock(monkeypatch):
    """Simulated time: ``clock.advance(minutes=6)`` (outbox/tests/clock.py)."""
    return Clock(monkeypatch)


@pytest.fixture
def pay_sandbox(sandbox, settings):
    """WeChat Pay's stand-in on the loopback live server; the merchant client talks to it."""
    settings.WECHATPAY_API_BASE = sandbox.url + "/sandbox/pay"
    return sandbox


@pytest.fixture(params=MODES)
def mode(request):
    """Both ways WeChat Pay names its signing key: PUB_KEY_ID_… and certificate serials."""
    return request.param


@pytest.fixture
def merchant(hospital, mode):
    """仁爱医院's merchant, enrolled at the sandbox and configured here in ``mode``."""
    from carebridge.sandbox.wxpay.merchants import enroll

    return enroll(hospital, appid="wx_renai_0000001", mode=mode)


@pytest.fixture
def wxpay(merchant):
    """The merchant's client, as billing's actions will use it."""
    from carebridge.billing.wxpay import WxPayClient

    return WxPayClient(merchant)
