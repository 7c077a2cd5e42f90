"""Voting in a poll: one vote per WeChat user, counted in the vote's transaction."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from carebridge.patients.crypto import blind_index

from ..models import Poll, PollOption, PollVote


class PollError(Exception):
    pass


class AlreadyVoted(PollError):
    pass


def voter_key(poll: Poll, follower) -> str:
    return blind_index("poll", f"{poll.pk}:{follower.pk}")


def has_voted(poll: Poll, follower) -> bool:
    return PollVote.objects.filter(poll=poll, respondent_key=voter_key(poll, follower)).exists()


@transaction.atomic
def cast_vote(poll: Poll, follower, option_id, now=None) -> PollOption:
    """Record the user's vote for one of the poll's options. Raises PollError (closed, no such
    option) or AlreadyVoted, having changed nothing."""
    now = now or timezone.now()
    if not poll.is_open(now):
        raise PollError(_("该投票未开放或已结束"))
    try:
        option = poll.options.get(pk=int(option_id))
    except (PollOption.DoesNotExist, TypeError, ValueError) as exc:
        raise PollError(_("请选择一个选项")) from exc
    try:
        with transaction.atomic():
            PollVote.objects.create(
                poll=poll, option=option, respondent_key=voter_key(poll, follower), created_at=now
            )
    except IntegrityError as exc:
        raise AlreadyVoted(_("您已投过票,感谢参与")) from exc
    PollOption.objects.filter(pk=option.pk).update(votes=F("votes") + 1)
    return option


def counts(poll: Poll) -> dict:
    """The live counts: per option id, its votes; and the total."""
    options = list(poll.options.values_list("pk", "votes"))
    return {"options": {str(pk): n for pk, n in options}, "total": sum(n for _pk, n in options)}
