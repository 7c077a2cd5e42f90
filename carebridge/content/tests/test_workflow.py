"""Every step of the editorial workflow, and every refusal."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from carebridge.content.actions import (
    WorkflowError,
    approve_proofreading,
    claim_review,
    create_draft,
    publish_due_article,
    reject_article,
    review_article,
    submit_draft,
    update_draft,
)
from carebridge.content.actions.workflow import PUBLISH_TOPIC
from carebridge.content.models import Article, ArticleState, Notification
from carebridge.outbox.models import OutboxMessage

from .workflow_personas import full_marks

pytestmark = pytest.mark.django_db


def refused(code, func, *args, **kwargs):
    with pytest.raises(WorkflowError) as error:
        func(*args, **kwargs)
    assert error.value.code == code
    return error.value


def notified(user):
    return list(Notification.objects.filter(user=user).values_list("text", flat=True))


def to_review(draft, erin, harry):
    submit_draft(erin, draft)
    approve_proofreading(harry, draft)
    return draft


def test_the_whole_way_from_draft_to_published(draft, erin, harry, olivia, rubric):
    submit_draft(erin, draft)
    assert draft.state == ArticleState.PROOFREADING and draft.due_at
    assert notified(harry) == ["《高血压的日常管理》第 1 版待审校"]
    approve_proofreading(harry, draft)
    assert draft.state == ArticleState.REVIEWING
    assert notified(olivia) == ["《高血压的日常管理》待运营审核"]
    at = timezone.now() + timedelta(days=1)
    review = review_article(olivia, draft, full_marks(rubric, 8), "好", publish_at=at)
    assert review.score == 80 and draft.state == ArticleState.SCHEDULED
    assert "得分 80.0" in notified(erin)[0]
    row = OutboxMessage.objects.get(topic=PUBLISH_TOPIC)
    assert row.available_at == at
    assert not publish_due_article(draft.pk)  # not yet
    assert publish_due_article(draft.pk, now=at)
    draft.refresh_from_db()
    assert draft.state == ArticleState.PUBLISHED and draft.is_published
    assert list(draft.events.values_list("action", flat=True)) == [
        "create", "submit", "approve", "review", "publish",
    ]  # fmt: skip


def test_an_editor_cannot_proofread_review_or_publish(draft, erin, rubric):
    submit_draft(erin, draft)
    refused("forbidden", approve_proofreading, erin, draft)
    refused("forbidden", review_article, erin, draft, full_marks(rubric))
    refused("forbidden", claim_review, erin, draft)


def test_another_department_cannot_touch_the_draft(draft, paul):
    refused("forbidden", update_draft, paul, draft, title="改")
    refused("forbidden", submit_draft, paul, draft)
    assert Article.objects.get().title == "高血压的日常管理"


def test_a_draft_needs_its_kind_and_category(erin, hospital, cardiology):
    with pytest.raises(ValidationError) as error:
        create_draft(erin, hospital, cardiology, title="x", body="x")
    assert {"kind", "category"} <= set(error.value.message_dict)
    assert not Article.objects.exists()


def test_an_editor_cannot_draft_for_another_department(erin, hospital, paediatrics):
    refused("forbidden", create_draft, erin, hospital, paediatrics, title="x", body="x")


def test_another_institutions_operations_cannot_review(draft, erin, harry, rubric, db):
    from carebridge.institutions.models import Institution

    from .workflow_personas import EditorialRole, member

    other = Institution.objects.create(slug="other", name="别家医院")
    stranger = member("stranger", other, EditorialRole.OPERATIONS)
    to_review(draft, erin, harry)
    refused("forbidden", review_article, stranger, draft, full_marks(rubric))


def test_a_lost_permission_ends_the_role(draft, erin, harry):
    harry.groups.clear()
    submit_draft(erin, draft)
    refused("forbidden", approve_proofreading, harry, draft)


def test_rejecting_needs_a_reason(draft, erin, harry):
    submit_draft(erin, draft)
    error = refused("reason_required", reject_article, harry, draft, "  ")
    assert error.field == "reason" and draft.state == ArticleState.PROOFREADING


def test_the_head_rejects_back_to_the_editor_with_the_reason(draft, erin, harry):
    submit_draft(erin, draft)
    reject_article(harry, draft, "数据需核实")
    assert draft.state == ArticleState.DRAFT
    assert notified(erin) == ["《高血压的日常管理》被退回:数据需核实"]
    assert draft.events.last().reason == "数据需核实"


def test_operations_rejects_back_to_proofreading(draft, erin, harry, olivia):
    to_review(draft, erin, harry)
    reject_article(olivia, draft, "配图不清晰")
    assert draft.state == ArticleState.PROOFREADING
    assert "配图不清晰" in notified(harry)[0]


def test_a_published_article_cannot_be_rejected(draft, erin, harry, olivia, rubric):
    to_review(draft, erin, harry)
    review_article(olivia, draft, full_marks(rubric))
    refused("not_rejectable", reject_article, olivia, draft, "晚了")


def test_only_drafts_can_be_edited(draft, erin):
    submit_draft(erin, draft)
    refused("not_draft", update_draft, erin, draft, title="改")


def test_a_step_taken_twice_is_refused(draft, erin, harry):
    submit_draft(erin, draft)
    stale = Article.objects.get(pk=draft.pk)
    approve_proofreading(harry, draft)
    refused("stale", approve_proofreading, harry, stale)


def test_a_second_reviewer_is_refused_while_the_claim_lasts(draft, erin, harry, olivia, oscar):
    to_review(draft, erin, harry)
    now = timezone.now()
    claim_review(olivia, draft, now)
    refused("claimed", claim_review, oscar, Article.objects.get(pk=draft.pk), now)
    refused("claimed", reject_article, oscar, Article.objects.get(pk=draft.pk), "x", now)
    # The claim lapses after the policy's 30 minutes.
    claim_review(oscar, Article.objects.get(pk=draft.pk), now + timedelta(minutes=31))
    assert Article.objects.get(pk=draft.pk).claimed_by == oscar


def test_every_rubric_criterion_needs_a_score_in_range(draft, erin, harry, olivia, rubric):
    to_review(draft, erin, harry)
    scores = full_marks(rubric)
    scores[rubric[0].pk] = 11
    assert refused("score", review_article, olivia, draft, scores).field == "scores"
    del scores[rubric[0].pk]
    refused("score", review_article, olivia, draft, scores)
    assert draft.state == ArticleState.REVIEWING


def test_each_submitted_change_is_a_version(draft, erin, harry):
    submit_draft(erin, draft)
    reject_article(harry, draft, "改标题")
    update_draft(erin, draft, title="高血压:日常管理五要点")
    submit_draft(erin, draft)
    assert [v.title for v in draft.versions.all()] == ["高血压的日常管理", "高血压:日常管理五要点"]


def test_the_body_is_sanitised_on_every_write(draft, erin):
    update_draft(erin, draft, body='<p onclick="x()">量血压</p><script>1</script>')
    assert Article.objects.get().body == "<p>量血压</p>"


def test_late_submission_is_recorded(erin, hospital, cardiology, harry, olivia, rubric):
    due = timezone.now() - timedelta(days=1)
    article = create_draft(
        erin, hospital, cardiology, due_at=due, title="迟交", body="<p>x</p>",
        kind="education", category="health",
    )  # fmt: skip
    to_review(article, erin, harry)
    assert review_article(olivia, article, full_marks(rubric)).on_time is False
