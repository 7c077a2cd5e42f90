"""Personas of the patients app: alice (signed in through ``alice_client``) with her mother on
her account, and bob, another WeChat user of the same account who must be refused."""

from datetime import date

import pytest

from . import factories

ALICE_OPENID = "o_alice_0000000000000000000"
BOB_OPENID = "o_bob_00000000000000000000000"


@pytest.fixture
def alice(account):
    return factories.follower(account, ALICE_OPENID)


@pytest.fixture
def bob(account):
    return factories.follower(account, BOB_OPENID)


@pytest.fixture
def alice_self(alice):
    return factories.patient(alice, name="王小红", is_default=True)


@pytest.fixture
def alice_mother(alice):
    born = date(1962, 8, 15)
    return factories.patient(
        alice,
        name="李秀英",
        relation="parent",
        birth_date=born,
        id_number=factories.resident_id(born, "female", seq=40),
        phone="13900001111",
    )


@pytest.fixture(autouse=True)
def _chinese_by_default():
    """Messages are checked in the default language, whatever an earlier test activated."""
    from django.utils import translation

    with translation.override("zh-hans"):
        yield
