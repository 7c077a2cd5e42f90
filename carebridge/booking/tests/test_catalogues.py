"""English must work on every H5 page of the patient journey: the English catalogues of its apps
translate every message the code and templates mark, nothing is left fuzzy, and the compiled
catalogue Django loads says the same as the .po file."""

import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

APPS = ["institutions", "content", "patients", "booking", "integrations", "results", "engagement"]
ROOT = Path(__file__).resolve().parents[2]

_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(lines) -> str:
    text = "".join(m.group(1) for line in lines for m in [_STRING.search(line)] if m)
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), text)


def entries(po: Path):
    """(msgctxt, msgid, msgid_plural, [msgstr…], flags) of each active entry, header left out."""
    found = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        flags = " ".join(line for line in lines if line.startswith("#,"))
        fields, current = {}, None
        for line in lines:
            if line.startswith("#"):
                continue
            keyword = line.split(" ", 1)[0]
            if not line.startswith('"'):
                current = keyword
                fields[current] = [line]
            else:
                fields[current].append(line)
        values = {key: _unquote(value) for key, value in fields.items()}
        if values.get("msgid") == "":
            continue  # the header
        strs = [v for k, v in sorted(values.items()) if k.startswith("msgstr")]
        found.append(
            (values.get("msgctxt"), values["msgid"], values.get("msgid_plural"), strs, flags)
        )
    return found


def catalogue(app: str) -> Path:
    return ROOT / app / "locale" / "en" / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("app", APPS)
def test_every_message_is_translated_and_none_is_fuzzy(app):
    po = catalogue(app)
    assert "#, fuzzy" not in po.read_text(encoding="utf-8"), f"{po}: fuzzy entries or header"
    found = entries(po)
    assert found, po
    untranslated = [msgid for _ctx, msgid, _pl, strs, _f in found if not all(strs)]
    assert untranslated == [], f"{po}: empty msgstr"


@pytest.mark.parametrize("app", APPS)
def test_the_compiled_catalogue_matches_the_po_file(app):
    po = catalogue(app)
    with po.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    assert compiled.info()["plural-forms"].startswith("nplurals=2")
    for context, msgid, plural, strs, _flags in entries(po):
        if plural is None:
            got = compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)
            assert got == strs[0], f"{app}: {msgid!r} is stale in the .mo (compilemessages)"
        else:
            assert compiled.ngettext(msgid, plural, 2) == strs[1], f"{app}: {msgid!r} stale"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext")
@pytest.mark.parametrize("app", APPS)
def test_makemessages_finds_nothing_new(app, tmp_path):
    """What `makemessages -l en` would extract today is all in the catalogue."""
    copy = tmp_path / app
    shutil.copytree(ROOT / app, copy, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    admin = Path(sys.executable).with_name("django-admin")
    subprocess.run(
        [str(admin), "makemessages", "-l", "en", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    fresh = {(c, m) for c, m, *_ in entries(copy / "locale/en/LC_MESSAGES/django.po")}
    ours = {(c, m) for c, m, *_ in entries(catalogue(app))}
    assert fresh - ours == set(), f"{app}: run makemessages -l en and translate"
