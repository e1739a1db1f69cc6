"""Presenter mode: the figures drawn for a projector (cnnviz.presenter), and ``present`` read from the URL,
kept in the session and written back (AppTest)."""

import copy
import json

import numpy as np
import pytest

from cnnviz import animation, figures, training_figures
from cnnviz.i18n import LANGUAGES
from cnnviz.presenter import NUMBER_FONT, TEXT_FONT, presenter_figure
from cnnviz.steps import conv_trace
from cnnviz.text_fit import CELL_PADDING, text_width
from tests.apptest import open_app
from ui.common import PRESENTER_KEY

LABELS = {name: name for name in ("input", "kernel", "output", "play", "pause", "slow", "fast", "step")}


def _animation(side: int = 7) -> dict:
    x = np.arange(side * side, dtype=float).reshape(side, side) % 10 - 4
    trace = conv_trace(x, np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]]), bias=0.5, padding=1)
    return animation.conv_animation(trace, LABELS | {"formula": "out[{i}, {j}] = {total} + {bias} = {value}"})


SAMPLES = {
    "animation": _animation,
    "grids": lambda: figures.value_grids([figures.Panel(np.array([[1.5, -2.25], [0, 3]]), "a"),
                                          figures.Panel(np.eye(3), "b", colour=figures.PALETTE["kernel"])]),
    "curves": lambda: figures.lines_figure([0, 1, 2], [("loss", [3, 2, 1], False)], "title", "x", "y"),
    "colour bar": lambda: figures.colour_bar(2.0, "value"),
    "confusion": lambda: training_figures.confusion_figure(np.arange(100).reshape(10, 10), [str(i) for i in range(10)],
                                                           {"true": "true", "predicted": "predicted"}),
}


def _fonts(node, path=()):
    """(path, size) of every font size in a figure dict."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("font") and isinstance(value, dict) and "size" in value:
                yield path + (key,), value["size"]
            yield from _fonts(value, path + (key,))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _fonts(item, path + (index,))


def _differences(a, b, path=()):
    """Every path where two figure dicts differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in a.keys() | b.keys():
            if key not in a or key not in b:
                yield path + (key,)
            else:
                yield from _differences(a[key], b[key], path + (key,))
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b)):
            yield from _differences(x, y, path + (index,))
    elif a != b:
        yield path


def _is_a_size(path) -> bool:
    """Whether ``path`` names a size in pixels: a font's, the figure's, a margin, a pad or a text's shift."""
    names = [p for p in path if isinstance(p, str)]
    return (names[-1:] == ["size"] and any(n.endswith("font") for n in names)) or names[-1:] == ["textfont"] \
        or names in (["layout", "width"], ["layout", "height"]) or names[:2] == ["layout", "margin"] \
        or "pad" in names or names[-1] in ("xshift", "yshift")


def _number_grids(figure: dict) -> list[dict]:
    return [trace for trace in figure["data"] if trace["type"] == "heatmap" and trace.get("texttemplate")]


@pytest.mark.parametrize("name", SAMPLES)
def test_fonts_are_raised_to_the_minimums(name):
    presented = presenter_figure(SAMPLES[name]())
    assert presented["layout"]["font"]["size"] >= TEXT_FONT
    for path, size in _fonts(presented):
        sizes = size if isinstance(size, list) else [size]
        grid = path[0] == "data" and path[-1] == "textfont" and presented["data"][path[1]] in _number_grids(presented)
        assert min(sizes) >= (NUMBER_FONT if grid else TEXT_FONT), (path, size)
    for trace in _number_grids(presented):                  # a grid's numbers are sized even where it set none
        assert trace["textfont"]["size"] >= NUMBER_FONT


@pytest.mark.parametrize("name", SAMPLES)
def test_only_sizes_change_and_the_figure_given_is_left_alone(name):
    figure = SAMPLES[name]()
    kept = copy.deepcopy(figure)
    presented = presenter_figure(figure)
    assert figure == kept
    changed = list(_differences(figure, presented))
    assert [path for path in changed if not _is_a_size(path)] == []
    assert changed, "nothing was made larger"


@pytest.mark.parametrize("name", ["animation", "grids"])
def test_cells_grow_with_their_numbers_and_every_number_still_fits(name):
    figure = SAMPLES[name]()
    presented = presenter_figure(figure)
    before, after = _number_grids(figure)[0]["textfont"]["size"], _number_grids(presented)[0]["textfont"]["size"]
    zoom = after / before
    assert zoom > 1
    for key in ("width", "height"):
        assert presented["layout"][key] >= figure["layout"][key] * zoom
    # The axes' unit is one pixel of the builder's plot; the presenter's plot area is ``zoom`` times larger.
    layout = presented["layout"]
    scale = (layout["width"] - layout["margin"]["l"] - layout["margin"]["r"]) / layout["xaxis"]["range"][1]
    assert scale >= zoom - 0.01
    for trace in _number_grids(presented):
        cell = min(trace["dx"], trace["dy"]) * scale
        widest = max(text_width(text, trace["textfont"]["size"]) for row in trace["text"] for text in row if text)
        assert widest + 2 * CELL_PADDING <= cell, (widest, cell)


def test_a_figure_already_large_enough_is_drawn_the_same_size():
    presented = presenter_figure(SAMPLES["animation"]())
    assert presenter_figure(presented) == presented


def _chart_specs(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def _min_number_font(at) -> float:
    return min(trace["textfont"]["size"] for spec in _chart_specs(at) for trace in spec["data"]
               if trace.get("type") == "heatmap" and trace.get("texttemplate"))


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_present_1_turns_it_on_and_the_setting_survives_a_page_change(lang):
    at = open_app(lang, timeout=30)
    at.query_params["present"] = "1"
    at.run()
    assert at.session_state[PRESENTER_KEY] and at.query_params["present"] == "1"
    assert any(button.key == "presenter_exit" for button in at.button) and not at.exception
    del at.query_params["present"]                 # the sidebar's menu opens a page without the parameter
    at.switch_page("pages/convolution.py").run()
    assert at.session_state[PRESENTER_KEY] and at.query_params["present"] == "1" and not at.exception
    assert _min_number_font(at) >= NUMBER_FONT


@pytest.mark.parametrize("junk", ["banana", "0", "", "true", "1 ", "<script>"])
def test_any_other_value_is_off_and_leaves_the_url(junk):
    at = open_app("en", timeout=30)
    at.query_params["present"] = junk
    at.run()
    assert not at.exception and not at.session_state[PRESENTER_KEY]
    assert "present" not in at.query_params
    assert not any(button.key == "presenter_exit" for button in at.button)


def test_the_switch_turns_it_on_and_off_and_figures_follow():
    at = open_app("en", "pages/convolution.py", timeout=30)
    normal = _chart_specs(at)
    at.toggle(key="presenter_toggle_False").set_value(True).run()
    assert at.query_params["present"] == "1" and at.session_state[PRESENTER_KEY]
    assert _min_number_font(at) >= NUMBER_FONT
    at.toggle(key="presenter_toggle_True").set_value(False).run()
    assert "present" not in at.query_params and not at.session_state[PRESENTER_KEY] and not at.exception
    assert _chart_specs(at) == normal             # the cached figures, not their presenter twins
