"""The arithmetic lesson: the guide's cases, the transposed view, the calculator, the comparison, receptive fields."""

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnviz import arithmetic, ops
from cnnviz.cases import CASES, transpose_as_convolution
from cnnviz.errors import InvalidInput
from cnnviz.figures import format_number
from cnnviz.grids import teaching_grid
from cnnviz.i18n import LANGUAGES, t
from tests.apptest import choose_tab, open_app

PAGE = "pages/conv_arithmetic.py"
EXPECTED_OUTPUTS = {"no_padding_unit_strides": 2, "arbitrary_padding": 6, "half_padding": 5, "full_padding": 7,
                    "no_padding_strides": 2, "padding_strides": 3, "padding_strides_odd": 3, "dilation": 3}


def test_case_outputs_are_the_guides():
    assert {case.name: case.output for case in CASES} == EXPECTED_OUTPUTS
    assert [case.output_padding for case in CASES if case.name == "padding_strides_odd"] == [1]


@given(st.integers(1, 5), st.integers(1, 4), st.integers(1, 3), st.data())
def test_the_spread_out_view_equals_conv_transpose2d(size, k, stride, data):
    padding = data.draw(st.integers(0, k - 1))
    output_padding = data.draw(st.integers(0, stride - 1))
    rng = np.random.default_rng(size * 100 + k * 10 + stride)
    x, kernel = rng.standard_normal((size, size)), rng.standard_normal((k, k))
    try:
        expected = ops.conv_transpose2d(x, kernel, stride=stride, padding=padding, output_padding=output_padding)
    except InvalidInput:
        return
    spread = transpose_as_convolution(x, kernel, stride, padding, output_padding)
    np.testing.assert_allclose(ops.conv2d(spread.grid, spread.kernel), expected, atol=1e-12)
    assert (spread.grid[spread.inserted] == 0).all()
    assert (~spread.inserted).sum() == x.size


def open_tab(lang: str, tab: str):
    """The lesson with one of its tabs chosen: only the open tab is drawn."""
    return choose_tab(open_app(lang, PAGE), "conv_arithmetic", t(f"arithmetic.tab_{tab}", lang))


def spec(at) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_case_and_its_transpose_animate_the_right_numbers(lang):
    at = open_app(lang, PAGE)
    for index, case in enumerate(CASES):
        at.selectbox(key="case").set_value(index).run()
        x = teaching_grid("random", case.size, case.size, seed=index)
        expected = ops.conv2d(x, np.ones((case.kernel,) * 2), 0, case.stride, case.padding, case.dilation)
        frames = spec(at)["frames"]
        assert len(frames) == case.output ** 2
        assert frames[-1]["data"][0]["text"] == [[format_number(v) for v in row] for row in expected]
        if case.dilation == 1:
            at.toggle(key="transposed").set_value(True).run()
            small = teaching_grid("random", case.output, case.output, seed=index)
            back = ops.conv_transpose2d(small, np.ones((case.kernel,) * 2), stride=case.stride,
                                        padding=case.padding, output_padding=case.output_padding)
            frames = spec(at)["frames"]
            assert back.shape == (case.size, case.size) and len(frames) == case.size ** 2
            assert frames[-1]["data"][0]["text"] == [[format_number(v) for v in row] for row in back]
            at.toggle(key="transposed").set_value(False).run()
    assert not at.exception


def test_calculator_handles_rectangles():
    at = open_tab("en", "calculator")
    values = {"height": 30, "width": 17, "kernel_h": 5, "kernel_w": 2, "pad_h": 1, "pad_w": 0,
              "stride_h": 3, "stride_w": 2, "dilation_h": 2, "dilation_w": 1}
    for name, value in values.items():
        at.number_input(key=f"calc_{name}").set_value(value).run()
    oh = ops.output_size(30, 5, 3, 1, 2)
    ow = ops.output_size(17, 2, 2, 0, 1)
    assert f"{oh} × {ow}" in " ".join(m.value for m in at.markdown)
    at.number_input(key="calc_height").set_value(3).run()
    assert at.warning and not at.exception


def test_compare_counts_parameters_and_multiplications():
    """Both layers' results are rows of one table, so they line up whatever controls each layer has."""
    at = open_tab("en", "compare")
    table = next(m.value for m in at.markdown if t("arithmetic.multiplications", "en") in m.value)
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table.splitlines()[2:]]
    out = ops.output_size(32, 3, 2, 1)
    assert rows == [
        [f"**{t('arithmetic.out_size', 'en')}**", f"{out} × {out} × 16", "16 × 16 × 16"],
        [f"**{t('arithmetic.parameters', 'en')}**", f"{arithmetic.conv_params(3, 16, 16):,}", "0"],
        [f"**{t('arithmetic.multiplications', 'en')}**", f"{arithmetic.conv_multiplications(out, out, 3, 16, 16):,}",
         "0"]]


def test_receptive_field_follows_the_layer_count():
    at = open_tab("ko", "receptive")
    assert "5×5" in at.metric[-1].value
    at.slider(key="rf_layers").set_value(3).run()
    assert "7×7" in at.metric[-1].value
    one = t("arithmetic.layer_summary", "ko", k=3, s=1, d=1)
    assert t("arithmetic.layers_summary", "ko", layers=" → ".join([one] * 3)) in [c.value for c in at.caption]


def test_receptive_field_uses_the_edited_layers_with_the_editor_open_or_closed():
    at = open_tab("en", "receptive")
    assert not at.dataframe                      # the editor is drawn only while open
    at.session_state["rf_edit"] = True
    at.run()
    assert at.dataframe
    edited = at.session_state["rf_table_2_en:kept"].copy()     # what the editor keeps after an edit
    edited.iloc[1, 0] = 5
    at.session_state["rf_table_2_en:kept"] = edited
    at.session_state["rf_edit"] = False
    at.run()
    assert "7×7" in at.metric[-1].value and not at.dataframe   # 3x3 then 5x5
