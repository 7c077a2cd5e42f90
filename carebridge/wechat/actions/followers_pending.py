"""What plain messages and menu taps say about their senders, applied after the reply.

The callback answers a text message or a menu tap after one insert: its receipt, marked
``pending`` (actions/callbacks.py). What that message implies for its sender — the follower row
on first sight, the subscription a message proves, ``last_interaction_at`` and the
customer-service grant — is applied here, set by set: by the worker for every account
(``apply_pending``), and at once for one sender by whoever needs the window now
(``catch_up``: before a customer-service message, before an event of the same sender).

Applying is idempotent and the order of receipts does not matter: every time written is the
newest seen, so two appliers, or a retry after a crash, reach the same state. Receipts are
claimed under a row lock and marked applied in the same transaction as the follower writes.
"""

from collections import defaultdict

from django.db import transaction
from django.db.models import Q

from ..models import CallbackReceipt, CsGrant, Follower
from .followers import grant_kind_for

BATCH = 500


def apply_pending(limit: int | None = None) -> int:
    """Apply up to ``limit`` (default BATCH) pending receipts of any sender; return how many.
    Concurrent workers take different receipts (PostgreSQL's SKIP LOCKED; SQLite runs writers
    one at a time)."""
    pending = CallbackReceipt.objects.filter(pending=True).order_by("id")
    return _apply(pending.select_for_update(skip_locked=True), limit or BATCH)


def catch_up(account_id: int, openid: str) -> int:
    """Apply every pending receipt of one sender now, waiting for an applier that holds some of
    them, so what follows sees the window that sender's messages opened."""
    pending = CallbackReceipt.objects.filter(pending=True, account_id=account_id, openid=openid)
    return _apply(pending.order_by("id").select_for_update(), None)


@transaction.atomic
def _apply(pending, limit: int | None) -> int:
    fields = ("id", "account_id", "openid", "msg_type", "event", "sent_at", "received_at")
    rows = pending.values_list(*fields)
    rows = list(rows[:limit] if limit else rows)
    if not rows:
        return 0
    newest: dict[tuple, object] = {}  # (account_id, openid) → newest time of any receipt
    kinds: dict[tuple, dict] = defaultdict(dict)  # (account_id, openid) → {grant kind: time}
    for _id, account_id, openid, msg_type, event, sent_at, received_at in rows:
        who, at = (account_id, openid), sent_at or received_at
        newest[who] = max(newest.get(who, at), at)
        kind = grant_kind_for(msg_type, event)
        if kind:
            kinds[who][kind] = max(kinds[who].get(kind, at), at)
    followers = _locked_followers(newest)
    _update_followers(followers, newest, kinds)
    grants = {
        followers[who].pk: by_kind for who, by_kind in kinds.items() if followers[who].subscribed
    }
    _reopen_grants(grants)
    CallbackReceipt.objects.filter(id__in=[row[0] for row in rows]).update(pending=False)
    return len(rows)


def _locked_followers(senders) -> dict[tuple, Follower]:
    """The senders' Follower rows, created on first sight, locked in id order (the order every
    applier takes them in, so two never deadlock)."""
    by_account = defaultdict(list)
    for account_id, openid in senders:
        by_account[account_id].append(openid)
    match = Q()
    for account_id, openids in by_account.items():
        match |= Q(account_id=account_id, openid__in=openids)
    Follower.objects.bulk_create(
        [Follower(account_id=a, openid=o) for a, o in senders], ignore_conflicts=True
    )
    rows = Follower.objects.filter(match).order_by("id").select_for_update()
    return {(f.account_id, f.openid): f for f in rows}


def _update_followers(followers: dict, newest: dict, kinds: dict) -> None:
    changed = []
    for who, follower in followers.items():
        dirty = False
        # Only followers can write or tap the menu: the follow predates CareBridge or was lost,
        # unless an unfollow newer than these messages was recorded.
        at = newest[who]
        if not follower.subscribed and (
            follower.unsubscribed_at is None or at >= follower.unsubscribed_at
        ):
            follower.subscribed = dirty = True
        interacted = max(kinds[who].values()) if who in kinds else None
        if interacted and follower.subscribed:
            if follower.last_interaction_at is None or interacted > follower.last_interaction_at:
                follower.last_interaction_at = interacted
                dirty = True
        if dirty:
            changed.append(follower)
    Follower.objects.bulk_update(changed, ["subscribed", "last_interaction_at"], batch_size=250)


def _reopen_grants(wanted: dict[int, dict]) -> None:
    """Each follower's grant of each kind starts anew from its newest interaction (never moved
    back by an older one)."""
    if not wanted:
        return
    existing = {
        (g.follower_id, g.kind): g for g in CsGrant.objects.filter(follower_id__in=list(wanted))
    }
    reopened, created = [], []
    for follower_id, by_kind in wanted.items():
        for kind, at in by_kind.items():
            grant = existing.get((follower_id, kind))
            if grant is None:
                created.append(CsGrant(follower_id=follower_id, kind=kind, opened_at=at))
            elif grant.opened_at <= at:
                grant.opened_at, grant.used = at, 0
                reopened.append(grant)
    CsGrant.objects.bulk_update(reopened, ["opened_at", "used"], batch_size=250)
    # A conflict is a grant opened since the read above by someone not holding the follower's
    # lock (``open_grant``); theirs is as new as ours.
    CsGrant.objects.bulk_create(created, ignore_conflicts=True)
