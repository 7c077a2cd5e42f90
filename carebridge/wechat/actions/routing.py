"""Writes of the router's rules: switched on or off in bulk."""

from django.db import transaction

from .. import rules


@transaction.atomic
def set_rules_active(queryset, active: bool) -> int:
    """Switch AutoReply rules on or off in bulk; every process reloads the accounts' rules."""
    accounts = set(queryset.values_list("account_id", flat=True))
    count = queryset.update(is_active=active)
    for account_id in accounts:  # a bulk update sends no signals: invalidate by hand
        rules.invalidate(account_id)
        transaction.on_commit(lambda a=account_id: rules.invalidate(a))
    return count
