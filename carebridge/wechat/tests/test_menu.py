"""The custom menu: each WeChat limit refused with a clear message before any call, the JSON
WeChat gets, the push, the day's quota, and the sync_menu command."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from carebridge.sandbox import wxapi
from carebridge.sandbox.models import SandboxMenu
from carebridge.wechat import limits
from carebridge.wechat.actions.menu import sync_menu
from carebridge.wechat.limits import LimitExceeded
from carebridge.wechat.menu import build_menu
from carebridge.wechat.models import ApiQuota, MenuButton

from .outgoing_helpers import app_id, run_manage


def top(account, name, position=0, **fields):
    return MenuButton.objects.create(account=account, name=name, position=position, **fields)


def sub(parent, name, position=0, **fields):
    return MenuButton.objects.create(
        account=parent.account, parent=parent, name=name, position=position, **fields
    )


def seed_menu(account):
    """Seed 001's three menus: 关于医院 / 就医服务 / 我的信息."""
    about = top(account, "关于医院", 0)
    sub(about, "科室介绍", 0, type="view", url="https://h.example.cn/h5/renai/departments/")
    sub(about, "来院导航", 1, type="view", url="https://h.example.cn/h5/renai/campuses/")
    services = top(account, "就医服务", 1)
    sub(services, "预约挂号", 0, type="click", key="BOOK")
    sub(services, "查报告单", 1, type="click", key="REPORTS")
    top(account, "我的信息", 2, type="view", url="https://h.example.cn/h5/renai/me/")


def problems(account) -> list[str]:
    with pytest.raises(LimitExceeded) as caught:
        build_menu(account)
    return caught.value.messages


@pytest.mark.django_db
def test_it_builds_wechats_json_in_the_staffs_order(account):
    seed_menu(account)
    assert build_menu(account) == {
        "button": [
            {
                "name": "关于医院",
                "sub_button": [
                    {
                        "type": "view",
                        "name": "科室介绍",
                        "url": "https://h.example.cn/h5/renai/departments/",
                    },
                    {
                        "type": "view",
                        "name": "来院导航",
                        "url": "https://h.example.cn/h5/renai/campuses/",
                    },
                ],
            },
            {
                "name": "就医服务",
                "sub_button": [
                    {"type": "click", "name": "预约挂号", "key": "BOOK"},
                    {"type": "click", "name": "查报告单", "key": "REPORTS"},
                ],
            },
            {"type": "view", "name": "我的信息", "url": "https://h.example.cn/h5/renai/me/"},
        ]
    }


@pytest.mark.django_db
def test_it_refuses_an_empty_menu(account):
    assert problems(account) == ["菜单至少需要 1 个一级菜单"]


@pytest.mark.django_db
def test_it_refuses_a_fourth_top_button(account):
    for i in range(4):
        top(account, f"菜单{i}", i, type="click", key=f"K{i}")
    assert problems(account) == ["一级菜单最多 3 个，现在有 4 个"]


@pytest.mark.django_db
def test_it_refuses_a_sixth_sub_button(account):
    parent = top(account, "就医服务")
    for i in range(6):
        sub(parent, f"服务{i}", i, type="click", key=f"K{i}")
    assert problems(account) == ["一级菜单「就医服务」：子菜单最多 5 个，现在有 6 个"]


@pytest.mark.django_db
def test_it_refuses_a_top_name_over_16_bytes(account):
    top(account, "关于我们医院", type="click", key="ABOUT")  # 6 characters, 18 bytes
    [message] = problems(account)
    assert "名称最多 16 个字节" in message and "18 个字节" in message


@pytest.mark.django_db
def test_it_accepts_a_sub_name_of_60_bytes_and_refuses_61(account):
    parent = top(account, "服务")
    sub(parent, "预" * 20, type="click", key="A")  # 60 bytes
    assert build_menu(account)
    sub(parent, "预" * 20 + "x", 1, type="click", key="B")  # 61 bytes
    [message] = problems(account)
    assert message.startswith("子菜单「") and "最多 60 个字节" in message


