"""AppTest of the sliding-window lesson: the figure and formulas follow the widgets."""

import json

import numpy as np
import pytest

from cnnviz import ops
from cnnviz.figures import format_number
from cnnviz.grids import teaching_grid
from cnnviz.i18n import LANGUAGES, t
from cnnviz.kernels import named_kernel
from tests.apptest import choose_tab, open_app

PAGE = "pages/convolution.py"


def animation_spec(at) -> dict:
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return next(c for c in charts if c.get("frames"))


def final_grid(spec) -> list[list[str]]:
    return spec["frames"][-1]["data"][0]["text"]


def expected_text(output) -> list[list[str]]:
    return [[format_number(v) for v in row] for row in output]


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_frames_follow_padding_stride_and_dilation(lang):
    at = open_app(lang, PAGE)
    assert not at.exception
    assert [tab.label for tab in at.tabs] == [t("convolution.tab_step", lang), t("convolution.tab_size", lang)]
    assert at.subheader[-1].value == t("convolution.arithmetic_title", lang)     # only the open tab is drawn
    choose_tab(at, "convolution", t("convolution.tab_size", lang))
    x, sobel = teaching_grid("random", 7, 7), named_kernel("sobel_x")
    spec = animation_spec(at)
    assert len(spec["frames"]) == 25
    assert final_grid(spec) == expected_text(ops.conv2d(x, sobel))
    for padding, stride, dilation in (("same", 1, 1), ("full", 2, 1), ("valid", 1, 2), ("same", 3, 2)):
        at.radio(key="padding").set_value(padding).run()
        at.slider(key="stride").set_value(stride).run()
        at.slider(key="dilation").set_value(dilation).run()
        expected = ops.conv2d(x, sobel, stride=stride, padding=padding, dilation=dilation)
        spec = animation_spec(at)
        assert len(spec["frames"]) == expected.size
        assert final_grid(spec) == expected_text(expected)
        latex = " ".join(e.value for e in at.markdown)           # the output-size formulas are KaTeX in Markdown
        assert rf"\mathbf{{{expected.shape[0]}}}" in latex
        assert f"{expected.size * 9:,}" in at.success[0].value
        if (padding, stride) == ("same", 1):
            assert t("convolution.same_odd", lang, k=3, p=1) in " ".join(c.value for c in at.caption)
    assert not at.exception


def test_true_convolution_flips_the_kernel():
    at = open_app("en", PAGE)
    at.radio(key="operation").set_value("convolution").run()
    x = teaching_grid("random", 7, 7)
    assert final_grid(animation_spec(at)) == expected_text(ops.convolve2d(x, named_kernel("sobel_x")))
    assert t("convolution.flipped_note", "en") in " ".join(c.value for c in at.caption)


def test_bias_and_other_presets():
    at = open_app("en", PAGE)
    at.selectbox(key="grid_preset").set_value("vertical_edge").run()
    at.selectbox(key="kernel_preset").set_value("laplacian").run()
    at.number_input(key="bias").set_value(1.5).run()
    x = teaching_grid("vertical_edge", 7, 7)
    assert final_grid(animation_spec(at)) == expected_text(ops.conv2d(x, named_kernel("laplacian"), 1.5))


def test_step_arithmetic_shows_the_chosen_cell():
    at = open_app("en", PAGE)
    at.slider(key="step-25").set_value(7).run()
    expected = ops.conv2d(teaching_grid("random", 7, 7), named_kernel("sobel_x"))[1, 1]
    step_view = next(c for c in (json.loads(c.proto.spec) for c in at.get("plotly_chart")) if len(c["data"]) == 4)
    assert step_view["data"][3]["text"] == [[format_number(expected)]]         # the output value, its own grid
    assert r"\mathrm{out}[1, 1]" in at.latex[0].value
    assert rf"= \mathbf{{{format_number(expected)}}} \end{{aligned}}" in at.latex[0].value


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_impossible_settings_get_a_friendly_message(lang):
    at = open_app(lang, PAGE)
    at.slider(key="rows").set_value(3).run()
    at.slider(key="dilation").set_value(3).run()
    assert not at.exception
    assert at.warning and "3x3" in at.warning[0].value
    assert ("dilation" in at.warning[0].value) if lang == "en" else ("팽창" in at.warning[0].value)
    at.slider(key="dilation").set_value(1).run()
    assert not at.warning and animation_spec(at)


def test_stride_that_does_not_divide_is_explained():
    at = choose_tab(open_app("en", PAGE), "convolution", t("convolution.tab_size", "en"))
    at.slider(key="rows").set_value(8).run()
    at.slider(key="stride").set_value(2).run()
    assert "never read" in at.info[0].value
    assert np.array(final_grid(animation_spec(at))).shape == (3, 3)


def test_a_picture_becomes_the_input_grid():
    from cnnviz import images
    from cnnviz.grids import grid_from_picture
    from tests.image_corpus import good_files

    at = open_app("en", PAGE)
    at.selectbox(key="grid_preset").set_value("picture").run()
    x = grid_from_picture(images.sample_image(images.SAMPLES[0], 256), 7, 7)     # the default picture
    assert final_grid(animation_spec(at)) == expected_text(ops.conv2d(x, named_kernel("sobel_x")))
    data = good_files()["rgb.png"][0]
    at.file_uploader(key="convolution_upload").set_value(("mine.png", data, "image/png")).run()
    x = grid_from_picture(images.decode_image(data, 2**20, 256), 7, 7)
    assert final_grid(animation_spec(at)) == expected_text(ops.conv2d(x, named_kernel("sobel_x")))
    assert not at.exception
