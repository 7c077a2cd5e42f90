"""A new institution starts with the default health days (defaults.py), as existing ones got
them from the data migration."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from carebridge.institutions.models import Institution

from .actions.calendar import seed_health_days


@receiver(post_save, sender=Institution, dispatch_uid="publishing.seed_health_days")
def health_days_for_new_institution(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        seed_health_days(instance)
