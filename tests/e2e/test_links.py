"""A copied link in Chromium: change a lesson, copy its link with the button, open it in a fresh browser."""

import json
from urllib.parse import parse_qs, urlparse

import pytest

from cnnviz.i18n import t
from tests.e2e.harness import exceptions_shown, open_page, wait_settled
from tests.e2e.test_feature_maps import choose

# Every Plotly figure on the page: the numbers each trace shows, and the animation's frames (what it will play).
FIGURES = """() => [...document.querySelectorAll('.js-plotly-plot')].map(plot => JSON.stringify({
    data: plot.data.map(trace => [trace.text ?? null, trace.z ?? null]),
    frames: (plot._transitionData?._frames ?? []).map(frame => frame.data.map(trace => trace.text ?? null))}))"""


def press(page, label: str, key: str, times: int = 1) -> None:
    for _ in range(times):
        slider = page.get_by_role("slider", name=label)
        slider.focus()
        slider.press(key)
        wait_settled(page)


def figures(page) -> list[dict]:
    return [json.loads(text) for text in page.evaluate(FIGURES)]


def copy_link(page, lang: str) -> str:
    button = page.locator(".cnnviz-copy-link")
    button.click()
    page.wait_for_function("() => document.querySelector('.cnnviz-copy-link').dataset.copied")
    assert button.inner_text().strip().endswith(t("links.copied", lang))
    return page.evaluate("navigator.clipboard.readText()")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_copied_link_opens_the_same_figure_in_a_fresh_browser(new_context, app_url, lang):
    teacher = new_context(viewport={"width": 1440, "height": 900}, locale="en-US",
                          permissions=["clipboard-read", "clipboard-write"]).new_page()
    open_page(teacher, app_url, "convolution", lang)
    choose(teacher, t("convolution.kernel_preset", lang), t("kernels.sobel_y", lang))
    press(teacher, t("convolution.stride", lang), "ArrowRight")
    press(teacher, t("convolution.step_pick", lang), "ArrowRight", times=3)     # a section that reruns on its own
    assert teacher.get_by_role("slider", name=t("convolution.step_pick", lang)).get_attribute("aria-valuetext") == "4"
    drawn = figures(teacher)
    link = copy_link(teacher, lang)
    query = parse_qs(urlparse(link).query)
    assert query["kernel_preset"] == ["sobel_y"] and query["stride"] == ["2"] and query["step"] == ["4"]
    assert query["lang"] == [lang]

    student = new_context(viewport={"width": 390, "height": 844}, locale="ko-KR").new_page()
    student.goto(link)
    wait_settled(student)
    student.locator("[data-testid=stMain] h1").first.wait_for(timeout=60_000)
    wait_settled(student)
    assert figures(student) == drawn
    assert student.get_by_role("slider", name=t("convolution.step_pick", lang)).get_attribute("aria-valuetext") == "4"
    assert exceptions_shown(student) == []


def test_junk_in_a_link_shows_a_quiet_notice_and_the_defaults(page, app_url):
    open_page(page, app_url, "convolution", "en")
    defaults = figures(page)
    page.goto(f"{app_url}/convolution?lang=en&stride=%3Cb%3Ebold%3C%2Fb%3E&rows=99&junk=" + "x" * 10_000)
    wait_settled(page)
    page.locator("[data-testid=stMain] h1").first.wait_for(timeout=60_000)
    wait_settled(page)
    notice = page.locator("[data-testid=stToast]").first
    notice.wait_for()
    assert t("convolution.stride", "en") in notice.inner_text() and page.locator("b", has_text="bold").count() == 0
    assert figures(page) == defaults
    assert "junk" not in page.evaluate("window.location.search")
    assert exceptions_shown(page) == []
