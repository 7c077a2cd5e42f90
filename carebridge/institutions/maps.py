"""Links that open a campus in Tencent Maps, Baidu Maps and Amap (their documented URI APIs).

Campus coordinates are GCJ-02. Tencent Maps and Amap use GCJ-02 natively (Tencent's
``coord_type=2`` and Amap's ``coordinate=gaode`` say so explicitly); Baidu Maps uses BD-09 unless
told otherwise, so its link carries ``coord_type=gcj02``. Beware the order: Tencent and Baidu
take ``lat,lng``, Amap takes ``lng,lat``.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.utils.translation import gettext_lazy as _

TENCENT = "https://apis.map.qq.com/uri/v1/marker"
BAIDU = "https://api.map.baidu.com/marker"
AMAP = "https://uri.amap.com/marker"


@dataclass(frozen=True)
class MapLink:
    provider: str
    label: str
    url: str


def _source() -> str:
    # The providers ask callers to name themselves (referer / src) to keep the service stable.
    return getattr(settings, "MAP_URI_SOURCE", "carebridge")


def _marker_text(text: str) -> str:
    # Tencent's marker value is "key:value;key:value|…": those characters would split it.
    return " ".join(text.translate(str.maketrans(";:|", "   ")).split())


def tencent_url(lat, lng, name: str, address: str) -> str:
    marker = f"coord:{lat},{lng};title:{_marker_text(name)};addr:{_marker_text(address)}"
    query = {"marker": marker, "coord_type": "2", "referer": _source()}
    return f"{TENCENT}?{urlencode(query, safe=':;,')}"


def baidu_url(lat, lng, name: str, address: str) -> str:
    query = {
        "location": f"{lat},{lng}",
        "title": name,
        "content": address,
        "output": "html",
        "coord_type": "gcj02",
        "src": f"webapp.{_source()}.h5",
    }
    return f"{BAIDU}?{urlencode(query, safe=',')}"


def amap_url(lat, lng, name: str) -> str:
    query = {
        "position": f"{lng},{lat}",
        "name": name,
        "src": _source(),
        "coordinate": "gaode",
        "callnative": "1",  # open the Amap app when installed, the web map otherwise
    }
    return f"{AMAP}?{urlencode(query, safe=',')}"


def map_links(campus) -> list[MapLink]:
    from .templatetags.localized import localized

    lat, lng = campus.latitude, campus.longitude
    name = f"{localized(campus.institution, 'name')} {localized(campus, 'name')}"
    address = localized(campus, "address")
    return [
        MapLink("tencent", _("腾讯地图"), tencent_url(lat, lng, name, address)),
        MapLink("baidu", _("百度地图"), baidu_url(lat, lng, name, address)),
        MapLink("amap", _("高德地图"), amap_url(lat, lng, name)),
    ]
