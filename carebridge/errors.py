"""The error pages of every URL (urls.py's handler404 and handler403; 400 and 500 are Django's
views with our templates): WeUI, in the reader's language, never a stack or the URL list. Under
an account's H5 pages a 404 or 403 also leads back to that account's home page."""

import re

from django.db import DatabaseError
from django.shortcuts import render
from django.urls import reverse

from carebridge.institutions.models import WeChatAccount

_H5_PAGE = re.compile(r"^/h5/(?P<slug>[-a-zA-Z0-9_]+)/")


def _account_context(request) -> dict:
    """The account the missing or refused page belongs to, and its home page, if any."""
    match = _H5_PAGE.match(request.path_info)
    if match is None:
        return {}
    try:
        account = (
            WeChatAccount.objects.select_related("institution")
            .filter(slug=match["slug"], institution__is_active=True)
            .first()
        )
    except DatabaseError:  # the error page itself must not fail: show it without the link
        account = None
    if account is None:
        return {}
    return {
        "account": account,
        "institution": account.institution,
        "home_url": reverse("institutions:home", kwargs={"slug": account.slug}),
    }


def page_not_found(request, exception):
    return render(request, "404.html", _account_context(request), status=404)


def permission_denied(request, exception):
    return render(request, "403.html", _account_context(request), status=403)
