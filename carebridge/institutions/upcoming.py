"""Menu items of seed 001 whose apps come with later issues. Until then the URL answers with an
honest page saying what will be there, so no menu item or reply link of an account is a 404.
(我的服务单, 门诊缴费 and 个人中心 came with billing, issue 14; 满意度调查 with engagement,
issue 16: none is waiting today.)

The app that builds one mounts its own page at the same URL, above the institutions' in
carebridge/urls.py, and deletes its entry here and in institutions/urls.py.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Upcoming:
    title: str
    text: str
    links: tuple = ()  # (label, URL name taking the account's slug): pages that exist today


UPCOMING: dict[str, Upcoming] = {}


def upcoming_for(feature: str, query) -> Upcoming:
    """The entry a URL's feature (and, should one need it, query string) names."""
    return UPCOMING[feature]
