"""Every registered lesson opens in both languages without an exception; the sidebar works."""

import re

import pytest

from cnnviz.i18n import LANGUAGES, t
from tests.e2e.harness import exceptions_shown, open_page, running_app, screenshot, wait_settled
from ui.lessons import LESSONS


def url_path(lesson) -> str:
    return "" if lesson is LESSONS[0] else lesson.name


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.name)
def test_every_page_opens_cleanly(page, app_url, lesson, lang):
    open_page(page, app_url, url_path(lesson), lang)
    assert exceptions_shown(page) == []
    assert page.locator("h1").first.inner_text().strip()
    links = page.locator("[data-testid=stSidebarNavLink]")
    assert links.count() == (len(LESSONS) if len(LESSONS) > 1 else 0)  # one page: no menu
    if len(LESSONS) > 1:
        assert t(f"nav.{lesson.name}", lang) in page.locator("[data-testid=stSidebar]").inner_text()
    screenshot(page, f"{lesson.name}-{lang}")


def test_sidebar_switches_language_and_the_url_keeps_it(page, app_url):
    open_page(page, app_url, "", "en")
    assert page.locator("h1").first.inner_text().strip() == t("home.title", "en")
    page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").click()
    page.get_by_role("option", name=LANGUAGES["ko"]).click()
    page.wait_for_url(re.compile(r"lang=ko"))
    wait_settled(page)
    page.wait_for_function("t => document.querySelector('h1')?.innerText.includes(t)",
                           arg=t("home.title", "ko"))
    assert exceptions_shown(page) == []


def test_browser_locale_picks_korean_when_the_url_does_not_say(new_context, app_url):
    tab = new_context(locale="ko-KR").new_page()
    tab.goto(app_url)
    wait_settled(tab)
    tab.wait_for_function("t => document.querySelector('h1')?.innerText.includes(t)", arg=t("home.title", "ko"))
    assert "lang=ko" in tab.url


def test_home_comparison_reacts(page, app_url):
    open_page(page, app_url, "", "en")
    metric = page.locator("[data-testid=stMetricValue]").first
    assert metric.inner_text() == "150,529,000"
    units = page.get_by_label(t("home.units", "en"))
    units.fill("10")
    units.press("Enter")
    page.wait_for_function("() => document.querySelector('[data-testid=stMetricValue]').innerText === '1,505,290'")
    wait_settled(page)
    assert exceptions_shown(page) == []


def test_a_deep_link_as_a_fresh_servers_first_request_gets_the_whole_app(new_context):
    """Lessons live in pages/, so Streamlit's legacy folder mode would run the page without app.py."""
    lesson = LESSONS[-1]
    with running_app() as base:
        tab = new_context(base).new_page()
        open_page(tab, base, lesson.name, "ko")
        sidebar = tab.locator("[data-testid=stSidebar]")
        sidebar.get_by_text(t("app.language", "ko"), exact=True).wait_for()
        assert t(f"nav.{lesson.name}", "ko") in sidebar.inner_text()
        assert exceptions_shown(tab) == []
        tab.context.close()
