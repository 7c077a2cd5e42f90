"""The router actions every institution has: its introduction, its campuses and the way there.

Each reads the institution's catalogue (institutions app) and answers in a few lines of text;
WeChat shows about 600 Chinese characters of a text reply comfortably, so lists stay short.
"""

import math

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carebridge.institutions.models import Campus, Department
from carebridge.institutions.search import search_doctors

from .handlers import Context, action

LIST_LIMIT = 10
DOCTOR_LIMIT = 5
EARTH_RADIUS_KM = 6371.0


@action("hospital_intro", label=gettext_lazy("医院介绍"))
def hospital_intro(ctx: Context) -> str:
    institution = ctx.account.institution
    return institution.introduction.strip() or institution.name


def _campus_lines(campus: Campus) -> list[str]:
    lines = [f"【{campus.name}】", _("地址：%(address)s") % {"address": campus.address}]
    if campus.phone:
        lines.append(_("电话：%(phone)s") % {"phone": campus.phone})
    if campus.opening_hours:
        lines.append(_("开放时间：%(hours)s") % {"hours": campus.opening_hours})
    return lines


@action("campus_guide", label=gettext_lazy("来院导航"))
def campus_guide(ctx: Context) -> str:
    campuses = list(Campus.objects.filter(institution=ctx.account.institution_id)[:LIST_LIMIT])
    if not campuses:
        return _("暂无院区信息。")
    lines = []
    for campus in campuses:
        lines += _campus_lines(campus) + [""]
    return "\n".join(lines).strip()


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def _where(ctx: Context) -> tuple[float, float] | None:
    """The user's position: a location the message carries, else the last LOCATION report."""
    message = ctx.message
    info = message.raw.get("SendLocationInfo")
    point = info if isinstance(info, dict) else message.raw
    try:
        return float(point["Location_X"]), float(point["Location_Y"])
    except (KeyError, TypeError, ValueError):
        pass
    follower = ctx.follower
    if follower is not None and follower.latitude is not None and follower.longitude is not None:
        return follower.latitude, follower.longitude
    return None


@action("nearest_campus", label=gettext_lazy("最近的院区"))
def nearest_campus(ctx: Context) -> str:
    campuses = list(Campus.objects.filter(institution=ctx.account.institution_id))
    where = _where(ctx)
    if not campuses:
        return _("暂无院区信息。")
    if where is None:
        return campus_guide(ctx) + "\n\n" + _("发送您的位置，我们会告诉您最近的院区。")
    lat, lon = where
    ranked = sorted(
        campuses,
        key=lambda c: distance_km(lat, lon, float(c.latitude), float(c.longitude)),
    )
    nearest = ranked[0]
    km = distance_km(lat, lon, float(nearest.latitude), float(nearest.longitude))
    head = _("离您最近的是%(name)s，约%(km).1f公里。") % {"name": nearest.name, "km": km}
    return "\n".join([head, *_campus_lines(nearest)])


@action("department_list", label=gettext_lazy("科室列表"))
def department_list(ctx: Context) -> str:
    departments = Department.objects.filter(
        institution=ctx.account.institution_id, is_active=True
    ).select_related("campus")
    lines = [
        f"{d.name}（{d.campus.name}{(' ' + d.location) if d.location else ''}）"
        for d in departments[: LIST_LIMIT * 3]
    ]
    return "\n".join(lines) if lines else _("暂无科室信息。")


@action("doctor_search", label=gettext_lazy("找医生"))
def doctor_search(ctx: Context) -> str:
    """Doctors by name, pinyin, initials or specialty: the text after the rule's keyword."""
    if not ctx.query:
        return _("请发送“找医生 + 姓名、拼音或擅长的疾病”，例如：找医生 张 或 找医生 糖尿病。")
    doctors = list(search_doctors(ctx.account.institution, ctx.query)[:DOCTOR_LIMIT])
    if not doctors:
        return _("没有找到与“%(query)s”相关的医生。") % {"query": ctx.query}
    lines = []
    for doctor in doctors:
        departments = "、".join(d.name for d in doctor.departments.all())
        lines.append(
            f"{doctor.name} {doctor.title}" + (f"（{departments}）" if departments else "")
        )
        if doctor.specialty:
            lines.append(_("擅长：%(specialty)s") % {"specialty": doctor.specialty})
    return "\n".join(lines)
