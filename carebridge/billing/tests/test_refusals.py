"""Another account's orders do not exist for the reader: 404 on every page and endpoint, for
another user of the same account and for a user of another institution's account; no page
before sign-in."""

import pytest
from django.test import Client

from carebridge.billing.models import OrderStatus
from conftest import ALICE_OPENID, wechat_session

from .helpers import order, refund

pytestmark = pytest.mark.django_db


@pytest.fixture
def alices_orders(alice_self):
    pending = order(alice_self, description="王小红的挂号费")
    paid = order(alice_self, status=OrderStatus.PAID, description="王小红的门诊缴费")
    refund(paid, amount=300)
    return pending, paid


def _paths(slug, o):
    base = f"/h5/{slug}/orders/{o.out_trade_no}"
    return [f"{base}/", f"{base}/pay/", f"{base}/status"]


def test_bob_gets_a_404_for_every_page_of_alices_orders(bob_client, bob, alices_orders):
    for o in alices_orders:
        for path in _paths("renai", o):
            assert bob_client.get(path).status_code == 404, path


def test_bobs_lists_do_not_show_alices_orders(bob_client, bob, alices_orders):
    for path in ("/h5/renai/me/", "/h5/renai/orders/", "/h5/renai/orders/?status=refund"):
        html = bob_client.get(path).content.decode()
        assert "王小红" not in html and alices_orders[0].out_trade_no not in html, path


def test_another_institutions_account_does_not_find_alices_orders(xinhua, alices_orders):
    at_xinhua = wechat_session(Client(), xinhua, ALICE_OPENID)
    for o in alices_orders:
        for path in _paths("xinhua", o):
            assert at_xinhua.get(path).status_code == 404, path
    html = at_xinhua.get("/h5/xinhua/orders/").content.decode()
    assert "王小红" not in html


def test_a_sign_in_at_another_account_is_no_sign_in_here(xinhua, alices_orders):
    at_xinhua = wechat_session(Client(), xinhua, ALICE_OPENID)
    for path in _paths("renai", alices_orders[0]) + ["/h5/renai/me/"]:
        response = at_xinhua.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/wechat/renai/oauth/start?"), path


def test_an_unknown_order_number_is_a_404(alice_client, alice_self):
    for path in _paths("renai", type("O", (), {"out_trade_no": "CB20261203FFFFFFFFFFFFFFFF"})):
        assert alice_client.get(path).status_code == 404, path
    assert alice_client.get("/h5/renai/orders/%3Cscript%3E/").status_code == 404


def test_an_unknown_account_is_a_404(alice_client, alices_orders):
    for path in _paths("nowhere", alices_orders[0]) + ["/h5/nowhere/me/"]:
        assert alice_client.get(path).status_code == 404, path


def test_the_pay_page_and_status_take_no_post(alice_client, alices_orders):
    for path in _paths("renai", alices_orders[0])[1:]:
        response = alice_client.post(path)
        assert response.status_code == 405, path
    assert alices_orders[0].__class__.objects.get(pk=alices_orders[0].pk).prepay_id == ""
