"""Parametric QR codes: WeChat's limits before the call, creation at the sandbox, the image, the
quotas, and scene statistics from follows and scans."""

from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from carebridge.sandbox.models import SandboxQrTicket
from carebridge.wechat import limits
from carebridge.wechat.actions.qr import create_qr_scene, record_scene_event
from carebridge.wechat.limits import LimitExceeded
from carebridge.wechat.models import ApiQuota, QrScene
from carebridge.wechat.qr import image_url, scene_errors

from .outgoing_helpers import app_id


@pytest.mark.parametrize(
    "permanent, scene_id, scene_str, expire, message",
    [
        (False, 7, "desk", 600, "请填写场景值ID或场景值字符串（二选一）"),
        (False, None, "", 600, "请填写场景值ID或场景值字符串（二选一）"),
        (True, 100_001, "", None, "场景值ID须在 1 到 100000 之间"),
        (True, 0, "", None, "场景值ID须在 1 到 100000 之间"),
        (False, 2**32, "", 600, "场景值ID须在 1 到 4294967295 之间"),
        (False, None, "x" * 65, 600, "场景值字符串最多 64 个字符"),
        (False, 7, "", 2_592_001, "临时二维码有效期须在 1 到 2592000 秒（30 天）之间"),
        (False, 7, "", 0, "临时二维码有效期须在 1 到 2592000 秒（30 天）之间"),
        (True, 7, "", 600, "永久二维码没有有效期"),
    ],
)
def test_it_refuses_a_scene_outside_wechats_limits(permanent, scene_id, scene_str, expire, message):
    assert scene_errors(permanent, scene_id, scene_str, expire) == [message]


def test_the_limits_themselves_are_allowed():
    assert scene_errors(True, 100_000, "", None) == []
    assert scene_errors(True, None, "x" * 64, None) == []
    assert scene_errors(False, 2**32 - 1, "", 2_592_000) == []


@pytest.mark.django_db(transaction=True)
def test_it_creates_a_temporary_code_with_a_real_image(sandbox, account):
    scene = create_qr_scene(account, "门诊大厅海报", scene_str="lobby", expire_seconds=3600)
    assert scene.ticket and scene.url.startswith("http://weixin.qq.com/q/")
    assert scene.expire_seconds == 3600
    assert abs((scene.expires_at - timezone.now()) - timedelta(hours=1)) < timedelta(minutes=1)
    assert SandboxQrTicket.objects.get(ticket=scene.ticket).scene == "lobby"

    image = httpx.get(image_url(scene.ticket))
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.django_db(transaction=True)
def test_a_temporary_code_lives_30_days_unless_told(sandbox, account):
    scene = create_qr_scene(account, "随访卡", scene_id=42)
    assert scene.expire_seconds == 2_592_000


@pytest.mark.django_db(transaction=True)
def test_a_permanent_scene_is_created_once(sandbox, account):
    scene = create_qr_scene(account, "住院部", permanent=True, scene_id=8)
    assert scene.expires_at is None and scene.expire_seconds is None
    with pytest.raises(LimitExceeded, match="该永久二维码场景值已存在"):
        create_qr_scene(account, "住院部（重复）", permanent=True, scene_id=8)
    assert QrScene.objects.count() == 1
    assert limits.remaining(account, "qr_permanent") == 99_999


@pytest.mark.django_db
def test_the_100000th_permanent_code_is_the_last(account, settings):
    settings.WECHAT_API_BASE = "http://127.0.0.1:9/unreachable"  # no call may be made
    period = limits.QUOTAS["qr_permanent"].period_key()
    ApiQuota.objects.create(account=account, name="qr_permanent", period=period, used=100_000)
    with pytest.raises(LimitExceeded, match="永久二维码已达上限"):
        create_qr_scene(account, "第十万零一个", permanent=True, scene_id=9)
    assert limits.remaining(account, "qr_create") == 100_000  # nothing was spent
    assert not QrScene.objects.exists()


@pytest.mark.django_db
def test_no_code_is_created_once_the_days_quota_is_used(account, settings):
    settings.WECHAT_API_BASE = "http://127.0.0.1:9/unreachable"
    period = limits.QUOTAS["qr_create"].period_key()
    ApiQuota.objects.create(account=account, name="qr_create", period=period, used=100_000)
    with pytest.raises(LimitExceeded, match="每天 10 万次"):
        create_qr_scene(account, "海报", scene_id=1)


@pytest.mark.django_db
def test_an_invalid_scene_changes_nothing(account):
    with pytest.raises(LimitExceeded):
        create_qr_scene(account, "海报", scene_id=0)
    assert not ApiQuota.objects.exists() and not QrScene.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_wechats_refusal_gives_the_permanent_quota_back(sandbox, account):
    from carebridge.sandbox import wxapi

    wxapi.inject_error(app_id(account), 40053, path="qrcode/create")
    with pytest.raises(Exception, match="40053"):
        create_qr_scene(account, "住院部", permanent=True, scene_id=8)
    assert limits.remaining(account, "qr_permanent") == 100_000


@pytest.mark.django_db
def test_follows_and_scans_are_counted_on_their_scene(account):
    lobby = QrScene.objects.create(account=account, label="门诊大厅", scene_str="lobby")
    ward = QrScene.objects.create(account=account, label="住院部", scene_id=8, permanent=True)
    record_scene_event(account, "lobby", "subscribe")
    record_scene_event(account, "lobby", "scan")
    record_scene_event(account, "lobby", "SCAN")
    record_scene_event(account, "8", "subscribe")
    lobby.refresh_from_db()
    ward.refresh_from_db()
    assert (lobby.subscribe_count, lobby.scan_count) == (1, 2)
    assert (ward.subscribe_count, ward.scan_count) == (1, 0)


@pytest.mark.django_db
def test_the_newest_live_code_of_a_scene_gets_the_count(account):
    past = timezone.now() - timedelta(days=1)
    old = QrScene.objects.create(account=account, label="旧", scene_id=5, expires_at=past)
    new = QrScene.objects.create(
        account=account, label="新", scene_id=5, expires_at=timezone.now() + timedelta(days=1)
    )
    assert record_scene_event(account, "5", "scan") == new
    old.refresh_from_db()
    assert old.scan_count == 0


@pytest.mark.django_db
def test_an_unknown_scene_or_event_counts_nothing(account):
    scene = QrScene.objects.create(account=account, label="门诊大厅", scene_str="lobby")
    assert record_scene_event(account, "elsewhere", "subscribe") is None
    assert record_scene_event(account, "lobby", "click") is None
    scene.refresh_from_db()
    assert (scene.subscribe_count, scene.scan_count) == (0, 0)
