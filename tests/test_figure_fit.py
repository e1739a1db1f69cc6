"""Figures are sized for their text: numbers fit their cells at a readable font, labels their boxes, titles a phone."""

import numpy as np
import pytest

from cnnviz import animation, figures, model_figures, steps
from cnnviz.grids import teaching_grid
from cnnviz.text_fit import CELL_PADDING, NUMBER_FONT, number_cell, number_font, text_width, wrap_text
from tests.figure_geometry import assert_apart, grids

LABELS = {"play": "Play", "pause": "Pause", "slow": "Slow", "fast": "빠르게", "step": "Step", "kernel": "Kernel",
          "input": "Input", "output": "Output", "formula": "out[{i}, {j}] = {total} + {bias} = {value}"}


def assert_numbers_fit(figure: dict) -> None:
    for trace, grid in zip(figure["data"], grids(figure)):
        size = trace["textfont"]["size"]
        assert NUMBER_FONT[0] <= size <= NUMBER_FONT[1]
        assert grid.dy >= size + 2 * CELL_PADDING
        for text in (t for row in trace["text"] for t in row):
            assert text_width(text, size) + 2 * CELL_PADDING <= grid.dx + 1e-9, (text, size, grid.dx)


def assert_titles_over_their_grids(figure: dict, titles: list[dict], size: int) -> None:
    """Each title centred over its own grid, on no other grid's column and clear of the next title (bold: ~10% wider)."""
    boxes = grids(figure)
    assert len(titles) == len(boxes)
    widths = [text_width(title["text"], size) * (1.1 if title["text"].startswith("<b>") else 1) for title in titles]
    spans = [(title["x"] - width / 2, title["x"] + width / 2) for title, width in zip(titles, widths)]
    for index, (grid, (left, right), title) in enumerate(zip(boxes, spans, titles)):
        assert title["x"] == pytest.approx((grid.left + grid.right) / 2, abs=0.5)
        assert title["xref"] == "x" and title["yref"] == "paper" and title["y"] == 1 and title["yanchor"] == "bottom"
        assert index == 0 or boxes[index - 1].right <= left
        assert index == len(boxes) - 1 or right <= boxes[index + 1].left
    assert all(a[1] < b[0] for a, b in zip(spans, spans[1:]))


@pytest.mark.parametrize("texts", [["1"], ["-10", "3"], ["−∞", "0.25"], ["-123.45"], []])
def test_a_number_cell_fits_its_widest_number_at_a_readable_font(texts):
    cell = number_cell(texts, 20)
    size = number_font(texts, cell)
    assert size >= NUMBER_FONT[0]
    assert all(text_width(t, size) + 2 * CELL_PADDING <= cell for t in texts)
    assert number_font(texts, number_cell(texts, 100)) == NUMBER_FONT[1]       # room to spare: the largest font


def test_hangul_is_wider_than_latin_and_lines_are_measured_apart():
    assert text_width("계산", 14) > text_width("ab", 14)
    assert text_width("abc<br>a", 10) == text_width("abc", 10)


def test_wrapped_titles_fit_a_phone():
    title = wrap_text("Parameters of the first layer as the image grows", 18, 320)
    assert "<br>" in title and all(text_width(line, 18) <= 320 for line in title.split("<br>"))
    assert wrap_text("short", 18, 320) == "short"


def test_value_grids_cells_grow_until_their_numbers_fit():
    panels = [figures.Panel(np.array([[-123.45, 1], [2, 3]]), "Window × kernel"),
              figures.Panel(np.array([[-10.0]]), "Output value")]
    figure = figures.value_grids(panels, cell=20)
    assert_numbers_fit(figure)
    assert_apart(grids(figure))
    titles = figure["layout"]["annotations"]
    assert [title["text"] for title in titles] == [p.title for p in panels]
    assert_titles_over_their_grids(figure, titles, figures.TITLE_FONT)


