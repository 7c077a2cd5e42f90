"""A release rule changed, disabled or removed in the back office: the versions of its
institution that it held are looked at again in the same transaction (actions.release_held).

Rules are edited one by one (``save``) or deleted one by one or in bulk (``delete``, as the
admin's "delete selected" does); both send these signals. A ``QuerySet.update`` of rules sends
none: change rules through ``save``."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .actions import release_held
from .models import ReleaseRule


@receiver(pre_save, sender=ReleaseRule, dispatch_uid="results.rules.before")
def remember_institution(sender, instance, raw=False, **kwargs):
    """A rule moved to another institution frees what it held in the old one too."""
    instance._institution_before = None
    if instance.pk is not None and not raw:
        instance._institution_before = (
            ReleaseRule.objects.filter(pk=instance.pk)
            .values_list("institution_id", flat=True)
            .first()
        )


@receiver(post_save, sender=ReleaseRule, dispatch_uid="results.rules.saved")
def rule_saved(sender, instance, created, raw=False, **kwargs):
    # A new rule only adds holds: what was released stays released (see release_report).
    if created or raw:
        return
    for institution_id in {instance.institution_id, getattr(instance, "_institution_before", None)}:
        if institution_id is not None:
            release_held(institution_id)


@receiver(post_delete, sender=ReleaseRule, dispatch_uid="results.rules.deleted")
def rule_deleted(sender, instance, origin=None, **kwargs):
    # Deleted with its institution (a cascade): its reports go too, nothing to release.
    if isinstance(origin, ReleaseRule) or getattr(origin, "model", None) is ReleaseRule:
        release_held(instance.institution_id)
