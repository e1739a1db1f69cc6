"""The pooling and activation lessons in Chromium, in both languages."""

import pytest

from cnnviz import activations
from cnnviz.i18n import LANGUAGES, t
from tests.e2e.harness import exceptions_shown, open_page, play_and_check, screenshot, wait_settled


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_pooling_animation_plays(page, app_url, lang):
    open_page(page, app_url, "pooling", lang)
    before = page.locator(".js-plotly-plot").first.locator("text.gtitle").first.text_content()
    play_and_check(page, t("convolution.play", lang))
    after = page.locator(".js-plotly-plot").first.locator("text.gtitle").first.text_content()
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


def test_a_section_tab_draws_when_chosen_and_stays_open_in_the_other_language(page, app_url):
    """Only the open tab runs: choosing one draws it, and switching the language keeps it open."""
    open_page(page, app_url, "pooling", "en")
    shift = t("pooling.shift", "en")
    assert not page.get_by_text(shift).count()
    page.get_by_role("tab", name=t("pooling.tab_shift", "en")).click()
    page.get_by_text(shift).first.wait_for()
    page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").click()
    page.get_by_role("option", name=LANGUAGES["ko"]).click()
    wait_settled(page)
    page.get_by_text(t("pooling.shift", "ko")).first.wait_for()
    selected = page.get_by_role("tab", name=t("pooling.tab_shift", "ko"))
    assert selected.get_attribute("aria-selected") == "true"
    assert exceptions_shown(page) == []


def test_the_softmax_scores_can_be_edited(page, app_url):
    """The logits editor opens on demand; a score typed into it changes the probabilities."""
    open_page(page, app_url, "activations", "en")
    page.get_by_role("tab", name=t("activations.tab_softmax", "en")).click()
    wait_settled(page)
    editors = page.get_by_test_id("stDataFrame")
    assert editors.count() == 0
    page.get_by_test_id("stExpander").get_by_text(t("activations.edit_logits", "en")).click()
    editors.first.wait_for()
    wait_settled(page)
    first = activations.softmax_with_temperature([-3.0, 1.0, 0.1, -1.0], 1.0)[0]
    open_cell_editor(page, editors.first, row=0, column=1, expected="2").fill("-3")
    page.keyboard.press("Enter")
    page.get_by_text(f"{first:.1%}", exact=True).first.wait_for()
    assert exceptions_shown(page) == []


def open_cell_editor(page, editor, row: int, column: int, expected: str):
    """The grid's own text box for one cell, opened by a click and Enter as a student would. The grid is a
    canvas laid out after the page settles, so a click can land before it listens: try again until the
    text box opens on the cell that holds ``expected``."""
    grid = editor.locator("canvas").first          # the grid itself, under the editor's toolbar
    text_box = page.locator(".gdg-input")
    for _ in range(5):
        box = grid.bounding_box()
        width = box["width"] / 2                  # two columns: class, logit
        page.mouse.click(box["x"] + width * (column + 0.5), box["y"] + 35 * (row + 1.5))
        page.keyboard.press("Enter")
        try:
            text_box.wait_for(timeout=3_000)
        except Exception:
            continue
        if text_box.input_value() == expected:
            return text_box
        page.keyboard.press("Escape")
    screenshot(page, "softmax-edit-failed")
    raise AssertionError(f"the editor of row {row}, column {column} did not open")
