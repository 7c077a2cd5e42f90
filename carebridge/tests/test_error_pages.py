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
