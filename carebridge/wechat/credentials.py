"""Per-account WeChat credentials, read from the environment, never stored in the database.

``WECHAT_<SLUG>_APPID``, ``_APPSECRET``, ``_TOKEN``, ``_AESKEY`` and ``_MODE`` (plaintext,
compatible or safe) describe the account whose slug is ``<slug>`` (upper-cased, ``-`` as ``_``).
Outside production an account with no variables gets deterministic sandbox credentials, so the
demo and the tests run with none set. This module imports nothing from Django: settings use it.
"""

import hashlib
import os
import re
from dataclasses import dataclass

MODES = ("plaintext", "compatible", "safe")
_VAR = re.compile(r"^WECHAT_([A-Z0-9_]+)_APPID$")


@dataclass(frozen=True)
class Credentials:
    slug: str
    app_id: str
    app_secret: str
    token: str
    aes_key: str = ""
    mode: str = "safe"
    sandbox: bool = False

    @property
    def complete(self) -> bool:
        if not (self.app_id and self.app_secret and self.token):
            return False
        return self.mode == "plaintext" or len(self.aes_key) == 43


def env_prefix(slug: str) -> str:
    return "WECHAT_" + slug.upper().replace("-", "_") + "_"


def sandbox_credentials(slug: str, mode: str = "safe") -> Credentials:
    """Deterministic credentials the sandbox recognises for ``slug``."""
    digest = hashlib.sha256(f"carebridge-sandbox:{slug}".encode()).hexdigest()
    return Credentials(
        slug=slug,
        app_id="wx" + digest[:16],
        app_secret=digest[16:48],
        token="sandbox" + digest[48:58],
        # 43 characters of the base64 alphabet (WeChat's EncodingAESKey format).
        aes_key=(digest + digest)[:43],
        mode=mode,
        sandbox=True,
    )


def credentials_from_environ(sandbox_defaults: bool, environ=None) -> dict[str, Credentials]:
    environ = os.environ if environ is None else environ
    found: dict[str, Credentials] = {}
    for name in environ:
        match = _VAR.match(name)
        if not match:
            continue
        key = match.group(1)
        slug = key.lower().replace("_", "-")
        prefix = f"WECHAT_{key}_"
        mode = environ.get(prefix + "MODE", "safe").lower()
        if mode not in MODES:
            raise ValueError(f"{prefix}MODE must be one of {', '.join(MODES)}, not {mode!r}")
        found[slug] = Credentials(
            slug=slug,
            app_id=environ[name],
            app_secret=environ.get(prefix + "APPSECRET", ""),
            token=environ.get(prefix + "TOKEN", ""),
            aes_key=environ.get(prefix + "AESKEY", ""),
            mode=mode,
        )
    if sandbox_defaults and "demo" not in found:
        found["demo"] = sandbox_credentials("demo")
    return found


class MissingCredentials(LookupError):
    pass


def get_credentials(slug: str) -> Credentials:
    """Credentials for an account slug; sandbox ones outside production."""
    from django.conf import settings

    creds = settings.WECHAT_CREDENTIALS.get(slug)
    if creds is not None:
        return creds
    if settings.SANDBOX_ENABLED:
        return sandbox_credentials(slug)
    raise MissingCredentials(f"no WeChat credentials for account {slug!r}: set {env_prefix(slug)}*")
