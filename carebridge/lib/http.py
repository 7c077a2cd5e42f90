"""Who is on the other end of a request, and the client for our own requests to WeChat."""

import os
import threading

import httpx
from django.conf import settings

_client: tuple[int, httpx.Client] | None = None
_client_lock = threading.Lock()


def outgoing() -> httpx.Client:
    """The process's HTTP client for calls to WeChat's servers (or the sandbox standing in).

    One per process, shared by its threads (httpx clients are thread-safe), made anew after a
    fork: ``httpx.request()`` builds a client and its TLS context for every call, about 50 ms
    of CPU each, more than the rest of a template message's delivery, and opens a new
    connection each time where this one keeps them alive."""
    global _client
    current = _client
    if current is None or current[0] != os.getpid():
        with _client_lock:
            if _client is None or _client[0] != os.getpid():
                _client = (os.getpid(), httpx.Client())
            current = _client
    return current[1]


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


def close_outgoing() -> None:
    """Close the process's client and its kept-alive connections; the next call makes a new
    one. Tests call it after each test, so no connection to a test server outlives its test
    (the server's thread for it would hold its database connection open)."""
    global _client
    with _client_lock:
        current, _client = _client, None
    if current is not None:
        current[1].close()
