"""The convolution lessons in Chromium: Play advances the animation in the browser, in both languages."""

import re

import pytest

from cnnviz.i18n import LANGUAGES, t
from tests.e2e.harness import exceptions_shown, open_page, screenshot

CURRENT_STEP = ".slider-group > .slider-label"     # Plotly's "Step n" above the scrubber


def current_step(page) -> int:
    text = page.locator(CURRENT_STEP).first.text_content()
    return int(re.search(r"(\d+)\s*$", text).group(1))


def play_and_check(page, lang: str) -> None:
    assert current_step(page) == 1
    page.locator(".updatemenu-button").filter(has_text=t("convolution.play", lang)).first.click()
    page.wait_for_function("s => /([3-9]|\\d\\d)\\s*$/.test(document.querySelector(s).textContent)",
                           arg=CURRENT_STEP, timeout=15_000)
    assert current_step(page) >= 3
    assert exceptions_shown(page) == []


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_play_advances_the_sliding_window(page, app_url, lang):
    open_page(page, app_url, "convolution", lang)
    play_and_check(page, lang)
    screenshot(page, f"convolution-playing-{lang}")


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_play_advances_an_arithmetic_case(page, app_url, lang):
    open_page(page, app_url, "conv_arithmetic", lang)
    play_and_check(page, lang)


def test_changing_stride_redraws_the_animation(page, app_url):
    open_page(page, app_url, "convolution", "en")
    slider = page.get_by_role("slider", name=t("convolution.stride", "en"))
    slider.focus()
    slider.press("ArrowRight")
    page.get_by_text("3 × 3 output cells", exact=False).wait_for()
    assert exceptions_shown(page) == []
