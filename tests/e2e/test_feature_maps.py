"""The trained-network lesson in Chromium: samples, the drawing canvas and an upload, in both languages."""

import io

import pytest
from PIL import Image

from cnnviz.i18n import LANGUAGES, t
from cnnviz.models.samples import digits
from tests.e2e.harness import exceptions_shown, open_drawing_canvas, open_page, screenshot, wait_settled

METRIC = "[data-testid=stMetricValue]"


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox labelled ``label``."""
    page.locator("[data-testid=stSelectbox]").filter(has_text=label).first.click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_settled(page)


def expect_prediction(page, text: str) -> None:
    page.wait_for_function("([s, v]) => document.querySelector(s)?.innerText.trim() === v", arg=[METRIC, text])
    assert exceptions_shown(page) == []


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_a_sample_is_classified_and_every_layer_shown(page, app_url, lang):
    open_page(page, app_url, "feature_maps", lang)
    assert page.locator("h1").first.inner_text().strip() == t("feature_maps.title", lang)
    choose(page, t("feature_maps.sample", lang), t("feature_maps.sample_digit_3", lang))
    expect_prediction(page, "3")
    for layer in ("conv1", "pool2", "fc3"):
        page.get_by_text(layer, exact=True).first.wait_for()
    assert page.locator("[data-testid=stImage] img").count() >= 10
    choose(page, t("feature_maps.model", lang), t("feature_maps.model_tinyvgg-fashion-mnist", lang))
    choose(page, t("feature_maps.sample", lang), t("feature_maps.sample_trouser", lang))
    expect_prediction(page, t("feature_maps.class_trouser", lang))
    screenshot(page, f"feature_maps-{lang}")


def test_a_digit_drawn_on_the_canvas_is_read(page, app_url):
    canvas = open_drawing_canvas(page, app_url, "en")
    box = canvas.bounding_box()
    x, top = box["x"] + box["width"] * 0.5, box["y"]
    page.mouse.move(x - 30, top + box["height"] * 0.22)           # a "7": the bar, then the stem
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x - 30 + 9 * step, top + box["height"] * 0.22, steps=2)
    for step in range(1, 15):
        page.mouse.move(x + 60 - 6 * step, top + box["height"] * (0.22 + 0.045 * step), steps=2)
    page.mouse.up()
    expect_prediction(page, "7")
    wait_settled(page)
    screenshot(page, "feature_maps-drawn-en")


def test_an_uploaded_picture_is_classified(page, app_url, tmp_path):
    open_page(page, app_url, "feature_maps", "ko")
    page.get_by_role("radio", name=t("feature_maps.source_upload", "ko")).click()
    wait_settled(page)
    path = tmp_path / "five.png"
    Image.fromarray(digits()[5].image).save(path)
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(path))
    expect_prediction(page, "5")
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + io.BytesIO(b"not an image").read())
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(broken))
    page.get_by_text(t("errors.images.not_an_image", "ko")).wait_for()
    assert exceptions_shown(page) == []
