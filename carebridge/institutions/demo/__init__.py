"""The demo hospital that `make demo` loads: 苏州市枫桥人民医院 and its WeChat account ``demo``.

``hospital.py`` and ``wechat.py`` hold the data, ``load.py`` the idempotent loader and
``runner.py`` the processes `carebridge demo` starts.
"""

import os

from django.conf import settings
from django.core.management.base import CommandError

from ..auth import DEMO_PASSWORD

ADMIN_USERNAME = "admin"


def admin_password() -> str:
    """The demo back office's password: DEMO_ADMIN_PASSWORD, or the published default (which
    production refuses at sign-in, auth.py)."""
    return os.environ.get("DEMO_ADMIN_PASSWORD") or DEMO_PASSWORD


def refuse_in_production(command: str) -> None:
    """Stop a demo command in production with one line: the demo needs the WeChat sandbox
    (absent there) and makes a superuser whose password the README prints."""
    if not settings.SANDBOX_ENABLED:
        raise CommandError(
            f"{command} never runs in production (CAREBRIDGE_ENV=production): the demo needs "
            "the WeChat sandbox and creates a back-office user with a published password"
        )
