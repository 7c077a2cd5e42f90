"""The client address per-IP limits count: REMOTE_ADDR, or the trusted proxies' view."""

import pytest
from django.test import RequestFactory

from carebridge.lib.http import client_ip


def request(remote="10.0.0.5", forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_without_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request(forwarded="1.2.3.4")) == "10.0.0.5"


@pytest.mark.parametrize(
    "hops, forwarded, expected",
    [
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client's own entry is not believed
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.5"),  # fewer entries than proxies: not what our proxies wrote
        (1, "", "10.0.0.5"),
    ],
)
def test_behind_proxies_the_outermost_trusted_entry_counts(settings, hops, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = hops
    assert client_ip(request(forwarded=forwarded)) == expected
