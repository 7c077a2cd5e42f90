"""个人中心 and 我的服务单: the account's orders, newest first, with their deadlines, how they were
paid and their refunds; bad filters are a form error, never a 500."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from carebridge.billing.models import OrderKind, OrderStatus
from carebridge.billing.views.pages import PAGE_SIZE

from .helpers import order, refund

pytestmark = pytest.mark.django_db

BASE = "/h5/renai"


def page(client, url, expect=200, **query):
    response = client.get(url, query)
    assert response.status_code == expect, response.content.decode()[:500]
    return response.content.decode()


def test_the_personal_centre_shows_what_waits_what_was_paid_and_the_refunds(
    alice_client, alice_self, alice_mother
):
    waiting = order(alice_self, description="心内科挂号费", total=1250)
    paid = order(alice_mother, status=OrderStatus.PAID, description="门诊缴费 3 项", total=8600)
    refunded = order(alice_self, status=OrderStatus.PAID, description="儿科挂号费")
    refund(refunded, status="PROCESSING")
    html = page(alice_client, f"{BASE}/me/")
    assert "<title>个人中心 · " in html
    assert "心内科挂号费" in html and "¥12.50" in html
    when = timezone.localtime(waiting.expires_at).strftime("%H:%M")
    assert "前支付" in html and when in html
    assert f'href="{BASE}/orders/{waiting.out_trade_no}/pay/"' in html  # 去支付
    assert "门诊缴费 3 项" in html and "¥86.00" in html and paid.out_trade_no in html
    assert "儿科挂号费" in html and "退款处理中" in html
    assert "王小红" in html and "李秀英" in html  # the switcher names the account's patients


def test_the_personal_centre_leads_to_every_page_of_my_information(alice_client, alice):
    html = page(alice_client, f"{BASE}/me/")
    for path in ("visits/", "reports/", "appointments/", "patients/", "bills/", "deposit/"):
        assert f'href="{BASE}/{path}"' in html, path
    assert f'href="{BASE}/orders/"' in html
    assert "长辈版：大字、大按钮" in html  # the elder-mode switch stays in 个人中心


def test_the_personal_centre_shows_one_patient_when_asked(alice_client, alice_self, alice_mother):
    order(alice_self, description="王小红的挂号费")
    order(alice_mother, description="李秀英的挂号费")
    html = page(alice_client, f"{BASE}/me/", patient=alice_mother.pk)
    assert "李秀英的挂号费" in html and "王小红的挂号费" not in html


@pytest.mark.parametrize("value", ["abc", "999999"])
def test_a_patient_not_of_the_account_is_a_form_error(alice_client, alice_self, value):
    html = page(alice_client, f"{BASE}/me/", expect=400, patient=value)
    assert "weui-cell_warn" in html and "就诊人" in html


def test_another_accounts_patient_is_refused_like_no_patient(
    alice_client, alice_self, bob, bob_client
):
    from carebridge.patients.tests import factories

    bobs = factories.patient(
        bob,
        name="赵大勇",
        id_number=factories.resident_id(timezone.localdate().replace(year=1985), "male"),
    )
    order(bobs, description="赵大勇的挂号费")
    html = page(alice_client, f"{BASE}/orders/", expect=400, patient=bobs.pk)
    assert "赵大勇" not in html


def test_the_personal_centre_costs_the_same_queries_for_one_order_or_five(alice_client, alice_self):
    page(alice_client, f"{BASE}/me/")  # the first visit also records the elder offer
    refund(order(alice_self, status=OrderStatus.PAID), amount=100)
    order(alice_self)
    with CaptureQueriesContext(connection) as one:
        page(alice_client, f"{BASE}/me/")
    for n in range(4):
        refund(order(alice_self, status=OrderStatus.PAID, description=f"订单{n}"), amount=100)
        order(alice_self, description=f"待付{n}")
    with CaptureQueriesContext(connection) as five:
        page(alice_client, f"{BASE}/me/")
    assert len(five) == len(one)


def test_my_orders_are_newest_first_a_page_at_a_time(alice_client, alice_self):
    rows = [order(alice_self, description=f"订单{n:02d}") for n in range(PAGE_SIZE + 2)]
    first = page(alice_client, f"{BASE}/orders/")
    assert first.index("订单21") < first.index("订单20") and "订单01" not in first
    assert "1 / 2" in first and "更早的订单" in first
    second = page(alice_client, f"{BASE}/orders/", page=2)
    assert "订单01" in second and "订单00" in second and rows[-1].description not in second


def test_the_list_costs_the_same_queries_for_one_order_or_twenty(alice_client, alice_self):
    order(alice_self, status=OrderStatus.PAID)
    page(alice_client, f"{BASE}/orders/")  # the first visit also records the elder offer
    with CaptureQueriesContext(connection) as one:
        page(alice_client, f"{BASE}/orders/")
    for n in range(19):
        refund(order(alice_self, status=OrderStatus.PAID, description=f"订单{n}"), amount=100)
    with CaptureQueriesContext(connection) as twenty:
        page(alice_client, f"{BASE}/orders/")
    assert len(twenty) == len(one)


def test_unpaid_lists_the_orders_awaiting_payment(alice_client, alice_self):
    order(alice_self, description="待缴费用")
    order(alice_self, status=OrderStatus.PAID, description="已缴费用")
    order(alice_self, description="过期费用", minutes=-1)
    order(alice_self, status=OrderStatus.CLOSED, description="关闭费用")
    html = page(alice_client, f"{BASE}/orders/", status="unpaid")
    assert "<title>待支付订单 · " in html and "待缴费用" in html
    assert "已缴费用" not in html and "过期费用" not in html and "关闭费用" not in html
    assert "去支付" in html


def test_paid_and_refund_filters(alice_client, alice_self):
    order(alice_self, description="待缴费用")
    order(alice_self, status=OrderStatus.PAID, description="已缴费用")
    refund(order(alice_self, status=OrderStatus.PAID, description="退了一部分"), amount=400)
    order(alice_self, status=OrderStatus.REFUNDED, description="全额退款")
    paid = page(alice_client, f"{BASE}/orders/", status="paid")
    assert "已缴费用" in paid and "退了一部分" in paid and "待缴费用" not in paid
    refunds = page(alice_client, f"{BASE}/orders/", status="refund")
    assert "退了一部分" in refunds and "全额退款" in refunds and "已缴费用" not in refunds
    assert "退款 ¥4.00 退款处理中" in refunds


def test_an_unknown_status_is_a_form_error_naming_the_field(alice_client, alice_self):
    order(alice_self, description="待缴费用")
    html = page(alice_client, f"{BASE}/orders/", expect=400, status="everything")
    assert "订单状态" in html and "weui-cell_warn" in html


def test_an_expired_order_shows_it_can_no_longer_be_paid(alice_client, alice_self):
    late = order(alice_self, minutes=-5)
    html = page(alice_client, f"{BASE}/orders/")
    assert "已超过支付时间" in html and f"{late.out_trade_no}/pay/" not in html
    detail = page(alice_client, f"{BASE}/orders/{late.out_trade_no}/")
    assert "该订单不能再支付" in detail and "/pay/" not in detail


def test_an_order_shows_its_split_transaction_and_refunds(alice_client, alice_self):
    paid = order(
        alice_self,
        status=OrderStatus.PAID,
        kind=OrderKind.OUTPATIENT,
        description="门诊缴费 3 项",
        total=8600,
        paid_deposit=2600,
        transaction_id="4200000001202612030000000777",
    )
    refund(paid, amount=1000, status="SUCCESS", reason="退药")
    refund(paid, amount=500, status="pending", reason="检查取消")
    html = page(alice_client, f"{BASE}/orders/{paid.out_trade_no}/")
    assert "门诊缴费 3 项" in html and "¥86.00" in html
    assert "微信支付" in html and "¥60.00" in html and "预交金支付" in html and "¥26.00" in html
    assert "医保支付" in html and "4200000001202612030000000777" in html and "支付时间" in html
    assert "退药" in html and "已退款" in html and "检查取消" in html and "待退款" in html


def test_a_registration_fee_links_its_appointment(alice_client, alice, alice_self):
    from carebridge.booking.models import Channel
    from carebridge.booking.tests.helpers import book, make_session

    hospital = alice.account.institution
    campus = hospital.campuses.create(name="总院", address="同普路", latitude="31", longitude="121")
    department = hospital.departments.create(campus=campus, name="心内科")
    day = timezone.localdate() + timedelta(days=1)
    session = make_session(hospital, department, None, day)
    appointment = book(alice_self, session, Channel.WECHAT, booked_by=alice)
    fee = order(alice_self, appointment=appointment)
    html = page(alice_client, f"{BASE}/orders/{fee.out_trade_no}/")
    assert f'href="{BASE}/appointments/{appointment.pk}/"' in html and "心内科" in html


def test_the_pages_are_in_english_too(alice_client, alice_self):
    paid = order(alice_self, status=OrderStatus.PAID)
    alice_client.post("/i18n/setlang/", {"language": "en", "next": f"{BASE}/me/"})
    me = page(alice_client, f"{BASE}/me/")
    assert 'lang="en"' in me and "My account" in me and "Awaiting payment" in me
    orders = page(alice_client, f"{BASE}/orders/", status="unpaid")
    assert "Pay outpatient fees" in orders
    detail = page(alice_client, f"{BASE}/orders/{paid.out_trade_no}/")
    assert "Paid by WeChat Pay" in detail and "WeChat Pay transaction" in detail
