"""The demo hospital (load_demo) and `carebridge demo` (run_demo)."""

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from carebridge.institutions.demo.load import load_demo
from carebridge.institutions.models import Campus, Department, Doctor, Institution, WeChatAccount
from carebridge.sandbox.models import SandboxMenu, SandboxMessage
from carebridge.sandbox.phone import actions
from carebridge.sandbox.phone.identity import app_id_of
from carebridge.tests.ports import free_port
from carebridge.wechat.models import AutoReply, MenuButton, QrScene
from carebridge.wechat.tests.outgoing_helpers import wait_until

pytestmark = pytest.mark.django_db

SEED_001 = {
    "关于医院": ["科室介绍", "来院导航", "医院动态", "医院介绍"],
    "就医服务": ["预约挂号", "查报告单", "候诊排队"],
    "我的信息": ["就诊人管理", "我的服务单", "满意度调查", "个人中心"],
}


def snapshot_counts() -> dict:
    models = [
        Institution,
        Campus,
        Department,
        Doctor,
        WeChatAccount,
        MenuButton,
        AutoReply,
        QrScene,
    ]
    counts = {m.__name__: m.objects.count() for m in models}
    counts["doctor departments"] = Doctor.departments.through.objects.count()
    counts["users"] = get_user_model().objects.count()
    return counts


def test_loading_twice_creates_nothing_the_second_time(settings):
    first = load_demo()
    counts = snapshot_counts()
    second = load_demo()
    assert snapshot_counts() == counts
    assert first.created and first.admin_created
    assert second.created == [] and not second.admin_created
    assert counts["Campus"] == 2 and counts["Department"] >= 6 and counts["Doctor"] >= 10


def test_the_demo_hospital_is_complete():
    loaded = load_demo()
    institution = loaded.institution
    assert institution.region_type == "suburban" and "医院" in institution.name
    for campus in institution.campuses.all():
        assert campus.address and campus.phone and campus.opening_hours
        assert campus.transport and campus.nearby and campus.address_en
        assert 30 < campus.latitude < 32 and 120 < campus.longitude < 121
    for department in institution.departments.all():
        assert department.introduction and department.location and department.name_en
    for doctor in institution.doctors.all():
        assert doctor.title and doctor.specialty and doctor.introduction
        assert doctor.departments.exists()
    assert loaded.account.slug == "demo" and loaded.account.is_service and loaded.account.verified


