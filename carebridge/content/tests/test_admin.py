import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from carebridge.content.models import Article
from carebridge.institutions.models import StaffMember

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db):
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("operator", password="x"))
    return client


@pytest.fixture
def editor(hospital):
    """An editor of renai with the article permissions."""
    user = get_user_model().objects.create_user("erin", password="x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="content"))
    StaffMember.objects.create(user=user, institution=hospital)
    client = Client()
    client.force_login(user)
    return client


def test_the_changelist_renders_with_filters_and_search(operator, publish):
    publish("院庆")
    path = reverse("admin:content_article_changelist")
    assert operator.get(path, {"kind__exact": "news"}).status_code == 200
    assert operator.get(path, {"category__exact": "health"}).status_code == 200
    assert operator.get(path, {"q": "院庆"}).status_code == 200


def test_the_publish_action_publishes_drafts_now(operator, publish):
    draft = publish("草稿", is_published=False)
    operator.post(
        reverse("admin:content_article_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.is_published and draft.is_visible


def test_the_unpublish_action_withdraws(operator, publish):
    article = publish("院庆")
    operator.post(
        reverse("admin:content_article_changelist"),
        {"action": "unpublish", "_selected_action": [article.pk]},
    )
    article.refresh_from_db()
    assert not article.is_published


def test_an_editor_sees_only_their_institutions_articles(editor, publish, other_institution):
    mine = publish("院庆")
    publish("别家新闻", institution=other_institution)
    response = editor.get(reverse("admin:content_article_changelist"))
    assert list(response.context["cl"].result_list) == [mine]


def test_an_article_needs_a_title_and_a_known_kind_and_category(operator, hospital):
    response = operator.post(
        reverse("admin:content_article_add"),
        {"institution": hospital.pk, "kind": "gossip", "category": "x", "title": "", "body": "x"},
    )
    errors = response.context["adminform"].form.errors
    assert {"kind", "category", "title"} <= set(errors)
    assert not Article.objects.exists()
