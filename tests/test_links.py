"""A lesson's settings travel in its URL (ui/links.py): a link opens the lesson as it was, and junk opens the defaults."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from cnnviz import i18n
from cnnviz.figures import format_number
from tests.apptest import APP, choose_tab, open_app
from ui import links
from ui.practice_view import seed_key

# For every lesson: the tab to open (None: the first) and settings to change from their defaults, as a student would.
CHANGES = {
    "home": (None, {"side": 128, "channels": 1, "filters": 32, "kernel": 5}),
    "convolution": ("size", {"kernel_preset": "sobel_y", "stride": 2, "padding": "same", "rows": 9, "bias": 1.5,
                             "grid_preset": "random"}),
    "conv_arithmetic": ("receptive", {"rf_layers": 3}),
    "pooling": (None, {"pool_mode": "avg", "pool_side": 6, "pool_window": 3}),
    "activations": ("depth", {"act_depth": 20}),
    "filters": (None, {"filter_view": "sobel_y", "filter_border": "zeros"}),
    "channels": ("filter", {"channel_filter": "only_red", "channel_bias": 0.5}),
    "feature_maps": (None, {"model": "tinyvgg-fashion-mnist", "scale": "layer"}),
    "architectures": (None, {"arch_network": "vgg16"}),
    "training": ("backprop", {"bp_image": 3, "bp_kernel": 2}),
    "augmentation": (None, {"aug_rotation": 30, "aug_hflip": True, "aug_noise": 0.1}),
    "transfer": (None, {"transfer_labels": 200}),
}
KINDS = ("slider", "select_slider", "selectbox", "radio", "number_input", "toggle", "checkbox", "multiselect",
         "segmented_control", "pills")


def widget_values(at: AppTest) -> dict:
    """Every keyed input of the lesson (not the language picker's) and its value."""
    values = {}
    for kind in KINDS:
        for widget in getattr(at, kind, []):
            if widget.key and not widget.key.startswith(("language_picker", "practice_")):
                values[widget.key] = widget.value
    return values


def what_is_drawn(at: AppTest) -> tuple:
    """The figures and the text the lesson shows."""
    charts = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return charts, [m.value for m in at.markdown], [x.value for x in at.latex]


def open_link(query: dict, page: str, lang: str | None = None) -> AppTest:
    """A fresh browser opening ``page`` with ``query`` in its URL (with ``lang`` instead of the link's, if given).
    Its check-yourself questions, drawn afresh for every student, are those of seed 0."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[seed_key(Path(page).stem)] = 0
    for name, value in query.items():
        at.query_params[name] = value
    if lang:
        at.query_params["lang"] = lang
    return at.switch_page(page).run()


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("lesson", list(CHANGES))
def test_a_link_opens_the_lesson_as_it_was(lesson, lang):
    page = f"pages/{lesson}.py"
    tab, changes = CHANGES[lesson]
    at = open_app(lang, page)
    if tab:
        choose_tab(at, lesson, i18n.t(f"{lesson_tab_prefix(lesson)}{tab}", lang))
    at.session_state[seed_key(lesson)] = 0
    for key, value in changes.items():
        at.session_state[key] = value
        at.run()
    assert not at.exception
    shown, drawn, link = widget_values(at), what_is_drawn(at), dict(at.query_params)
    for key, value in changes.items():
        assert shown[key] == value and link[key] == links_text(value)
    assert link.get("tab") == tab

    opened = open_link(link, page)
    assert not opened.exception and not opened.toast
    assert widget_values(opened) == shown
    assert what_is_drawn(opened) == drawn
    assert dict(opened.query_params) == link


def links_text(value) -> str:
    return links.Switch().encode(value) if isinstance(value, bool) else str(value)


def lesson_tab_prefix(lesson: str) -> str:
    return {"conv_arithmetic": "arithmetic.tab_"}.get(lesson, f"{lesson}.tab_")


def test_a_link_made_in_korean_opens_in_english_with_the_same_numbers():
    at = open_app("ko", "pages/convolution.py")
    at.session_state[seed_key("convolution")] = 0
    at.session_state["kernel_preset"] = "sharpen"
    at.session_state["operation"] = "convolution"
    at.run()
    korean = dict(at.query_params)
    english = open_link(korean, "pages/convolution.py", lang="en")
    assert english.selectbox(key="kernel_preset").value == "sharpen"
    assert english.radio(key="operation").value == "convolution"
    numbers = [[(trace.get("text"), trace.get("z")) for trace in chart["data"]] for chart in what_is_drawn(at)[0]]
    assert numbers == [[(trace.get("text"), trace.get("z")) for trace in chart["data"]]
                       for chart in what_is_drawn(english)[0]]


def test_a_typed_grid_travels_in_the_link_and_is_the_one_convolved():
    kernel = np.array([[1, 2, 0], [0, -1, 0.5], [3, 0, -2]])
    grid = np.arange(49, dtype=float).reshape(7, 7) % 5
    query = {"lang": "en", "grid_preset": "dots", "kernel_preset": "identity",
             "grid": links.Grid((7, 7)).encode(grid), "kernel": links.Grid((3, 3)).encode(kernel)}
    at = open_link(query, "pages/convolution.py")
    assert not at.exception and not at.toast
    animation = what_is_drawn(at)[0][0]
    expected = torch.nn.functional.conv2d(torch.tensor(grid)[None, None], torch.tensor(kernel)[None, None])[0, 0].numpy()
    assert animation["frames"][-1]["data"][0]["text"] == [[format_number(float(v)) for v in row] for row in expected]
    assert at.query_params["kernel"] == query["kernel"] and at.query_params["grid"] == query["grid"]


JUNK = [
    {"rows": "999"}, {"rows": "-3"}, {"rows": "7.5"}, {"rows": "nan"}, {"rows": "inf"}, {"rows": ""},
    {"stride": "abc"}, {"stride": "1e309"}, {"kernel_preset": "<script>alert(1)</script>"},
    {"kernel_preset": "Sobel x"}, {"padding": "valid&stride=3"}, {"operation": "%00"},
    {"tab": "nope"}, {"kernel": "1_2~3"}, {"kernel": "1_2_3~4_5_6~7_8_nan"}, {"kernel": "9e99_0_0~0_0_0~0_0_0"},
    {"grid_seed": "-1"}, {"grid_seed": "99999999999999999999"}, {"bias": "1e400"},
    {"nonsense": "1"}, {"x" * 50: "y" * 10_000}, {"stride": "2" * 10_000},
    {"__proto__": "1", "constructor": "x"}, {"bias": "<img src=x onerror=alert(1)>"},
]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_junk_in_the_url_opens_the_defaults_with_a_quiet_notice(lang):
    defaults = open_app(lang, "pages/convolution.py")
    defaults.session_state[seed_key("convolution")] = 0
    defaults.run()
    expected_values, expected_drawn = widget_values(defaults), what_is_drawn(defaults)
    for junk in JUNK:
        at = open_link({"lang": lang, **junk}, "pages/convolution.py")
        assert not at.exception, junk
        assert widget_values(at) == expected_values, junk
        assert what_is_drawn(at) == expected_drawn, junk
        assert set(at.query_params) - {"lang"} <= set(defaults.query_params), junk      # the junk is gone
        notice = " ".join(toast.value for toast in at.toast)
        assert notice and "<" not in notice and "y" * 20 not in notice, junk


def test_a_refused_value_is_named_by_its_label_in_the_users_language():
    at = open_link({"lang": "ko", "stride": "banana", "nonsense": "1"}, "pages/convolution.py")
    notice = at.toast[0].value
    assert i18n.t("convolution.stride", "ko") in notice and "banana" not in notice
    assert "1" in notice        # one setting this lesson does not have


def test_a_students_change_is_not_undone_by_the_link_it_came_from():
    at = open_link({"lang": "en", "stride": "3"}, "pages/convolution.py")
    assert at.slider(key="stride").value == 3
    at.slider(key="stride").set_value(2).run()
    assert at.slider(key="stride").value == 2 and at.query_params["stride"] == "2"
    at.run()
    assert at.slider(key="stride").value == 2


def test_another_lessons_settings_do_not_follow_to_the_next_lesson():
    at = open_link({"lang": "en", "stride": "3"}, "pages/convolution.py")
    at.switch_page("pages/pooling.py").run()
    assert "stride" not in at.query_params and not at.exception


@given(st.integers(1, 7), st.integers(1, 7), st.data())
def test_a_grid_round_trips_through_its_text(rows, cols, data):
    values = data.draw(st.lists(st.floats(-1000, 1000, allow_nan=False).map(lambda v: round(v, 3)),
                                min_size=rows * cols, max_size=rows * cols))
    grid = np.array(values).reshape(rows, cols)
    codec = links.Grid((rows, cols))
    text = codec.encode(grid)
    assert set(text) <= set("0123456789.-_~e+")
    assert np.allclose(codec.decode(text), grid, rtol=1e-5)


@given(st.one_of(st.integers(-10, 20), st.floats(-10, 20, allow_nan=False)))
def test_numbers_outside_a_sliders_range_are_refused(value):
    codec = links.Number(0, 10, integer=isinstance(value, int))
    text = str(value)
    if 0 <= value <= 10 and (not codec.integer or float(value).is_integer()):
        assert codec.decode(codec.encode(value)) == value
    else:
        with pytest.raises(ValueError):
            codec.decode(text)


def test_choices_are_written_as_options_not_labels():
    codec = links.Choice(("relu", "sigmoid", 3, 0.001), multi=True)
    assert codec.encode(["sigmoid", 3]) == "sigmoid~3"
    assert codec.decode("sigmoid~3") == ["sigmoid", 3] and codec.decode("") == []
    for junk in ("ReLU", "relu~relu", "relu~x", "0.0010"):
        with pytest.raises(ValueError):
            codec.decode(junk)
