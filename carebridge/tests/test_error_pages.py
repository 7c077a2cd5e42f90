"""Error pages a patient can meet in WeChat: in the page's language, with a way back."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_a_missing_page_is_explained_in_chinese_by_default(client):
    response = client.get("/h5/renai/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and "不属于您的账号" in page and "返回" in page
    assert "Not Found" not in page


@pytest.mark.django_db
def test_a_missing_page_is_explained_in_english_when_asked():
    client = Client(headers={"accept-language": "en"})
    response = client.get("/h5/renai/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_server_error_page_renders_without_a_request():
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    assert "系统繁忙" in page and "try again later" in page


# --- With DEBUG off, as `carebridge demo` and `carebridge serve` run (issue 10) ----------------

DEBUG_PAGE = ("URLconf", "Traceback", "DEBUG = True", "Using the URLconf", "Request Method")


@pytest.fixture
def deployed(settings):
    settings.DEBUG = False
    return settings


@pytest.mark.django_db
def test_a_missing_patient_page_leads_back_to_the_accounts_home(deployed, alice_client):
    response = alice_client.get("/h5/renai/appointments/999999/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page and 'href="/h5/renai/"' in page and "返回首页" in page
    assert "仁爱医院" in page and "weui" in page
    assert not any(sign in page for sign in DEBUG_PAGE)


@pytest.mark.django_db
def test_a_missing_page_outside_an_account_has_no_home_link(deployed, client, account):
    for path in ("/h5/nowhere/reports/", "/no-such-page/"):
        page = client.get(path).content.decode()
        assert "页面不存在" in page and "返回首页" not in page
        assert not any(sign in page for sign in DEBUG_PAGE)


@pytest.mark.django_db
def test_the_missing_page_speaks_english_when_asked(deployed, account):
    client = Client(headers={"accept-language": "en"})
    page = client.get("/h5/renai/no-such-page/").content.decode()
    assert 'lang="en"' in page and "Page not found" in page and "Home page" in page


@pytest.mark.django_db
def test_a_refused_page_is_the_projects_403(deployed, client, account):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_user("visitor", password="x", is_staff=True))
    response = client.post("/admin/patients/patient/find/", {"number": "13812345678"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "无权访问" in page and "weui" in page
    assert not any(sign in page for sign in DEBUG_PAGE)


@pytest.mark.django_db
def test_a_form_sent_without_its_csrf_token_gets_a_page_a_patient_can_read(deployed, account):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "en"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "页面已过期" in page and "weui" in page
    assert "CSRF" not in page and not any(sign in page for sign in DEBUG_PAGE)


@pytest.mark.django_db
def test_a_bad_request_is_the_projects_400(deployed, client):
    deployed.ALLOWED_HOSTS = ["testserver"]
    response = client.get("/h5/renai/", HTTP_HOST="evil.example")
    page = response.content.decode()
    assert response.status_code == 400
    assert "请求有误" in page and not any(sign in page for sign in DEBUG_PAGE)


@pytest.mark.django_db
def test_a_server_error_shows_no_stack(deployed, account, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database said something private")

    monkeypatch.setattr("carebridge.institutions.views.render", broken)
    client = Client(raise_request_exception=False)
    response = client.get("/h5/renai/about/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "系统繁忙" in page and "try again later" in page
    assert "something private" not in page and not any(sign in page for sign in DEBUG_PAGE)


def test_only_development_shows_djangos_debug_pages(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}}
    env["CAREBRIDGE_VAR_DIR"] = str(tmp_path)
    shown = {}
    for mode in ("development", "demo"):
        read = subprocess.run(
            [sys.executable, "-c", "from carebridge import settings; print(settings.DEBUG)"],
            env={**env, "CAREBRIDGE_ENV": mode},
            capture_output=True,
            text=True,
            check=True,
        )
        shown[mode] = read.stdout.strip()
    assert shown == {"development": "True", "demo": "False"}
