"""The back office's article form: sanitised body, re-encoded cover, suggested category."""

from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from carebridge.content import images
from carebridge.content.models import Article

pytestmark = pytest.mark.django_db

ADD = "admin:content_article_add"
INLINE = {
    "images-TOTAL_FORMS": "0",
    "images-INITIAL_FORMS": "0",
    "images-MIN_NUM_FORMS": "0",
    "images-MAX_NUM_FORMS": "1000",
}


@pytest.fixture
def operator(db):
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("operator", password="x"))
    return client


def jpeg(size=(60, 40)):
    buffer = BytesIO()
    Image.new("RGB", size, "blue").save(buffer, "JPEG")
    return SimpleUploadedFile("cover.jpg", buffer.getvalue(), "image/jpeg")


def post(operator, hospital, **fields):
    data = {
        "institution": hospital.pk,
        "kind": "education",
        "category": "health",
        "title": "流感预防",
        "body": "<p>冬季流感高发,及时接种流感疫苗。</p>",
        "published_at_0": "2026-12-01",
        "published_at_1": "09:00",
        **INLINE,
        **fields,
    }
    return operator.post(reverse(ADD), data)


def form_errors(response):
    return response.context["adminform"].form.errors


def test_the_body_is_saved_sanitised(operator, hospital):
    post(operator, hospital, body='<p onclick="x()">勤洗手</p><script>alert(1)</script>')
    assert Article.objects.get().body == "<p>勤洗手</p>"


def test_an_empty_category_is_suggested_and_must_be_confirmed(operator, hospital):
    response = post(operator, hospital, category="")
    assert "category" in form_errors(response) and not Article.objects.exists()
    assert "健康科普知识" in str(form_errors(response)["category"])
    assert response.context["adminform"].form["category"].value() == "health"
    post(operator, hospital, category="health")
    assert Article.objects.get().category == "health"


def test_the_cover_is_reencoded(operator, hospital):
    post(operator, hospital, cover=jpeg())
    article = Article.objects.get()
    assert article.cover.name.endswith("cover.jpg")
    assert Image.open(article.cover).size == (60, 40)


def test_an_oversized_cover_is_a_form_error_and_nothing_is_saved(operator, hospital, monkeypatch):
    monkeypatch.setattr(images, "MAX_SIDE", 50)
    response = post(operator, hospital, cover=jpeg())
    assert "cover" in form_errors(response) and not Article.objects.exists()
