"""Text messages, through a backend named by ``settings.SMS_BACKEND`` (like EMAIL_BACKEND).

A production backend (an SMS gateway's HTTP API) subclasses BaseSmsBackend and raises SmsError
when the gateway refuses. Outside production SandboxSmsBackend files the text on the phone
simulator, as if it had arrived on the user's phone.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .masking import mask_phone


class SmsError(Exception):
    """The message could not be handed to the gateway; nothing was sent."""


class BaseSmsBackend:
    def send(self, phone: str, text: str, *, follower=None) -> None:
        """Send ``text`` to a mainland mobile number. ``follower`` is the WeChat user who asked,
        for backends that can use it (the sandbox shows the message on that user's phone)."""
        raise NotImplementedError


class SandboxSmsBackend(BaseSmsBackend):
    """Files the text as a SandboxMessage(kind="sms") for the follower's simulated phone."""

    def __init__(self):
        if not settings.SANDBOX_ENABLED:
            raise ImproperlyConfigured("the sandbox SMS backend cannot send in production")

    def send(self, phone, text, *, follower=None):
        from carebridge.sandbox.models import SandboxMessage

        if follower is None:
            raise SmsError("the sandbox delivers to a simulated WeChat user: follower is needed")
        SandboxMessage.objects.create(
            app_id=follower.account.credentials.app_id,
            openid=follower.openid,
            direction="in",
            kind="sms",
            body={"to": mask_phone(phone), "text": text},
        )


def get_backend() -> BaseSmsBackend:
    path = getattr(settings, "SMS_BACKEND", "")
    if not path:
        raise ImproperlyConfigured("SMS_BACKEND is not set: phone codes cannot be sent")
    return import_string(path)()
