"""The money back office: orders read-only and audited, the reconciliation's mismatches
resolved once with who and why; another institution's staff see none of it."""

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from carebridge.billing.actions.reconcile import reconcile
from carebridge.billing.models import Mismatch, Order, OrderStatus, Resolution
from carebridge.institutions.models import Institution, StaffMember
from carebridge.patients.models import AccessLog

from .test_reconcile import DAY, paid_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def merchant(hospital):
    from carebridge.sandbox.wxpay.merchants import enroll

    return enroll(hospital, appid="wx_renai_0000001")


def staff(username, institution):
    user = User.objects.create_user(
        username, f"{username}@example.cn", "pw-12345678", is_staff=True
    )
    StaffMember.objects.create(user=user, institution=institution)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="billing"))
    return user


@pytest.fixture
def cashier(hospital):
    return staff("cashier", hospital)


@pytest.fixture
def xinhua_cashier(db):
    return staff("xh_cashier", Institution.objects.create(slug="xinhua", name="新华医院"))


@pytest.fixture
def mismatch(merchant, alice_self) -> Mismatch:
    order = paid_order(merchant, alice_self)
    return reconcile(merchant, DAY, []).mismatches.get(out_trade_no=order.out_trade_no)


def test_opening_an_order_is_audited_and_lists_mask_the_patient(
    client, cashier, merchant, alice_self
):
    order = paid_order(merchant, alice_self)
    client.force_login(cashier)
    listing = client.get(reverse("admin:billing_order_changelist")).content.decode()
    assert order.out_trade_no in listing and "王*红" in listing and "王小红" not in listing
    assert AccessLog.objects.count() == 0
    page = client.get(reverse("admin:billing_order_change", args=[order.pk]))
    assert page.status_code == 200 and "王*红" in page.content.decode()
    log = AccessLog.objects.get()
    assert (log.staff, log.patient) == (cashier, alice_self)


def test_staff_resolve_a_mismatch_once_with_a_recorded_action(client, cashier, mismatch):
    client.force_login(cashier)
    url = reverse("admin:billing_mismatch_change", args=[mismatch.pk])
    answer = client.post(url, {"resolution": Resolution.ACCEPTED, "note": "HIS 已补记"})
    assert answer.status_code == 302
    mismatch.refresh_from_db()
    assert (mismatch.resolved_by, mismatch.resolution, mismatch.note) == (
        cashier,
        Resolution.ACCEPTED,
        "HIS 已补记",
    )
    client.post(url, {"resolution": Resolution.OTHER, "note": "改口"})
    mismatch.refresh_from_db()
    assert mismatch.resolution == Resolution.ACCEPTED  # resolved is final
    assert Order.objects.get(out_trade_no=mismatch.out_trade_no).status == OrderStatus.PAID


def test_a_resolution_needs_a_note(client, cashier, mismatch):
    client.force_login(cashier)
    url = reverse("admin:billing_mismatch_change", args=[mismatch.pk])
    answer = client.post(url, {"resolution": Resolution.ACCEPTED, "note": ""})
    assert answer.status_code == 200 and answer.context["adminform"].form.errors["note"]
    answer = client.post(url, {"resolution": "made-up", "note": "x"})
    assert answer.status_code == 200 and answer.context["adminform"].form.errors["resolution"]
    mismatch.refresh_from_db()
    assert mismatch.resolved_at is None


def test_another_institutions_staff_see_no_order_run_or_mismatch(
    client, xinhua_cashier, merchant, alice_self, mismatch
):
    order = Order.objects.get(out_trade_no=mismatch.out_trade_no)
    client.force_login(xinhua_cashier)
    for name in ("order", "mismatch", "reconciliationrun", "paynotification", "refund"):
        listing = client.get(reverse(f"admin:billing_{name}_changelist"))
        assert listing.status_code == 200 and order.out_trade_no not in listing.content.decode()
    assert client.get(reverse("admin:billing_order_change", args=[order.pk])).status_code == 302
    url = reverse("admin:billing_mismatch_change", args=[mismatch.pk])
    assert client.post(url, {"resolution": Resolution.ACCEPTED, "note": "x"}).status_code == 302
    mismatch.refresh_from_db()
    assert mismatch.resolved_at is None and AccessLog.objects.count() == 0


def test_staff_refund_part_of_an_order_with_a_reason(client, cashier, merchant, alice_self):
    from carebridge.billing.models import Refund, RefundStatus

    order = paid_order(merchant, alice_self, total=5000)
    client.force_login(cashier)
    page = client.get(reverse("admin:billing_order_change", args=[order.pk])).content.decode()
    assert reverse("admin:billing_order_refund", args=[order.pk]) in page and "¥50.00" in page
    url = reverse("admin:billing_order_refund", args=[order.pk])
    assert client.post(url, {"amount": "20.00", "reason": "检查项目取消"}).status_code == 302
    refund = Refund.objects.get()
    assert (refund.amount, refund.status, refund.requested_by) == (
        2000,
        RefundStatus.PENDING,
        cashier,
    )
    assert refund.reason == "检查项目取消"


@pytest.mark.parametrize(
    "data, says",
    [
        ({"amount": "60.00", "reason": "多退"}, "超过可退余额"),
        ({"amount": "0", "reason": "零"}, "大于 0"),
        ({"amount": "1.234", "reason": "分以下"}, "两位小数"),
        ({"amount": "abc", "reason": "x"}, "金额"),
        ({"amount": "10", "reason": ""}, "必填"),
    ],
    ids=["over-remainder", "zero", "sub-fen", "not-a-number", "no-reason"],
)
def test_a_bad_refund_is_a_form_error_and_refunds_nothing(
    client, cashier, merchant, alice_self, data, says
):
    from carebridge.billing.models import Refund

    order = paid_order(merchant, alice_self, total=5000)
    client.force_login(cashier)
    answer = client.post(reverse("admin:billing_order_refund", args=[order.pk]), data)
    assert answer.status_code == 200 and says in answer.content.decode()
    assert not Refund.objects.exists()


def test_only_billing_staff_of_the_orders_institution_refund(
    client, xinhua_cashier, merchant, alice_self
):
    from carebridge.billing.models import Refund

    order = paid_order(merchant, alice_self, total=5000)
    url = reverse("admin:billing_order_refund", args=[order.pk])
    client.force_login(xinhua_cashier)
    assert client.post(url, {"amount": "10", "reason": "x"}).status_code == 404
    viewer = staff("viewer", merchant.institution)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_order"))
    client.force_login(viewer)
    assert client.post(url, {"amount": "10", "reason": "x"}).status_code == 403
    assert not Refund.objects.exists()
