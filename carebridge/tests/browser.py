"""Debian's chromium for the real-browser tests, driven by Playwright: never a browser that
Playwright downloads. The ``browser`` fixture (conftest.py) launches it."""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_MS = 15_000


@contextmanager
def launched_chromium(monkeypatch):
    """Chromium, headless, for one test. Missing: the test is skipped on a developer's machine
    (`make test` installs it as root) and fails in CI."""
    from playwright.sync_api import expect, sync_playwright

    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (as root: apt-get install chromium, or run make test)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    # Playwright's sync API keeps an asyncio loop running on this thread, so Django would take
    # the test's own (plain sync) queries for ones made from async code; they also get their
    # own connection there, closed before the loop goes (PostgreSQL drops no database in use).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            headless=True,
        )
        try:
            yield chromium
        finally:
            chromium.close()
            connections.close_all()
