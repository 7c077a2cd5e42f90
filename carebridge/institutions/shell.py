"""What the shell of every H5 page (templates/h5/base.html) needs to know about the reader: the
page's language tag, whether the WeChat user chose the elder mode (长辈版), and whether to offer
it on this first visit. The context processor ``h5_shell`` hands it to every template; nothing
is read until a page's template asks, so staff pages cost nothing.

The choice is remembered per WeChat user (``Follower.elder_mode``). A public page (the About
pages need no sign-in) knows the user only when the session already holds a WeChat sign-in for
that account; otherwise it shows the standard pages and a link that signs in and asks.
"""

import re
from functools import cached_property
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import get_language

from carebridge.wechat.h5 import current_user
from carebridge.wechat.models import Follower

from .actions import offer_elder_mode

_H5_PAGE = re.compile(r"^/h5/(?P<slug>[-a-zA-Z0-9_]+)/")
# The WeChat sign-in's own pages (its refusals, "who am I"): read in the user's mode too, but
# the elder mode is never offered on a page met on the way in.
_SIGN_IN_PAGE = re.compile(r"^/wechat/(?P<slug>[-a-zA-Z0-9_]+)/oauth/")
# BCP 47 tags for the html lang attribute (Django's codes are lower case: zh-hans).
_LANGUAGE_TAGS = {"zh-hans": "zh-Hans", "en": "en"}


def language_tag(code: str | None = None) -> str:
    code = (code or get_language() or "zh-hans").lower()
    return _LANGUAGE_TAGS.get(code, code)


class Shell:
    """The reader of one H5 page, as far as the page's shell cares."""

    def __init__(self, request, slug: str | None, may_offer: bool = True):
        self.request = request
        self.slug = slug
        self.may_offer = may_offer

    @property
    def lang(self) -> str:
        return language_tag()

    @cached_property
    def follower(self) -> Follower | None:
        known = getattr(self.request, "follower", None)
        if known is not None:
            return known
        if self.slug is None:
            return None
        user = current_user(self.request, self.slug)
        if user is None or user.snapshot:
            return None
        return (
            Follower.objects.filter(account__slug=self.slug, openid=user.openid)
            .only("id", "elder_mode", "elder_mode_offered_at")
            .first()
        )

    @property
    def elder(self) -> bool:
        return bool(self.follower and self.follower.elder_mode)

    @property
    def home_url(self) -> str | None:
        return reverse("institutions:home", kwargs={"slug": self.slug}) if self.slug else None

    @property
    def elder_url(self) -> str | None:
        """The page that explains the elder mode and switches it, then comes back here."""
        if self.slug is None:
            return None
        url = reverse("institutions:elder", kwargs={"slug": self.slug})
        return f"{url}?{urlencode({'next': self.request.get_full_path()})}"

    @cached_property
    def offer(self) -> bool:
        """Offer the elder mode once per WeChat user: on the first page that user opens, and
        never on the page that makes the choice. Asking records that it was offered."""
        follower = self.follower
        match = getattr(self.request, "resolver_match", None)
        if not self.may_offer or follower is None:
            return False
        if follower.elder_mode or follower.elder_mode_offered_at:
            return False
        if match is not None and match.view_name == "institutions:elder":
            return False
        return offer_elder_mode(follower)


def h5_shell(request) -> dict:
    """Context processor: ``h5``, the reader of a page under /h5/<account>/ or of the WeChat
    sign-in's pages (of an error page elsewhere, only its language)."""
    if found := _H5_PAGE.match(request.path_info):
        return {"h5": Shell(request, found["slug"])}
    if found := _SIGN_IN_PAGE.match(request.path_info):
        return {"h5": Shell(request, found["slug"], may_offer=False)}
    return {"h5": Shell(request, None)}
