"""Telling the next step's people: a row in each one's back-office notification list, and a
WeChat template message (through the outbox) to those linked to a follower of the account, when
the institution has set a template for it."""

import logging

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from carebridge.wechat.actions.messaging import send_template
from carebridge.wechat.limits import LimitExceeded

from ..models import EditorialPolicy, Notification
from ..roles import members_with_role

log = logging.getLogger("carebridge.content")


def step(article, role, text: str) -> None:
    members = members_with_role(article, role)
    now = timezone.now()
    users = {m.staff.user_id for m in members}
    Notification.objects.bulk_create(
        Notification(user_id=u, article=article, text=text[:300], created_at=now) for u in users
    )
    template_id = EditorialPolicy.for_institution(article.institution).tpl_workflow
    if not template_id:
        return
    url = settings.SITE_URL + reverse("admin:content_article_change", args=[article.pk])
    for member in members:
        follower = member.follower
        if follower is None or not follower.subscribed:
            continue
        data = {"first": text, "keyword1": article.title, "keyword2": article.get_state_display()}
        try:
            send_template(follower.account, follower.openid, template_id, data, url)
        except LimitExceeded as error:  # the back-office notification is there regardless
            log.warning("workflow message to %s not sent: %s", follower.openid, error)


def mark_read(user, notifications, now=None) -> int:
    """Mark ``user``'s own notifications among ``notifications`` read (others' are left alone,
    whatever the caller passed); the ones already read keep their time. Returns how many."""
    return notifications.filter(user=user, read_at=None).update(read_at=now or timezone.now())
