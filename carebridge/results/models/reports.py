"""A report (one HIS report id) and its versions, as the HIS sent them.

``Report`` is the report's identity and the pointer to its newest version (``current``); each
push of a version is a ``ReportVersion`` row, kept for staff when a newer one comes. What the
patient may see is decided once, here: ``Report.objects.visible_to_patient(now)``."""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import Blocker, ContactMethod, ReleaseMode, ReportKind, ReportStatus
from .rules import Hold, ReleaseRule


def _visible(now) -> Q:
    return Q(
        withdrawn_at=None,
        current__status__in=ReportStatus.visible(),
        current__released_at__lte=now,
    )


class ReportQuerySet(models.QuerySet):
    def of_institution(self, institution):
        return self.filter(institution=institution)

    def for_account(self, follower):
        """Reports of the active patients this WeChat user holds (one account's openid), and
        of no one else."""
        return self.filter(patient__owner=follower, patient__archived_at=None)

    def visible_to_patient(self, now):
        """Reports whose newest version has been released by ``now`` and that were not
        withdrawn. A version is released (``release_report``) only when it is final, amended or
        corrected, its critical values have been acknowledged and its institution's hold rule
        is satisfied: ``released_at`` records that moment, and a hold of N days puts it ahead."""
        return self.filter(_visible(now))

    def history_stamp(self, now) -> tuple:
        """Four figures of these reports that change whenever the set of those visible to the
        patient at ``now`` changes, so a page drawn from that set (the trends) can be cached
        under them. A report joins the set only by a new report or version (the largest
        ``current`` id grows), by a release that has come (the latest ``released_at`` up to now
        grows: it was later than any earlier reading) or by a rule's release of held versions
        (one more visible, which only goes unseen beside one fewer); it leaves only by a
        withdrawal (one more withdrawn) or by a new version that is held (the largest id)."""
        visible = _visible(now)
        stamp = self.aggregate(
            visible=Count("pk", filter=visible),
            released=Max("current__released_at", filter=visible),
            newest=Max("current_id"),
            withdrawn=Count("pk", filter=Q(withdrawn_at__isnull=False)),
        )
        return tuple(stamp.values())

    def next_release(self, now) -> datetime | None:
        """The earliest moment after ``now`` at which one of these reports becomes visible to
        the patient with no further write (a hold's delay ending), or None."""
        pending = self.filter(
            withdrawn_at=None,
            current__status__in=ReportStatus.visible(),
            current__released_at__gt=now,
        )
        return pending.aggregate(first=Min("current__released_at"))["first"]

    def newest_first(self):
        return self.order_by("-issued_at", "-id")

    def with_abnormal(self):
        """Annotates ``has_abnormal``: the current version has an item flagged other than N."""
        return self.annotate(has_abnormal=F("current__abnormal"))


class Report(models.Model):
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=_("机构"),
    )
    identifier = models.CharField(_("HIS报告号"), max_length=64)
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("就诊人"),
    )
    kind = models.CharField(_("报告类型"), max_length=20, choices=ReportKind.choices)
    current = models.ForeignKey(
        "ReportVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("当前版本"),
    )
    # The newest version's, kept here for lists.
    title = models.CharField(_("报告名称"), max_length=200)
    issued_at = models.DateTimeField(_("报告时间"), db_index=True)
    # The visit, linked when both have arrived (in either order): the HIS's visit id is kept.
    encounter = models.CharField(_("HIS就诊号"), max_length=64, blank=True)
    visit = models.ForeignKey(
        "Visit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("就诊记录"),
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("撤回原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("报告")
        verbose_name_plural = _("报告")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "identifier"], name="report_one_per_his_id"
            )
        ]
        indexes = [models.Index(fields=["patient", "-issued_at"])]

    def __str__(self):
        return f"{self.title} ({self.identifier})"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def is_visible_to_patient(self, now) -> bool:
        return Report.objects.visible_to_patient(now).filter(pk=self.pk).exists()

    def shown_to_patient(self, now) -> bool:
        """``visible_to_patient``'s test on this instance and its ``current`` as they are in
        memory, without a query: for an action's answer about the rows it has just written."""
        current = self.current
        return (
            self.withdrawn_at is None
            and current is not None
            and current.status in ReportStatus.visible()
            and current.released_at is not None
            and current.released_at <= now
        )

    def history(self):
        """Every version received, newest first (staff only: the patient sees ``current``)."""
        return self.versions.order_by("-version")


class ReportVersionQuerySet(models.QuerySet):
    def current(self):
        """The newest version of each report that was not withdrawn: the ones staff act on."""
        return self.filter(report__current=F("pk"), report__withdrawn_at=None)

    def awaiting_acknowledgement(self):
        """The critical-value worklist: current versions whose 危急值 no clinician has
        acknowledged yet."""
        return self.current().filter(critical=True, critical_acknowledged_at=None)

    def awaiting_doctor(self):
        """Current versions, ready but for a doctor's release that a rule asks for."""
        doctor_rules = ReleaseRule.objects.applying_to(
            OuterRef("report__institution"), OuterRef("report__kind"), OuterRef("code")
        ).filter(mode=ReleaseMode.DOCTOR)
        return (
            self.current()
            .filter(status__in=ReportStatus.visible(), doctor_released_at=None)
            .filter(Exists(doctor_rules))
        )


