"""The editorial workflow's steps. Department editor drafts → department head proofreads →
operations reviews with a rubric score → scheduled publish (→ optional push).

Each step checks the actor's role for the article's department (roles.py), moves the state with
a conditional UPDATE (two people acting at once: one wins, the other gets a WorkflowError), logs
an event, keeps a version of what was submitted, and notifies the next step (notify.py).
"""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from carebridge.outbox.actions import enqueue_once

from ..choices import ArticleState, EditorialRole
from ..models import (
    Article,
    ArticleEvent,
    ArticleVersion,
    EditorialPolicy,
    Review,
    ReviewScore,
    RubricCriterion,
)
from ..roles import has_role
from ..sanitise import sanitise
from . import notify

PUBLISH_TOPIC = "content.publish"
EDITABLE = ["title", "title_en", "summary", "summary_en", "body", "body_en", "kind"]
EDITABLE += ["category", "tags", "author", "cover"]


class WorkflowError(ValidationError):
    """A step refused: the message says why, ``field`` names the input at fault (if any)."""

    def __init__(self, message, code, field=None):
        super().__init__(message, code=code)
        self.field = field


def _require(user, article, role):
    if not has_role(user, article, role):
        raise WorkflowError(_("您没有处理该科室稿件的权限。"), code="forbidden")


def _move(article, expected, to_state, **fields) -> None:
    """Move the article from ``expected`` to ``to_state``, unless someone moved it first."""
    fields.update(state=to_state, updated_at=timezone.now())
    moved = Article.objects.filter(pk=article.pk, state=expected).update(**fields)
    if not moved:
        raise WorkflowError(_("该稿件已被他人处理,请刷新后再试。"), code="stale")
    for name, value in fields.items():
        setattr(article, name, value)


def _log(article, action, from_state, user, reason="", on_time=None, now=None):
    return ArticleEvent.objects.create(
        article=article,
        action=action,
        from_state=from_state,
        to_state=article.state,
        actor=user,
        reason=reason,
        on_time=on_time,
        at=now or timezone.now(),
    )


def _keep_version(article, user, now) -> ArticleVersion:
    """A version row for the submitted text, unless it is the same as the last one."""
    last = article.versions.order_by("-number").first()
    text = (article.title, article.summary, article.body, article.body_en)
    if last and (last.title, last.summary, last.body, last.body_en) == text:
        return last
    return ArticleVersion.objects.create(
        article=article,
        number=(last.number + 1) if last else 1,
        title=article.title,
        summary=article.summary,
        body=article.body,
        body_en=article.body_en,
        created_by=user,
        created_at=now,
    )


def _clean(fields: dict) -> dict:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise WorkflowError(_("不能修改这些字段。"), code="fields", field=sorted(unknown)[0])
    for name in ("body", "body_en"):
        if name in fields:
            fields[name] = sanitise(fields[name])
    return fields


@transaction.atomic
def create_draft(user, institution, department, due_at=None, **fields) -> Article:
    """A new draft of ``department``, written by one of its editors; ``due_at`` is when the
    department owes it (the push calendar sets one)."""
    article = Article(institution=institution, department=department, due_at=due_at)
    _require(user, article, EditorialRole.EDITOR)
    for name, value in _clean(fields).items():
        setattr(article, name, value)
    article.created_by = user
    article.full_clean(exclude=["cover"])
    article.save()
    _log(article, "create", ArticleState.DRAFT, user)
    return article


@transaction.atomic
def assign_draft(assigned_by, institution, department, due_at=None, **fields) -> Article:
    """A new draft that operations assigns to ``department`` (the push calendar's topics): the
    department's editors write it by ``due_at`` and are told so. The caller has checked that
    ``assigned_by`` may plan for the institution (the calendar's permission); the department
    must be the institution's."""
    if department is None or department.institution_id != institution.pk:
        raise WorkflowError(_("请选择本院的科室"), code="department", field="department")
    article = Article(institution=institution, department=department, due_at=due_at)
    for name, value in _clean(fields).items():
        setattr(article, name, value)
    article.created_by = assigned_by
    article.full_clean(exclude=["cover", "body"])  # the department writes the body
    article.save()
    _log(article, "assign", ArticleState.DRAFT, assigned_by)
    text = _("新的供稿任务《%(title)s》,请于 %(due)s 前完成") % {
        "title": article.title,
        "due": timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M") if due_at else _("尽快"),
    }
    notify.step(article, EditorialRole.EDITOR, text)
    return article


