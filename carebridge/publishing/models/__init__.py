"""The push calendar: health days, the institution's own events, plans that turn an occasion
into a draft article, and mass sends planned against WeChat's quota."""

from .calendar import CalendarSettings, HealthDay, HealthDayKind, InstitutionEvent
from .plans import PushPlan
from .sends import PROTECTION_WINDOW, PlannedSend, PlannedSendStatus, Segment

__all__ = [
    "PROTECTION_WINDOW",
    "CalendarSettings",
    "HealthDay",
    "HealthDayKind",
    "InstitutionEvent",
    "PlannedSend",
    "PlannedSendStatus",
    "PushPlan",
    "Segment",
]
