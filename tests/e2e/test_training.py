"""The training lesson in Chromium: a recorded run scrubbed, a live run paused, stepped and reset."""

import re

import pytest

from cnnviz.i18n import LANGUAGES, t
from cnnviz.recordings import load_recording
from tests.e2e.harness import exceptions_shown, open_page, screenshot, wait_settled


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_a_recorded_run_is_scrubbed_back(page, app_url, lang):
    open_page(page, app_url, "training", lang)
    snapshots = load_recording("good").snapshots
    page.get_by_text(t("training.kernels_title", lang, step=snapshots[-1].step)).wait_for()
    thumb = page.get_by_test_id("stSlider").get_by_role("slider").first
    thumb.focus()
    page.keyboard.press("Home")                                        # back to step 0
    wait_settled(page)
    page.get_by_text(t("training.kernels_title", lang, step=0)).wait_for()
    page.keyboard.press("ArrowRight")
    wait_settled(page)
    page.get_by_text(t("training.kernels_title", lang, step=snapshots[1].step)).wait_for()
    assert exceptions_shown(page) == []
    screenshot(page, f"training-replay-{lang}")


def test_a_live_run_pauses_steps_and_resets(page, app_url):
    open_page(page, app_url, "training", "en")
    page.get_by_role("tab", name=t("training.tab_live", "en")).click()
    wait_settled(page)
    page.get_by_role("button", name=t("training.train", "en"), exact=True).click()
    page.get_by_text(re.compile(r"Step [1-9][\d,]* of 1,000")).wait_for(timeout=60_000)   # it trains
    page.get_by_role("button", name=t("training.pause", "en"), exact=True).click()
    paused = page.get_by_text(re.compile(r"Paused after step ([\d,]+)\."))
    paused.wait_for(timeout=30_000)
    page.wait_for_timeout(2_000)            # the run reports the step it paused after within one poll
    step = int(re.search(r"step ([\d,]+)", paused.text_content())[1].replace(",", ""))
    page.get_by_role("button", name=t("training.one_step", "en"), exact=True).click()
    page.get_by_text(t("training.paused", "en", step=step + 1)).wait_for(timeout=30_000)
    page.get_by_text(t("training.kernels_title", "en", step=step + 1)).wait_for()
    screenshot(page, "training-paused")
    page.get_by_role("button", name=t("training.reset", "en"), exact=True).click()
    page.get_by_text(t("training.idle", "en")).wait_for()
    assert exceptions_shown(page) == []
