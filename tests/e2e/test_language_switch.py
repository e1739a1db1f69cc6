"""A language switch in the sidebar redraws every widget in the new language and keeps its value.

Streamlit sends a choice widget's value as its label: without ``ui.common``'s resend, a select box
kept showing the old language's label after a switch and a radio showed nothing selected. The
reference for "every widget in the new language" is the same lesson opened fresh in that language.
"""

import re

import pytest

from cnnviz.i18n import LANGUAGES, t
from tests.e2e.harness import exceptions_shown, open_page, wait_settled
from ui.lessons import LESSONS

# What each kind of widget shows as its value, in reading order.
WIDGET_VALUES = """() => {
  const main = document.querySelector('[data-testid=stMain]');
  const text = el => el.innerText.trim();
  return {
    selectboxes: [...main.querySelectorAll('[data-testid=stSelectbox] input')].map(el => el.value),
    radios: [...main.querySelectorAll('[data-testid=stRadio]')].map(group =>
      [...group.querySelectorAll('label')].filter(l => l.querySelector('input:checked')).map(text).join('|')),
    multiselects: [...main.querySelectorAll('[data-testid=stMultiSelect] [data-baseweb=tag]')].map(text),
    segmented: [...main.querySelectorAll('[data-testid=stButtonGroup] button[aria-checked=true]')].map(text),
    tabs: [...main.querySelectorAll('[role=tab][aria-selected=true]')].map(text),
  };
}"""


def widget_values(page) -> dict:
    """The values once they stop changing (a fresh server's first run can draw the title before the widgets)."""
    values = page.evaluate(WIDGET_VALUES)
    for _ in range(20):
        page.wait_for_timeout(300)
        again = page.evaluate(WIDGET_VALUES)
        if again == values:
            return values
        values = again
    raise AssertionError(f"the widgets kept changing: {values}")


def url_path(lesson) -> str:
    return "" if lesson is LESSONS[0] else lesson.name


def switch_language(page, lang: str) -> None:
    """Choose ``lang`` in the sidebar (opened first where it is collapsed, as on a phone)."""
    if page.locator("[data-testid=stSidebar]").bounding_box()["x"] < 0:        # collapsed: off the screen
        page.locator("[data-testid=stExpandSidebarButton]").click()
        page.wait_for_function("() => document.querySelector('[data-testid=stSidebar]').getBoundingClientRect().left >= 0")
        page.wait_for_timeout(500)                  # the sidebar slides in
    page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").click()
    page.get_by_role("option", name=LANGUAGES[lang]).click()
    page.wait_for_url(re.compile(f"lang={lang}"))
    wait_settled(page)
    page.wait_for_function("t => document.querySelector('[data-testid=stSidebar]').innerText.includes(t)",
                           arg=t("app.language", lang))
    wait_settled(page)


@pytest.mark.parametrize("start, target", [("en", "ko"), ("ko", "en")])
@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.name)
def test_every_widget_follows_a_language_switch(page, app_url, lesson, start, target):
    open_page(page, app_url, url_path(lesson), target)
    fresh = widget_values(page)
    open_page(page, app_url, url_path(lesson), start)
    assert widget_values(page) != fresh or not any(fresh.values()), "the two languages look alike"
    switch_language(page, target)
    assert widget_values(page) == fresh
    assert exceptions_shown(page) == []


def test_a_changed_choice_survives_the_switch(page, app_url):
    open_page(page, app_url, "convolution", "en")
    page.get_by_role("combobox", name=t("convolution.kernel_preset", "en")).click()
    page.get_by_role("option", name=t("kernels.laplacian", "en")).click()
    wait_settled(page)
    page.get_by_text(t("convolution.true_convolution", "en")).click()
    wait_settled(page)
    switch_language(page, "ko")
    values = widget_values(page)
    assert t("kernels.laplacian", "ko") in values["selectboxes"]
    assert t("convolution.true_convolution", "ko") in values["radios"]


@pytest.mark.parametrize("lesson", ["convolution", "feature_maps"])
def test_the_switch_on_a_phone(new_context, app_url, lesson):
    tab = new_context(viewport={"width": 390, "height": 844}).new_page()
    open_page(tab, app_url, lesson, "ko")
    fresh = widget_values(tab)
    open_page(tab, app_url, lesson, "en")
    switch_language(tab, "ko")
    assert widget_values(tab) == fresh
    assert exceptions_shown(tab) == []
