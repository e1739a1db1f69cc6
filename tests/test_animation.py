"""The animated figure shows exactly what cnnviz.ops computes, one frame per output cell."""

import numpy as np
import plotly.graph_objects as go
import plotly.io
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cnnviz import animation, figures, ops, steps
from cnnviz.errors import InvalidInput
from tests.figure_geometry import assert_apart, grids

LABELS = {"input": "in", "kernel": "k", "output": "out", "play": "play", "pause": "pause", "slow": "slow",
          "fast": "fast", "step": "step", "formula": "({i},{j}) {total} + {bias} = {value}"}


def final_output_text(figure) -> list[list[str]]:
    return figure["frames"][-1]["data"][0]["text"]


@given(st.data())
def test_conv_frames_match_conv2d(data):
    h, w = data.draw(st.integers(2, 10)), data.draw(st.integers(2, 10))
    k = data.draw(st.integers(1, 4))
    stride, dilation = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 2))
    padding = data.draw(st.one_of(st.sampled_from(["valid", "same", "full"]), st.integers(0, 2)))
    rng = np.random.default_rng(data.draw(st.integers(0, 10**6)))
    x, kernel, bias = rng.integers(-5, 6, (h, w)), rng.integers(-2, 3, (k, k)), float(rng.integers(-3, 4))
    try:
        expected = ops.conv2d(x, kernel, bias, stride, padding, dilation)
    except InvalidInput:
        assume(False)
    figure = animation.conv_animation(steps.conv_trace(x, kernel, bias, stride, padding, dilation), LABELS)
    assert len(figure["frames"]) == expected.size
    assert len(figure["layout"]["sliders"][0]["steps"]) == expected.size
    assert final_output_text(figure) == [[figures.format_number(v) for v in row] for row in expected]
    for index, frame in enumerate(figure["frames"]):
        i, j = divmod(index, expected.shape[1])
        text = frame["data"][0]["text"]
        assert text[i][j] == figures.format_number(expected[i, j])
        filled = sum(cell != "" for row in text for cell in row)
        assert filled == index + 1                      # the output fills in cell by cell
        assert frame["layout"]["title"]["text"].endswith(figures.format_number(expected[i, j]))


def test_frames_survive_plotly_validation():
    """st.plotly_chart validates the dict: frame data must keep its heatmap type and 2-D text."""
    trace = steps.conv_trace(np.arange(9.0).reshape(3, 3), np.ones((2, 2)))
    validated = go.Figure(animation.conv_animation(trace, LABELS)).to_dict()
    assert final_output_text(validated) == [["8", "12"], ["20", "24"]]


@pytest.mark.parametrize("dilation, stride, padding", [(1, 1, 1), (2, 1, 0), (1, 2, "same")])
def test_every_frame_frames_its_window_and_its_output_cell(dilation, stride, padding):
    trace = steps.conv_trace(np.arange(49.0).reshape(7, 7), np.ones((3, 3)), 0, stride, padding, dilation)
    figure = animation.conv_animation(trace, LABELS)
    source, kernel, output = grids(figure)
    assert_apart([source, kernel, output])
    assert figure["layout"]["shapes"] == figure["frames"][0]["layout"]["shapes"]
    for frame, step in zip(figure["frames"], trace.steps):
        shapes = frame["layout"]["shapes"]
        assert all(kernel.cells(s) is None for s in shapes)
        filled = {source.cells(s) for s in shapes if s.get("fillcolor") == animation.WINDOW_FILL}
        (i, j), rows, cols = step.out_index, list(step.rows), list(step.cols)
        if dilation == 1:
            assert filled == {(rows[0], rows[-1], cols[0], cols[-1])}
        else:       # each tap on its own, inside a thin outline of the span
            assert filled == {(r, r, c, c) for r in rows for c in cols}
            assert (rows[0], rows[-1], cols[0], cols[-1]) in {source.cells(s) for s in shapes}
        assert [output.cells(s) for s in shapes if output.cells(s)] == [(i, i, j, j)]


def test_dilated_window_is_drawn_as_taps():
    trace = steps.conv_trace(np.zeros((7, 7)), np.ones((3, 3)), dilation=2)
    figure = animation.conv_animation(trace, LABELS)
    source = grids(figure)[0]
    taps = [source.cells(s) for s in figure["frames"][0]["layout"]["shapes"] if s.get("fillcolor") == animation.WINDOW_FILL]
    assert len(taps) == 9
    assert sorted({c0 for _, _, c0, _ in taps}) == [0, 2, 4]


def test_max_pool_marks_the_winner_of_each_window():
    x = np.array([[1, 9, 2, 0], [3, 4, 8, 1], [0, 0, 5, 6], [7, 0, 0, 2]])
    trace = steps.pool_trace(x, 2, mode="max")
    figure = animation.pool_animation(trace, LABELS | {"formula": "max = {value}"})
    source = grids(figure)[0]
    winners = [[source.cells(s) for s in f["layout"]["shapes"] if s["line"]["color"] == animation.WINNER]
               for f in figure["frames"]]
    assert [(r0, c0) for [(r0, r1, c0, c1)] in winners if (r0, c0) == (r1, c1)] == [(0, 1), (1, 2), (3, 0), (2, 3)]
    assert final_output_text(figure) == [["9", "8"], ["7", "6"]]


def test_padding_cells_are_marked():
    figure = animation.conv_animation(steps.conv_trace(np.ones((3, 3)), np.ones((3, 3)), padding=1), LABELS)
    marks = np.array(figure["data"][0]["z"])
    assert marks.shape == (5, 5) and marks[1:4, 1:4].sum() == 0 and marks.sum() == 16


@pytest.mark.parametrize("value, text", [(3.0, "3"), (-0.0, "0"), (0.25, "0.25"), (-1 / 3, "-0.33"),
                                         (2.499, "2.5"), (-np.inf, "−∞"), (1e-12, "0")])
def test_format_number(value, text):
    assert figures.format_number(value) == text


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_a_12x12_animation_is_small_enough_to_send(padding):
    """What st.plotly_chart sends is plotly's compact JSON: at most 200 KiB for 12x12 with 3x3."""
    x = np.random.default_rng(0).integers(0, 10, (12, 12))
    figure = animation.conv_animation(steps.conv_trace(x, np.ones((3, 3)), padding=padding), LABELS)
    assert len(plotly.io.to_json(figure, validate=False)) < 200 * 1024
