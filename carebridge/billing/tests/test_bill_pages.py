"""门诊缴费 and 预交金 pages: the signed-in user's own patients' bills and deposit only; every
other id is a 404, every bad input a form error that changes nothing."""

import pytest

from carebridge.billing.actions import seams
from carebridge.billing.actions.deposits import top_up_at_window
from carebridge.billing.models import Bill, BillState, DepositMovement, Order, OrderKind, Refund

from .bill_helpers import make_bill, paid_bill

pytestmark = pytest.mark.django_db

BILLS = "/h5/renai/bills/"
PAY = "/h5/renai/bills/pay/"
DEPOSIT = "/h5/renai/deposit/"
TOP_UP = "/h5/renai/deposit/top-up/"
REFUND = "/h5/renai/deposit/refund/"


def state():
    return (
        list(Bill.objects.order_by("pk").values_list("pk", "state", "order")),
        Order.objects.count(),
        list(DepositMovement.objects.order_by("pk").values_list("pk", "amount")),
        Refund.objects.count(),
    )


def test_the_bills_page_shows_the_patients_unpaid_bills_with_items(
    alice_client, alice_self, bob_self
):
    make_bill(alice_self)
    make_bill(bob_self, "MZ-BOB", department="骨科")
    r = alice_client.get(BILLS)
    page = r.content.decode()
    assert r.status_code == 200
    assert "呼吸内科" in page and "阿莫西林胶囊" in page and "¥45.00" in page
    assert "骨科" not in page


def test_a_signed_out_visitor_is_sent_to_wechat_sign_in(client, account):
    for path in (BILLS, DEPOSIT):
        r = client.get(path)
        assert r.status_code == 302 and "/oauth/" in r["Location"]


@pytest.mark.parametrize("path", [BILLS, DEPOSIT])
def test_another_accounts_or_a_made_up_patient_is_a_404(alice_client, alice_self, bob_self, path):
    for patient in (bob_self.pk, bob_self.pk + 1000, "x", "1e3"):
        assert alice_client.get(path, {"patient": patient}).status_code == 404, patient


def test_alices_mothers_bills_are_hers_to_see(alice_client, alice_self, alice_mother):
    make_bill(alice_mother, department="心内科")
    assert "心内科" not in alice_client.get(BILLS).content.decode()
    assert "心内科" in alice_client.get(BILLS, {"patient": alice_mother.pk}).content.decode()


def test_paying_by_wechat_opens_an_order_and_goes_to_its_pay_page(alice_client, alice_self):
    first, second = make_bill(alice_self, "MZ1"), make_bill(alice_self, "MZ2")
    r = alice_client.post(
        PAY, {"patient": alice_self.pk, "bill": [first.pk, second.pk], "method": "wxpay"}
    )
    order = Order.objects.get()
    assert r.status_code == 302
    assert r["Location"] == f"/h5/renai/orders/{order.out_trade_no}/pay/"
    assert (order.kind, order.total, order.patient) == (OrderKind.OUTPATIENT, 9000, alice_self)
    assert set(Bill.objects.values_list("state", flat=True)) == {BillState.PAYING}
    page = alice_client.get(BILLS).content.decode()
    assert "继续支付" in page and f"/orders/{order.out_trade_no}/pay/" in page


def test_paying_from_the_deposit_pays_at_once(alice_client, hospital, alice_self):
    bill = make_bill(alice_self)
    top_up_at_window(hospital, alice_self, 5000, "cash", "SJ1")
    r = alice_client.post(PAY, {"patient": alice_self.pk, "bill": [bill.pk], "method": "deposit"})
    assert r.status_code == 302 and r["Location"] == f"{BILLS}?patient={alice_self.pk}"
    bill.refresh_from_db()
    assert bill.state == BillState.PAID
    page = alice_client.get(r["Location"]).content.decode()
    assert "已用预交金缴费" in page and "暂无待缴费账单" in page


@pytest.mark.parametrize(
    "data, message",
    [
        ({"method": "wxpay"}, "请选择要缴费的账单"),
        ({"bill": "BILL", "method": "alipay"}, "请选择支付方式"),
        ({"bill": "BILL"}, "请选择支付方式"),
    ],
    ids=["no bill", "unknown method", "no method"],
)
def test_a_bad_payment_form_is_a_400_naming_the_field(alice_client, alice_self, data, message):
    bill = make_bill(alice_self)
    data = {k: (bill.pk if v == "BILL" else v) for k, v in data.items()}
    before = state()
    r = alice_client.post(PAY, {"patient": alice_self.pk, **data})
    assert r.status_code == 400 and message in r.content.decode()
    assert state() == before


def test_another_accounts_bill_or_patient_is_a_404_and_changes_nothing(
    alice_client, alice_self, alice_mother, bob_self
):
    mine, mothers, bobs = (
        make_bill(alice_self),
        make_bill(alice_mother, "MZ-M"),
        make_bill(bob_self, "MZ-B"),
    )
    before = state()
    for data in [
        {"patient": alice_self.pk, "bill": [mine.pk, bobs.pk]},
        {"patient": alice_self.pk, "bill": [mothers.pk]},  # her mother's, under her own name
        {"patient": bob_self.pk, "bill": [bobs.pk]},
        {"patient": alice_self.pk, "bill": ["x"]},
    ]:
        r = alice_client.post(PAY, {**data, "method": "wxpay"})
        assert r.status_code == 404, data
    assert state() == before


