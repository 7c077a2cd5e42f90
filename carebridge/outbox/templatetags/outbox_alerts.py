"""``{% outbox_alert %}``: the back office's banner for messages that failed after retrying for
their whole period (``OutboxMessage.objects.alerts()``), linking to them; nothing when there are
none or the user may not see the outbox."""

from datetime import timedelta

from django import template
from django.conf import settings
from django.urls import reverse

from ..models import OutboxMessage
from ..worker import period_text

register = template.Library()


@register.inclusion_tag("outbox/alert.html", takes_context=True)
def outbox_alert(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("outbox.view_outboxmessage"):
        return {"count": 0}
    count = OutboxMessage.objects.alerts().count()
    if not count:
        return {"count": 0}
    return {
        "count": count,
        "period": period_text(timedelta(hours=settings.OUTBOX_RETRY_HOURS)),
        "url": reverse("admin:outbox_outboxmessage_changelist") + "?alert__exact=1",
    }
