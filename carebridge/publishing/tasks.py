"""Outbox handlers of the push calendar."""

from carebridge.outbox.registry import handler

from .actions.sends import SUBMIT_TOPIC, submit_planned_send


@handler(SUBMIT_TOPIC)
def submit_due_send(message):
    """A planned mass send's time has come: submit it (wechat's outbox row then delivers it)."""
    planned = submit_planned_send(message.payload["planned_id"])
    if planned is None:
        return {"planned_id": message.payload["planned_id"], "status": "gone"}
    return {"planned_id": planned.pk, "status": planned.status, "error": planned.error}