def test_a_bill_taken_meanwhile_or_an_empty_deposit_is_a_409(alice_client, alice, alice_self):
    from carebridge.billing.actions.bills import pay_bills

    bill = make_bill(alice_self)
    r = alice_client.post(PAY, {"patient": alice_self.pk, "bill": [bill.pk], "method": "deposit"})
    assert r.status_code == 409 and "预交金余额不足" in r.content.decode()
    pay_bills(alice_self, alice, [bill])  # on another phone of hers
    before = state()
    r = alice_client.post(PAY, {"patient": alice_self.pk, "bill": [bill.pk], "method": "wxpay"})
    assert r.status_code == 400  # no longer among the unpaid bills to choose from
    assert state() == before


def test_a_paid_bill_shows_its_items_and_e_invoice(alice_client, alice_self):
    bill = paid_bill(alice_self)
    bill.invoice_number, bill.invoice_url = "3100226001-9", "https://einvoice.example.cn/9"
    bill.save()
    page = alice_client.get(BILLS).content.decode()
    assert "https://einvoice.example.cn/9" in page and "3100226001-9" in page
    assert "阿莫西林胶囊" in page


def test_the_bills_page_speaks_english(alice_client, alice_self):
    make_bill(alice_self)
    r = alice_client.get(BILLS, HTTP_ACCEPT_LANGUAGE="en")
    page = r.content.decode()
    assert "Pay outpatient fees" in page and "Pay from deposit (balance ¥0.00)" in page
    assert "Show items" in page and "Unpaid bills" in page


def test_the_deposit_page_shows_the_balance_and_its_movements(
    alice_client, hospital, alice_self, bob_self
):
    top_up_at_window(hospital, alice_self, 30000, "cash", "SJ1", reason="门诊预交")
    top_up_at_window(hospital, bob_self, 99900, "cash", "SJ2")
    page = alice_client.get(DEPOSIT).content.decode()
    assert "¥300.00" in page and "现金充值" in page and "+¥300.00" in page
    assert "¥999.00" not in page


def test_a_top_up_opens_an_order_of_the_amount_typed(alice_client, alice_self):
    r = alice_client.post(TOP_UP, {"patient": alice_self.pk, "amount": "200.5"})
    order = Order.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/h5/renai/orders/{order.out_trade_no}/pay/"
    assert (order.kind, order.total, order.patient) == (OrderKind.DEPOSIT, 20050, alice_self)


@pytest.mark.parametrize(
    "amount, message",
    [
        ("", "这个字段是必填项"),
        ("abc", "请输入以元为单位的金额"),
        ("0.5", "充值金额不能少于 1.00 元"),
        ("12.345", "金额最多两位小数"),
        ("50000.01", "金额不能超过 50000.00 元"),
        ("-5", "金额不能为负数"),
    ],
)
def test_a_bad_top_up_amount_is_a_form_error(alice_client, alice_self, amount, message):
    r = alice_client.post(TOP_UP, {"patient": alice_self.pk, "amount": amount})
    assert r.status_code == 400 and message in r.content.decode(), r.content.decode()
    assert Order.objects.count() == 0


def test_a_top_up_for_another_accounts_patient_is_a_404(alice_client, alice_self, bob_self):
    assert alice_client.post(TOP_UP, {"patient": bob_self.pk, "amount": "100"}).status_code == 404
    assert Order.objects.count() == 0


def test_a_refund_request_returns_online_parts_and_sends_cash_to_the_window(
    alice_client, hospital, alice_self, monkeypatch
):
    asked = []
    monkeypatch.setattr(seams, "request_refund", lambda *a, **k: asked.append(a))
    top_up_at_window(hospital, alice_self, 5000, "cash", "SJ1")
    r = alice_client.post(REFUND, {"patient": alice_self.pk, "reason": ""})
    assert r.status_code == 400 and "请填写退款原因" in r.content.decode()
    r = alice_client.post(REFUND, {"patient": alice_self.pk, "reason": "就诊结束"}, follow=True)
    assert "请持有效证件到收费窗口办理退款" in r.content.decode()
    assert asked == []  # cash never goes back through WeChat
    assert DepositMovement.objects.count() == 1


def test_a_refund_of_nothing_or_of_another_accounts_deposit_is_refused(
    alice_client, hospital, alice_self, bob_self
):
    r = alice_client.post(REFUND, {"patient": alice_self.pk, "reason": "x"})
    assert r.status_code == 409 and "无可退款项" in r.content.decode()
    top_up_at_window(hospital, bob_self, 5000, "cash", "SJ1")
    before = state()
    assert alice_client.post(REFUND, {"patient": bob_self.pk, "reason": "x"}).status_code == 404
    assert state() == before


def test_get_is_not_allowed_on_the_forms(alice_client, alice_self):
    for path in (PAY, TOP_UP, REFUND):
        assert alice_client.get(path).status_code == 405


def test_the_deposit_page_speaks_english(alice_client, hospital, alice_self):
    top_up_at_window(hospital, alice_self, 30000, "cash", "SJ1")
    page = alice_client.get(DEPOSIT, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Top-up in cash" in page and "Top up online (WeChat Pay)" in page
    r = alice_client.post(
        TOP_UP, {"patient": alice_self.pk, "amount": "0.5"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "The top-up must be at least 1.00 yuan" in r.content.decode()
