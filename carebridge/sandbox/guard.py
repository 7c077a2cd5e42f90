from functools import wraps

from django.conf import settings
from django.http import Http404


def sandbox_only(view):
    """The sandbox never answers in production, even if its URLs were somehow mounted."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.SANDBOX_ENABLED:
            raise Http404("the sandbox is off in production")
        return view(request, *args, **kwargs)

    return wrapper
