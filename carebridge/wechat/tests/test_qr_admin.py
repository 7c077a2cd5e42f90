"""QR scenes in the back office: created at WeChat from the add form, limits as form errors,
statistics and the image on the page."""

import pytest

from carebridge.wechat.models import QrScene

ADD = "/admin/wechat/qrscene/add/"


def form(account, **fields):
    return {
        "account": account.pk,
        "label": "门诊大厅海报",
        "scene_id": "",
        "scene_str": "lobby",
        "expire_seconds": "",
        **fields,
    }


@pytest.mark.django_db(transaction=True)
def test_staff_create_a_code_and_see_its_image_and_counts(admin_client, sandbox, account):
    response = admin_client.post(ADD, form(account))
    assert response.status_code == 302
    scene = QrScene.objects.get()
    assert scene.ticket and scene.expire_seconds == 2_592_000
    QrScene.objects.filter(pk=scene.pk).update(subscribe_count=7, scan_count=3)

    page = admin_client.get(f"/admin/wechat/qrscene/{scene.pk}/change/").content.decode()
    assert 'src="data:image/png;base64,' in page and "showqrcode?ticket=" in page
    listing = admin_client.get("/admin/wechat/qrscene/").content.decode()
    assert "门诊大厅海报" in listing and ">7<" in listing and ">3<" in listing


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields, message",
    [
        ({"scene_id": "5"}, "请填写场景值ID或场景值字符串（二选一）"),
        (
            {"scene_str": "", "permanent": "on", "scene_id": "100001"},
            "场景值ID须在 1 到 100000 之间",
        ),
        ({"expire_seconds": "2592001"}, "临时二维码有效期须在 1 到 2592000 秒（30 天）之间"),
    ],
)
def test_a_scene_outside_the_limits_is_a_form_error(
    admin_client, account, settings, fields, message
):
    settings.WECHAT_API_BASE = "http://127.0.0.1:9/unreachable"  # nothing may reach WeChat
    response = admin_client.post(ADD, form(account, **fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not QrScene.objects.exists()


@pytest.mark.django_db
def test_wechat_unreachable_is_a_form_error_and_creates_nothing(admin_client, account, settings):
    settings.WECHAT_API_BASE = "http://127.0.0.1:9/unreachable"
    response = admin_client.post(ADD, form(account))
    assert response.status_code == 200
    assert "无法连接微信服务器" in response.content.decode()
    assert not QrScene.objects.exists()


@pytest.mark.django_db
def test_only_the_label_changes_after_creation(admin_client, account):
    scene = QrScene.objects.create(account=account, label="旧", scene_str="lobby", ticket="T")
    response = admin_client.post(
        f"/admin/wechat/qrscene/{scene.pk}/change/", {"label": "新", "scene_str": "hijack"}
    )
    assert response.status_code == 302
    scene.refresh_from_db()
    assert (scene.label, scene.scene_str) == ("新", "lobby")
