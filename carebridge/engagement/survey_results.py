"""A survey's results for the back office: counts per option, mean scores, free-text keywords
(jieba), the response rate, and satisfaction per department and doctor; also as a workbook."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from io import BytesIO

import jieba
import jieba.analyse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from carebridge.wechat.models import Follower

from .models import QuestionKind, Survey

jieba.setLogLevel(60)  # jieba logs its dictionary loading at INFO to stderr
KEYWORDS = 12
SCORED = (QuestionKind.RATING,)
BAR_WIDTH, BAR_ROW = 300, 28  # pixels


@dataclass
class QuestionResult:
    question: object
    answered: int = 0
    counts: list[tuple[str, int]] = field(default_factory=list)  # (label, count), for bars
    mean: float | None = None
    nps: int | None = None
    keywords: list[tuple[str, float]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    @property
    def bars(self) -> list[dict]:
        """The SVG chart's bars: label, count, y and width in pixels (the largest count is
        BAR_WIDTH wide)."""
        top = max((n for _label, n in self.counts), default=0)
        return [
            {"label": label, "n": n, "y": i * BAR_ROW,
             "width": round(n * BAR_WIDTH / top) if top else 0}
            for i, (label, n) in enumerate(self.counts)
        ]  # fmt: skip

    @property
    def chart_height(self) -> int:
        return len(self.counts) * BAR_ROW


@dataclass
class GroupResult:
    name: str
    responses: int
    mean: float | None


def _mean(values) -> float | None:
    values = list(values)
    return round(sum(values) / len(values), 2) if values else None


def keywords(texts: list[str], top: int = KEYWORDS) -> list[tuple[str, float]]:
    """The free-text answers' keywords by jieba's TF-IDF, with their weights."""
    text = "\n".join(texts)
    if not text.strip():
        return []
    return [
        (word, round(w, 3))
        for word, w in jieba.analyse.extract_tags(text, topK=top, withWeight=True)
    ]


def _question_result(question, responses) -> QuestionResult:
    key = str(question.pk)
    answers = [r.answers[key] for r in responses if key in r.answers]
    result = QuestionResult(question, answered=len(answers))
    if question.kind == QuestionKind.SINGLE:
        counts = Counter(answers)
        result.counts = [(v, counts.get(v, 0)) for v, _label in question.options()]
    elif question.kind == QuestionKind.MULTIPLE:
        counts = Counter(v for chosen in answers for v in chosen)
        result.counts = [(v, counts.get(v, 0)) for v, _label in question.options()]
    elif question.kind == QuestionKind.RATING:
        counts = Counter(answers)
        result.counts = [(str(n), counts.get(n, 0)) for n in range(1, 6)]
        result.mean = _mean(answers)
    elif question.kind == QuestionKind.NPS:
        counts = Counter(answers)
        result.counts = [(str(n), counts.get(n, 0)) for n in range(11)]
        result.mean = _mean(answers)
        if answers:  # promoters (9–10) minus detractors (0–6), in % of answers
            promoters = sum(1 for a in answers if a >= 9)
            detractors = sum(1 for a in answers if a <= 6)
            result.nps = round((promoters - detractors) * 100 / len(answers))
    elif question.kind == QuestionKind.TEXT:
        result.texts = answers
        result.keywords = keywords(answers)
    else:  # matrix: "row: column" pairs
        counts = Counter(f"{row}: {col}" for rows in answers for row, col in rows.items())
        result.counts = sorted(counts.items())
    return result


def response_score(response, scored_ids: list[str]) -> float | None:
    """A response's satisfaction: the mean of its rating answers (1–5)."""
    return _mean(response.answers[k] for k in scored_ids if k in response.answers)


def _groups(responses, scored_ids, attribute) -> list[GroupResult]:
    grouped = defaultdict(list)
    for response in responses:
        grouped[getattr(response, attribute) or "-"].append(response)
    rows = []
    for name, members in grouped.items():
        scores = [s for s in (response_score(r, scored_ids) for r in members) if s is not None]
        rows.append(GroupResult(str(name), len(members), _mean(scores)))
    return sorted(rows, key=lambda g: (-g.responses, g.name))


@dataclass
class SurveyResults:
    survey: Survey
    responses: int
    invited: int  # after-visit invitations sent, or the institution's followers
    questions: list[QuestionResult]
    by_department: list[GroupResult]
    by_doctor: list[GroupResult]

    @property
    def grouped(self):
        return [(_("按科室"), self.by_department), (_("按医生"), self.by_doctor)]

    @property
    def response_rate(self) -> float | None:
        return round(self.responses * 100 / self.invited, 1) if self.invited else None


def invited(survey: Survey) -> int:
    """The response rate's denominator: the invitations sent for an after-visit survey, the
    institution's followers for any other."""
    if survey.per_visit:
        return survey.invitations.count()
    return Follower.objects.filter(
        account__institution_id=survey.institution_id, subscribed=True
    ).count()


def summarise(survey: Survey) -> SurveyResults:
    responses = list(survey.responses.select_related("department", "doctor"))
    questions = list(survey.questions.all())
    scored = [str(q.pk) for q in questions if q.kind in SCORED]
    return SurveyResults(
        survey=survey,
        responses=len(responses),
        invited=invited(survey),
        questions=[_question_result(q, responses) for q in questions],
        by_department=_groups(responses, scored, "department"),
        by_doctor=_groups(responses, scored, "doctor"),
    )


def _text(value) -> str:
    if isinstance(value, list):
        return "、".join(value)
    if isinstance(value, dict):
        return ";".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def results_workbook(survey: Survey) -> bytes:
    """Every response (one row each, one column per question) and the per-department and
    per-doctor means: anonymous in every case, no respondent is named."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("答卷")
    questions = list(survey.questions.all())
    sheet.append([_("提交时间"), _("科室"), _("医生")] + [q.text for q in questions])
    for r in survey.responses.select_related("department", "doctor").order_by("submitted_at"):
        sheet.append(
            [
                r.submitted_at.replace(tzinfo=None),
                str(r.department or ""),
                str(r.doctor or ""),
            ]
            + [_text(r.answers.get(str(q.pk), "")) for q in questions]
        )
    for row in sheet.iter_rows(min_row=2, min_col=2):
        for cell in row:  # a free-text answer starting "=" stays text, never a formula
            cell.data_type = "s"
    results = summarise(survey)
    for title, groups in ((_("按科室"), results.by_department), (_("按医生"), results.by_doctor)):
        group_sheet = book.create_sheet(title)
        group_sheet.append([_("名称"), _("答卷数"), _("平均满意度(1-5)")])
        for g in groups:
            group_sheet.append([g.name, g.responses, g.mean])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
