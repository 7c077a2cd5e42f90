"""Back office for money: orders with what paid them and their refunds, WeChat Pay's
notifications as received, the daily reconciliation and its mismatches.

Patients' names are masked in every list; opening an order is written to the patients' audit
log. Staff who are not superusers see only their institution's rows. Nothing here edits an
amount: money moves through billing's actions (a refund, a recorded payment) alone."""

from . import orders, reconciliation

__all__ = ["orders", "reconciliation"]
