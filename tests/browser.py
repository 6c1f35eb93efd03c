"""Headless Chromium for the browser tests: Debian's chromium (`make test` installs it where apt-get
can), driven by Playwright through its executable path, since Playwright's own browser downloads are
not reachable here. Where either is missing the tests skip and say why."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# The network is closed: no QUIC, no background fetches, no component or sync updates.
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")


def unavailable_reason() -> str | None:
    """Why no browser test can run here, or None when one can."""
    if not CHROMIUM.is_file():
        return (f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium package where apt-get can "
                "(it could not here)")
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (`make setup` installs the dev extra)"
    return None


needs_browser = pytest.mark.skipif(unavailable_reason() is not None, reason=unavailable_reason() or "")


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """One Chromium per test module; each test opens its own page."""
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def left_the_machine(urls: list[str]) -> list[str]:
    """The requested URLs that are not local (file, data, about, blob)."""
    return [url for url in urls if not url.startswith(LOCAL_SCHEMES)]
