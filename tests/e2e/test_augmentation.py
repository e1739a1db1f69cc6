"""The augmentation lesson in Chromium: Re-draw gives another grid of draws, with the next seed in its code."""

import pytest

from cnnviz.i18n import LANGUAGES, t
from tests.e2e.harness import exceptions_shown, open_page, screenshot, wait_settled

GRID = "[data-testid=stMain] [data-testid=stImage] img"


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_re_draw_shows_other_draws(page, app_url, lang):
    open_page(page, app_url, "augmentation", lang)
    grid = page.locator(GRID).first
    grid.wait_for(state="visible")
    before = grid.get_attribute("src")
    code = page.locator("[data-testid=stMain] [data-testid=stCode]").first
    assert "seed=0)" in code.text_content()
    page.get_by_role("button", name=t("augmentation.redraw", lang)).click()
    wait_settled(page)
    page.wait_for_function(f"src => document.querySelector('{GRID}').src !== src", arg=before)
    assert "seed=1)" in code.text_content()
    assert page.get_by_role("spinbutton", name=t("augmentation.seed", lang)).input_value() == "1"
    assert exceptions_shown(page) == []
    screenshot(page, f"augmentation-redrawn-{lang}")