@transaction.atomic
def update_draft(user, article, **fields) -> Article:
    """Change a draft (only its department's editors, only while it is a draft)."""
    _require(user, article, EditorialRole.EDITOR)
    if article.state != ArticleState.DRAFT:
        raise WorkflowError(_("只有草稿可以修改。"), code="not_draft")
    for name, value in _clean(fields).items():
        setattr(article, name, value)
    article.full_clean(exclude=["cover"])
    article.save(update_fields=[*fields, "updated_at"])
    return article


@transaction.atomic
def submit_draft(user, article, now=None) -> Article:
    """The editor sends the draft to the department head for proofreading."""
    now = now or timezone.now()
    _require(user, article, EditorialRole.EDITOR)
    on_time = article.due_at is None or now <= article.due_at
    policy = EditorialPolicy.for_institution(article.institution)
    due = now + timedelta(days=policy.proofread_days)
    _move(article, ArticleState.DRAFT, ArticleState.PROOFREADING, due_at=due)
    version = _keep_version(article, user, now)
    _log(article, "submit", ArticleState.DRAFT, user, on_time=on_time, now=now)
    notify.step(article, EditorialRole.HEAD, _("《%(title)s》第 %(n)d 版待审校") % {
        "title": article.title, "n": version.number})  # fmt: skip
    return article


@transaction.atomic
def approve_proofreading(user, article, now=None) -> Article:
    """The department head passes the article on to operations."""
    now = now or timezone.now()
    _require(user, article, EditorialRole.HEAD)
    on_time = article.due_at is None or now <= article.due_at
    policy = EditorialPolicy.for_institution(article.institution)
    due = now + timedelta(days=policy.review_days)
    _move(article, ArticleState.PROOFREADING, ArticleState.REVIEWING, due_at=due)
    _keep_version(article, user, now)
    _log(article, "approve", ArticleState.PROOFREADING, user, on_time=on_time, now=now)
    notify.step(article, EditorialRole.OPERATIONS, _("《%(title)s》待运营审核") % {
        "title": article.title})  # fmt: skip
    return article


# Rejecting returns the article one step back, to the role that sent it.
BACK = {
    ArticleState.PROOFREADING: (ArticleState.DRAFT, EditorialRole.HEAD, EditorialRole.EDITOR),
    ArticleState.REVIEWING: (ArticleState.PROOFREADING, EditorialRole.OPERATIONS,
                             EditorialRole.HEAD),
}  # fmt: skip


@transaction.atomic
def reject_article(user, article, reason: str, now=None) -> Article:
    """Send the article back one step with a reason (required)."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("退回须填写原因。"), code="reason_required", field="reason")
    if article.state not in BACK:
        raise WorkflowError(_("该稿件当前不能退回。"), code="not_rejectable")
    to_state, role, back_to = BACK[article.state]
    _require(user, article, role)
    if article.claimed_by_other(user, now):
        raise WorkflowError(_("%(name)s 正在审核该稿件。") % {
            "name": article.claimed_by}, code="claimed")  # fmt: skip
    policy = EditorialPolicy.for_institution(article.institution)
    days = policy.proofread_days if to_state == ArticleState.PROOFREADING else 0
    from_state = article.state
    _move(
        article,
        from_state,
        to_state,
        due_at=now + timedelta(days=days) if days else article.due_at,
        claimed_by=None,
        claim_expires_at=None,
    )
    _log(article, "reject", from_state, user, reason=reason, now=now)
    notify.step(article, back_to, _("《%(title)s》被退回:%(reason)s") % {
        "title": article.title, "reason": reason})  # fmt: skip
    return article


@transaction.atomic
def claim_review(user, article, now=None) -> Article:
    """Mark the article as being reviewed by ``user`` for the policy's minutes. Refused while
    another reviewer's claim lasts; one conditional UPDATE, so of two at once only one wins."""
    now = now or timezone.now()
    _require(user, article, EditorialRole.OPERATIONS)
    if article.state != ArticleState.REVIEWING:
        raise WorkflowError(_("该稿件不在审核中。"), code="not_reviewing")
    minutes = EditorialPolicy.for_institution(article.institution).claim_minutes
    expires = now + timedelta(minutes=minutes)
    free = Article.objects.filter(pk=article.pk, state=ArticleState.REVIEWING).filter(
        _free_for(user, now)
    )
    if not free.update(claimed_by=user, claim_expires_at=expires):
        article.refresh_from_db(fields=["claimed_by", "claim_expires_at", "state"])
        raise WorkflowError(_("%(name)s 正在审核该稿件。") % {
            "name": article.claimed_by}, code="claimed")  # fmt: skip
    article.claimed_by, article.claim_expires_at = user, expires
    return article


