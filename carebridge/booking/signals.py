"""Hooks for other apps.

``refund_requested(sender=Appointment, appointment_id=…)`` is sent after the commit of a
cancellation that leaves a paid registration fee owed back in full (the appointment's
``payment_status`` is then ``refund_due``): the billing app connects to it to start the WeChat
Pay refund, and sets ``refunded`` when the refund notification arrives. The state is the durable
record; the signal only saves billing a poll (a refund lost in a crash is still ``refund_due``).
"""

from django.dispatch import Signal

refund_requested = Signal()
