"""The convolution lessons in Chromium: Play advances the animation in the browser, in both languages."""

import pytest

from cnnviz.i18n import LANGUAGES, t
from tests.e2e.harness import exceptions_shown, open_page, play_and_check, screenshot


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_play_advances_the_sliding_window(page, app_url, lang):
    open_page(page, app_url, "convolution", lang)
    play_and_check(page, t("convolution.play", lang))
    screenshot(page, f"convolution-playing-{lang}")


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_play_advances_an_arithmetic_case(page, app_url, lang):
    open_page(page, app_url, "conv_arithmetic", lang)
    play_and_check(page, t("convolution.play", lang))


def test_changing_stride_redraws_the_animation(page, app_url):
    open_page(page, app_url, "convolution", "en")
    page.get_by_role("tab", name=t("convolution.tab_size", "en")).click()      # where the cell count is
    page.get_by_text("5 × 5 output cells", exact=False).wait_for()
    slider = page.get_by_role("slider", name=t("convolution.stride", "en"))
    slider.focus()
    slider.press("ArrowRight")
    page.get_by_text("3 × 3 output cells", exact=False).wait_for()
    assert exceptions_shown(page) == []


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_the_arithmetic_tabs_draw_when_chosen(page, app_url, lang):
    """Only the open tab runs (st.tabs on_change="rerun"): choosing another one must draw it."""
    open_page(page, app_url, "conv_arithmetic", lang)
    assert not page.get_by_text(t("arithmetic.calculator_intro", lang)).count()
    page.get_by_role("tab", name=t("arithmetic.tab_calculator", lang)).click()
    page.get_by_text(t("arithmetic.calculator_intro", lang)).wait_for()
    page.get_by_role("tab", name=t("arithmetic.tab_cases", lang)).click()
    page.locator(".updatemenu-button").first.wait_for()
    assert exceptions_shown(page) == []


def test_the_grid_editor_opens_and_closes(page, app_url):
    """The data editor is drawn only while its expander is open; closing it keeps the page working."""
    open_page(page, app_url, "convolution", "en")
    editors = page.get_by_test_id("stDataFrame")
    assert editors.count() == 0
    page.get_by_text(t("convolution.edit_input", "en")).click()
    editors.first.wait_for()
    page.get_by_text(t("convolution.edit_input", "en")).click()
    editors.first.wait_for(state="detached")
    assert exceptions_shown(page) == []
