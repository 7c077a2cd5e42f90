"""A new institution starts with the default health days (defaults.py), as existing ones got
them from the data migration; a published article goes to the accounts' own pages too."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from carebridge.content.signals import article_published
from carebridge.institutions.models import Institution

from .actions.calendar import seed_health_days
from .actions.pages import push_to_account_pages


@receiver(post_save, sender=Institution, dispatch_uid="publishing.seed_health_days")
def health_days_for_new_institution(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        seed_health_days(instance)


@receiver(article_published, dispatch_uid="publishing.push_to_account_pages")
def published_article_to_account_pages(sender, articles, **kwargs):
    push_to_account_pages(articles)
