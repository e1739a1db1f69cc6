"""The pooling and activation lessons in Chromium, in both languages."""

import pytest

from cnnviz.i18n import LANGUAGES, t
from tests.e2e.harness import exceptions_shown, open_page, play_and_check, screenshot


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_pooling_animation_plays(page, app_url, lang):
    open_page(page, app_url, "pooling", lang)
    play_and_check(page, t("convolution.play", lang))
    page.locator("label").filter(has_text=t("pooling.avg", lang)).click()
    page.get_by_text("sum / count" if lang == "en" else "합 / 개수", exact=False).first.wait_for()
    assert exceptions_shown(page) == []
    screenshot(page, f"pooling-{lang}")


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_activation_choice_redraws_the_map(page, app_url, lang):
    open_page(page, app_url, "activations", lang)
    page.locator("label").filter(has_text=t("activations.sigmoid", lang)).first.click()
    page.get_by_text(t("activations.after", lang, name=t("activations.sigmoid", lang))).wait_for()
    assert exceptions_shown(page) == []
