"""What the page tests share: alice's reports as the HIS pushes them, and their URLs."""

from datetime import timedelta

from .helpers import NOW, blood_count, item, push, push_visit

SLUG = "renai"


def high_count():
    """血常规 with a white cell count above its range (H)."""
    return blood_count(
        [
            item("白细胞计数", 11.2, "10^9/L", 3.5, 9.5, code="WBC"),
            item("血红蛋白", 128, "g/L", 115, 150, code="HGB"),
        ]
    )


def alice_reports(patient):
    """An earlier normal 血常规, a later one with a high count (linked to a visit)."""
    visit, _outcome = push_visit(patient)
    earlier = push(
        patient,
        now=NOW - timedelta(days=30),
        identifier="LIS-0000",
        issued=(NOW - timedelta(days=30)).isoformat(),
        effectiveDateTime=(NOW - timedelta(days=30, hours=2)).isoformat(),
    ).report
    later = push(patient, identifier="LIS-0001", result=high_count(), encounter="V-0001").report
    return earlier, later, visit


def report_url(report, slug=SLUG):
    return f"/h5/{slug}/reports/{report.pk}/"
