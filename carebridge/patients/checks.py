"""System checks: the field keys must be usable before a request needs them."""

import binascii

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, register


@register()
def check_field_keys(app_configs=None, **kwargs):
    errors = []
    keys = getattr(settings, "FIELD_ENCRYPTION_KEYS", [])
    if not keys:
        errors.append(Error("FIELD_ENCRYPTION_KEYS is empty", id="patients.E001"))
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except (ValueError, binascii.Error):
            errors.append(
                Error(
                    f"FIELD_ENCRYPTION_KEYS: key {position} is not a Fernet key",
                    hint="make one with: python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())'",
                    id="patients.E002",
                )
            )
    if not getattr(settings, "FIELD_HASH_KEY", ""):
        errors.append(Error("FIELD_HASH_KEY is empty", id="patients.E003"))
    return errors
