"""A key's scopes are data: chosen when the key is made (channel defaults otherwise), checked
against the one list of scopes, shown and edited in the back office."""

import json

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from carebridge.integrations.models import DEFAULT_SCOPES, ApiClient, Scope

pytestmark = pytest.mark.django_db


def whoami(client, key):
    return client.get("/api/integrations/whoami", HTTP_X_API_KEY=key).json()


def make_key(capsys, *args):
    """The key the command prints, and what it says about it."""
    call_command("create_api_key", "renai", "一楼自助机", *args)
    printed = capsys.readouterr()
    return printed.out.strip(), printed.err


def test_a_kiosk_key_gets_read_book_cancel_own_and_check_in_by_default(hospital, capsys, client):
    key, said = make_key(capsys, "--channel", "kiosk")
    assert whoami(client, key)["scopes"] == ["read", "book", "cancel-own", "check-in"]
    assert "scopes: read book cancel-own check-in." in said


def test_the_command_gives_a_key_exactly_the_scopes_named(hospital, capsys, client):
    key, _ = make_key(capsys, "--channel", "kiosk", "--scope", "check-in", "--scope", "read")
    assert whoami(client, key)["scopes"] == ["read", "check-in"]  # in the list's order
    assert ApiClient.objects.get().scopes == ["read", "check-in"]


def test_the_command_refuses_an_unknown_scope_and_makes_no_key(hospital):
    with pytest.raises(CommandError, match="invalid choice: 'admin'"):
        call_command("create_api_key", "renai", "x", "--scope", "admin")
    assert not ApiClient.objects.exists()


def test_the_commands_help_lists_every_scope_and_the_defaults(capsys):
    with pytest.raises(SystemExit):
        call_command("create_api_key", "--help")
    out = "".join(capsys.readouterr().out.split())  # argparse wraps lines, even at hyphens
    assert all(scope in out for scope in Scope.values)
    assert "kiosk:readbookcancel-owncheck-in;" in out


@pytest.mark.parametrize("channel", list(DEFAULT_SCOPES))
def test_a_key_made_without_scopes_gets_its_channels_defaults(hospital, channel):
    client = ApiClient(institution=hospital, name="x", channel=channel)
    client.set_new_key()
    client.save()
    assert client.scopes == DEFAULT_SCOPES[channel]
    assert Scope.CANCEL_ANY not in client.scopes and Scope.NO_SHOW not in client.scopes


@pytest.mark.parametrize("scopes", [["read", "root"], "read", [1], {"read": True}])
def test_a_scope_list_that_is_not_of_known_names_is_invalid(hospital, scopes):
    client = ApiClient(institution=hospital, name="x", channel="kiosk", scopes=scopes)
    client.set_new_key()
    with pytest.raises(ValidationError) as refused:
        client.full_clean()
    assert "scopes" in refused.value.message_dict


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("ops", "ops@example.com", "pw-ops-12345"))
    return client


def test_the_back_office_offers_each_scope_by_its_label_and_saves_the_ticked(
    admin_client, hospital
):
    page = admin_client.get("/admin/integrations/apiclient/add/").content.decode()
    for scope in Scope:
        assert f'value="{scope.value}"' in page and str(scope.label) in page
    r = admin_client.post(
        "/admin/integrations/apiclient/add/",
        {
            "institution": hospital.pk,
            "name": "分诊台叫号屏",
            "channel": "window",
            "scopes": ["call-next", "read"],
            "is_active": "on",
        },
    )
    assert r.status_code == 302, r.content.decode()
    client = ApiClient.objects.get()
    assert client.scopes == ["read", "call-next"]
    listing = admin_client.get("/admin/integrations/apiclient/").content.decode()
    assert "查询出诊、号源和预约, 叫号" in listing


def test_the_back_office_shows_the_labels_in_english(admin_client, hospital):
    ApiClient.objects.create(institution=hospital, name="kiosk", channel="kiosk")
    listing = admin_client.get(
        "/admin/integrations/apiclient/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Read sessions, slots and appointments, Book from its channel, " in listing


def test_the_back_office_can_take_every_scope_away(admin_client, hospital):
    client = ApiClient.objects.create(institution=hospital, name="kiosk", channel="kiosk")
    r = admin_client.post(
        f"/admin/integrations/apiclient/{client.pk}/change/",
        {"institution": hospital.pk, "name": "kiosk", "channel": "kiosk", "is_active": "on"},
    )
    assert r.status_code == 302, r.content.decode()
    client.refresh_from_db()
    assert client.scopes == []


def test_whoami_needs_no_scope(client, hospital):
    api_client = ApiClient(institution=hospital, name="x", channel="kiosk")
    key = api_client.set_new_key()
    api_client.save()
    ApiClient.objects.update(scopes=[])
    r = client.get("/api/integrations/whoami", HTTP_X_API_KEY=key)
    assert r.status_code == 200 and json.loads(r.content)["scopes"] == []


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_existing_keys_their_channels_defaults(hospital):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = (
        ("integrations", "0002_alter_apiclient_key_hash"),
        (
            "integrations",
            "0003_apiclient_scopes",
        ),
    )
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate([before])
        old = MigrationExecutor(connection).loader.project_state([before]).apps
        OldClient = old.get_model("integrations", "ApiClient")
        for n, channel in enumerate(("kiosk", "phone", "window")):
            OldClient.objects.create(
                institution_id=hospital.pk, name=channel, channel=channel, key_id=f"k{n}"
            )
        MigrationExecutor(connection).migrate([after])
    finally:
        MigrationExecutor(connection).migrate(leaves)
    scopes = dict(ApiClient.objects.values_list("channel", "scopes"))
    assert scopes == {channel: DEFAULT_SCOPES[channel] for channel in ("kiosk", "phone", "window")}
