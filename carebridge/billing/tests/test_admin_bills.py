"""The cashier's back office: bills and deposit ledgers of their own institution only, every
look at a patient's record audited, top-ups and refunds through the deposit actions, and bad
input a form error that changes nothing."""

import pytest
from django.contrib.auth.models import User

from carebridge.billing.actions import seams
from carebridge.billing.actions.deposits import account_for, top_up_at_window
from carebridge.billing.models import DepositAccount, DepositMovement, Order, WindowTopUp
from carebridge.billing.wxpay import WxPayClient
from carebridge.institutions.models import StaffMember
from carebridge.patients.models import AccessLog

from .bill_helpers import make_bill

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, cashier):
    client.force_login(cashier)
    return client


@pytest.fixture
def deposit(hospital, alice_self):
    top_up_at_window(hospital, alice_self, 10000, "cash", "SJ0")
    return DepositAccount.objects.get()


def url(deposit, tool=""):
    base = f"/admin/billing/depositaccount/{deposit.pk}/"
    return f"{base}{tool}/" if tool else f"{base}change/"


def ledger():
    return list(DepositMovement.objects.order_by("pk").values_list("pk", "amount", "receipt_no"))


def test_a_bill_shows_its_items_and_the_look_is_audited(staff, alice_self, cashier):
    bill = make_bill(alice_self)
    r = staff.get(f"/admin/billing/bill/{bill.pk}/change/")
    page = r.content.decode()
    assert r.status_code == 200 and "阿莫西林胶囊" in page and "¥25.00" in page
    assert AccessLog.objects.filter(staff=cashier, patient=alice_self).count() == 1
    assert "王*红" in staff.get("/admin/billing/bill/").content.decode()


def test_the_ledger_shows_every_movement_read_only(staff, deposit):
    page = staff.get(url(deposit)).content.decode()
    assert "现金充值" in page and "¥100.00" in page and "SJ0" in page
    r = staff.post(url(deposit), {})
    assert r.status_code == 403


def test_a_cash_top_up_names_the_cashier_and_its_receipt(staff, deposit, cashier):
    r = staff.post(
        url(deposit, "top_up"), {"amount": "200", "channel": "cash", "receipt_no": "SJ1"}
    )
    assert r.status_code == 302
    movement = DepositMovement.objects.get(receipt_no="SJ1")
    assert (movement.amount, movement.by_user, movement.balance_after) == (20000, cashier, 30000)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"amount": "", "channel": "cash", "receipt_no": "SJ1"}, "这个字段是必填项"),
        ({"amount": "0", "channel": "cash", "receipt_no": "SJ1"}, "金额必须大于零"),
        ({"amount": "1.001", "channel": "cash", "receipt_no": "SJ1"}, "金额最多两位小数"),
        ({"amount": "10", "channel": "wxpay", "receipt_no": "SJ1"}, "选择一个有效的选项"),
        ({"amount": "10", "channel": "cash", "receipt_no": ""}, "这个字段是必填项"),
        ({"amount": "10", "channel": "cash", "receipt_no": "SJ 1"}, "收据号只能包含"),
        (
            {"amount": "99", "channel": "cash", "receipt_no": "SJ0"},
            "该收据号已用于另一笔不同的充值",
        ),
    ],
    ids=["no amount", "zero", "decimals", "channel", "no receipt", "bad receipt", "reused"],
)
def test_a_bad_top_up_is_a_form_error_and_changes_nothing(staff, deposit, data, message):
    before = ledger()
    r = staff.post(url(deposit, "top_up"), data)
    assert r.status_code == 400 and message in r.content.decode(), r.content.decode()
    assert ledger() == before


