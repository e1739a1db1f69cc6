"""Presenter mode (``?present=1``) on a projector's 1280x720 screen, measured in Chromium: the sidebar closed,
each lesson's main picture on the first screen, grid numbers at least 18 px high, every other figure text at
least 16 px; the mode kept across a page change and ended by the sidebar's switch."""

import re

import pytest

from cnnviz.i18n import t
from cnnviz.presenter import NUMBER_FONT, TEXT_FONT
from tests.e2e.harness import exceptions_shown, open_page, wait_settled
from tests.e2e.test_above_the_fold import MAIN_PICTURE, PICTURES
from ui.lessons import LESSONS

SCREEN = {"width": 1280, "height": 720}
VISIBLE = 120             # px of the main picture on the first screen, at least

# Every text of every figure drawn in the lesson: (kind, font size in px, height of its box in px). A grid's
# numbers are Plotly's heatmap labels; everything else (ticks, axis titles, legends, annotations, buttons,
# the step slider) is "text". Hidden figures (a closed expander) have no box and are left out.
FIGURE_TEXTS = """() => [...document.querySelectorAll('[data-testid=stMain] .js-plotly-plot svg text')]
  .filter(el => el.textContent.trim() && el.getBoundingClientRect().height > 0)
  .map(el => [el.closest('.heatmap-label, .heatmaplayer') ? 'number' : 'text',
              parseFloat(getComputedStyle(el).fontSize), el.getBoundingClientRect().height, el.textContent])"""

# The bottom edge of the first animation's Play/Pause buttons (none where the lesson opens on no animation).
PLAY_BOTTOMS = """() => [...(document.querySelector('[data-testid=stMain] .js-plotly-plot')
  ?.querySelectorAll('.updatemenu-button') ?? [])].map(el => el.getBoundingClientRect().bottom)"""


def open_presenting(tab, base: str, lesson, lang: str) -> None:
    open_page(tab, base, "" if lesson is LESSONS[0] else lesson.name, f"{lang}&present=1")


def sidebar_closed(tab) -> bool:
    return tab.locator("[data-testid=stSidebar]").bounding_box()["x"] < 0


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.name)
def test_every_lesson_fits_a_projector(new_context, app_url, lesson):
    tab = new_context(viewport=SCREEN).new_page()
    open_presenting(tab, app_url, lesson, "ko" if lesson.name == "convolution" else "en")
    picture = tab.locator(MAIN_PICTURE.get(lesson.name, PICTURES)).first
    picture.wait_for(state="visible")
    tab.wait_for_timeout(300)                        # Plotly lays out its text after the chart appears
    assert sidebar_closed(tab)
    top = picture.evaluate("el => el.getBoundingClientRect().top")
    assert top <= SCREEN["height"] - VISIBLE, f"{lesson.name}: the main picture starts at {top:.0f} px"
    play = tab.evaluate(PLAY_BOTTOMS)            # an animation on opening: its Play buttons on the first screen too
    assert all(bottom <= SCREEN["height"] for bottom in play), f"{lesson.name}: Play ends at {max(play):.0f} px"
    texts = tab.evaluate(FIGURE_TEXTS)
    numbers = [(size, height, text) for kind, size, height, text in texts if kind == "number"]
    small_numbers = [n for n in numbers if n[0] < NUMBER_FONT or n[1] < NUMBER_FONT]
    small_text = [(size, text) for kind, size, _, text in texts if kind == "text" and size < TEXT_FONT]
    assert small_numbers == [], f"{lesson.name}: grid numbers under {NUMBER_FONT} px: {small_numbers[:5]}"
    assert small_text == [], f"{lesson.name}: figure text under {TEXT_FONT} px: {small_text[:5]}"
    assert exceptions_shown(tab) == []
    if lesson is LESSONS[0]:                         # its links to the lessons keep the mode
        hrefs = tab.locator("[data-testid=stMain] [data-testid=stPageLink] a").evaluate_all(
            "links => links.map(a => a.href)")
        assert hrefs and all("present=1" in href for href in hrefs), hrefs


def test_the_mode_survives_a_page_change_and_the_switch_ends_it(new_context, app_url):
    tab = new_context(viewport=SCREEN).new_page()
    open_presenting(tab, app_url, LESSONS[1], "en")
    assert sidebar_closed(tab)
    tab.locator("[data-testid=stExpandSidebarButton]").click()
    tab.wait_for_function("() => document.querySelector('[data-testid=stSidebar]').getBoundingClientRect().left >= 0")
    tab.locator("[data-testid=stSidebarNavLink]").filter(has_text=t("nav.pooling", "en")).click()
    tab.wait_for_url(re.compile(r"/pooling\?"))
    wait_settled(tab)
    tab.wait_for_url(re.compile(r"present=1"))
    exit_button = tab.locator(".st-key-presenter_exit button")
    exit_button.wait_for(state="visible")
    numbers = [size for kind, size, _, _ in tab.evaluate(FIGURE_TEXTS) if kind == "number"]
    assert numbers and min(numbers) >= NUMBER_FONT

    sidebar = tab.locator("[data-testid=stSidebar]")
    sidebar.locator("[data-testid=stCheckbox]").filter(has_text=t("presenter.toggle", "en")).click()
    tab.wait_for_url(lambda url: "present=" not in url)
    wait_settled(tab)
    exit_button.wait_for(state="detached")
    numbers = [size for kind, size, _, _ in tab.evaluate(FIGURE_TEXTS) if kind == "number"]
    assert numbers and min(numbers) < NUMBER_FONT          # the lesson's own sizes again
