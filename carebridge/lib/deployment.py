"""What production must not run with: the development values committed in this repository
(public, so they protect nothing) and Django's rule for a secret key.

settings.py takes its development defaults from here and refuses them in production; the
deployment checks (institutions/checks.py) ask the same question of the settings a process
ended up with.
"""

from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)

DEVELOPMENT_SECRET_KEY = "insecure-development-key-never-use-in-production"
DEVELOPMENT_FIELD_ENCRYPTION_KEY = "Iuq85YBPtOScZTIOmgtsk6sc-Kw6agA2N2ClJ8kjo-o="
DEVELOPMENT_FIELD_HASH_KEY = "insecure-development-hash-key-never-use-in-production"
SANDBOX_SMS_BACKEND = "carebridge.patients.sms.SandboxSmsBackend"
# Values people paste from examples: the SECRET_KEY=x, the README's "…".
PLACEHOLDER_SECRET_KEYS = {"x", "…", "...", "secret", "changeme", "change-me"}

NEW_SECRET_KEY = (
    "python -c 'from django.core.management.utils import get_random_secret_key; "
    "print(get_random_secret_key())'"
)
NEW_FERNET_KEY = (
    "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
)


def secret_key_problem(secret_key: str) -> str:
    """Why ``secret_key`` must not sign production's sessions and tokens ("" if it may)."""
    if secret_key == DEVELOPMENT_SECRET_KEY:
        return "SECRET_KEY is the development default committed in carebridge/lib/deployment.py"
    if secret_key in PLACEHOLDER_SECRET_KEYS:
        return f"SECRET_KEY is the placeholder {secret_key!r}"
    if len(secret_key) < SECRET_KEY_MIN_LENGTH or secret_key.startswith(SECRET_KEY_INSECURE_PREFIX):
        return (
            f"SECRET_KEY must be at least {SECRET_KEY_MIN_LENGTH} characters long and not start "
            f"with {SECRET_KEY_INSECURE_PREFIX!r}"
        )
    if len(set(secret_key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        # Django's own rule (security.W009): "x" * 50 is long and guessable.
        return (
            f"SECRET_KEY must have at least {SECRET_KEY_MIN_UNIQUE_CHARACTERS} different characters"
        )
    return ""


def unsafe_production_settings(
    *,
    debug: bool,
    secret_key: str,
    field_encryption_keys: list[str],
    field_hash_key: str,
    sms_backend: str,
) -> list[str]:
    """One sentence per setting that production refuses, each naming its variable."""
    problems = []
    if debug:
        problems.append(
            "DEBUG must be off in production: its error pages show settings and code to "
            "anyone (unset DEBUG)"
        )
    if problem := secret_key_problem(secret_key):
        problems.append(f"{problem}; make one with: {NEW_SECRET_KEY}")
    for position, key in enumerate(field_encryption_keys, start=1):
        if key == DEVELOPMENT_FIELD_ENCRYPTION_KEY:
            problems.append(
                f"FIELD_ENCRYPTION_KEYS: key {position} is the development key committed in "
                f"carebridge/lib/deployment.py; make one with: {NEW_FERNET_KEY}"
            )
    if field_hash_key == DEVELOPMENT_FIELD_HASH_KEY:
        problems.append(
            "FIELD_HASH_KEY is the development key committed in carebridge/lib/deployment.py "
            "(set a long random string)"
        )
    if sms_backend == SANDBOX_SMS_BACKEND:
        problems.append(
            f"SMS_BACKEND is the sandbox's ({SANDBOX_SMS_BACKEND}), which sends nothing in "
            "production: name your SMS gateway's backend"
        )
    return problems
