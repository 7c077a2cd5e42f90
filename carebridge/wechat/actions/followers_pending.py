"""What each inbound message says about its sender, applied from its receipt: the one
implementation of the follower bookkeeping.

A message implies the follower row on first sight, the subscription a message proves (only
followers can write or tap the menu), ``last_interaction_at`` and the customer-service grant it
opens. Every receipt that carries such a message is recorded ``pending`` and applied here, set
by set, on either of the callback's paths (actions/callbacks.py): a plain message or menu tap,
answered after one insert, by the worker for every account (``apply_pending``) or at once for
one sender by whoever needs the window now (``catch_up``: before a customer-service message,
before an event of the same sender); any other message in the callback's own transaction,
before what its event changes (actions/followers.py).

Applying is idempotent and the order of receipts does not matter: every time written is the
newest seen, so two appliers, or a retry after a crash, reach the same state. Receipts are
claimed under a row lock and marked applied in the same transaction as the follower writes.
"""

from collections import defaultdict

from django.db import transaction
from django.db.models import Q

from ..models import CallbackReceipt, CsGrant, Follower
from ..service_window import grant_kind_for

BATCH = 500
UNFOLLOW = "unsubscribe"


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


# No savepoint when nested (catch_up runs inside the callback's or the sender's transaction):
# an error here fails the caller too, and a savepoint would cost two round trips each time.
@transaction.atomic(savepoint=False)
def _apply(pending, limit: int | None) -> int:
    fields = ("id", "account_id", "openid", "msg_type", "event", "sent_at", "received_at")
    rows = pending.values_list(*fields)
    rows = list(rows[:limit] if limit else rows)
    if not rows:
        return 0
    senders = set()  # (account_id, openid) of every receipt: each has a Follower row
    newest: dict[tuple, object] = {}  # (account_id, openid) → newest time of a proof
    kinds: dict[tuple, dict] = defaultdict(dict)  # (account_id, openid) → {grant kind: time}
    for _id, account_id, openid, msg_type, event, sent_at, received_at in rows:
        who, at = (account_id, openid), sent_at or received_at
        senders.add(who)
        if event == UNFOLLOW:
            continue  # proves no subscription and opens no window (followers.py applies it)
        newest[who] = max(newest.get(who, at), at)
        kind = grant_kind_for(msg_type, event)
        if kind:
            kinds[who][kind] = max(kinds[who].get(kind, at), at)
    followers = _locked_followers(senders)
    subscribed = _subscribe(followers, newest)
    interacted = {followers[who][0]: max(by_kind.values()) for who, by_kind in kinds.items()}
    _touch({fid: at for fid, at in interacted.items() if fid in subscribed})
    grants = {followers[who][0]: by_kind for who, by_kind in kinds.items()}
    reopen_grants({fid: by_kind for fid, by_kind in grants.items() if fid in subscribed})
    CallbackReceipt.objects.filter(id__in=[row[0] for row in rows]).update(pending=False)
    return len(rows)


def _locked_followers(senders) -> dict[tuple, tuple]:
    """(id, subscribed, unsubscribed_at) of each sender's Follower, created on first sight,
    locked in id order (the order every applier takes them in, so two never deadlock)."""
    by_account = defaultdict(list)
    for account_id, openid in senders:
        by_account[account_id].append(openid)
    match = Q()
    for account_id, openids in by_account.items():
        match |= Q(account_id=account_id, openid__in=openids)
    rows = Follower.objects.filter(match).order_by("id").select_for_update()
    fields = ("account_id", "openid", "id", "subscribed", "unsubscribed_at")
    found = {(a, o): rest for a, o, *rest in rows.values_list(*fields)}
    if len(found) < len(senders):
        missing = [Follower(account_id=a, openid=o) for a, o in senders if (a, o) not in found]
        Follower.objects.bulk_create(missing, ignore_conflicts=True)
        found = {(a, o): rest for a, o, *rest in rows.values_list(*fields)}
    return found


def _subscribe(followers: dict, newest: dict) -> set[int]:
    """Only followers can write or tap the menu: the follow predates CareBridge or was lost,
    unless an unfollow newer than these messages was recorded. Returns the ids subscribed now."""
    subscribed, proven = set(), []
    for who, at in newest.items():
        fid, is_subscribed, unsubscribed_at = followers[who]
        if is_subscribed:
            subscribed.add(fid)
        elif unsubscribed_at is None or at >= unsubscribed_at:
            proven.append(fid)
    if proven:
        Follower.objects.filter(id__in=proven).update(subscribed=True)
    return subscribed | set(proven)


def _by_time(times: dict) -> dict:
    """{key: time} → {time: [keys]}: messages arrive a second apart at most, so a batch has a
    handful of distinct times and each gets one UPDATE for all its rows."""
    groups = defaultdict(list)
    for key, at in times.items():
        groups[at].append(key)
    return groups


def _touch(interacted: dict[int, object]) -> None:
    """Each follower's last interaction moves forward to its newest, never back."""
    for at, ids in _by_time(interacted).items():
        newer = Q(last_interaction_at__isnull=True) | Q(last_interaction_at__lt=at)
        Follower.objects.filter(newer, id__in=ids).update(last_interaction_at=at)


def reopen_grants(wanted: dict[int, dict]) -> None:
    """Each follower's grant of each kind (``{follower id: {kind: time}}``) starts anew from its
    newest interaction, its allowance unspent (never moved back by an older one)."""
    if not wanted:
        return
    existing = set(
        CsGrant.objects.filter(follower_id__in=list(wanted)).values_list("follower_id", "kind")
    )
    created = []
    for kind in {kind for by_kind in wanted.values() for kind in by_kind}:
        times = {fid: by_kind[kind] for fid, by_kind in wanted.items() if kind in by_kind}
        for at, ids in _by_time(times).items():
            CsGrant.objects.filter(follower_id__in=ids, kind=kind, opened_at__lte=at).update(
                opened_at=at, used=0
            )
            created += [
                CsGrant(follower_id=fid, kind=kind, opened_at=at)
                for fid in ids
                if (fid, kind) not in existing
            ]
    # A conflict is a grant opened since the read above by someone not holding the follower's
    # lock (another ``open_grant``); theirs is as new as ours.
    CsGrant.objects.bulk_create(created, ignore_conflicts=True)
