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


@pytest.fixture
def xinhua(db):
    """Another institution and its account, where alice's WeChat user also follows (as a user
    of two hospitals' accounts does): what she has at one is refused at the other."""
    from carebridge.institutions.models import Institution, WeChatAccount
    from carebridge.patients.tests import factories
    from conftest import ALICE_OPENID

    institution = Institution.objects.create(slug="xinhua", name="新华医院")
    account = WeChatAccount.objects.create(
        institution=institution, slug="xinhua", name="新华医院服务号", original_id="gh_xinhua000001"
    )
    factories.follower(account, ALICE_OPENID)
    return account
