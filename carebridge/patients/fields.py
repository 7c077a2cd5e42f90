"""A model field that stores its text encrypted (see crypto.py for the keys)."""

from django.core.exceptions import FieldError
from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    """Plaintext in Python, a Fernet token in the database.

    Tokens are randomised, so the column cannot be searched: only ``isnull`` lookups are
    allowed (any other would silently match nothing). Search through a keyed-hash column.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            raise FieldError(
                f"{self.name} is encrypted: look it up through its keyed hash, not {lookup_name}"
            )
        return super().get_lookup(lookup_name)
