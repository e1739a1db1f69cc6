"""AppTest of the trained-network lesson: samples, the canvas (absent here), uploads, the controls."""

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from cnnviz.i18n import t
from cnnviz.models.samples import digits
from tests.apptest import choose_tab
from tests.models_support import FAULTS, break_model

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "pages/feature_maps.py"


def open_page(lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def pictures(at) -> list:
    return [img for element in at.get("image") for img in element.proto.imgs]


def charts(at) -> dict:
    return {chart.proto.id: json.loads(chart.proto.spec) for chart in at.get("plotly_chart")}


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_sample_digit_is_recognised_and_shown_layer_by_layer(lang):
    at = open_page(lang)
    assert at.title[0].value == t("feature_maps.title", lang)
    at.selectbox(key="sample_lenet5-mnist").set_value(7).run()
    assert not at.exception
    assert at.metric[0].value == "7"
    assert t("feature_maps.probability", lang, probability="")[:4] in at.metric[0].proto.delta
    bars = [c for c in charts(at).values() if c["data"][0]["type"] == "bar"][0]
    assert bars["data"][0]["y"][0] == "7" and bars["data"][0]["x"][0] > 0.9
    markdown = " ".join(m.value for m in at.markdown)
    for layer in ("conv1", "relu1", "pool1", "conv2", "fc3"):
        assert f"**{layer}**" in markdown
    assert t("feature_maps.kind_pool", lang) in markdown
    assert any("ms" in c.value for c in at.caption)
    table = choose_tab(at, "feature_maps", t("feature_maps.tab_layers", lang)).dataframe[0].value
    assert table[t("feature_maps.col_params", lang)].sum() == 61_706


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_clothing_model_names_classes_in_the_language(lang):
    at = open_page(lang)
    at.selectbox(key="model").set_value("tinyvgg-fashion-mnist").run()
    at.selectbox(key="sample_tinyvgg-fashion-mnist").set_value(5).run()     # the bag
    assert not at.exception
    assert at.metric[0].value == t("feature_maps.class_bag", lang)
    assert choose_tab(at, "feature_maps", t("feature_maps.tab_layers", lang)).dataframe[0].value[t("feature_maps.col_params", lang)].sum() == 32_058


def test_the_controls_change_the_views():
    at = open_page("en")
    for scale in ("map", "network", "layer"):
        at.radio(key="scale").set_value(scale).run()
        assert not at.exception
    at.selectbox(key="zoom_layer_lenet5-mnist").set_value("conv2").run()
    at.number_input(key="zoom_map_lenet5-mnist_conv2").set_value(15).run()
    assert not at.exception
    assert any("conv2" in c.value and "15" in c.value for c in at.caption)
    heatmaps = [c for c in charts(at).values() if c["data"][0]["type"] == "heatmap" and len(c["data"]) == 1]
    assert np.array(heatmaps[0]["data"][0]["z"]).shape == (10, 10)
    at.selectbox(key="cam_class_lenet5-mnist").set_value(3).run()
    assert not at.exception
    expected = t("feature_maps.grad_cam_caption", "en", name="3", probability="X").split("X")[0]
    assert any(img.caption.startswith(expected) for img in pictures(at)), [img.caption for img in pictures(at)]
    at.toggle(key="frame").set_value(False).run()
    assert not at.exception and at.metric


def test_the_pictures_follow_the_controls_and_the_input():
    """The pictures are encoded once per input and setting (a media URL names its bytes): another colour
    range or another digit gives other pictures, and coming back gives the same ones."""
    at = open_page("en")
    first = [img.url for img in pictures(at)]
    at.radio(key="scale").set_value("map").run()
    by_map = [img.url for img in pictures(at)]
    same = [0, 1, -1]           # the sample, what the network sees and Grad-CAM (the open tab, last) stay; the maps not
    assert [by_map[i] for i in same] == [first[i] for i in same] and by_map[2:-1] != first[2:-1]
    at.radio(key="scale").set_value("layer").run()
    assert [img.url for img in pictures(at)] == first
    at.selectbox(key="sample_lenet5-mnist").set_value(3).run()
    other = [img.url for img in pictures(at)]
    assert other[0] != first[0] and other[1] != first[1] and not at.exception


def test_keeping_white_paper_leaves_nothing_to_see():
    at = open_page("en")
    at.radio(key="colours").set_value("keep").run()
    assert not at.exception
    assert at.warning[0].value == t("feature_maps.blank", "en")
    assert not at.metric
    at.radio(key="colours").set_value("invert").run()
    assert at.metric[0].value == "0"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_drawing_without_a_canvas_in_apptest_degrades_to_a_hint(lang):
    at = open_page(lang)
    at.segmented_control(key="source").set_value("draw").run()
    assert not at.exception
    assert at.info[0].value == t("feature_maps.nothing_yet", lang)
    assert not at.metric


def test_an_uploaded_drawing_is_classified():
    at = open_page("en")
    at.segmented_control(key="source").set_value("upload").run()
    assert at.info[0].value == t("feature_maps.nothing_yet", "en")
    at.file_uploader(key="upload").set_value(("four.png", png(digits()[4].image), "image/png")).run()
    assert not at.exception
    assert at.metric[0].value == "4"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_broken_upload_is_a_message_not_a_crash(lang):
    at = open_page(lang)
    at.segmented_control(key="source").set_value("upload").run()
    at.file_uploader(key="upload").set_value(("photo.png", b"\x89PNG\r\n\x1a\n not really", "image/png")).run()
    assert not at.exception
    assert at.error[0].value == t("errors.images.not_an_image", lang)


def test_an_upload_is_hashed_and_decoded_once_not_on_every_rerun(monkeypatch):
    import ui.image_input as intake

    image = digits()[4].image.copy()
    image[0, 0] ^= 1                                 # bytes no earlier test uploaded: nothing is cached yet
    data = png(image)
    hashed, decoded = [], []
    real_hash, real_decode = intake.hashlib.sha256, intake.images.decode_image
    monkeypatch.setattr(intake.hashlib, "sha256", lambda content=b"": hashed.append(content == data) or real_hash(content))
    monkeypatch.setattr(intake.images, "decode_image", lambda *a: decoded.append(1) or real_decode(*a))
    at = open_page("en")
    at.segmented_control(key="source").set_value("upload").run()
    at.file_uploader(key="upload").set_value(("four.png", data, "image/png")).run()
    for _ in range(3):
        at.run()
    assert hashed.count(True) == 1 and len(decoded) == 1 and not at.exception


@pytest.fixture
def fresh_models(monkeypatch):
    """The lesson's process-wide model memo, emptied: the shipped networks loaded by earlier tests stay out."""
    from ui import model_input
    from ui.caching import shared

    monkeypatch.setattr(model_input, "load_model", shared(max_entries=2)(model_input.load_model.__wrapped__))


@pytest.mark.parametrize("fault", FAULTS)
def test_a_broken_network_is_one_sentence_and_the_rest_of_the_app_works(fault, tmp_path, monkeypatch, fresh_models):
    key = break_model(fault, tmp_path)
    monkeypatch.setattr("cnnviz.models.specs.ASSETS", tmp_path)
    at = open_page("ko")
    path = str(tmp_path / ("lenet5-mnist.json" if "card" in fault else "lenet5-mnist.pt"))
    assert [w.value for w in at.warning] == [t(key, "ko", model="lenet5-mnist", path=path)]
    assert not at.error and not at.metric
    at.selectbox(key="model").set_value("tinyvgg-fashion-mnist").run()
    assert not at.exception and not at.warning and at.metric
    at.switch_page("pages/activations.py").run()
    assert not at.exception and at.title[0].value == t("activations.title", "ko")
