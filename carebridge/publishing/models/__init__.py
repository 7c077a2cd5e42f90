"""The push calendar: health days, the institution's own events, plans that turn an occasion
into a draft article, mass sends planned against WeChat's quota, and published articles
pushed to the account's own page."""

from .calendar import CalendarSettings, HealthDay, HealthDayKind, InstitutionEvent
from .pages import AccountPagePost
from .plans import PushPlan
from .sends import PROTECTION_WINDOW, PlannedSend, PlannedSendStatus, Segment

__all__ = [
    "PROTECTION_WINDOW",
    "AccountPagePost",
    "CalendarSettings",
    "HealthDay",
    "HealthDayKind",
    "InstitutionEvent",
    "PlannedSend",
    "PlannedSendStatus",
    "PushPlan",
    "Segment",
]
