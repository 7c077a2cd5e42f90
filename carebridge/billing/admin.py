"""The billing back office; each part in its own module under backoffice/."""

from .backoffice import bills, deposits, policy  # noqa: F401