def _free_for(user, now):
    """Unclaimed, claimed by ``user``, or a lapsed claim."""
    return Q(claimed_by=None) | Q(claimed_by=user) | Q(claim_expires_at__lte=now)


def _rubric_scores(article, scores: dict) -> list[tuple[RubricCriterion, int]]:
    criteria = list(
        RubricCriterion.objects.filter(institution_id=article.institution_id, is_active=True)
    )
    if not criteria:
        raise WorkflowError(_("本机构尚未设置审核评分项。"), code="no_rubric", field="scores")
    pairs = []
    for criterion in criteria:
        value = scores.get(criterion.pk)
        if value is None or not 0 <= int(value) <= criterion.max_score:
            raise WorkflowError(
                _("「%(name)s」须打 0 到 %(max)d 分。")
                % {"name": criterion.name, "max": criterion.max_score},
                code="score",
                field="scores",
            )
        pairs.append((criterion, int(value)))
    return pairs


@transaction.atomic
def review_article(user, article, scores: dict, comments="", publish_at=None, push=False, now=None):
    """Operations scores the article on the rubric (``scores``: criterion id → points) and
    schedules it: published at ``publish_at`` (default now) by an outbox row due then."""
    now = now or timezone.now()
    _require(user, article, EditorialRole.OPERATIONS)
    claim_review(user, article, now)
    pairs = _rubric_scores(article, scores)
    total = sum(c.max_score for c, _v in pairs)
    percent = (Decimal(sum(v for _c, v in pairs)) * 100 / total).quantize(Decimal("0.1"))
    publish_at = publish_at or now
    version = _keep_version(article, user, now)
    department_events = article.events.filter(action__in=["submit", "approve"]).order_by("-at")
    on_time = all(e.on_time is not False for e in department_events[:2])
    review = Review.objects.create(
        article=article, version=version, reviewer=user, score=percent,
        comments=comments.strip(), on_time=on_time, created_at=now,
    )  # fmt: skip
    ReviewScore.objects.bulk_create(
        ReviewScore(review=review, criterion=c, score=v) for c, v in pairs
    )
    _move(
        article, ArticleState.REVIEWING, ArticleState.SCHEDULED,
        published_at=publish_at, due_at=None, claimed_by=None, claim_expires_at=None,
        push_after_publish=push,
    )  # fmt: skip
    _log(article, "review", ArticleState.REVIEWING, user, reason=comments, now=now)
    enqueue_once(
        PUBLISH_TOPIC,
        {"article_id": article.pk},
        f"content.publish:{article.pk}:{version.number}:{publish_at.isoformat()}",
        available_at=publish_at,
    )
    text = _("《%(title)s》审核通过,得分 %(score)s,将于 %(at)s 发布") % {
        "title": article.title, "score": percent,
        "at": timezone.localtime(publish_at).strftime("%Y-%m-%d %H:%M")}  # fmt: skip
    notify.step(article, EditorialRole.EDITOR, text)
    notify.step(article, EditorialRole.HEAD, text)
    return review


@transaction.atomic
def save_article(user, article, fields: list[str]) -> Article:
    """The back office's save: operations (and superusers) edit and typeset any article of
    their institution at any step; a department editor only their department's drafts."""
    is_new = article.pk is None
    if not (user.is_superuser or has_role(user, article, EditorialRole.OPERATIONS)):
        _require(user, article, EditorialRole.EDITOR)
        if not is_new and article.state != ArticleState.DRAFT:
            raise WorkflowError(_("只有草稿可以修改。"), code="not_draft")
    if is_new:
        article.created_by = user
        article.save()
        _log(article, "create", ArticleState.DRAFT, user)
    else:
        article.save()
    return article
