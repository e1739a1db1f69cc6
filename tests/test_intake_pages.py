"""Hostile and unlucky input through the pages: forged canvas states, refused uploads after good ones, uploads
lost with a server restart, and file names made to become links, formulas or icons."""

import base64
import io
import re
import sys

import numpy as np
import pytest
from PIL import Image
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager

import ui.image_input as intake
from cnnviz import formulas, images
from cnnviz.i18n import LANGUAGES, t
from cnnviz.models.samples import digits
from tests.apptest import open_app
from tests.image_corpus import HOSTILE_NAMES, bad_files, good_files, png_bomb
from ui.caching import shared
from ui.model_input import CANVAS_SIDE

FEATURE_MAPS = "pages/feature_maps.py"


def png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def data_url(data: bytes, kind: str = "image/png") -> str:
    return f"data:{kind};base64," + base64.b64encode(data).decode()


def tiff() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (CANVAS_SIDE, CANVAS_SIDE), "white").save(buffer, format="TIFF")
    return buffer.getvalue()


def draw(monkeypatch, lang: str, state):
    """The feature-maps lesson with the canvas's state as a client sent it (``state``: the component's value)."""
    at = open_app(lang, FEATURE_MAPS)
    at.segmented_control(key="source").set_value("draw").run()          # imports the canvas (only a run can)
    monkeypatch.setattr(sys.modules["streamlit_drawable_canvas"], "out", lambda **_: state)
    return at.run()


FORGED_STATES = {
    "a TIFF": {"drawing": {"raw": {}, "data": data_url(tiff())}},
    "50 megapixels": {"drawing": {"raw": {}, "data": data_url(png_bomb(7072))}},
    "a bigger canvas": {"drawing": {"raw": {}, "data": data_url(png(np.zeros((225, 224, 4), np.uint8)))}},
    "not base64": {"drawing": {"raw": {}, "data": "data:image/png;base64,%%%"}},
    "no data URL": {"drawing": {"raw": {}, "data": "javascript:alert(1)"}},
    "a number": {"drawing": {"raw": {}, "data": 42}},
    "not a dict": {"drawing": "x"},
}


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("forged", FORGED_STATES)
def test_a_forged_drawing_is_refused_in_the_users_language_before_any_decoding(monkeypatch, lang, forged):
    decoded = []
    monkeypatch.setattr(images, "_pixels", lambda *a: decoded.append(a) or pytest.fail("decoded"))
    at = draw(monkeypatch, lang, FORGED_STATES[forged])
    assert not at.exception
    assert at.warning[0].value == t("errors.images.drawing", lang, width=CANVAS_SIDE, height=CANVAS_SIDE)
    assert decoded == [] and not at.metric


def test_a_drawing_the_browser_sends_is_read(monkeypatch):
    """The canvas's own PNG (strokes on a transparent layer over white paper) still works."""
    digit = np.asarray(Image.fromarray(digits()[7].image).convert("L").resize((CANVAS_SIDE, CANVAS_SIDE)))
    strokes = np.zeros((CANVAS_SIDE, CANVAS_SIDE, 4), np.uint8)
    strokes[..., 3] = digit                                          # black ink where the digit is bright
    at = draw(monkeypatch, "en", {"drawing": {"raw": {}, "data": data_url(png(strokes))}})
    assert not at.exception and not at.warning
    assert at.metric[0].value == "7"


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_the_feature_maps_lesson_keeps_the_last_good_picture_after_a_bad_upload(lang):
    at = open_app(lang, FEATURE_MAPS)
    at.segmented_control(key="source").set_value("upload").run()
    at.file_uploader(key="upload").set_value(("four.png", png(digits()[4].image), "image/png")).run()
    assert at.metric[0].value == "4"
    at.file_uploader(key="upload").set_value(("page.png", bad_files()["page.png"], "image/png")).run()
    assert not at.exception
    assert at.error[0].value == t("errors.images.not_an_image", lang)
    assert t("images.using_last", lang, name=images.safe_label("four.png")) in [c.value for c in at.caption]
    assert at.metric[0].value == "4"


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("page, uploader", [("pages/filters.py", "filters_upload"), (FEATURE_MAPS, "upload")])
def test_an_upload_lost_with_a_restart_is_said_not_silently_replaced(monkeypatch, lang, page, uploader):
    at = open_app(lang, page)
    if page == FEATURE_MAPS:
        at.segmented_control(key="source").set_value("upload").run()
    at.file_uploader(key=uploader).set_value(("mine.png", png(digits()[2].image), "image/png")).run()
    assert not at.warning
    # A restart: the browser still sends the file's id, but the server holds neither its bytes nor its picture.
    monkeypatch.setattr(MemoryUploadedFileManager, "get_files", lambda *a, **k: [])
    monkeypatch.setattr(intake, "_decoded", shared(max_entries=64)(intake._decoded.__wrapped__))
    at.run()
    assert not at.exception
    assert [w.value for w in at.warning] == [t("images.upload_lost", lang)]


@pytest.mark.parametrize("page", ["filters", "channels", "convolution"])
def test_hostile_file_names_are_shown_as_typed(page):
    """Every page that names the picture shows a name made to become a link, a formula or an icon as plain
    text: the caption's Markdown is the escaped name, which reads back as the name itself."""
    at = open_app("en", f"pages/{page}.py")
    if page == "convolution":
        at.selectbox(key="grid_preset").set_value("picture").run()
    data = good_files()["rgb.png"][0]
    for name in HOSTILE_NAMES:
        at.file_uploader(key=f"{page}_upload").set_value((name, data, "image/png")).run()
        assert not at.exception and not at.error, name
        caption = next(c.value for c in at.caption if images.safe_label(name) in c.value)
        shown = re.sub(r"\\(.)", r"\1", caption.replace(formulas.WORD_JOINER, ""))
        assert name in shown, name