@pytest.mark.django_db
def test_it_refuses_a_key_over_128_bytes(account):
    # Multi-byte, so that the byte limit bites while the column's character limit holds.
    top(account, "挂号", type="click", key="挂" * 43)
    assert problems(account) == ["一级菜单「挂号」：键（KEY）最多 128 个字节"]


@pytest.mark.django_db
def test_it_refuses_a_url_over_1024_bytes(account):
    top(account, "官网", type="view", url="https://h.example.cn/" + "页" * 335)
    assert problems(account) == ["一级菜单「官网」：网址最多 1024 个字节"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields, message",
    [
        ({"type": "click"}, "一级菜单「挂号」：此类型需要填写键（KEY）"),
        ({"type": "view"}, "一级菜单「挂号」：此类型需要填写网址"),
        (
            {"type": "view", "url": "javascript:alert(1)"},
            "一级菜单「挂号」：网址须以 http:// 或 https:// 开头",
        ),
        (
            {"type": "miniprogram", "url": "https://h.example.cn/"},
            "一级菜单「挂号」：小程序菜单需要填写小程序 AppID 和页面路径",
        ),
        ({"type": ""}, "一级菜单「挂号」：请设置菜单类型，或添加 1～5 个子菜单"),
    ],
)
def test_each_type_needs_its_fields(account, fields, message):
    top(account, "挂号", **fields)
    assert problems(account) == [message]


@pytest.mark.django_db
def test_it_refuses_a_third_level_and_a_typed_parent(account):
    parent = top(account, "服务", type="click", key="SERVICES")
    sub(parent, "更多", type="")
    assert problems(account) == [
        "一级菜单「服务」：有子菜单的一级菜单不能再设置类型",
        "子菜单「更多」：请设置菜单类型（菜单最多两级）",
    ]


@pytest.mark.django_db
def test_it_refuses_an_empty_name(account):
    top(account, "", type="click", key="K")
    assert problems(account) == ["一级菜单：名称不能为空"]


@pytest.mark.django_db(transaction=True)
def test_sync_menu_pushes_it_to_wechat(sandbox, account):
    seed_menu(account)
    pushed = sync_menu(account)
    stored = SandboxMenu.objects.get(app_id=app_id(account)).body
    assert stored == pushed
    assert limits.remaining(account, "menu_create") == 999


@pytest.mark.django_db(transaction=True)
def test_sync_menu_sends_nothing_once_the_days_creates_are_used(sandbox, account):
    seed_menu(account)
    ApiQuota.objects.create(
        account=account,
        name="menu_create",
        period=limits.QUOTAS["menu_create"].period_key(),
        used=1000,
    )
    with pytest.raises(LimitExceeded) as caught:
        sync_menu(account)
    assert "每天 1000 次" in caught.value.messages[0]
    assert not SandboxMenu.objects.exists()
    assert wxapi.count(app_id(account), "menu_create") == 0


@pytest.mark.django_db
def test_an_invalid_menu_sends_nothing_and_spends_no_quota(account, settings):
    settings.WECHAT_API_BASE = "http://127.0.0.1:9/unreachable"  # any call would fail loudly
    top(account, "关于我们医院", type="click", key="ABOUT")
    with pytest.raises(LimitExceeded):
        sync_menu(account)
    assert not ApiQuota.objects.exists()


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_account(account):
    with pytest.raises(CommandError, match="没有标识为 nowhere 的公众号"):
        call_command("sync_menu", "--account", "nowhere")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_command_exits_non_zero_and_lists_every_problem(account):
    top(account, "关于我们医院", type="click", key="ABOUT")
    top(account, "官网", 1, type="view")
    result = run_manage("sync_menu", "--account", account.slug)
    assert result.returncode == 1
    assert "renai：菜单未发布，请先修改：" in result.stderr
    assert "名称最多 16 个字节" in result.stderr
    assert "一级菜单「官网」：此类型需要填写网址" in result.stderr
    assert result.stdout == ""


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_command_pushes_every_account_and_exits_zero(sandbox, account):
    seed_menu(account)
    result = run_manage("sync_menu")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "renai：菜单已发布（3 个一级菜单）"
    assert SandboxMenu.objects.get(app_id=app_id(account)).body == build_menu(account)
