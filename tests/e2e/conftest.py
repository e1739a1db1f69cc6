"""Fixtures for the browser tests: one app server and one Chromium per test session.

Without Chromium the tests skip on a developer's machine but fail under CI,
where a skipped browser suite would hide a broken app.
"""

import os

import pytest

from tests.e2e import harness


@pytest.fixture(scope="session")
def app_url():
    with harness.running_app() as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    executable = harness.chromium_path()
    if executable is None:
        message = "Chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message + ": CI must run the browser tests")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=harness.CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser, app_url):
    """Make browser contexts (``new_context(base=..., **options)``); after the test, no request of any of
    them may have left the machine: only the app's own host (or ``base``'s) is allowed."""
    opened = []

    def make(base: str = app_url, **options):
        context = browser.new_context(**options)
        requests = harness.RequestLog(base)
        context.on("request", requests.record)
        opened.append((context, requests))
        return context

    yield make
    for context, _ in opened:
        context.close()
    outside = [url for _, requests in opened for url in requests.outside()]
    assert outside == [], f"requests left the machine: {outside[:5]}"


@pytest.fixture
def page(new_context):
    """A fresh browser context's tab; after the test, no request may have left the machine."""
    tab = new_context(viewport={"width": 1400, "height": 1000}, locale="en-US").new_page()
    tab.set_default_timeout(30_000)
    return tab
