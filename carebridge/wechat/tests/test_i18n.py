"""Chinese is the default of every page and staff message; English works. The English catalogues
of the WeChat layer, the sandbox, the outbox and the project translate everything the code marks,
nothing is fuzzy, and the compiled .mo says what the .po says."""

import ast
import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import translation

from carebridge.wechat.actions.service_window import consume_grant
from carebridge.wechat.limits import LimitExceeded
from carebridge.wechat.menu import build_menu
from carebridge.wechat.models import Follower, MenuButton
from carebridge.wechat.service_window import WindowClosed
from carebridge.wechat.transport import WeChatError

PACKAGE = Path(__file__).resolve().parents[2]
# Where each catalogue lives, and the sources `makemessages` reads for it.
CATALOGUES = {
    "wechat": PACKAGE / "wechat",
    "sandbox": PACKAGE / "sandbox",
    "outbox": PACKAGE / "outbox",
    "project": PACKAGE,
}
PROJECT_SOURCES = ["settings.py", "urls.py", "cli.py", "api.py", "lib", "templates"]


def entries(po: Path) -> list[tuple[str | None, str, str, bool]]:
    """(msgctxt, msgid, msgstr, fuzzy) of every active entry but the header. No plurals here."""
    found, entry, field, fuzzy = [], {}, None, False

    def close():
        nonlocal entry, fuzzy
        if entry.get("msgid"):
            found.append((entry.get("msgctxt"), entry["msgid"], entry.get("msgstr", ""), fuzzy))
        entry, fuzzy = {}, False

    for line in po.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            close()
        elif line.startswith("#,"):
            fuzzy = fuzzy or "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[field] += ast.literal_eval(line)
        else:
            field, value = line.split(" ", 1)
            assert not field.startswith("msgid_plural"), f"{po}: plurals need this parser extended"
            entry[field] = ast.literal_eval(value)
    return found


def po_of(name: str) -> Path:
    return CATALOGUES[name] / "locale" / "en" / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("name", sorted(CATALOGUES))
def test_every_message_is_translated_and_none_is_fuzzy(name):
    po = po_of(name)
    assert "#, fuzzy" not in po.read_text(encoding="utf-8"), f"{po}: fuzzy entry or header"
    found = entries(po)
    assert found
    assert [msgid for _ctx, msgid, msgstr, _f in found if not msgstr] == []


@pytest.mark.parametrize("name", sorted(CATALOGUES))
def test_the_compiled_catalogue_says_what_the_po_file_says(name):
    po = po_of(name)
    with po.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for context, msgid, msgstr, _fuzzy in entries(po):
        got = compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)
        assert got == msgstr, f"{name}: {msgid!r} is stale in the .mo (run compilemessages)"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext")
@pytest.mark.parametrize("name", sorted(CATALOGUES))
def test_makemessages_finds_nothing_new(name, tmp_path):
    source = CATALOGUES[name]
    copy = tmp_path / name
    if name == "project":  # the project's own files, not the apps below it
        copy.mkdir()
        shutil.copytree(source / "locale", copy / "locale")
        for item in PROJECT_SOURCES:
            if (source / item).is_dir():
                shutil.copytree(source / item, copy / item)
            else:
                shutil.copy(source / item, copy / item)
    else:
        shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}  # ./locale only
    subprocess.run(
        [str(Path(sys.executable).with_name("django-admin")), "makemessages", "-l", "en"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    fresh = {(c, m) for c, m, *_ in entries(copy / "locale/en/LC_MESSAGES/django.po")}
    ours = {(c, m) for c, m, *_ in entries(po_of(name))}
    assert fresh - ours == set(), f"{name}: run makemessages -l en and translate"


# --- English where staff and patients read it ---------------------------------------------------


@pytest.mark.django_db
def test_staff_messages_come_out_in_chinese_by_default_and_in_english(account):
    MenuButton.objects.create(account=account, name="就医服务和预约挂号", position=0)
    with pytest.raises(LimitExceeded) as chinese:
        build_menu(account)
    assert "名称最多 16 个字节" in chinese.value.messages[0]
    with translation.override("en"), pytest.raises(LimitExceeded) as english:
        build_menu(account)
    assert english.value.messages[0].startswith("Top button「就医服务和预约挂号」: the name is")
    assert "at most 16 bytes" in english.value.messages[0]


@pytest.mark.django_db
def test_wechats_refusals_and_the_window_speak_english(account):
    assert WeChatError(45015, "response out of time limit").staff_message.startswith("已超出")
    follower = Follower.objects.create(account=account, openid="o_bob", subscribed=True)
    with translation.override("en"):
        assert WeChatError(45009, "reach max api daily quota limit").staff_message == (
            "Today's API call quota is used up"
        )
        with pytest.raises(WindowClosed) as closed:
            consume_grant(follower)
        # The message is lazy: it speaks the language of whoever reads it.
        assert "has not interacted with the account recently" in closed.value.messages[0]
    assert "该用户近期没有与公众号互动" in closed.value.messages[0]


@pytest.mark.django_db
def test_the_wechat_back_office_speaks_english(client, account, settings):
    ops = User.objects.create_superuser("ops", "ops@renai.example.cn", "x-long-password-1")
    client.force_login(ops)
    Follower.objects.create(account=account, openid="o_alice", subscribed=True)
    url = reverse("admin:wechat_follower_changelist")
    chinese = client.get(url).content.decode()
    assert "粉丝" in chinese and "最近互动" in chinese
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode()
    assert '<html lang="en"' in english
    assert "Followers" in english and "Last interaction" in english
    assert "粉丝" not in english and "最近互动" not in english
    outbox = client.get(reverse("admin:outbox_outboxmessage_changelist")).content.decode()
    assert "Outbox messages" in outbox and "发件箱" not in outbox


@pytest.mark.django_db
def test_the_oauth_pages_speak_english(client, account, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/wechat/renai/oauth/start", {"scope": "snsapi_nothing"})
    assert page.status_code == 400
    text = page.content.decode()
    assert "Cannot sign in" in text and "Invalid authorisation scope." in text
