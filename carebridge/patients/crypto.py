"""Encryption at rest and keyed hashes for personal data (ID numbers, phones, card numbers).

Why not django-fernet-encrypted-fields: it derives its Fernet keys from SECRET_KEY with PBKDF2
(so rotating SECRET_KEY for sessions would touch patient data), caches them per field for the
life of the process, and on a failed decryption silently returns the ciphertext as if it were
the value. We want keys of their own, rotation by "first key encrypts, every key decrypts" and a
loud failure, which is cryptography's MultiFernet used directly in a few lines.

``settings.FIELD_ENCRYPTION_KEYS``: Fernet keys, newest first. ``settings.FIELD_HASH_KEY``: the
HMAC-SHA256 key of the blind index that lets staff find a row by its exact number.
"""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class DecryptionError(Exception):
    """A stored value none of the configured keys can open: a key is missing, never data."""


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    """The keys of the moment (cached per key list, so a settings change takes effect)."""
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError(
            "cannot decrypt a stored value with FIELD_ENCRYPTION_KEYS (is an old key missing?)"
        ) from exc


def blind_index(purpose: str, value: str) -> str:
    """HMAC-SHA256 of a normalised value; ``purpose`` keeps phones and ID numbers apart."""
    message = f"{purpose}:{value}".encode()
    return hmac.new(settings.FIELD_HASH_KEY.encode(), message, hashlib.sha256).hexdigest()
