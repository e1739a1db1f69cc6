"""Downloads for slides in Chromium: a lesson's chart saves as a PNG named after the lesson and the chart through
Plotly's camera button (offline: the picture is drawn in the browser), and the sliding window's GIF and a step's PNG
come through their buttons."""

import io

import pytest
from PIL import Image

from cnnviz.i18n import t
from tests.e2e.harness import exceptions_shown, open_page, wait_settled
from ui.lessons import LESSONS

CAMERA = ".modebar-btn[data-title='Download plot as a PNG']"
# The first chart each lesson shows as it opens, and the file its camera saves (lessons without one on opening are
# left out): by the chart's key, or the function that shows it.
FIRST_CHART = {"home": "cnnviz-home-pipeline.png", "convolution": "cnnviz-convolution-animation.png",
               "conv_arithmetic": "cnnviz-conv-arithmetic-case-animation.png",
               "pooling": "cnnviz-pooling-pool-animation.png",
               "activations": "cnnviz-activations-colour-bar-before.png",
               "filters": "cnnviz-filters-show-kernels.png", "feature_maps": "cnnviz-feature-maps-probabilities.png",
               "training": "cnnviz-training-replay-curves.png", "transfer": "cnnviz-transfer-network.png"}


def save_first_chart(page) -> tuple[str, bytes, float]:
    """Click the first chart's camera; the suggested file name, the bytes and the chart's width in px."""
    chart = page.locator("[data-testid=stPlotlyChart]").first
    chart.scroll_into_view_if_needed()
    chart.hover()
    with page.expect_download() as download:
        chart.locator(CAMERA).click()
    path = download.value.path()
    width = chart.locator(".main-svg").first.bounding_box()["width"]
    return download.value.suggested_filename, open(path, "rb").read(), width


def test_every_lessons_chart_saves_a_named_png(new_context, app_url):
    page = new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True).new_page()
    page.set_default_timeout(60_000)
    assert set(FIRST_CHART) <= {lesson.name for lesson in LESSONS}
    for lesson, expected in FIRST_CHART.items():
        open_page(page, app_url, "" if lesson == "home" else lesson, "en")
        name, data, width = save_first_chart(page)
        assert name == expected, (lesson, name)
        with Image.open(io.BytesIO(data)) as picture:
            assert picture.format == "PNG"
            assert picture.width == pytest.approx(2 * width, abs=2)           # twice the size, for a slide
    assert exceptions_shown(page) == []


def test_the_name_is_the_same_in_korean(page, app_url):
    open_page(page, app_url, "convolution", "ko")
    assert save_first_chart(page)[0] == FIRST_CHART["convolution"]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_gif_and_a_step_download_through_their_buttons(new_context, app_url, lang):
    page = new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True).new_page()
    page.set_default_timeout(60_000)
    open_page(page, app_url, "convolution", lang)
    page.get_by_role("button", name=t("export.button", lang)).click()
    page.get_by_text(t("export.speed_fast", lang), exact=True).click()
    wait_settled(page)
    with page.expect_download() as download:
        page.get_by_role("button", name=t("export.gif", lang)).click()
    assert download.value.suggested_filename == "cnnviz-convolution-animation.gif"
    with Image.open(download.value.path()) as gif:
        assert gif.format == "GIF" and gif.n_frames == 25
        assert gif.info["duration"] == 200                    # the fast speed's 200 ms a frame
        width = gif.width
    page.keyboard.press("Escape")
    with page.expect_download() as download:                  # the step tab's picture of the chosen step
        page.get_by_role("button", name=t("export.png", lang, n=1)).click()
    assert download.value.suggested_filename == "cnnviz-convolution-step-001.png"
    with Image.open(download.value.path()) as png:
        assert png.format == "PNG" and png.width == width
    assert exceptions_shown(page) == []
