"""The demo's published password opens nothing in production: the back office refuses it with
a message saying to change it, `carebridge check` names who still holds it, and the demo
commands themselves stop with one line."""

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core import checks

from carebridge.institutions.auth import DEMO_PASSWORD
from carebridge.wechat.tests.test_cli import COMPLETE, carebridge

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"
REFUSAL = "这是演示用的公开密码，正式环境不接受"


@pytest.fixture
def demo_admin(db):
    """The user `load_demo` makes, on a database the demo was loaded into."""
    return User.objects.create_superuser("admin", "admin@example.invalid", DEMO_PASSWORD)


@pytest.fixture
def production(settings):
    settings.PRODUCTION = True
    return settings


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_production_refuses_the_demo_password_and_says_to_change_it(client, production, demo_admin):
    response = client.post(LOGIN, {"username": "admin", "password": DEMO_PASSWORD})
    assert response.status_code == 200
    page = response.content.decode()
    assert REFUSAL in page and "carebridge changepassword" in page
    assert not signed_in(client)


def test_the_refusal_is_the_same_for_a_user_who_does_not_exist(client, production):
    response = client.post(LOGIN, {"username": "nobody", "password": DEMO_PASSWORD})
    assert REFUSAL in response.content.decode()
    assert not signed_in(client)


def test_the_refusal_is_in_english_too(client, production, demo_admin):
    response = client.post(
        LOGIN,
        {"username": "admin", "password": DEMO_PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "the password of this account must be changed" in response.content.decode()


def test_no_sign_in_path_accepts_it_in_production(production, demo_admin):
    assert authenticate(username="admin", password=DEMO_PASSWORD) is None


def test_production_signs_staff_in_with_any_other_password(client, production):
    User.objects.create_superuser("ops", "ops@example.org", "a-changed-pass-1")
    response = client.post(LOGIN, {"username": "ops", "password": "a-changed-pass-1"})
    assert response.status_code == 302 and signed_in(client)


def test_the_demo_signs_in_with_its_password(client, settings, demo_admin):
    settings.PRODUCTION = False
    response = client.post(LOGIN, {"username": "admin", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and signed_in(client)


def demo_password_errors() -> list[checks.CheckMessage]:
    found = checks.run_checks(include_deployment_checks=True)
    return [m for m in found if m.id == "carebridge.E012"]


def test_check_names_the_staff_still_holding_it_without_printing_it(production, demo_admin):
    User.objects.create_user("editor", password="editor-own-pass-1", is_staff=True)
    (error,) = demo_password_errors()
    assert error.is_serious()
    assert error.msg.endswith(": admin")
    assert DEMO_PASSWORD not in str(error)


def test_check_forgets_a_password_once_it_is_changed(production, demo_admin):
    assert demo_password_errors()
    demo_admin.set_password("a-changed-pass-1")
    demo_admin.save(update_fields=["password"])
    assert demo_password_errors() == []


def test_check_names_them_with_the_cache_down(production, demo_admin, monkeypatch):
    from carebridge.institutions import auth

    def down(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr(auth.cache, "get", down)
    monkeypatch.setattr(auth.cache, "set", down)
    (error,) = demo_password_errors()
    assert error.msg.endswith(": admin")


def test_check_says_nothing_of_it_outside_production(settings, demo_admin):
    settings.PRODUCTION = False
    assert demo_password_errors() == []


@pytest.mark.slow
@pytest.mark.parametrize("command", ["demo", "load_demo"])
def test_the_demo_commands_stop_in_production_with_one_line(command, tmp_path):
    result = carebridge(command, CAREBRIDGE_VAR_DIR=str(tmp_path), **COMPLETE)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"CommandError: {command} never runs in production (CAREBRIDGE_ENV=production): the "
        "demo needs the WeChat sandbox and creates a back-office user with a published password"
    ]


def test_production_refuses_the_demo_password_as_a_new_password(production):
    ops = User.objects.create_superuser("ops", "ops@example.org", "a-changed-pass-1")
    form = SetPasswordForm(ops, {"new_password1": DEMO_PASSWORD, "new_password2": DEMO_PASSWORD})
    assert not form.is_valid()
    assert "密码不能是演示用的公开密码" in str(form.errors["new_password2"])
    ops.refresh_from_db()
    assert ops.check_password("a-changed-pass-1")


def test_the_demo_may_set_its_own_password(settings):
    settings.PRODUCTION = False
    validate_password(DEMO_PASSWORD)  # the demo's admin is made with it