def test_the_menu_follows_seed_001(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    account = load_demo().account
    tops = MenuButton.objects.filter(account=account, parent=None).order_by("position")
    assert [t.name for t in tops] == list(SEED_001)
    for top in tops:
        names = [b.name for b in top.children.order_by("position")]
        assert all(name in names for name in SEED_001[top.name]), names
    views = MenuButton.objects.filter(account=account, type="view")
    assert views.count() >= 10
    assert all(b.url.startswith("http://127.0.0.1:8000/h5/demo/") for b in views)
    paths = {b.url.split("/h5/demo/")[1].split("?")[0] for b in views}
    assert {
        "departments/",
        "navigation/",
        "booking/",
        "reports/",
        "queue/",
        "patients/",
        "me/",
    } <= paths
    keys = set(
        MenuButton.objects.filter(account=account, type="click").values_list("key", flat=True)
    )
    rules = set(
        AutoReply.objects.filter(account=account, trigger="click").values_list("pattern", flat=True)
    )
    assert keys and keys <= rules  # every CLICK key has a reply


def test_the_reply_rules_and_qr_scenes():
    account = load_demo().account
    rules = Counter(AutoReply.objects.filter(account=account).values_list("trigger", flat=True))
    assert rules["subscribe"] >= 2 and rules["default"] == 1 and rules["keyword"] >= 3
    keywords = set(
        AutoReply.objects.filter(account=account, trigger="keyword").values_list(
            "pattern", flat=True
        )
    )
    assert {"挂号", "地址", "电话"} <= keywords
    scenes = set(QrScene.objects.filter(account=account).values_list("scene_str", flat=True))
    welcomes = set(
        AutoReply.objects.filter(account=account, trigger="subscribe").values_list(
            "pattern", flat=True
        )
    )
    assert len(scenes) >= 2 and scenes <= welcomes  # a welcome per scene


def test_staff_edits_survive_a_reload():
    account = load_demo().account
    button = MenuButton.objects.get(account=account, name="科室介绍")
    button.name = "科室专家"
    button.save(update_fields=["name"])
    rule = AutoReply.objects.get(account=account, trigger="default")
    rule.text = "我们的新默认回复"
    rule.save(update_fields=["text"])
    Doctor.objects.filter(name="王建国").update(title="主任医师、教授")
    load_demo()
    assert MenuButton.objects.filter(account=account, name="科室专家").exists()
    assert not MenuButton.objects.filter(account=account, name="科室介绍").exists()
    assert AutoReply.objects.get(account=account, trigger="default").text == "我们的新默认回复"
    assert Doctor.objects.get(name="王建国").title == "主任医师、教授"


def test_demo_links_follow_the_site_url():
    load_demo("http://127.0.0.1:8000")
    load_demo("http://127.0.0.1:9000")
    urls = MenuButton.objects.filter(type="view").values_list("url", flat=True)
    assert all(u.startswith("http://127.0.0.1:9000/h5/demo/") for u in urls)
    welcome = AutoReply.objects.get(trigger="subscribe", pattern="").text
    assert "127.0.0.1:9000/h5/demo/booking/" in welcome


def test_the_admin_can_log_in(client, monkeypatch):
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "a-long-demo-password")
    load_demo()
    assert client.login(username="admin", password="a-long-demo-password")
    assert client.get("/admin/").status_code == 200
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "another-one")
    load_demo()  # an existing admin keeps the password it has
    assert client.login(username="admin", password="a-long-demo-password")


def test_the_demo_menu_passes_wechats_limits_and_reaches_the_sandbox(sandbox):
    from carebridge.wechat.actions.menu import sync_menu

    account = load_demo().account
    sync_menu(account)
    pushed = SandboxMenu.objects.get(app_id=app_id_of(account)).body["button"]
    assert [b["name"] for b in pushed] == list(SEED_001)


def test_a_follower_gets_the_welcome_and_menu_replies_through_the_callback(sandbox):
    account = load_demo().account
    user = actions.create_user(account, "小林")
    actions.follow(account, user, scene="lobby")
    actions.tap_menu(account, user, {"type": "click", "key": "CONTACT_US"})
    actions.send(account, user, {"MsgType": "text", "Content": "请问怎么挂号"})
    replies = SandboxMessage.objects.filter(openid=user.openid, kind="reply").order_by("id")
    contents = [r.body.get("Content", "") for r in replies]
    assert "门诊大厅" in contents[0]
    assert "0512-66553120" in contents[1]
    assert "预约挂号" in contents[2]


def test_run_demo_refuses_to_run_without_the_sandbox(settings):
    settings.SANDBOX_ENABLED = False
    with pytest.raises(CommandError, match="sandbox"):
        call_command("run_demo")
    assert not Institution.objects.exists()


def test_run_demo_refuses_a_port_in_use(monkeypatch):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        monkeypatch.setenv("CAREBRIDGE_WEB_PORT", str(busy.getsockname()[1]))
        with pytest.raises(CommandError, match="in use"):
            call_command("run_demo")
    assert not Institution.objects.exists()


# --- `carebridge demo` as a newcomer runs it --------------------------------------------------


