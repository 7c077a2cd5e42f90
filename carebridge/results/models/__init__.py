from ..choices import (
    Blocker,
    ContactMethod,
    Flag,
    RangeType,
    ReleaseMode,
    ReportKind,
    ReportStatus,
    VisitStatus,
)
from .observations import CheckupSection, Observation
from .policy import ResultsPolicy
from .reports import Report, ReportVersion
from .rules import Hold, ReleaseRule
from .shares import ReportShare, ShareAccess, ShareState
from .stamps import PatientStamp
from .visits import Diagnosis, PrescriptionItem, Visit
from .worklists import CriticalValue, HeldReport

__all__ = [
    "Blocker",
    "CheckupSection",
    "ContactMethod",
    "CriticalValue",
    "Diagnosis",
    "Flag",
    "HeldReport",
    "Hold",
    "Observation",
    "PatientStamp",
    "PrescriptionItem",
    "RangeType",
    "ReleaseMode",
    "ReleaseRule",
    "Report",
    "ReportKind",
    "ReportStatus",
    "ReportShare",
    "ReportVersion",
    "ResultsPolicy",
    "ShareAccess",
    "ShareState",
    "Visit",
    "VisitStatus",
]
