"""The demo hospital's push calendar: a topic due this week, turned into a draft for a
department, and one mass send used this month (planned, previewed to the operations editor's
phone and submitted; the demo's worker delivers it to the sandbox phones).

Idempotent like the rest of the demo (carebridge/institutions/demo/load.py): a second run in
the same week and month creates nothing.
"""

from datetime import timedelta

from django.utils import timezone

from carebridge.institutions.models import Department
from carebridge.sandbox.models import SandboxUser
from carebridge.wechat.models import Follower, MassSend

from .actions.plans import plan_push
from .actions.sends import plan_mass_send, submit_planned_send
from .models import CalendarSettings, PushPlan
from .occasions import occasions_in_month
from .quota import usage
from .suggestions import suggested_topic

# The operations editor (运营部) who receives the previews on the sandbox phone.
OPS_OPENID = "o_demo_yunying_00000000000000"


def load_calendar(account, now=None) -> list[str]:
    """Whatever of the demo's calendar is missing; returns labels of what was created."""
    now = now or timezone.now()
    institution = account.institution
    created = []
    settings, made = CalendarSettings.objects.get_or_create(
        institution=institution, defaults={"preview_openids": [OPS_OPENID]}
    )
    if made:
        created.append("calendar settings")
    _ops_phone(account, now)
    if _plan_this_week(institution, now):
        created.append("push plan")
    if _mass_send_this_month(account, now):
        created.append("mass send")
    return created


def _ops_phone(account, now) -> None:
    SandboxUser.objects.get_or_create(
        app_id=account.credentials.app_id,
        openid=OPS_OPENID,
        defaults={"nickname": "运营部小王", "subscribed": True, "subscribed_at": now},
    )
    Follower.objects.get_or_create(
        account=account, openid=OPS_OPENID, defaults={"subscribed": True, "subscribed_at": now}
    )


def _plan_this_week(institution, now) -> bool:
    """A plan due by Sunday of this week for the next occasion after it (unless one is)."""
    today = timezone.localdate(now)
    sunday = today + timedelta(days=6 - today.weekday())
    if PushPlan.objects.filter(institution=institution, due_date__range=(today, sunday)).exists():
        return False
    due = min(today + timedelta(days=2), sunday)
    upcoming = [
        o
        for month in (today.month, today.month % 12 + 1)
        for o in occasions_in_month(institution, today.year + (month < today.month), month)
        if o.pushable and o.start > due
    ]
    department = Department.objects.filter(institution=institution).order_by("position").first()
    if not upcoming or department is None:
        return False
    taken = set(
        PushPlan.objects.filter(institution=institution).values_list(
            "occasion_key", "occasion_date"
        )
    )
    occasion = next((o for o in upcoming if (o.key, o.start) not in taken), None)
    if occasion is None:
        return False

    plan_push(
        institution,
        occasion_key=occasion.key,
        year=occasion.start.year,
        topic=suggested_topic(occasion),
        department=department,
        due_date=due,
    )
    return True


def _mass_send_this_month(account, now) -> bool:
    """One send submitted this month, unless the month already has one."""
    month = timezone.localtime(now).strftime("%Y-%m")
    if MassSend.objects.filter(account=account, quota_period=month).exists():
        return False
    if usage(account, now).left <= 0:
        return False
    planned = plan_mass_send(
        account.institution,
        account=account,
        title="预防接种门诊开放时间提醒",
        msgtype="text",
        content={
            "content": "本院预防接种门诊（门诊楼1层）周一至周五 8:00–16:30 开放，"
            "儿童计划免疫、流感疫苗和成人疫苗均可接种，请携带预防接种证。"
        },
        segment="all",
        due_at=now,
        now=now,
    )
    submit_planned_send(planned.pk, now=now)  # due now: submitted at once, as the worker would
    return True
