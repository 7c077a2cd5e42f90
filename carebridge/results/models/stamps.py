"""The stamp of what a patient's report pages are drawn from, kept in a row that every write
changing it bumps in its own transaction (issue 13): read with the report, it spares the
aggregate over all the patient's reports (``ReportQuerySet.history_stamp``) on every page.

Which reports the patient sees changes by a write (a new report or version, a release, a
withdrawal: each bumps ``number``, ``actions/stamps.py``) and by time alone: a version released
with a delay appears when the delay ends, with no write. So the row also says when its number
holds: from ``settled_at`` (every release written up to then is at or before it) until
``next_release_at`` (the earliest release still to come). Outside that window a page falls back
to the aggregate (report_body.py), and brings the row up to date with an update conditional on
the number it read, so a write in the meantime is never overwritten.

The report page also shows the patient's share links (each one's state and openings), so the row
keeps a second number for them, ``shares``: bumped by a link made, revoked or opened
(``actions/stamps.py``, ``bump_shares``), and holding until ``shares_until``, the earliest
moment a link still open expires (a link's state changes with no write then). Past it the page
reads the links and settles the row the same conditional way."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PatientStamp(models.Model):
    patient = models.OneToOneField(
        "patients.Patient",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="results_stamp",
        verbose_name=_("就诊人"),
    )
    number = models.PositiveBigIntegerField(_("版本"), default=0)
    settled_at = models.DateTimeField(_("已定时间"))
    next_release_at = models.DateTimeField(_("下次发布时间"), null=True, blank=True)
    shares = models.PositiveBigIntegerField(_("分享版本"), default=0)
    shares_until = models.DateTimeField(_("分享状态有效至"), null=True, blank=True)

    class Meta:
        verbose_name = _("报告版本戳")
        verbose_name_plural = _("报告版本戳")

    def __str__(self):
        return f"{self.patient_id}: {self.number}"

    def holds_at(self, now) -> bool:
        """Whether the patient's visible reports at ``now`` are the ones ``number`` stands for:
        the same at every moment of the window, so a key of the number is one of them."""
        return self.settled_at <= now and (
            self.next_release_at is None or now < self.next_release_at
        )

    def shares_hold_at(self, now) -> bool:
        """Whether the patient's share links at ``now`` are the ones ``shares`` stands for: no
        link has expired since the number was last moved."""
        return self.settled_at <= now and (self.shares_until is None or now < self.shares_until)
