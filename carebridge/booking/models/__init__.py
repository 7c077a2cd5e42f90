from .appointments import Appointment, NoShow, WaitRecord
from .choices import (
    HOLDING,
    AppointmentStatus,
    CancelledBy,
    Channel,
    ClinicType,
    FeePayment,
    PaymentStatus,
    Period,
    SessionStatus,
)
from .jobs import DailyJobRun
from .policy import BookingBan, BookingPolicy
from .schedules import ClinicSession, ClosedDay, ScheduleTemplate, SessionQuota, Slot

__all__ = [
    "HOLDING",
    "NoShow",
    "Appointment",
    "AppointmentStatus",
    "BookingBan",
    "BookingPolicy",
    "CancelledBy",
    "Channel",
    "ClinicSession",
    "ClinicType",
    "ClosedDay",
    "DailyJobRun",
    "FeePayment",
    "PaymentStatus",
    "Period",
    "ScheduleTemplate",
    "SessionQuota",
    "SessionStatus",
    "Slot",
    "WaitRecord",
]
