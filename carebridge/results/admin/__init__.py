"""Back office for reports: reports per patient with their versions (read-only history), the
critical-value worklist, reports held for a doctor, release rules, visits, and manual entry.

Patients' names are masked in every list; opening a report, a version or a visit shows its
content and is written to the patients' audit log, like opening the patient. Staff who are not
superusers see only their institution's rows. Share links are
shown read-only, with each opening."""

from . import reports, rules, shares, visits, worklists

__all__ = ["reports", "rules", "shares", "visits", "worklists"]
