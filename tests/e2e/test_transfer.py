"""The transfer lesson in Chromium: a run trained live ends with its test accuracy, and Reset clears it."""

import re

from cnnviz.i18n import t
from tests.e2e.harness import exceptions_shown, open_page, screenshot, wait_settled

RUN_MS = 90_000          # a run takes a few seconds alone; the pool may queue it behind others


def test_a_transfer_run_trains_live_and_ends_with_its_accuracy(page, app_url):
    open_page(page, app_url, "transfer", "en")
    page.get_by_role("tab", name=t("transfer.tab_live", "en")).click()
    wait_settled(page)
    page.get_by_text(t("transfer.idle", "en")).wait_for()
    page.get_by_role("button", name=t("training.train", "en"), exact=True).click()
    page.get_by_text(re.compile(r"Finished: 500 steps, test accuracy \d+\.\d%")).wait_for(timeout=RUN_MS)
    page.locator(".st-key-transfer_live_curves").wait_for()
    assert exceptions_shown(page) == []
    screenshot(page, "transfer-live")
    page.get_by_role("button", name=t("training.reset", "en"), exact=True).click()
    page.get_by_text(t("transfer.idle", "en")).wait_for()
    assert exceptions_shown(page) == []
