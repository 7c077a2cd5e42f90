"""Map links open each provider at the campus, in the coordinate system it expects."""

import re
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from carebridge.institutions.maps import amap_url, baidu_url, tencent_url

pytestmark = pytest.mark.django_db


def links(html):
    found = re.findall(r'class="[^"]*h5-map_(\w+)[^"]*" href="([^"]+)"', html)
    return [(provider, urlsplit(unescape(href))) for provider, href in found]


def first(html, provider):
    return next(split for p, split in links(html) if p == provider)


def query(split):
    return {k: v[0] for k, v in parse_qs(split.query).items()}


@pytest.fixture
def navigation(client, catalogue):
    response = client.get(reverse("institutions:navigation", args=["renai"]))
    assert response.status_code == 200
    return response.content.decode()


def test_each_campus_has_a_tencent_baidu_and_amap_link(navigation):
    providers = [p for p, _ in links(navigation)]
    assert providers == ["tencent", "baidu", "amap"] * 2


def test_tencent_marker_carries_lat_lng_in_tencent_gcj02_coordinates(navigation):
    split = first(navigation, "tencent")
    assert (split.scheme, split.netloc, split.path) == (
        "https",
        "apis.map.qq.com",
        "/uri/v1/marker",
    )
    q = query(split)
    marker = dict(part.split(":", 1) for part in q["marker"].split(";"))
    assert marker["coord"] == "31.230416,121.473701"  # lat,lng
    assert marker["title"] == "仁爱医院 总院"
    assert marker["addr"] == "上海市黄浦区人民路100号"
    assert q["coord_type"] == "2"  # Tencent's own (GCJ-02) coordinates
    assert q["referer"]


def test_baidu_marker_says_the_coordinates_are_gcj02(navigation):
    split = first(navigation, "baidu")
    assert (split.netloc, split.path) == ("api.map.baidu.com", "/marker")
    q = query(split)
    assert q["location"] == "31.230416,121.473701"  # lat,lng
    assert q["coord_type"] == "gcj02"  # else Baidu reads BD-09 and the pin lands ~500 m off
    assert q["output"] == "html"
    assert q["title"] == "仁爱医院 总院" and q["content"] == "上海市黄浦区人民路100号"
    assert q["src"].startswith("webapp.")


def test_amap_marker_takes_lng_first(navigation):
    split = first(navigation, "amap")
    assert (split.netloc, split.path) == ("uri.amap.com", "/marker")
    q = query(split)
    assert q["position"] == "121.473701,31.230416"  # lng,lat
    assert q["coordinate"] == "gaode"
    assert q["name"] == "仁爱医院 总院"


def test_the_second_campus_links_carry_its_own_coordinates(navigation):
    east = [split for provider, split in links(navigation) if provider == "amap"][1]
    assert query(east)["position"] == "121.530000,31.221000"


def test_the_page_shows_address_phone_hours_transport_and_nearby(navigation):
    for text in (
        "上海市黄浦区人民路100号",
        "tel:021-12345678",
        "周一至周五 8:00-17:00",
        "地铁10号线豫园站1号口",
        "停车场、银行、酒店",
    ):
        assert text in navigation


def test_the_page_renders_in_english(english, catalogue):
    html = english.get(reverse("institutions:navigation", args=["renai"])).content.decode()
    assert "Mon-Fri 8:00-17:00" in html and "Tencent Maps" in html and "Amap" in html
    tencent = first(html, "tencent")
    assert "Ren'ai Hospital Main Campus" in query(tencent)["marker"]


def test_marker_text_cannot_break_tencents_marker_syntax():
    url = tencent_url(Decimal("31.1"), Decimal("121.2"), "A;coord:0,0|B", "x:y")
    marker = query(urlsplit(url))["marker"]
    assert marker.count(";") == 2 and "|" not in marker
    assert marker.startswith("coord:31.1,121.2;")


def test_names_are_url_encoded():
    assert "&" not in query(urlsplit(baidu_url(1, 2, "A&B", "C")))["title"].replace("A&B", "")
    assert query(urlsplit(baidu_url(1, 2, "A&B=1", "C")))["title"] == "A&B=1"
    assert query(urlsplit(amap_url(1, 2, "甲 乙#")))["name"] == "甲 乙#"
