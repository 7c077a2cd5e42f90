"""What the content app tells other apps, so they can act without it knowing them."""

from django.dispatch import Signal

# Sent inside the transaction that published ``articles`` (a list of Article), so what a
# receiver writes (an outbox row) commits or rolls back with the publication.
article_published = Signal()
