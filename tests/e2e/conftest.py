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
def page(browser, app_url):
    """A fresh browser context; after the test, no request may have left the machine."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    requests = harness.RequestLog(app_url)
    context.on("request", requests.record)
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    yield tab
    context.close()
    assert requests.outside() == [], f"requests left the machine: {requests.outside()[:5]}"
