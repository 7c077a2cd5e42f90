"""The workflow page of one article: its state, due date and reviewer, the buttons of the steps
the user may take, its versions (with diffs), reviews and history."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from .. import actions
from ..choices import ArticleState, EditorialRole
from ..diff import side_by_side
from ..models import RubricCriterion
from ..roles import has_role
from ..workflow_forms import RejectForm, ReviewForm

TEMPLATE = "admin/content/article/workflow.html"


class WorkflowPage:
    def __init__(self, model_admin):
        self.admin = model_admin

    def _article(self, request, article_id):
        queryset = self.admin.get_queryset(request).select_related("department", "claimed_by")
        return get_object_or_404(queryset, pk=article_id)

    def view(self, request, article_id):
        article = self._article(request, article_id)
        criteria = RubricCriterion.objects.filter(institution=article.institution, is_active=True)
        reject_form, review_form = RejectForm(), ReviewForm(criteria=criteria)
        status, error = 200, None
        if request.method == "POST":
            do = request.POST.get("do", "")
            reject_form = RejectForm(request.POST if do == "reject" else None)
            if do == "review":
                review_form = ReviewForm(request.POST, criteria=criteria)
            try:
                if self._step(request, article, do, reject_form, review_form):
                    return redirect(request.path)
            except actions.WorkflowError as refusal:
                error = refusal.message
                form = reject_form if do == "reject" else review_form
                if refusal.field in form.fields and form.is_bound:
                    form.add_error(refusal.field, refusal.message)
            else:
                error = reject_form.non_field_errors().as_text() or None
            status = 400
        context = {
            **self.admin.admin_site.each_context(request),
            "opts": self.admin.model._meta,
            "title": article.title,
            "article": article,
            "error": error,
            "steps": self._steps(request.user, article),
            "reject_form": reject_form,
            "review_form": review_form,
            "versions": list(article.versions.select_related("created_by")),
            "events": article.events.select_related("actor"),
            "reviews": article.reviews.select_related("reviewer", "version"),
        }
        return render(request, TEMPLATE, context, status=status)

    def _step(self, request, article, do, reject_form, review_form) -> bool:
        """Take step ``do``; False (nothing changed) when its form is invalid."""
        user = request.user
        if do == "submit":
            actions.submit_draft(user, article)
        elif do == "approve":
            actions.approve_proofreading(user, article)
        elif do == "claim":
            actions.claim_review(user, article)
        elif do == "reject":
            if not reject_form.is_valid():
                return False
            actions.reject_article(user, article, reject_form.cleaned_data["reason"])
        elif do == "review":
            if not review_form.is_valid():
                return False
            data = review_form.cleaned_data
            actions.review_article(
                user, article, review_form.scores(), data["comments"],
                publish_at=data["publish_at"], push=data["push"],
            )  # fmt: skip
        else:
            raise actions.WorkflowError(_("未知的操作。"), code="unknown_step")
        messages.success(request, _("已处理:%(state)s") % {"state": article.get_state_display()})
        return True

    def _steps(self, user, article) -> set[str]:
        """The buttons to show (the actions check again)."""
        steps = set()
        if article.state == ArticleState.DRAFT and has_role(user, article, EditorialRole.EDITOR):
            steps.add("submit")
        if article.state == ArticleState.PROOFREADING and has_role(
            user, article, EditorialRole.HEAD
        ):
            steps |= {"approve", "reject"}
        if article.state == ArticleState.REVIEWING and has_role(
            user, article, EditorialRole.OPERATIONS
        ):
            steps |= {"claim", "review", "reject"}
        return steps

    def diff(self, request, article_id, old, new):
        article = self._article(request, article_id)
        versions = {v.number: v for v in article.versions.filter(number__in=[old, new])}
        if old not in versions or new not in versions:
            raise Http404(_("没有这个版本。"))
        context = {
            **self.admin.admin_site.each_context(request),
            "opts": self.admin.model._meta,
            "title": _("%(title)s:第 %(old)d 版与第 %(new)d 版") % {
                "title": article.title, "old": old, "new": new},
            "article": article,
            "table": side_by_side(versions[old], versions[new]),
        }  # fmt: skip
        return render(request, "admin/content/article/diff.html", context)