class ReportVersion(models.Model):
    """One version of a report as pushed: its status, its content, and when it was released
    to the patient. A critical value holds it until a clinician acknowledges it."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="versions", verbose_name=_("报告")
    )
    version = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(_("状态"), max_length=20, choices=ReportStatus.choices)
    code = models.CharField(_("项目代码"), max_length=64, blank=True)
    title = models.CharField(_("报告名称"), max_length=200)
    effective_at = models.DateTimeField(_("采样/检查时间"), null=True, blank=True)
    issued_at = models.DateTimeField(_("报告时间"), null=True, blank=True)
    performer = models.CharField(_("报告医生"), max_length=50, blank=True)
    specimen = models.CharField(_("标本"), max_length=100, blank=True)
    conclusion = models.TextField(_("结论/印象"), blank=True)
    advice = models.TextField(_("建议"), blank=True)
    # Imaging and examinations.
    modality = models.CharField(_("检查类型"), max_length=16, blank=True)
    body_site = models.CharField(_("检查部位"), max_length=100, blank=True)
    findings = models.TextField(_("检查所见"), blank=True)
    viewer_url = models.URLField(_("影像浏览链接"), max_length=1000, blank=True)
    media = models.JSONField(_("图像"), default=list, blank=True)

    # Written with the items (a version's never change), so a list of reports reads it from the
    # row: an EXISTS over the items let PostgreSQL hash every abnormal item of the database.
    abnormal = models.BooleanField(_("含异常结果"), default=False)
    critical = models.BooleanField(_("含危急值"), default=False)
    critical_acknowledged_at = models.DateTimeField(_("危急值确认时间"), null=True, blank=True)
    critical_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("危急值确认人"),
    )
    critical_contact = models.CharField(
        _("联系患者方式"), max_length=20, choices=ContactMethod.choices, blank=True
    )
    critical_note = models.CharField(_("危急值处理说明"), max_length=200, blank=True)

    doctor_released_at = models.DateTimeField(_("医生发布时间"), null=True, blank=True)
    doctor_released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布医生"),
    )
    released_at = models.DateTimeField(_("向患者发布时间"), null=True, blank=True, db_index=True)

    content_hash = models.CharField(_("内容摘要"), max_length=64, editable=False)
    received_at = models.DateTimeField(_("接收时间"), default=timezone.now)
    api_client = models.ForeignKey(
        "integrations.ApiClient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("推送接口"),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )

    objects = ReportVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("报告版本")
        verbose_name_plural = _("报告版本")
        ordering = ["report", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["report", "version"], name="report_version_once")
        ]

    def __str__(self):
        return f"{self.title} v{self.version}"

    @property
    def is_current(self) -> bool:
        return self.report.current_id == self.pk

    @property
    def is_revision(self) -> bool:
        """An amended or corrected report says so to the patient."""
        return self.status in (ReportStatus.AMENDED, ReportStatus.CORRECTED)

    @property
    def awaits_acknowledgement(self) -> bool:
        return self.critical and self.critical_acknowledged_at is None

    def is_released(self, now) -> bool:
        return self.released_at is not None and self.released_at <= now

    def hold(self) -> Hold:
        """What the institution's release rules ask of this version. A delay counts from the
        first time the report was issued as final, so a correction after the delay is not held
        again."""
        report = self.report

        def first_issued():
            first = report.versions.filter(status__in=ReportStatus.visible()).aggregate(
                first=Min(Coalesce("issued_at", "received_at"))
            )["first"]
            return first or self.received_at

        return ReleaseRule.hold_for(report.institution_id, report.kind, self.code, first_issued)

    def release_blockers(self, hold: Hold | None = None) -> list[str]:
        """Why this version may not be released yet (Blocker values); [] when it may."""
        report = self.report
        blockers = []
        if report.current_id != self.pk:
            blockers.append(Blocker.SUPERSEDED)
        if report.withdrawn_at is not None:
            blockers.append(Blocker.WITHDRAWN)
        if self.status not in ReportStatus.visible():
            blockers.append(Blocker.NOT_FINAL)
        if self.awaits_acknowledgement:
            blockers.append(Blocker.CRITICAL)
        if self.doctor_released_at is None and (hold or self.hold()).needs_doctor:
            blockers.append(Blocker.DOCTOR)
        return blockers

    def release_moment(self, now: datetime) -> datetime | None:
        """When the patient may see this version, if nothing blocks it: now, or the end of the
        rules' delay."""
        hold = self.hold()
        if self.release_blockers(hold):
            return None
        return max(now, hold.until) if hold.until else now
