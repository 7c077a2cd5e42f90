"""Operations' view of each department (seed 001 §5: "监督各科信息校对的完成进度、针对科室提供的
稿件进行质量考核并给予相应奖惩"): articles due, in proofreading and overdue now, and the month's
quality: mean rubric score and on-time rate of the department's reviewed articles, ranked.

Three queries whatever the number of departments or articles: the departments, the article
counts grouped by department, the month's reviews grouped by department.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Avg, Count, Q
from django.utils import timezone

from carebridge.institutions.models import Department

from .choices import ArticleState
from .models import Article, Review

# The ranking's consequence, as seed 001 ties quality to rewards and penalties: the best three
# departments reviewed this month are proposed for a reward; a mean under PASS_SCORE or an
# on-time rate under PASS_ON_TIME for a penalty. Proposals only: operations decides.
REWARDED = 3
PASS_SCORE = Decimal(60)
PASS_ON_TIME = Decimal("0.6")


@dataclass
class DepartmentProgress:
    department: Department
    due: int = 0
    proofreading: int = 0
    overdue: int = 0
    reviewed: int = 0
    mean_score: Decimal | None = None
    on_time_rate: Decimal | None = None
    rank: int | None = None
    verdict: str = ""  # "reward", "penalty" or ""


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month's first and next month's first instant, in the institution's time zone."""
    start = month.replace(day=1)
    end = (start.replace(day=28) + timezone.timedelta(days=4)).replace(day=1)
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), zone),
        timezone.make_aware(datetime.combine(end, time.min), zone),
    )


def department_progress(institution, month: date, now=None) -> list[DepartmentProgress]:
    now = now or timezone.now()
    start, end = month_bounds(month)
    departments = Department.objects.filter(institution=institution).order_by("position", "id")
    rows = {d.pk: DepartmentProgress(d) for d in departments}
    waiting = [ArticleState.DRAFT, ArticleState.PROOFREADING]
    counts = (
        Article.objects.filter(institution=institution, department__isnull=False)
        .values("department_id")
        .annotate(
            due=Count("id", filter=Q(state=ArticleState.DRAFT, due_at__isnull=False)),
            proofreading=Count("id", filter=Q(state=ArticleState.PROOFREADING)),
            overdue=Count("id", filter=Q(state__in=waiting, due_at__lt=now)),
        )
        .order_by()
    )
    for c in counts:
        row = rows.get(c["department_id"])
        if row:
            row.due, row.proofreading, row.overdue = c["due"], c["proofreading"], c["overdue"]
    quality = (
        Review.objects.filter(
            article__institution=institution, created_at__gte=start, created_at__lt=end
        )
        .values("article__department_id")
        .annotate(n=Count("id"), mean=Avg("score"), on_time=Count("id", filter=Q(on_time=True)))
        .order_by()
    )
    for q in quality:
        row = rows.get(q["article__department_id"])
        if row:
            row.reviewed = q["n"]
            row.mean_score = Decimal(q["mean"]).quantize(Decimal("0.1"))
            row.on_time_rate = (Decimal(q["on_time"]) / q["n"]).quantize(Decimal("0.01"))
    return _ranked(list(rows.values()))


def _ranked(rows: list[DepartmentProgress]) -> list[DepartmentProgress]:
    scored = sorted(
        (r for r in rows if r.reviewed),
        key=lambda r: (-r.mean_score, -r.on_time_rate, r.department.position, r.department.pk),
    )
    for rank, row in enumerate(scored, start=1):
        row.rank = rank
        if row.mean_score < PASS_SCORE or row.on_time_rate < PASS_ON_TIME:
            row.verdict = "penalty"
        elif rank <= REWARDED:
            row.verdict = "reward"
    unscored = [r for r in rows if not r.reviewed]
    return scored + unscored
