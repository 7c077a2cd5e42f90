from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from carebridge.content.models import Article
from carebridge.institutions.models import Institution, WeChatAccount


@pytest.fixture
def publish(hospital):
    """Create an article of renai (published an hour ago unless told otherwise)."""

    def make(title, kind="news", institution=None, **fields):
        fields.setdefault("is_published", True)
        fields.setdefault("published_at", timezone.now() - timedelta(hours=1))
        return Article.objects.create(
            institution=institution or hospital,
            kind=kind,
            category=fields.pop("category", "other"),
            title=title,
            body=fields.pop("body", f"<p>{title}的正文。</p>"),
            **fields,
        )

    return make


@pytest.fixture
def other_institution(db):
    institution = Institution.objects.create(slug="other", name="别家医院")
    WeChatAccount.objects.create(institution=institution, slug="other", name="别家")
    return institution


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploads (covers, body images) go to a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


from .workflow_personas import (  # noqa: E402, F401 - fixtures shared by the workflow tests
    campus,
    cardiology,
    draft,
    erin,
    harry,
    olivia,
    oscar,
    paediatrics,
    paul,
    rubric,
)
