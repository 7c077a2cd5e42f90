"""The billing app's background work, run by ``carebridge worker``: refund submissions (outbox
rows written by ``request_refund``) and the sweeps that query orders and refunds whose
notification has not come (actions/checks.py)."""

from carebridge.outbox.registry import GiveUp, RetryLater, handler, sweep

from .actions.checks import check_due_orders, check_due_refunds
from .actions.refunds import SUBMIT_TOPIC, submit_refund
from .wxpay import NotTrusted, WxPayRefused, WxPayUnavailable

# Orders and refunds checked per sweep pass: each is one or two calls to WeChat Pay.
CHECK_BATCH = 20
# WeChat Pay's refusals worth retrying: busy, rate-limited, the merchant's balance short.
PASSING = {"SYSTEM_ERROR", "FREQUENCY_LIMITED", "NOT_ENOUGH", "USER_ACCOUNT_ABNORMAL_RETRY"}


@handler(SUBMIT_TOPIC)
def submit(message):
    """Submit one refund, with its own out_refund_no on every try. An unknown outcome (no
    answer) is retried; a refusal that will not pass fails the row with a staff alert, and the
    refund stays PENDING, its amount held, until staff deal with it."""
    try:
        return submit_refund(message.payload["refund"])
    except (WxPayUnavailable, NotTrusted) as exc:
        raise RetryLater(str(exc)) from exc
    except WxPayRefused as exc:
        if exc.status >= 500 or exc.code in PASSING:
            raise RetryLater(str(exc)) from exc
        raise GiveUp(str(exc)) from exc


@sweep("billing.check_orders", batch=CHECK_BATCH)
def check_orders(limit: int) -> int:
    return check_due_orders(limit)


@sweep("billing.check_refunds", batch=CHECK_BATCH)
def check_refunds(limit: int) -> int:
    return check_due_refunds(limit)
