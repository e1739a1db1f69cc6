"""The pooling and activation lessons in Chromium, in both languages."""

import pytest

from cnnviz.i18n import LANGUAGES, t
from tests.e2e.harness import exceptions_shown, open_page, play_and_check, screenshot, wait_settled


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_pooling_animation_plays(page, app_url, lang):
    open_page(page, app_url, "pooling", lang)
    before = page.locator(".js-plotly-plot").first.locator("text.annotation-text").first.text_content()
    play_and_check(page, t("convolution.play", lang))
    after = page.locator(".js-plotly-plot").first.locator("text.annotation-text").first.text_content()
    assert before.startswith("out[0, 0]") and not after.startswith("out[0, 0]")   # the caption moved on too
    page.locator("label").filter(has_text=t("pooling.avg", lang)).first.click()
    wait_settled(page)
    page.get_by_text(t("pooling.formula_avg", lang).split(" = ")[1], exact=False).first.wait_for()
    assert exceptions_shown(page) == []
    screenshot(page, f"pooling-{lang}")


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_activation_choice_redraws_the_map_in_the_same_language(page, app_url, lang):
    """The function picker reruns only its section (a fragment): the section must stay in the page's language."""
    open_page(page, app_url, "activations", lang)
    page.locator("label").filter(has_text=t("activations.sigmoid", lang)).first.click()
    wait_settled(page)
    caption = t("activations.after", lang, name=t("activations.sigmoid", lang))
    page.locator("[data-testid=stImageCaption]").filter(has_text=caption).wait_for()
    assert page.locator("[data-testid=stImageCaption]").filter(
        has_text=t("activations.before", lang)).count() == 1
    assert exceptions_shown(page) == []
    screenshot(page, f"activations-{lang}")
