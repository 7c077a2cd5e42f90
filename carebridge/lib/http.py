"""Who is on the other end of a request."""

from django.conf import settings


def client_ip(request) -> str:
    """The client's address. Behind ``TRUSTED_PROXY_COUNT`` reverse proxies it is the address
    the outermost trusted proxy saw, read from the right of X-Forwarded-For: entries further
    left were written by the client and can be anything."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")
