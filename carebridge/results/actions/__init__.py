"""Every write of the results app, one transaction each (``@transaction.atomic``)."""

from .release import acknowledge_critical, release_by_doctor, release_report
from .reports import Pushed, push_report, withdraw_report
from .visits import push_visit

__all__ = [
    "Pushed",
    "acknowledge_critical",
    "push_report",
    "push_visit",
    "release_by_doctor",
    "release_report",
    "withdraw_report",
]