def children_of(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def is_gone(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status  # exited, waiting to be reaped


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads children from /proc")
def test_carebridge_demo_starts_everything_and_ctrl_c_stops_it(tmp_path):
    web_port, sandbox_port = free_port(), free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "SITE_URL",
            "WECHAT_API_BASE",
            "WECHAT_OPEN_BASE",
            "CAREBRIDGE_TEST_DB",
            "CAREBRIDGE_ENV",
            "DJANGO_SETTINGS_MODULE",
        }
    }
    env.update(
        CAREBRIDGE_VAR_DIR=str(tmp_path),
        CAREBRIDGE_WEB_PORT=str(web_port),
        CAREBRIDGE_SANDBOX_PORT=str(sandbox_port),
        DEMO_ADMIN_PASSWORD="demo-pass-123",
        PYTHONUNBUFFERED="1",
    )
    command = [sys.executable, "-c", "from carebridge.cli import main; main()", "demo"]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(
        target=lambda: [lines.put(line) for line in process.stdout], daemon=True
    ).start()
    output: list[str] = []
    kids: list[int] = []
    try:

        def banner_printed():
            while not lines.empty():
                output.append(lines.get())
            assert process.poll() is None, "".join(output)
            return any("Press Ctrl-C" in line for line in output)

        wait_until(banner_printed, 180, "the demo's banner")
        text = "".join(output)
        site = f"http://127.0.0.1:{web_port}"
        assert f"{site}/sandbox/" in text
        assert f"{site}/admin/" in text and "user admin, password demo-pass-123" in text
        assert f"{site}/api/docs" in text and f"{site}/wechat/demo/" in text
        assert f"http://127.0.0.1:{sandbox_port}/sandbox/wx/" in text
        assert "Menu of account 'demo' pushed" in text
        printed = {int(pid) for pid in re.findall(r"pid (\d+)", text)}
        kids = children_of(process.pid)
        assert len(kids) == 3 and set(kids) == printed

        with httpx.Client(base_url=site, timeout=10) as browser:
            assert wait_until(
                lambda: browser.get("/sandbox/").status_code == 200, 30, "the simulator"
            )
            token = browser.cookies["csrftoken"]
            made = browser.post(
                "/sandbox/phone/users",
                data={"account": "demo", "nickname": "小林", "csrfmiddlewaretoken": token},
            )
            assert made.status_code == 302
            openid = re.search(r'"openid": "([^"]+)"', browser.get("/sandbox/").text).group(1)
            headers = {"X-CSRFToken": token}
            followed = browser.post(
                "/sandbox/phone/follow", data={"account": "demo", "openid": openid}, headers=headers
            )
            assert followed.status_code == 200, followed.text
            arrived = browser.get(
                "/sandbox/phone/messages", params={"account": "demo", "openid": openid}
            ).json()
            assert any("感谢关注" in m.get("text", "") for m in arrived["messages"])
            assert arrived["menu"][0]["name"] == "关于医院"

            # As a deployment runs: DEBUG off, the project's error pages, static files served.
            missing = browser.get("/h5/demo/no-such-page/")
            assert missing.status_code == 404 and "页面不存在" in missing.text
            assert "URLconf" not in missing.text and 'href="/h5/demo/"' in missing.text
            for asset in re.findall(r'href="(/static/[^"]+)"', missing.text):
                assert browser.get(asset).status_code == 200, asset
            assert browser.get("/static/ninja/swagger-ui-bundle.js").status_code == 200

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
        for pid in kids:
            wait_until(lambda pid=pid: is_gone(pid), 30, f"child {pid} to exit")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for pid in kids:
            if not is_gone(pid):
                os.kill(pid, signal.SIGKILL)


def test_the_demos_booking_messages_use_templates_the_phone_knows(settings):
    from carebridge.booking.models import BookingPolicy
    from carebridge.sandbox.models import SandboxTemplate

    loaded = load_demo("http://127.0.0.1:8000")
    policy = BookingPolicy.objects.get(institution=loaded.institution)
    library = dict(
        SandboxTemplate.objects.filter(app_id=app_id_of(loaded.account)).values_list(
            "template_id", "title"
        )
    )
    assert library[policy.tpl_booking_confirmed] == "预约挂号成功通知"
    assert all(
        getattr(policy, f) in library
        for f in ("tpl_visit_reminder", "tpl_suspension", "tpl_turn_near", "tpl_doctor_notice")
    )

    policy.tpl_booking_confirmed = "chosen-by-staff"
    policy.save()
    load_demo("http://127.0.0.1:8000")
    policy.refresh_from_db()
    assert policy.tpl_booking_confirmed == "chosen-by-staff"
    assert SandboxTemplate.objects.count() == len(library)
