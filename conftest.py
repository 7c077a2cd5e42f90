"""Shared test personas and the sandbox.

Personas (STYLE.md): alice is a patient following the demo hospital's account; bob is another
user who must be refused alice's data.
"""

from datetime import date

import pytest

ALICE_OPENID = "o_alice_0000000000000000000"
BOB_OPENID = "o_bob_00000000000000000000000"


@pytest.fixture(autouse=True)
def _clear_cache(db_access_allowed):
    """The cache (access tokens, locks, quotas) lives outside the test transaction."""
    if db_access_allowed:
        _clear(cache_alias="default")
        _clear(cache_alias="pages")
        from carebridge.lib import page_cache

        page_cache.forget_in_process()  # the public fragments kept in memory
    yield


def _clear(cache_alias: str) -> None:
    """Empty the cache; on Redis only this run's keys (CACHE_KEY_PREFIX), since Django's clear()
    is FLUSHDB and would empty the database under any other run sharing it."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches[cache_alias]
    if not isinstance(cache, RedisCache):
        cache.clear()
        return
    client = cache._cache.get_client(None, write=True)
    keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _forget_unwritten_reads():
    """Article reads counted in memory (content/reads.py) belong to the test that counted them:
    the next test's articles may reuse their ids."""
    from carebridge.content import reads

    reads.forget()
    yield


@pytest.fixture(autouse=True)
def _close_outgoing_connections():
    """Calls to the sandbox keep their connections alive (lib/http.py); a live server's thread
    for such a connection would keep its database connection past the test."""
    yield
    from carebridge.lib.http import close_outgoing

    close_outgoing()


@pytest.fixture(autouse=True)
def _default_language():
    """LocaleMiddleware leaves the last request's language active in the thread; every test
    starts in the default language (Chinese) whatever ran before it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def db_access_allowed(request):
    names = request.fixturenames
    return any(n in names for n in ("db", "transactional_db", "live_server", "django_db_setup"))


@pytest.fixture
def hospital(db):
    from carebridge.institutions.models import Institution

    return Institution.objects.create(slug="renai", name="仁爱医院", name_en="Ren'ai Hospital")


@pytest.fixture
def account(hospital):
    from carebridge.institutions.models import WeChatAccount

    return WeChatAccount.objects.create(
        institution=hospital, slug="renai", name="仁爱医院服务号", original_id="gh_renai0000001"
    )


@pytest.fixture
def sandbox(live_server, settings):
    """The WeChat sandbox on a real loopback server; the production client code talks to it."""
    settings.WECHAT_API_BASE = live_server.url + "/sandbox/wx"
    settings.WECHAT_OPEN_BASE = live_server.url + "/sandbox/open"
    settings.SITE_URL = live_server.url
    yield live_server
    # live_server lives for the whole session: a job report still on its way would reach the
    # next test's database and name a send it never made (it waited, then gave up, there).
    from carebridge.sandbox import wxapi

    wxapi.wait_for_reports()


@pytest.fixture
def browser(live_server, monkeypatch):
    """Debian's chromium (carebridge/tests/browser.py), for the pages on ``live_server``."""
    from carebridge.tests.browser import launched_chromium

    with launched_chromium(monkeypatch) as chromium:
        yield chromium


def wechat_session(client, account, openid, scope="snsapi_base"):
    """Sign ``client`` in as a WeChat user, as OAuth would."""
    session = client.session
    session["wechat"] = {
        "account": account.slug,
        "openid": openid,
        "scope": scope,
        "snapshot": False,
    }
    session.save()
    return client


@pytest.fixture
def alice_client(client, account):
    return wechat_session(client, account, ALICE_OPENID)


@pytest.fixture
def bob_client(db, account):
    from django.test import Client

    return wechat_session(Client(), account, BOB_OPENID)


@pytest.fixture
def alice(account):
    """alice's Follower record: she follows the account."""
    from carebridge.patients.tests import factories

    return factories.follower(account, ALICE_OPENID)


@pytest.fixture
def bob(account):
    from carebridge.patients.tests import factories

    return factories.follower(account, BOB_OPENID)


@pytest.fixture
def alice_self(alice):
    from carebridge.patients.tests import factories

    return factories.patient(alice, name="王小红", is_default=True)


@pytest.fixture
def alice_mother(alice):
    from carebridge.patients.tests import factories

    born = date(1962, 8, 15)
    return factories.patient(
        alice,
        name="李秀英",
        relation="parent",
        birth_date=born,
        id_number=factories.resident_id(born, "female", seq=40),
        phone="13900001111",
    )


@pytest.fixture
def bob_self(bob):
    """bob's own patient: whatever is alice's must never show for him, nor his for her."""
    from carebridge.patients.tests import factories

    born = date(1985, 1, 2)
    return factories.patient(
        bob,
        name="赵大勇",
        sex="male",
        birth_date=born,
        id_number=factories.resident_id(born, "male"),
    )


@pytest.fixture
def other_hospital(db):
    """新华医院, another institution on the same deployment, with its own account: its staff
    and its API keys must find nothing of 仁爱医院's."""
    from carebridge.institutions.models import Institution, WeChatAccount

    inst = Institution.objects.create(slug="xinhua", name="新华医院")
    WeChatAccount.objects.create(institution=inst, slug="xinhua", name="新华医院服务号")
    return inst
