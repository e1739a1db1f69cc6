"""AppTest: the app and every registered lesson run in both languages; the home page reacts."""

import ast
import io
from pathlib import Path
from unittest import mock

import pytest
from cnnviz import arithmetic
from cnnviz.i18n import LANGUAGES, t
from tests.apptest import APP, choose_tab, open_app
from ui.lessons import LESSONS


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.name)
def test_every_lesson_runs_in_both_languages(lesson, lang):
    at = open_app(lang, lesson.path)
    assert not at.exception, at.exception
    assert at.title and at.title[0].value
    assert at.query_params["lang"] == lang


def test_language_falls_back_to_english_for_unknown_codes():
    at = open_app("xx")
    assert at.title[0].value == t("home.title", "en")
    assert at.query_params["lang"] == "en"


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_home_comparison_follows_its_widgets(lang):
    at = open_app(lang)
    assert at.title[0].value == t("home.title", lang)
    at.select_slider(key="side").set_value(64).run()
    at.radio(key="channels").set_value(1).run()
    at.number_input(key="units").set_value(100).run()
    at.number_input(key="filters").set_value(8).run()
    at.select_slider(key="kernel").set_value(5).run()
    dense, conv = (m.value for m in at.metric)
    assert dense == f"{arithmetic.dense_params_for_image(64, 64, 1, 100):,}" == "409,700"
    assert conv == f"{arithmetic.conv_params(5, 1, 8):,}" == "208"
    assert f"{409700 / 208:,.0f}" in at.info[0].value
    assert not at.exception


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.name)
def test_every_page_starts_inside_the_app_shell(lesson):
    """Each page's first statement after its imports is ensure_app_shell() (see ui/shell.py)."""
    tree = ast.parse(Path(APP).parent.joinpath(lesson.path).read_text())
    first = next(node for node in tree.body if not isinstance(node, (ast.Import, ast.ImportFrom, ast.Expr))
                 or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)))
    assert ast.unparse(first) == "ensure_app_shell()"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.name)
def test_fragments_keep_the_language(lesson):
    """A bare st.fragment reruns without app.py and would fall back to English (see ui.common.fragment)."""
    source = Path(APP).parent.joinpath(lesson.path).read_text()
    assert "st.fragment" not in source


def _image_calls():
    root = Path(APP).parent
    for path in sorted([*root.glob("pages/*.py"), *root.glob("ui/*.py")]):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "image":
                yield f"{path.relative_to(root)}:{node.lineno}", node


def _is_svg(call: ast.Call) -> bool:
    """An image made by a function named ``*_svg``: SVG text, which Streamlit sends as it is, never re-encoded."""
    first = call.args[0] if call.args else None
    return isinstance(first, ast.Call) and getattr(first.func, "id", getattr(first.func, "attr", "")).endswith("_svg")


def test_pictures_go_out_as_png():
    """``st.image`` with its default format re-encodes PNG bytes as JPEG on every rerun (a few ms a
    picture, and blurred pixels on the enlarged grids); every call of a raster picture asks for PNG."""
    calls = list(_image_calls())
    assert len(calls) >= 15
    lacking = [where for where, call in calls if not _is_svg(call)
               and not any(k.arg == "output_format" and ast.literal_eval(k.value) == "PNG" for k in call.keywords)]
    assert not lacking, lacking


def test_no_picture_is_resized_on_every_rerun():
    """Given a picture wider than its width=, Streamlit decodes, resizes and re-encodes it on every rerun:
    the cached PNGs are made at the width they are shown at."""
    from PIL import Image
    import streamlit.elements.lib.image_utils as image_utils

    resized = []
    real = image_utils._ensure_image_size_and_format

    def watched(data, layout, image_format):
        width = layout.width if isinstance(layout.width, int) else image_utils.MAXIMUM_CONTENT_WIDTH
        if Image.open(io.BytesIO(data)).width > width:
            resized.append(width)
        return real(data, layout, image_format)

    with mock.patch.object(image_utils, "_ensure_image_size_and_format", watched):
        for lesson in LESSONS:
            at = open_app("en", lesson.path)
            if lesson.name == "filters":
                at.selectbox(key="filter_view").set_value("sobel_direction").run()     # its legend is a picture
            for label in [tab.label for tab in at.tabs]:
                choose_tab(at, lesson.name, label)
            assert not at.exception
    assert resized == []


def open_tab_index(at) -> int:
    """Which section tab the page drew open (-1: it has none)."""
    def containers(node):
        if getattr(node, "type", None) == "tab_container":
            yield node
        for child in getattr(node, "children", {}).values():
            yield from containers(child)
    found = next(containers(at._tree), None)
    return -1 if found is None else found.proto.tab_container.default_tab_index


WITH_SECTION_TABS = ["convolution", "conv_arithmetic", "pooling", "activations", "filters", "channels", "training"]


@pytest.mark.parametrize("lesson", [lesson for lesson in LESSONS if lesson.name in WITH_SECTION_TABS],
                         ids=lambda lesson: lesson.name)
def test_the_open_tab_survives_a_change_of_language(lesson):
    at = open_app("en", lesson.path)
    assert len(at.tabs) >= 2
    last = len(at.tabs) - 1
    choose_tab(at, lesson.name, at.tabs[last].label)
    assert open_tab_index(at) == last
    at.query_params["lang"] = "ko"
    at.run()
    assert [tab.label for tab in at.tabs] == [tab.label for tab in open_app("ko", lesson.path).tabs]
    assert open_tab_index(at) == last and not at.exception