def test_the_native_qr_is_shown_for_the_amount_and_credits_nothing_yet(
    staff, merchant, deposit, monkeypatch
):
    asked = []

    def native_prepay(self, *, out_trade_no, description, total, time_expire=None):
        asked.append((out_trade_no, total))
        return f"weixin://wxpay/bizpayurl?pr={out_trade_no[-8:]}"

    monkeypatch.setattr(WxPayClient, "native_prepay", native_prepay, raising=False)
    r = staff.post(url(deposit, "qr"), {"amount": "300"})
    order = Order.objects.get(kind="deposit")
    assert r.status_code == 302 and r["Location"].endswith(f"?order={order.out_trade_no}")
    assert asked == [(order.out_trade_no, 30000)]
    page = staff.get(r["Location"]).content.decode()
    assert "<svg" in page and order.out_trade_no in page
    assert WindowTopUp.objects.get().started_by.username == "cashier"
    deposit.refresh_from_db()
    assert deposit.balance == 10000  # credited only when WeChat Pay says it is paid


def test_the_qr_without_a_merchant_is_a_form_error(staff, deposit):
    r = staff.post(url(deposit, "qr"), {"amount": "300"})
    assert r.status_code == 400 and "本院尚未开通微信支付" in r.content.decode()
    assert Order.objects.count() == 0


def test_a_balance_refund_pays_cash_at_the_window_with_a_receipt(staff, deposit, monkeypatch):
    monkeypatch.setattr(seams, "request_refund", lambda *a, **k: pytest.fail("cash to WeChat"))
    before = ledger()
    r = staff.post(url(deposit, "refund"), {"reason": "出院结算"})
    assert r.status_code == 400 and "窗口退款需要填写收据号" in r.content.decode()
    assert ledger() == before
    r = staff.post(url(deposit, "refund"), {"reason": "出院结算", "receipt_no": "TK1"})
    assert r.status_code == 302
    deposit.refresh_from_db()
    assert deposit.balance == 0
    assert DepositMovement.objects.get(kind="refund_cash").receipt_no == "TK1"


def test_staff_of_another_institution_find_nothing(client, deposit, other_hospital, alice_self):
    user = User.objects.create_user("xinhua", "x@xinhua.example.cn", "pw-xinhua-123", is_staff=True)
    StaffMember.objects.create(user=user, institution=other_hospital)
    from django.contrib.auth.models import Permission

    user.user_permissions.set(Permission.objects.filter(content_type__app_label="billing"))
    client.force_login(user)
    bill = make_bill(alice_self)
    assert "王*红" not in client.get("/admin/billing/depositaccount/").content.decode()
    for path in [url(deposit), url(deposit, "top_up"), url(deposit, "refund"), url(deposit, "qr")]:
        assert client.get(path).status_code in (302, 404), path
    assert (
        client.post(
            url(deposit, "top_up"), {"amount": "1", "channel": "cash", "receipt_no": "X"}
        ).status_code
        == 404
    )
    assert client.get(f"/admin/billing/bill/{bill.pk}/change/").status_code in (302, 404)
    assert ledger() == [(DepositMovement.objects.get().pk, 10000, "SJ0")]


def test_staff_without_the_cashiers_right_cannot_use_the_tools(client, deposit, hospital):
    from django.contrib.auth.models import Permission

    user = User.objects.create_user("viewer", "v@renai.example.cn", "pw-viewer-123", is_staff=True)
    StaffMember.objects.create(user=user, institution=hospital)
    user.user_permissions.set(Permission.objects.filter(codename="view_depositaccount"))
    client.force_login(user)
    assert client.get(url(deposit)).status_code == 200
    assert client.get(url(deposit, "top_up")).status_code == 403


def test_an_account_is_opened_for_a_patient_on_first_use(hospital, alice_mother):
    assert account_for(hospital, alice_mother).balance == 0


def test_the_top_up_limits_are_typed_in_yuan(admin_client, hospital):
    r = admin_client.post(
        "/admin/billing/billingpolicy/add/",
        {"institution": hospital.pk, "topup_min": "10", "topup_max": "5", "his_callback_url": ""},
    )
    assert r.status_code == 200 and "上限不能低于下限" in r.content.decode()
    r = admin_client.post(
        "/admin/billing/billingpolicy/add/",
        {"institution": hospital.pk, "topup_min": "10", "topup_max": "20000"},
    )
    assert r.status_code == 302
    from carebridge.billing.models import BillingPolicy

    assert BillingPolicy.objects.values_list("topup_min", "topup_max").get() == (1000, 2000000)
