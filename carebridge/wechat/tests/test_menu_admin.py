"""Editing the menu in the back office: sub-buttons inline, WeChat's limits as form errors, and
the action that pushes it."""

import pytest

from carebridge.sandbox.models import SandboxMenu
from carebridge.wechat.models import MenuButton

from .outgoing_helpers import app_id

ADD = "/admin/wechat/menubutton/add/"
CHANGELIST = "/admin/wechat/menubutton/"


def form(account, subs=(), **top):
    data = {
        "account": account.pk,
        "position": 0,
        "name": "就医服务",
        "type": "",
        "key": "",
        "url": "",
        "appid": "",
        "pagepath": "",
        "children-TOTAL_FORMS": len(subs),
        "children-INITIAL_FORMS": 0,
        "children-MIN_NUM_FORMS": 0,
        "children-MAX_NUM_FORMS": 5,
        **top,
    }
    for i, sub in enumerate(subs):
        for field in ("name", "type", "key", "url", "appid", "pagepath"):
            data[f"children-{i}-{field}"] = sub.get(field, "")
        data[f"children-{i}-position"] = i
    return data


def errors_of(response) -> str:
    assert response.status_code == 200, "the form was accepted"
    return response.content.decode()


@pytest.mark.django_db
def test_staff_add_a_top_button_with_its_sub_buttons(admin_client, account):
    subs = [
        {"name": "预约挂号", "type": "click", "key": "BOOK"},
        {"name": "查报告单", "type": "click", "key": "REPORTS"},
    ]
    response = admin_client.post(ADD, form(account, subs))
    assert response.status_code == 302
    top = MenuButton.objects.get(parent=None)
    children = list(top.children.order_by("position").values_list("name", "account_id"))
    assert children == [("预约挂号", account.pk), ("查报告单", account.pk)]


@pytest.mark.django_db
def test_a_name_too_long_is_a_form_error(admin_client, account):
    body = errors_of(
        admin_client.post(ADD, form(account, name="关于我们医院", type="click", key="A"))
    )
    assert "名称最多 16 个字节" in body
    assert not MenuButton.objects.exists()


@pytest.mark.django_db
def test_a_sub_button_missing_its_key_is_a_form_error(admin_client, account):
    body = errors_of(admin_client.post(ADD, form(account, [{"name": "预约挂号", "type": "click"}])))
    assert "子菜单「预约挂号」：此类型需要填写键（KEY）" in body
    assert not MenuButton.objects.exists()


@pytest.mark.django_db
def test_a_top_button_needs_a_type_or_sub_buttons(admin_client, account):
    body = errors_of(admin_client.post(ADD, form(account)))
    assert "请设置菜单类型，或添加 1～5 个子菜单" in body


@pytest.mark.django_db
def test_a_typed_top_button_cannot_have_sub_buttons(admin_client, account):
    subs = [{"name": "预约挂号", "type": "click", "key": "BOOK"}]
    body = errors_of(admin_client.post(ADD, form(account, subs, type="click", key="S")))
    assert "有子菜单的一级菜单不能再设置类型" in body


@pytest.mark.django_db
def test_a_fourth_top_button_is_refused(admin_client, account):
    for i in range(3):
        MenuButton.objects.create(account=account, name=f"菜单{i}", type="click", key=f"K{i}")
    body = errors_of(admin_client.post(ADD, form(account, type="click", key="K4")))
    assert "一级菜单最多 3 个，该公众号已有 3 个" in body
    assert MenuButton.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_push_action_sends_the_menu_to_wechat(admin_client, sandbox, account):
    button = MenuButton.objects.create(account=account, name="预约挂号", type="click", key="BOOK")
    response = admin_client.post(
        CHANGELIST, {"action": "push_menu", "_selected_action": [button.pk]}, follow=True
    )
    assert "菜单已发布（1 个一级菜单）" in response.content.decode()
    assert SandboxMenu.objects.get(app_id=app_id(account)).body["button"][0]["key"] == "BOOK"


@pytest.mark.django_db
def test_the_push_action_reports_every_problem(admin_client, account):
    button = MenuButton.objects.create(account=account, name="关于我们医院", type="view")
    response = admin_client.post(
        CHANGELIST, {"action": "push_menu", "_selected_action": [button.pk]}, follow=True
    )
    body = response.content.decode()
    assert "菜单未发布" in body and "名称最多 16 个字节" in body and "此类型需要填写网址" in body
