"""Fixed-window rate limits in the shared cache (Redis in production), per WeChat user and IP."""

import time

from django.conf import settings
from django.core.cache import cache

from carebridge.lib.http import client_ip


def parse_rate(rate: str) -> tuple[int, int]:
    """``"10/60"`` → (10 requests, 60 seconds)."""
    count, _, seconds = rate.partition("/")
    return int(count), int(seconds or 60)


def hit(scope: str, ident: str, rate: str) -> bool:
    """Count one request; False when ``ident`` is over ``rate`` in the current window."""
    limit, window = parse_rate(rate)
    key = f"rl:{scope}:{ident}:{int(time.time() // window)}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        count = 1
    return count <= limit


def booking_allowed(request) -> bool:
    """Both limits are counted on every attempt, so one cannot be used to dodge the other."""
    by_user = hit("book-openid", request.wechat_user.openid, settings.BOOKING_RATE_OPENID)
    by_ip = hit("book-ip", client_ip(request), settings.BOOKING_RATE_IP)
    return by_user and by_ip
