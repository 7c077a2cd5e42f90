"""An account's AutoReply rules, compiled once and kept per process until they change.

Every callback needs the rules, so they are read from the database only when their version
(a token in the shared cache, replaced whenever a rule is saved or deleted) differs from the
one this process compiled. The token itself is looked up at most once every
WECHAT_RULES_RECHECK_SECONDS (1 s) per process: a lookup per message cost as much CPU as the
rest of the routing. A change is seen at once by the process that made it and within that
interval by every other. Keyword lookup is then a dict probe for exact rules plus a scan of the
contains / regular-expression rules that rank above the exact hit.
"""

import logging
import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .messages import fold
from .models import AutoReply
from .models.routing import REGEX_INPUT_LIMIT, MatchType, Trigger, compile_regex

log = logging.getLogger("carebridge.wechat")


@dataclass(frozen=True)
class Rule:
    """What the router needs of an AutoReply, detached from the database."""

    id: int
    rank: int  # position in (-priority, id) order: lower wins
    reply_type: str
    text: str
    articles: tuple
    action: str


@dataclass
class RuleSet:
    exact: dict[str, Rule] = field(default_factory=dict)
    # (rule, match type, folded text or compiled regex), in rank order.
    scanned: list[tuple] = field(default_factory=list)
    welcome: dict[str, Rule] = field(default_factory=dict)  # scene ("" = any follow) → rule
    clicks: dict[str, Rule] = field(default_factory=dict)  # menu key → rule
    default: Rule | None = None

    def match_keyword(self, text: str) -> tuple[Rule, str] | None:
        """The best-ranked keyword rule for ``text`` and the rest of the text (the query)."""
        folded = fold(text)
        if not folded:
            return None
        best = self.exact.get(folded)
        regex_allowed = len(folded) <= REGEX_INPUT_LIMIT
        for rule, kind, matcher in self.scanned:
            if best is not None and rule.rank > best.rank:
                break
            if kind == MatchType.CONTAINS:
                start = folded.find(matcher)
                if start >= 0:
                    return rule, _rest(folded, start, start + len(matcher))
            elif regex_allowed:
                found = matcher.search(folded)
                if found is not None:
                    return rule, _rest(folded, found.start(), found.end())
        return (best, "") if best is not None else None


def _rest(text: str, start: int, end: int) -> str:
    return (text[:start] + " " + text[end:]).strip()


def build(account_id: int) -> RuleSet:
    rules = RuleSet()
    rows = AutoReply.objects.filter(account_id=account_id, is_active=True).order_by(
        "-priority", "id"
    )
    for rank, row in enumerate(rows):
        rule = Rule(
            id=row.pk,
            rank=rank,
            reply_type=row.reply_type,
            text=row.text,
            articles=tuple(row.articles) if isinstance(row.articles, list) else (),
            action=row.action,
        )
        if row.trigger == Trigger.KEYWORD:
            _add_keyword(rules, row, rule)
        elif row.trigger == Trigger.SUBSCRIBE:
            rules.welcome.setdefault(row.pattern.strip(), rule)
        elif row.trigger == Trigger.CLICK:
            rules.clicks.setdefault(row.pattern, rule)
        elif row.trigger == Trigger.DEFAULT and rules.default is None:
            rules.default = rule
    return rules


def _add_keyword(rules: RuleSet, row: AutoReply, rule: Rule) -> None:
    pattern = fold(row.pattern)
    if not pattern:
        return
    if row.match_type == MatchType.EXACT:
        rules.exact.setdefault(pattern, rule)
    elif row.match_type == MatchType.CONTAINS:
        rules.scanned.append((rule, MatchType.CONTAINS, pattern))
    else:
        try:
            rules.scanned.append((rule, MatchType.REGEX, compile_regex(row.pattern)))
        except Exception:  # saved before validation existed, or RE2 changed: skip, never crash
            log.warning("AutoReply #%s: regular expression %r refused", row.pk, row.pattern)


def _version_key(account_id: int) -> str:
    return f"wechat:rules:{account_id}"


def version(account_id: int) -> str:
    key = _version_key(account_id)
    current = cache.get(key)
    if current is None:
        # Evicted or never set: a fresh token makes every process rebuild once.
        cache.add(key, uuid.uuid4().hex, None)
        current = cache.get(key)
    # A cache that keeps nothing (DummyCache) must mean "always rebuild", never "never".
    return current or uuid.uuid4().hex


def invalidate(account_id: int) -> None:
    """Make every process reload this account's rules on its next callback."""
    cache.set(_version_key(account_id), uuid.uuid4().hex, None)
    _compiled.pop(account_id, None)


# account id → (version, rules, when the version was last looked up: time.monotonic())
_compiled: dict[int, tuple[str, RuleSet, float]] = {}


@receiver(post_save, sender=AutoReply)
@receiver(post_delete, sender=AutoReply)
def _rules_changed(sender, instance, **kwargs):
    # Now, for this connection (it sees its own uncommitted change), and again after commit,
    # for the other processes, which until then could only have read the old rules.
    invalidate(instance.account_id)
    transaction.on_commit(lambda: invalidate(instance.account_id))


def for_account(account_id: int) -> RuleSet:
    """The account's compiled rules, rebuilt when they changed since this process built them."""
    now = time.monotonic()
    cached = _compiled.get(account_id)
    if cached is not None and now - cached[2] < settings.WECHAT_RULES_RECHECK_SECONDS:
        return cached[1]
    current = version(account_id)
    if cached is not None and cached[0] == current:
        _compiled[account_id] = (current, cached[1], now)
        return cached[1]
    rules = build(account_id)
    _compiled[account_id] = (current, rules, now)
    return rules
