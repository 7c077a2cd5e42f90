"""Re-encrypt every patient's numbers with the first FIELD_ENCRYPTION_KEYS key and recompute
their keyed hashes with FIELD_HASH_KEY.

Rotation: put the new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after it), deploy,
run this command, then remove the old keys. Safe to re-run and to run while serving.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from carebridge.patients.models import Patient

ROTATED_FIELDS = [
    "id_number",
    "id_number_hash",
    "phone",
    "phone_hash",
    "card_number",
    "card_number_hash",
]


class Command(BaseCommand):
    help = "Re-encrypt patients' ID, phone and card numbers with the newest key."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, **options):
        done, last_pk = 0, 0
        while True:
            with transaction.atomic():
                batch = list(
                    Patient.objects.select_for_update()
                    .filter(pk__gt=last_pk)
                    .order_by("pk")[:batch_size]
                )
                for patient in batch:
                    patient.set_id_number(patient.id_number)
                    patient.set_phone(patient.phone)
                    patient.set_card_number(patient.card_number)
                    patient.save(update_fields=ROTATED_FIELDS)
            if not batch:
                break
            done += len(batch)
            last_pk = batch[-1].pk
        self.stdout.write(f"re-encrypted {done} patient(s)")
