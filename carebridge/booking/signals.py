"""Hooks for other apps.

``refund_requested(sender=Appointment, appointment_id=…)`` is sent after the commit of a
cancellation that leaves a paid registration fee owed back in full (the appointment's
``payment_status`` is then ``refund_due``): the billing app connects to it to start the WeChat
Pay refund, and sets ``refunded`` when the refund notification arrives. The state is the durable
record; the signal only saves billing a poll (a refund lost in a crash is still ``refund_due``).

``appointment_checked_in(sender=Appointment, appointment=…, checked_in_at=…)`` is sent inside
the check-in's transaction (actions.queue.check_in), so a receiver that writes an outbox row has
it committed with the check-in or not at all; the engagement app queues its after-visit survey
from it.
"""

from django.dispatch import Signal

refund_requested = Signal()
appointment_checked_in = Signal()
