"""Outbox handlers of the content app (run by ``carebridge worker``)."""

from carebridge.outbox.registry import handler

from .actions.publication import publish_due_article
from .actions.workflow import PUBLISH_TOPIC


@handler(PUBLISH_TOPIC)
def publish_scheduled(message) -> dict:
    """A scheduled article's time has come: publish it (nothing if it was sent back or
    rescheduled since the row was written)."""
    return {"published": publish_due_article(message.payload["article_id"])}
