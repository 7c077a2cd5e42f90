"""The JSON API's one shape of refusal, shared by every router: a 4xx with ``{code, message}``.

An endpoint wrapped in ``refusals`` turns an ``ApiRefusal`` raised by the action it calls (or by
its own checks) into that answer. Whoever raises one has changed nothing."""

from functools import wraps

from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema, Status


class Refusal(Schema):
    code: str = Field(description="stable machine code, e.g. sold_out, not_released")
    message: str = Field(description="human-readable reason (Chinese unless Accept-Language: en)")


class ApiRefusal(Exception):
    """A refusal with a stable ``code``, a message for people and the HTTP ``status`` the API
    answers with."""

    code = "refused"
    status = 409
    default_message = _("无法完成操作")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


def refusals(view):
    """An ApiRefusal becomes its 4xx status with {code, message}; nothing was changed."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ApiRefusal as exc:
            return Status(exc.status, {"code": exc.code, "message": str(exc.message)})

    return wrapper
