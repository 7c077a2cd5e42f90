import pytest

from carebridge.billing.models import VerifyMode
from carebridge.booking.tests import conftest as booking_fixtures
from carebridge.integrations.models import Scope
from carebridge.integrations.tests import keys
from carebridge.outbox.tests.clock import Clock

MODES = [VerifyMode.PUBLIC_KEY, VerifyMode.CERTIFICATE]
HIS_SCOPES = (Scope.BILLS_PUSH, Scope.BILLS_READ, Scope.DEPOSITS_TOP_UP)


def make_key(institution, name="HIS", scopes=HIS_SCOPES):
    return keys.make_key(institution, scopes, name)


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
def order(merchant, alice, alice_self):
    """alice's 200-yuan deposit top-up, awaiting payment (a kind with no hooks in this app)."""
    from carebridge.billing.actions.orders import open_order
    from carebridge.billing.models import OrderKind

    return open_order(
        institution=merchant.institution,
        patient=alice_self,
        follower=alice,
        kind=OrderKind.DEPOSIT,
        description="预交金充值",
        total=20000,
    )


@pytest.fixture
def other_merchant(db, mode):
    """Another hospital's merchant, enrolled at the sandbox too."""
    from carebridge.institutions.models import Institution
    from carebridge.sandbox.wxpay.merchants import enroll

    other = Institution.objects.create(slug="other", name="另一医院", name_en="Other Hospital")
    return enroll(other, appid="wx_other_00000001", mode=mode)


# Booking's places, for the registration fee: Dr Wang's morning session tomorrow.
campus = booking_fixtures.campus
cardiology = booking_fixtures.cardiology
dr_wang = booking_fixtures.dr_wang
tomorrow = booking_fixtures.tomorrow


@pytest.fixture
def templates(hospital):
    """仁爱医院 sends the booked and cancelled messages."""
    from carebridge.booking.models import BookingPolicy

    return BookingPolicy.objects.create(
        institution=hospital,
        tpl_booking_confirmed="TPL_BOOKED",
        tpl_booking_cancelled="TPL_CANCELLED",
    )


@pytest.fixture
def fee_session(merchant, templates, cardiology, dr_wang, tomorrow):
    """Dr Wang's session tomorrow, its 14-yuan fee paid on WeChat when booking."""
    from carebridge.booking.models import ClinicSession, FeePayment
    from carebridge.booking.tests.helpers import make_session

    session = make_session(merchant.institution, cardiology, dr_wang, tomorrow)
    ClinicSession.objects.filter(pk=session.pk).update(fee_payment=FeePayment.AT_BOOKING)
    session.fee_payment = FeePayment.AT_BOOKING
    return session


@pytest.fixture
def his_key(hospital):
    return make_key(hospital)


@pytest.fixture
def foreign_key(other_hospital):
    return make_key(other_hospital, name="新华HIS")


@pytest.fixture
def cashier(hospital):
    """A cashier of 仁爱医院 in the back office: bills and deposits, nothing else."""
    from django.contrib.auth.models import Permission, User

    from carebridge.institutions.models import StaffMember

    user = User.objects.create_user(
        "cashier", "c@renai.example.cn", "pw-cashier-123", is_staff=True
    )
    StaffMember.objects.create(user=user, institution=hospital)
    codenames = ["view_bill", "view_depositaccount", "change_depositaccount"]
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="billing", codename__in=codenames)
    )
    return user


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
