from datetime import datetime
from zoneinfo import ZoneInfo

from carebridge.publishing.actions.sends import plan_mass_send
from carebridge.publishing.models import CalendarSettings

SHANGHAI = ZoneInfo("Asia/Shanghai")
STAFF_OPENID = "o_ops_wang_00000000000000000"


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def previewers(institution, *openids, protection=False):
    return CalendarSettings.objects.update_or_create(
        institution=institution,
        defaults={
            "preview_openids": list(openids or [STAFF_OPENID]),
            "mass_protection": protection,
        },
    )[0]


def plan(account, due_at, now=None, **fields):
    defaults = {
        "title": "立冬养生",
        "msgtype": "text",
        "content": {"content": "立冬进补有讲究，详见健康宣教"},
        "segment": "all",
    }
    return plan_mass_send(
        account.institution, account=account, due_at=due_at, now=now, **{**defaults, **fields}
    )
