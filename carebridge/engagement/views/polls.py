"""医院调研投票: one poll, its live counts, one vote per user."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from carebridge.institutions.pages import institution_page, page_context
from carebridge.wechat.h5 import wechat_user_required

from ..actions import polls as actions
from ..models import Poll


def _poll(request, poll_id) -> Poll:
    return get_object_or_404(
        Poll.objects.visible().filter(institution=request.institution), pk=poll_id
    )


@institution_page
@wechat_user_required
@require_http_methods(["GET", "POST"])
def poll_detail(request, slug, poll_id):
    poll = _poll(request, poll_id)
    context = page_context(request, slug=slug, poll=poll)
    status = 200
    if request.method == "POST":
        try:
            actions.cast_vote(poll, request.follower, request.POST.get("option"))
        except actions.AlreadyVoted as exc:
            context["error"], status = str(exc), 409
        except actions.PollError as exc:
            context["error"], status = str(exc), 400
        else:
            messages.success(request, _("投票成功,感谢您的参与"))
            return redirect(request.path)
    options = list(poll.options.all())
    total = sum(o.votes for o in options)
    context.update(
        options=[(o, round(o.votes * 100 / total) if total else 0) for o in options],
        total=total,
        voted=actions.has_voted(poll, request.follower),
        open=poll.is_open(),
    )
    return render(request, "engagement/polls/poll.html", context, status=status)


@institution_page
@wechat_user_required
@require_GET
def poll_counts(request, slug, poll_id):
    """The live counts the poll page's script refreshes."""
    return JsonResponse(actions.counts(_poll(request, poll_id)))
