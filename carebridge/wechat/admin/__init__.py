"""The WeChat back office: outgoing (menu, QR scenes, templates, mass sends) and inbound (rules,
followers, callback receipts)."""

from . import inbound, outgoing  # noqa: F401
