"""Every write of the results app, one transaction each (``@transaction.atomic``)."""

from .release import acknowledge_critical, release_by_doctor, release_held, release_report
from .reports import Pushed, push_report, withdraw_report
from .shares import NewShare, record_share_access, revoke_share, share_report
from .visits import push_visit

__all__ = [
    "NewShare",
    "Pushed",
    "acknowledge_critical",
    "push_report",
    "push_visit",
    "record_share_access",
    "release_by_doctor",
    "release_held",
    "release_report",
    "revoke_share",
    "share_report",
    "withdraw_report",
]
