"""Hooks for the steps built on reports: the patient's "report ready" and "report withdrawn"
messages.

Both are sent *inside* the action's transaction, so a receiver that enqueues an outbox row
(``outbox.actions.enqueue``) has it committed with the change or not at all; a receiver must
not call WeChat itself. Their receivers are the patient's messages (notify.py).

``report_released(sender=ReportVersion, version=…, released_at=…)``: ``version`` may be shown
to the patient from ``released_at``, which is ahead of now when a hold rule delays it. One per
released version. A receiver enqueues its message with ``delay`` to ``released_at`` and a dedup
key of the version's id; the handler checks, when it runs, that ``version.released_at`` is
still that moment (a newer version that arrives during a delay clears it) and that the report
is still ``visible_to_patient``.

``report_withdrawn(sender=Report, report=…, was_visible=…)``: the report was cancelled or
entered in error and is gone from the patient's list; ``was_visible`` says whether the patient
could have seen it (only then is there anything to tell them).
"""

from django.dispatch import Signal

report_released = Signal()
report_withdrawn = Signal()
