"""The back office's workflow page, diff, notification list and department scoping."""

import pytest
from django.test import Client
from django.urls import reverse

from carebridge.content.actions import reject_article, submit_draft, update_draft
from carebridge.content.models import Article, ArticleState, Notification

from .workflow_personas import full_marks

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def workflow_url(article):
    return reverse("admin:content_article_workflow", args=[article.pk])


def test_the_editor_submits_from_the_workflow_page(draft, erin, harry):
    response = logged_in(erin).post(workflow_url(draft), {"do": "submit"})
    assert response.status_code == 302
    assert Article.objects.get().state == ArticleState.PROOFREADING


def test_rejecting_without_a_reason_is_a_form_error(draft, erin, harry):
    submit_draft(erin, draft)
    response = logged_in(harry).post(workflow_url(draft), {"do": "reject", "reason": ""})
    assert response.status_code == 400
    assert "退回须填写原因。" in response.content.decode()
    assert Article.objects.get().state == ArticleState.PROOFREADING


def test_an_unknown_step_is_a_400(draft, erin):
    response = logged_in(erin).post(workflow_url(draft), {"do": "explode"})
    assert response.status_code == 400 and "未知的操作" in response.content.decode()


def test_an_editor_posting_a_review_is_refused(draft, erin, harry, rubric):
    submit_draft(erin, draft)
    data = {"do": "review", **{f"score_{c.pk}": 10 for c in rubric}}
    response = logged_in(erin).post(workflow_url(draft), data)
    assert response.status_code == 400 and "没有处理该科室稿件的权限" in response.content.decode()
    assert Article.objects.get().state == ArticleState.PROOFREADING


def test_a_review_with_a_bad_score_names_the_field(draft, erin, harry, olivia, rubric):
    submit_draft(erin, draft)
    logged_in(harry).post(workflow_url(draft), {"do": "approve"})
    data = {"do": "review", **{f"score_{c.pk}": 10 for c in rubric}}
    data[f"score_{rubric[0].pk}"] = "99"
    response = logged_in(olivia).post(workflow_url(draft), data)
    assert response.status_code == 400
    assert response.context["review_form"].errors.keys() == {f"score_{rubric[0].pk}"}
    data[f"score_{rubric[0].pk}"] = "9"
    assert logged_in(olivia).post(workflow_url(draft), data).status_code == 302
    assert Article.objects.get().state == ArticleState.SCHEDULED


def test_another_departments_editor_gets_404(draft, paul):
    assert logged_in(paul).get(workflow_url(draft)).status_code == 404
    change = reverse("admin:content_article_change", args=[draft.pk])
    assert logged_in(paul).get(change).status_code == 302  # admin: not found, back to list


def test_an_editor_lists_only_their_department(draft, erin, paul):
    listed = logged_in(paul).get(reverse("admin:content_article_changelist"))
    assert list(listed.context["cl"].result_list) == []
    listed = logged_in(erin).get(reverse("admin:content_article_changelist"))
    assert list(listed.context["cl"].result_list) == [draft]
    assert 'value="publish"' not in listed.content.decode()


def test_an_editor_cannot_change_a_submitted_article(draft, erin):
    submit_draft(erin, draft)
    page = logged_in(erin).get(reverse("admin:content_article_change", args=[draft.pk]))
    assert page.status_code == 200 and not page.context["has_change_permission"]


def test_the_diff_shows_both_versions_escaped(draft, erin, harry):
    submit_draft(erin, draft)
    reject_article(harry, draft, "再改")
    update_draft(erin, draft, body="<p>每天量两次血压。</p><p>&lt;script&gt;</p>")
    submit_draft(erin, draft)
    url = reverse("admin:content_article_diff", args=[draft.pk, 1, 2])
    html = logged_in(harry).get(url).content.decode()
    assert "两次</span>血压" in html and "<script>" not in html
    assert 'class="diff"' in html
    assert logged_in(harry).get(workflow_url(draft)).status_code == 200


def test_a_missing_version_is_404(draft, erin):
    url = reverse("admin:content_article_diff", args=[draft.pk, 1, 9])
    assert logged_in(erin).get(url).status_code == 404


def test_the_notification_list_is_ones_own(draft, erin, harry, olivia):
    submit_draft(erin, draft)
    page = logged_in(harry).get(reverse("admin:content_notification_changelist"))
    assert [n.text for n in page.context["cl"].result_list] == ["《高血压的日常管理》第 1 版待审校"]
    page = logged_in(olivia).get(reverse("admin:content_notification_changelist"))
    assert list(page.context["cl"].result_list) == []
    logged_in(harry).post(
        reverse("admin:content_notification_changelist"),
        {"action": "mark_read", "_selected_action": [Notification.objects.get().pk]},
    )
    assert Notification.objects.get().read_at is not None


def test_marking_read_touches_only_ones_own_and_keeps_the_first_time(draft, erin, harry):
    from carebridge.content.actions.notify import mark_read

    submit_draft(erin, draft)
    note = Notification.objects.get()
    assert mark_read(erin, Notification.objects.all()) == 0  # harry's, not erin's
    assert Notification.objects.get().read_at is None
    assert mark_read(harry, Notification.objects.all()) == 1
    first = Notification.objects.get().read_at
    assert mark_read(harry, Notification.objects.filter(pk=note.pk)) == 0
    assert Notification.objects.get().read_at == first


def test_operations_full_rubric_scores_render(draft, erin, harry, olivia, rubric):
    submit_draft(erin, draft)
    logged_in(harry).post(workflow_url(draft), {"do": "approve"})
    page = logged_in(olivia).get(workflow_url(draft)).content.decode()
    assert "准确性" in page and "我来审核" in page
    assert full_marks(rubric)
