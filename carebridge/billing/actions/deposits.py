"""The deposit ledger's writes. Every movement goes through ``_move``: the balance changes by a
conditional update (a debit only where the balance covers it, so it never goes negative, on
SQLite or PostgreSQL, however many run at once) and the movement records the balance after it.

account_for(institution, patient)                   -> DepositAccount (opened on first use)
open_account(institution, patient)                  -> (DepositAccount, opened now?)
top_up_at_window(institution, patient, amount, channel, receipt_no, *, reason="", by=None,
                 client=None, cashier="")           -> (DepositMovement, created)
open_online_topup(patient, follower, amount)        -> Order (DEPOSIT, for the pay page)
start_window_qr(account, amount, by)                -> WindowTopUp (a Native-pay code_url)
spend(account, order, by_follower=None)             -> DepositMovement (a bill paid from it)
refund_balance(account, *, reason, by=None, follower=None, receipt_no="") -> RefundOutcome
return_closed_refunds(limit)                        -> how many closed refunds came back
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from carebridge.lib.money import fen_to_yuan

from .. import his
from ..errors import (
    AmountOutOfRange,
    InsufficientDeposit,
    NoMerchant,
    NothingToRefund,
    ReceiptConflict,
    ReceiptRequired,
)
from ..kinds import on_paid
from ..models import (
    BillingPolicy,
    Channel,
    DepositAccount,
    DepositMovement,
    Merchant,
    MovementKind,
    Order,
    OrderKind,
    RefundStatus,
    WindowTopUp,
)
from ..models.deposits import REFUND_KINDS, TOPUP_KINDS, WINDOW_CHANNELS, WINDOW_TOPUPS
from ..wxpay import WxPayClient
from . import seams
from .orders import open_order

# The most a cashier records in one receipt (1,000,000 yuan): beyond it, a typing slip.
WINDOW_MAX = 100_000_000


def open_account(institution, patient) -> tuple[DepositAccount, bool]:
    """The patient's account at ``institution``, opened now if they had none (True)."""
    return DepositAccount.objects.get_or_create(institution=institution, patient=patient)


def account_for(institution, patient) -> DepositAccount:
    return open_account(institution, patient)[0]


def _move(account, amount: int, kind, reason: str, **fields) -> DepositMovement:
    """Change the balance by ``amount`` (a debit only if the balance covers it, else
    InsufficientDeposit) and record the movement with the balance after it."""
    rows = DepositAccount.objects.filter(pk=account.pk)
    if amount < 0:
        rows = rows.filter(balance__gte=-amount)
    if not rows.update(balance=F("balance") + amount, updated_at=timezone.now()):
        raise InsufficientDeposit()
    # Our own update holds the row (PostgreSQL) or the database (SQLite) until commit: the
    # balance read now is the one this movement left.
    account.balance = DepositAccount.objects.values_list("balance", flat=True).get(pk=account.pk)
    return DepositMovement.objects.create(
        account=account,
        institution_id=account.institution_id,
        kind=kind,
        amount=amount,
        balance_after=account.balance,
        reason=reason[:200],
        **fields,
    )


def _lock(account) -> None:
    """Hold the account until commit before reading its ledger (the refund's parts)."""
    DepositAccount.objects.filter(pk=account.pk).update(updated_at=timezone.now())


@transaction.atomic
def top_up_at_window(
    institution,
    patient,
    amount,
    channel,
    receipt_no,
    *,
    reason="",
    by=None,
    client=None,
    cashier="",
) -> tuple[DepositMovement, bool]:
    """Money handed over at the window (cash, card, bank transfer), recorded by a member of
    staff (``by``) or the HIS's cashier (``client`` + ``cashier``) against a receipt number.
    The same receipt again returns its movement (created False); the same number for another
    patient, amount or channel is ReceiptConflict."""
    if channel not in WINDOW_CHANNELS:
        raise ValueError(f"not a window channel: {channel}")
    if not 0 < amount <= WINDOW_MAX:
        raise AmountOutOfRange(fen_to_yuan(1), fen_to_yuan(WINDOW_MAX))
    kind = TOPUP_KINDS[Channel(channel)]
    account = account_for(institution, patient)
    earlier = _receipt(account, receipt_no, amount, kind)
    if earlier:
        return earlier, False
    try:
        with transaction.atomic():
            movement = _move(
                account,
                amount,
                kind,
                reason or _("收费窗口充值"),
                receipt_no=receipt_no,
                by_user=by,
                by_client=client,
                cashier=cashier,
            )
    except IntegrityError:  # the same receipt recorded at this moment by another request
        return _receipt(account, receipt_no, amount, kind) or _conflict(), False
    his.announce_credit(movement)
    return movement, True


def _receipt(account, receipt_no, amount, kind) -> DepositMovement | None:
    found = DepositMovement.objects.filter(
        institution_id=account.institution_id, kind__in=WINDOW_TOPUPS, receipt_no=receipt_no
    ).first()
    if found and (found.account_id, found.amount, found.kind) != (account.pk, amount, kind):
        raise ReceiptConflict()
    return found


def _conflict():
    raise ReceiptConflict()


def check_topup_amount(institution, amount: int) -> None:
    policy = BillingPolicy.for_institution(institution)
    if not policy.topup_min <= amount <= policy.topup_max:
        raise AmountOutOfRange(fen_to_yuan(policy.topup_min), fen_to_yuan(policy.topup_max))


