"""The elder mode (长辈版) of the H5 pages (issue 12): switched on the home page, in 个人中心 or by
the offer of a first visit, remembered per WeChat user, and the shell every page shares (zoom
allowed, the language tag, WeUI's care mode)."""

import pytest
from django.urls import reverse

from carebridge.wechat.models import Follower

pytestmark = pytest.mark.django_db

ELDER = "/h5/renai/elder/"
CARE = 'data-weui-mode="care"'
OFFER = "试试长辈版"


def choose(client, mode, next_url="/h5/renai/booking/"):
    return client.post(ELDER, {"mode": mode, "next": next_url})


def test_anonymous_readers_get_a_link_that_signs_in_and_asks(client, catalogue):
    home = client.get("/h5/renai/").content.decode()
    assert CARE not in home and OFFER not in home  # no user to remember a choice for
    assert f'href="{ELDER}?next=%2Fh5%2Frenai%2F"' in home
    response = client.get(ELDER, {"next": "/h5/renai/"})
    assert response.status_code == 302
    assert response["Location"].startswith("/wechat/renai/oauth/start?")


def test_a_user_switches_to_elder_mode_and_every_page_remembers(alice_client, alice, catalogue):
    response = choose(alice_client, "elder")
    assert response.status_code == 302 and response["Location"] == "/h5/renai/booking/"
    alice.refresh_from_db()
    assert alice.elder_mode is True and alice.elder_mode_offered_at is not None
    for url in ("/h5/renai/booking/", "/h5/renai/", "/h5/renai/departments/", "/h5/renai/me/"):
        page = alice_client.get(url).content.decode()
        assert f'<body ontouchstart {CARE} class="h5-elder">' in page, url
        assert OFFER not in page
    home = alice_client.get("/h5/renai/").content.decode()
    assert "已切换到长辈版" in home or "h5-services" in home
    assert 'aria-label="常用服务"' in home  # the services used most, first
    assert "切换到标准版" in home


def test_switching_back_to_standard_pages(alice_client, alice, catalogue):
    choose(alice_client, "elder")
    choose(alice_client, "standard", "/h5/renai/me/")
    alice.refresh_from_db()
    assert alice.elder_mode is False
    page = alice_client.get("/h5/renai/me/").content.decode()
    assert CARE not in page and "长辈版：大字、大按钮" in page


def test_the_choice_is_one_users_own(alice_client, bob_client, alice, bob, catalogue):
    choose(alice_client, "elder")
    assert CARE not in bob_client.get("/h5/renai/booking/").content.decode()
    assert Follower.objects.get(pk=bob.pk).elder_mode is False


def test_it_is_offered_once_on_the_first_visit(alice_client, alice, catalogue):
    first = alice_client.get("/h5/renai/booking/").content.decode()
    assert OFFER in first
    assert 'name="mode" value="elder"' in first and 'name="mode" value="standard"' in first
    alice.refresh_from_db()
    assert alice.elder_mode_offered_at is not None and alice.elder_mode is False
    assert OFFER not in alice_client.get("/h5/renai/booking/").content.decode()
    assert OFFER not in alice_client.get("/h5/renai/").content.decode()


def test_the_wechat_sign_in_pages_follow_the_choice_and_never_offer(alice_client, alice, catalogue):
    refused = "/wechat/renai/oauth/callback?state=stale"  # a sign-in link that has expired
    page = alice_client.get(refused).content.decode()
    assert CARE not in page and OFFER not in page
    alice.refresh_from_db()
    assert alice.elder_mode_offered_at is None  # offered on the first H5 page, not here
    choose(alice_client, "elder")
    page = alice_client.get(refused).content.decode()
    assert f'<body ontouchstart {CARE} class="h5-elder">' in page


def test_the_choice_page_explains_and_is_not_offered_again_there(alice_client, catalogue):
    page = alice_client.get(ELDER, {"next": "/h5/renai/booking/"}).content.decode()
    assert OFFER not in page
    assert "字更大，按钮更大" in page and "没有限时内容" in page
    assert 'value="/h5/renai/booking/"' in page and 'href="/h5/renai/booking/"' in page


@pytest.mark.parametrize("mode", [None, "", "huge"])
def test_a_missing_or_unknown_mode_is_refused_in_words_and_changes_nothing(
    alice_client, alice, catalogue, mode
):
    data = {"next": "/h5/renai/"} | ({} if mode is None else {"mode": mode})
    response = alice_client.post(ELDER, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "请选择长辈版或标准版。" in page
    assert 'id="mode-errors" role="alert"' in page and 'aria-describedby="mode-errors"' in page
    assert Follower.objects.get(pk=alice.pk).elder_mode is False


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example.com/h5/renai/", "//evil.example.com/", "/h5/other/", "", "/" * 5000],
)
def test_it_never_sends_the_user_off_the_accounts_pages(alice_client, catalogue, next_url):
    response = choose(alice_client, "elder", next_url)
    assert response.status_code == 302 and response["Location"] == "/h5/renai/"


def test_only_get_and_post(alice_client, catalogue):
    assert alice_client.put(ELDER).status_code == 405


def test_it_speaks_english(alice_client, catalogue, settings):
    alice_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = alice_client.get(ELDER).content.decode()
    assert '<html lang="en">' in page
    assert "Elder mode" in page and "长辈版" not in page


def test_the_shell_lets_the_reader_zoom_and_names_its_language(client, catalogue):
    page = client.get(reverse("institutions:home", args=["renai"])).content.decode()
    assert '<html lang="zh-Hans">' in page
    assert "user-scalable=no" not in page and "maximum-scale" not in page
    assert '<main id="main"' in page and '<footer class="weui-footer h5-footer">' in page
    assert 'class="h5-skip" href="#main"' in page
