"""Back office for money: orders with what paid them and their refunds, WeChat Pay's
notifications as received, the daily reconciliation and its mismatches; outpatient bills,
deposit ledgers with the cashier's top-ups and refunds, and the billing settings.

Patients' names are masked in every list; opening an order is written to the patients' audit
log. Staff who are not superusers see only their institution's rows. Nothing here edits an
amount: money moves through billing's actions (a refund, a recorded payment) alone."""

from . import bills, deposits, orders, policy, reconciliation

__all__ = ["bills", "deposits", "orders", "policy", "reconciliation"]