@transaction.atomic
def open_online_topup(patient, follower, amount: int) -> Order:
    """A DEPOSIT order of ``amount`` fen (within the institution's limits) for the patient's
    WeChat user to pay; the payment credits the deposit (``credit_topup``)."""
    institution = follower.account.institution
    check_topup_amount(institution, amount)
    return open_order(
        institution=institution,
        patient=patient,
        follower=follower,
        kind=OrderKind.DEPOSIT,
        description=_("预交金充值"),
        total=amount,
    )


def start_window_qr(account, amount: int, by) -> WindowTopUp:
    """The cashier's Native-pay QR for ``amount``: an order (committed first, so WeChat Pay's
    answer is never lost in a rolled-back transaction) and its code_url for the patient to scan.
    WxPayError if WeChat Pay refuses or does not answer; the order then closes at its deadline."""
    merchant = Merchant.objects.filter(institution_id=account.institution_id).first()
    if merchant is None:
        raise NoMerchant()
    check_topup_amount(account.institution, amount)
    with transaction.atomic():
        order = open_order(
            institution=account.institution,
            patient=account.patient,
            kind=OrderKind.DEPOSIT,
            description=_("预交金充值(收费窗口)"),
            total=amount,
        )
        window = WindowTopUp.objects.create(order=order, started_by=by)
    # pay-sandbox's client method: WxPayClient.native_prepay(...) -> code_url.
    window.code_url = WxPayClient(merchant).native_prepay(
        out_trade_no=order.out_trade_no,
        description=order.description,
        total=order.total,
        time_expire=timezone.localtime(order.expires_at).isoformat(timespec="seconds"),
    )
    window.save(update_fields=["code_url"])
    return window


@on_paid(OrderKind.DEPOSIT)
def credit_topup(order: Order) -> None:
    """A paid top-up order credits the deposit once (record_payment runs this once per order;
    the movement's unique (order, kind) makes a second credit impossible anyway)."""
    account = account_for(order.institution, order.patient)
    window = WindowTopUp.objects.filter(order=order).select_related("started_by").first()
    movement = _move(
        account,
        order.total,
        MovementKind.TOPUP_ONLINE,
        _("微信支付充值 %(no)s") % {"no": order.out_trade_no},
        order=order,
        by_user=window.started_by if window else None,
        by_follower=order.follower if not window else None,
    )
    his.announce_credit(movement)


def spend(account, order: Order, by_follower=None) -> DepositMovement:
    """Pay ``order`` from the deposit (InsufficientDeposit if it does not cover it)."""
    return _move(
        account,
        -order.total,
        MovementKind.SPEND,
        _("门诊缴费 %(no)s") % {"no": order.out_trade_no},
        order=order,
        by_follower=by_follower,
    )


@dataclass
class RefundOutcome:
    online: int = 0  # fen sent back to WeChat Pay (accepted is not yet refunded)
    window: int = 0  # fen paid out at the window
    waiting: int = 0  # fen left for the window (a patient's request)
    movements: list = field(default_factory=list)


@transaction.atomic
def refund_balance(account, *, reason, by=None, follower=None, receipt_no="") -> RefundOutcome:
    """Give the balance back, each part to the channel it came from: online top-ups as WeChat
    Pay refunds of their orders; cash, card and bank parts paid out at the window, which only a
    cashier (``by`` with a ``receipt_no``) records. Asked by the patient (``follower``), the
    window's parts wait for them there: cash never goes back through WeChat."""
    _lock(account)
    parts = account.refundable_parts()
    if not parts:
        raise NothingToRefund()
    offline = [(credit, fen) for credit, fen in parts if credit.channel != Channel.WXPAY]
    at_window = by is not None
    if offline and at_window and not receipt_no:
        raise ReceiptRequired()
    outcome = RefundOutcome()
    for credit, fen in parts:
        channel = credit.channel
        if channel == Channel.WXPAY:
            refund = seams.request_refund(credit.order, fen, reason[:80], by=by)
            outcome.online += fen
            extra = {"order": credit.order, "refund": refund}
        elif at_window:
            outcome.window += fen
            extra = {"receipt_no": receipt_no}
        else:
            outcome.waiting += fen
            continue
        outcome.movements.append(
            _move(
                account,
                -fen,
                REFUND_KINDS[Channel(channel)],
                reason,
                source=credit,
                by_user=by,
                by_follower=follower if by is None else None,
                **extra,
            )
        )
    account.refund_requested_at = timezone.now() if outcome.waiting else None
    account.save(update_fields=["refund_requested_at"])
    return outcome


def return_closed_refunds(limit: int) -> int:
    """Refunds of the balance to WeChat Pay that WeChat Pay closed unpaid (its final word: the
    money never left): each amount comes back to the balance once, as a movement naming the
    refund and the credit it had come from, so that part can be refunded again."""
    due = DepositMovement.objects.filter(
        kind=MovementKind.REFUND_ONLINE, refund__status=RefundStatus.CLOSED
    ).exclude(refund__deposit_movements__kind=MovementKind.REFUND_RETURNED)
    done = 0
    for movement in due.select_related("account", "refund")[:limit]:
        try:
            with transaction.atomic():
                _move(
                    movement.account,
                    -movement.amount,
                    MovementKind.REFUND_RETURNED,
                    _("微信支付退款 %(no)s 已关闭,退回余额")
                    % {"no": movement.refund.out_refund_no},
                    refund=movement.refund,
                    source=movement.source,
                    order=movement.order,
                )
        except IntegrityError:  # another worker returned it first
            continue
        done += 1
    return done