@pytest.mark.parametrize("side", [4, 7, 16])
def test_animation_numbers_are_readable_and_it_is_wide_enough_for_its_caption_and_buttons(side):
    x = teaching_grid("random", side, side) * 11 - 50
    trace = steps.conv_trace(x, np.array([[1.0, 0, -1], [2, 0, -2], [1, 0, -1]]), 0, 1, "same")
    figure = animation.conv_animation(trace, LABELS)
    assert_numbers_fit(figure)
    assert_apart(grids(figure))
    layout = figure["layout"]
    assert [title["text"] for title in layout["annotations"]] == ["<b>Input</b>", "<b>Kernel</b>", "<b>Output</b>"]
    assert_titles_over_their_grids(figure, layout["annotations"], animation.TITLE_FONT)
    margin = layout["margin"]
    first, last = grids(figure)[0], grids(figure)[-1]
    first_title, last_title = (1.1 * text_width(layout["annotations"][k]["text"], animation.TITLE_FONT) for k in (0, -1))
    assert (first.left + first.right) / 2 - first_title / 2 >= -margin["l"]          # not cut at the edges
    assert (last.left + last.right) / 2 + last_title / 2 <= layout["xaxis"]["range"][1] + margin["r"]
    captions = [frame["layout"]["title"]["text"] for frame in figure["frames"]]
    assert layout["width"] >= max(text_width(c, animation.CAPTION_FONT) for c in captions)
    buttons = layout["updatemenus"][0]["buttons"]
    assert layout["width"] >= sum(text_width(b["label"], animation.BUTTON_FONT) for b in buttons)


@pytest.mark.parametrize("lang_labels", [
    {"input": "Input image", "conv": "Convolution + ReLU", "dense": "Fully connected"},
    {"input": "입력 이미지", "conv": "합성곱 + ReLU", "dense": "완전연결층"}])
def test_pipeline_boxes_hold_their_labels_and_do_not_touch(lang_labels):
    labels = {"pool": "Pooling", "flatten": "Flatten", "softmax": "Softmax", "class": "Class",
              "features": "Feature extractor", "classifier": "Classifier"} | lang_labels
    layout = figures.pipeline_figure(labels)["layout"]
    boxes = [s for s in layout["shapes"] if s["type"] == "rect"]
    texts = [a for a in layout["annotations"] if a.get("text") and not a["text"].startswith("<b>")]
    for box, text in zip(boxes, texts):
        assert text_width(text["text"], text["font"]["size"]) <= box["x1"] - box["x0"]
    assert all(a["x1"] < b["x0"] for a, b in zip(boxes, boxes[1:]))
    assert layout["xaxis"]["range"][0] < boxes[0]["x0"] and boxes[-1]["x1"] < layout["xaxis"]["range"][1]
    assert layout["width"] - 10 == pytest.approx(np.diff(layout["xaxis"]["range"])[0], abs=1)   # 1 unit = 1 px


def test_kernel_numbers_fit_and_titles_sit_over_their_own_kernel():
    kernels = np.random.default_rng(0).normal(0, 0.3, (6, 1, 5, 5))
    figure = model_figures.kernels_figure(kernels, [f"filter {n}" for n in range(6)])
    layout = figure["layout"]
    plot = layout["width"] - layout["margin"]["l"] - layout["margin"]["r"]
    assert np.diff(layout["xaxis"]["range"])[0] == plot                   # one axis unit is one pixel
    assert -np.diff(layout["yaxis"]["range"])[0] == layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
    spans = []
    for trace, title in zip(figure["data"], layout["annotations"]):
        cell = trace["dx"]
        size = trace["textfont"]["size"]
        assert size >= NUMBER_FONT[0]
        assert all(text_width(f"{v:.2f}", size) + 2 * CELL_PADDING <= cell for v in np.ravel(trace["z"]))
        left, right = trace["x0"] - cell / 2, trace["x0"] + 4.5 * cell
        assert left < title["x"] < right and text_width(title["text"], 13) <= right - left
        assert title["y"] == trace["y0"] - cell / 2                    # just above its kernel
        spans.append((left, right, trace["y0"]))
    same_row = [a for a in spans if a[2] == spans[0][2]]
    assert all(a[1] < b[0] for a, b in zip(same_row, same_row[1:]))    # kernels of a row do not touch
    assert layout["width"] <= model_figures.KERNELS_ROW + 100


def test_probability_labels_stay_level_past_the_bar():
    bars = model_figures.probabilities_figure(np.array([0.9, 0.07, 0.03]), ["a", "b", "c"],
                                              value_title="probability")["data"][0]
    assert bars["textangle"] == 0 and bars["textposition"] == "outside" and not bars["cliponaxis"]
    assert bars["y"] == ["a", "b", "c"]
