"""Pooling and activation lessons: numbers against ops and torch, figures against the numbers, pages
against their widgets in both languages."""

import json
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cnnviz import activations, animation, figures, formulas, layer_figures, ops, pooling, steps
from cnnviz.errors import InvalidInput
from cnnviz.figures import format_number
from cnnviz.grids import scene_image, teaching_grid
from cnnviz.i18n import LANGUAGES, t
from cnnviz.kernels import named_kernel
from cnnviz.text_fit import text_width
from tests.apptest import choose_tab, open_app
from tests.figure_geometry import assert_apart, grids
from tests.image_corpus import HOSTILE_NAMES

TORCH_FUNCTIONS = {"relu": F.relu, "leaky_relu": lambda x: F.leaky_relu(x, 0.1), "sigmoid": torch.sigmoid,
                   "tanh": torch.tanh}
POOL_LABELS = {"input": "in", "output": "out", "play": "play", "pause": "pause", "slow": "slow", "fast": "fast",
               "step": "step"}


def autograd(name: str, x: np.ndarray) -> np.ndarray:
    xt = torch.tensor(x, requires_grad=True)
    TORCH_FUNCTIONS[name](xt).sum().backward()
    return xt.grad.numpy()


# ---------------------------------------------------------------- activations

@pytest.mark.parametrize("name", list(TORCH_FUNCTIONS))
def test_derivatives_match_autograd(name):
    x = np.concatenate([np.linspace(-6, 6, 241), [0.0, -1e-9, 1e-9, -40.0, 40.0]])
    activation = activations.activations(0.1)[name]
    np.testing.assert_allclose(activation.derivative(x), autograd(name, x), atol=1e-12)
    np.testing.assert_allclose(activation.function(x), TORCH_FUNCTIONS[name](torch.tensor(x)).numpy(), atol=1e-12)
    assert activation.derivative(x).max() == pytest.approx(activation.max_derivative, abs=1e-9)


def test_the_plotted_curves_are_the_functions_and_their_autograd_derivatives():
    labels = {name: name for name in TORCH_FUNCTIONS} | {"function": "{name}", "derivative": "{name}'",
                                                         "x": "x", "y": "y"}
    figure = layer_figures.activation_curves(list(TORCH_FUNCTIONS), 0.1, labels)
    x = np.array(figure["data"][0]["x"])
    for name in TORCH_FUNCTIONS:
        function, derivative = (next(d for d in figure["data"] if d.get("name") == f"{name}{suffix}")
                                for suffix in ("", "'"))
        np.testing.assert_allclose(function["y"], TORCH_FUNCTIONS[name](torch.tensor(x)).numpy(), atol=1e-12)
        np.testing.assert_allclose(derivative["y"], autograd(name, x), atol=1e-12)
        assert derivative["line"]["dash"] == "dash"
        assert function["line"]["color"] == derivative["line"]["color"] == layer_figures.FUNCTION_COLOURS[name]
    assert "0.25" in figure["layout"]["annotations"][0]["text"]      # the sigmoid's steepest point, marked


def test_vanishing_gradient_factor_and_its_formula():
    assert activations.gradient_through_layers("sigmoid", 3) == 0.25 ** 3
    assert activations.gradient_through_layers("relu", 30) == 1.0
    with pytest.raises(InvalidInput):
        activations.gradient_through_layers("sigmoid", 0)
    assert r"\frac{1}{1{,}048{,}576} \approx \mathbf{9.54 \times 10^{-7}}" in formulas.gradient_product(10, 0.25 ** 10, 1)
    assert r"\frac{1}{16} = \mathbf{0.0625}" in formulas.gradient_product(2, 0.25 ** 2, 1)
    figure = layer_figures.gradient_depth_figure(12, {"sigmoid": "s", "relu": "r", "x": "n", "y": "g"})
    assert figure["data"][0]["y"] == [0.25 ** n for n in range(1, 13)] and figure["data"][1]["y"] == [1.0] * 12
    assert figure["layout"]["yaxis"]["type"] == "log"


@pytest.mark.parametrize("temperature", [0.1, 0.5, 1.0, 3.0])
def test_softmax_temperature_matches_torch(temperature):
    logits = np.array([2.0, 1.0, 0.1, -1.0])
    expected = F.softmax(torch.tensor(logits) / temperature, dim=0).numpy()
    np.testing.assert_allclose(activations.softmax_with_temperature(logits, temperature), expected)
    result = activations.softmax_steps(logits, temperature)
    np.testing.assert_allclose(result.scaled, logits / temperature)
    np.testing.assert_allclose(result.exponentials / result.total, expected)
    assert result.probabilities.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("logits, temperature", [([1.0, 2.0], 0), ([1.0], -1.0), ([], 1.0),
                                                 ([1.0, np.inf], 1.0), ([1e308, 0.0], 0.1)])
def test_impossible_softmax_input_is_refused(logits, temperature):
    with pytest.raises(InvalidInput):
        activations.softmax_steps(logits, temperature)


def test_the_shown_patch_holds_both_signs():
    response = activations.sobel_response(scene_image(128))
    np.testing.assert_allclose(response, F.conv2d(torch.tensor(scene_image(128) / 255.0)[None, None],
                                                  torch.tensor(named_kernel("sobel_x"))[None, None],
                                                  padding=1)[0, 0].numpy(), atol=1e-12)
    row, col = activations.edge_patch(response, 6)
    patch = response[row: row + 6, col: col + 6]
    assert patch.shape == (6, 6) and patch.min() < 0 < patch.max()


def test_colour_bar_says_what_the_colours_mean():
    bar = figures.colour_bar(1.8, "value")
    assert bar["layout"]["xaxis"]["ticktext"] == ["≤ -1.8", "-0.9", "0", "0.9", "≥ 1.8"]
    assert bar["data"][0]["colorscale"] == figures.DIVERGING
    picture = figures.diverging_image(np.array([[-1.8, 0.0, 1.8]]), 1.8)
    assert picture[0, 1].tolist() == [247, 247, 247] and picture[0, 0, 2] > picture[0, 0, 0]


# ---------------------------------------------------------------- pooling

@settings(max_examples=60, deadline=None)
@given(st.data())
def test_pooling_frames_match_ops_and_torch(data):
    h, w = data.draw(st.integers(2, 12)), data.draw(st.integers(2, 12))
    window, stride = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    padding, mode = data.draw(st.integers(0, window // 2)), data.draw(st.sampled_from(["max", "avg"]))
    x = np.random.default_rng(data.draw(st.integers(0, 10 ** 6))).integers(-9, 10, (h, w)).astype(float)
    try:
        expected = (ops.max_pool2d if mode == "max" else ops.avg_pool2d)(x, window, stride, padding)
    except InvalidInput:
        assume(False)
    torch_pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    np.testing.assert_allclose(expected, torch_pool(torch.tensor(x)[None, None], window, stride, padding)[0, 0])
    template = "{value}|{window}" if mode == "max" else "{value}|{total}|{count}"
    trace = steps.pool_trace(x, window, stride, padding, mode)
    figure = animation.pool_animation(trace, POOL_LABELS | {"formula": template})
    frames = figure["frames"]
    assert len(frames) == expected.size == len(figure["layout"]["sliders"][0]["steps"])
    assert frames[-1]["data"][0]["text"] == [[format_number(v) for v in row] for row in expected]
    for k, (frame, step) in enumerate(zip(frames, trace.steps)):
        i, j = divmod(k, expected.shape[1])
        caption = frame["layout"]["title"]["text"].split("|")
        assert caption[0] == format_number(expected[i, j]) == frame["data"][0]["text"][i][j]
        if mode == "max":
            r, c = step.winner
            assert trace.padded[r, c] == expected[i, j]           # the framed winner holds the max
            assert caption[1].split(", ") == [format_number(v) for v in step.patch.flat]
        else:
            assert int(caption[2]) == window * window           # padded zeros count, as in PyTorch
            assert float(caption[1]) == pytest.approx(expected[i, j] * window * window, abs=0.01)


def test_a_12x12_pooling_animation_is_small_enough_to_send():
    import plotly.io
    x = teaching_grid("random", 12, 12)
    for window, stride, padding in ((2, 2, 0), (3, 1, 1)):
        for mode in ("max", "avg"):
            figure = animation.pool_animation(steps.pool_trace(x, window, stride, padding, mode),
                                              POOL_LABELS | {"formula": t(f"pooling.formula_{mode}", "ko")})
            assert len(plotly.io.to_json(figure, validate=False)) <= 200 * 1024


def test_pooling_tolerates_a_shift_inside_its_window_only():
    dots = teaching_grid("dots", 8, 8)
    assert pooling.shift_comparison(dots, 1).unchanged_share == 1.0
    assert pooling.shift_comparison(dots, 2).unchanged_share < 1.0
    assert pooling.shift_comparison(dots, 0).changed.sum() == 0
    profile = pooling.shift_profile(teaching_grid("random", 8, 8), range(4), mode="avg")
    assert profile[0] == 1.0 and profile[1] < 1.0
    with pytest.raises(InvalidInput):
        pooling.shift_comparison(dots, 8)


def test_shift_figure_fills_and_frames_the_changed_cells():
    comparison = pooling.shift_comparison(teaching_grid("dots", 8, 8), 2)
    figure = layer_figures.shift_figure(comparison, dict.fromkeys(("original", "shifted", "pooled", "pooled_shifted"),
                                                                  "x"))
    last = figure["data"][-1]
    assert np.array_equal(np.array(last["z"]) > 0.5, comparison.changed)
    assert last["colorscale"][-1][1] == layer_figures.CHANGED_FILL
    assert len(figure["layout"]["shapes"]) == comparison.changed.sum()


def test_pooling_vs_strided_conv_counts_match_torch():
    pooled, conv = pooling.pooling_vs_strided_conv(56, 64)
    layer = torch.nn.Conv2d(64, 64, 3, stride=2, padding=1)
    out = layer(torch.zeros(1, 64, 56, 56))
    assert (pooled.output, pooled.parameters) == (F.max_pool2d(torch.zeros(1, 1, 56, 56), 2).shape[-1], 0)
    assert conv.output == out.shape[-1]
    assert conv.parameters == sum(p.numel() for p in layer.parameters())
    assert conv.multiplications == out.shape[-1] ** 2 * 9 * 64 * 64
    assert formulas.conv_parameters(3, 64, conv.parameters).endswith(r"\mathbf{36{,}928}")


@pytest.mark.parametrize("side", [3, 7, 8, 12])
def test_the_same_input_pooled_and_convolved_with_stride_2(side):
    x = teaching_grid("random", side, side)
    result = pooling.pool_and_strided_conv(x, named_kernel("box_blur"))
    xt = torch.tensor(x)[None, None]
    np.testing.assert_allclose(result.pooled, F.max_pool2d(xt, 2)[0, 0])
    np.testing.assert_allclose(result.convolved, F.conv2d(xt, torch.tensor(named_kernel("box_blur"))[None, None],
                                                          stride=2, padding=1)[0, 0], atol=1e-12)
    labels = {"input": "in", "pooled": "pool", "kernel": "k", "convolved": "conv"}
    titles = [a["text"] for a in layer_figures.side_by_side_figure(result, labels)["layout"]["annotations"]]
    assert titles[1] == f"pool<br>{side // 2}×{side // 2}" and titles[3] == f"conv<br>{(side + 1) // 2}×{(side + 1) // 2}"


def test_long_titles_get_room_and_cells_stay_square():
    title = "a rather long title for two cells"
    figure = figures.value_grids([figures.Panel(np.zeros((4, 2)), title), figures.Panel(np.zeros((4, 4)), "x")], cell=30)
    first, second = grids(figure)
    assert first.dx == second.dx and first.dx == pytest.approx(first.dy, abs=1)       # square, the same in both
    centre, half = (first.left + first.right) / 2, text_width(title, figures.TITLE_FONT) / 2
    assert first.right - first.left < 2 * half and 0 <= centre - half and centre + half <= second.left   # room for it
    for count in range(1, 8):           # fractional title widths never push a grid out of the figure
        panels = [figures.Panel(np.zeros((2, 1 + n % 3)), "title " * (n % 4) + "가나" * (n % 2)) for n in range(count)]
        assert_apart(grids(figures.value_grids(panels, cell=33)))


def test_global_pooling_one_number_per_channel():
    maps = np.stack([teaching_grid(name, 5, 5, seed=3) for name in ("random", "blob", "vertical_edge")])
    torch_maps = torch.tensor(maps)[None]
    np.testing.assert_allclose(ops.global_avg_pool(maps), F.adaptive_avg_pool2d(torch_maps, 1).reshape(-1))
    np.testing.assert_allclose(ops.global_max_pool(maps), F.adaptive_max_pool2d(torch_maps, 1).reshape(-1))
    figure = layer_figures.global_pool_figure(maps, {"channel": "c{n}", "gap": "GAP", "gmp": "GMP"})
    assert figure["data"][3]["text"] == [[format_number(v)] for v in ops.global_avg_pool(maps)]
    latex = formulas.global_pool_formulas(maps, ops.global_avg_pool(maps), ops.global_max_pool(maps))
    assert rf"\frac{{{format_number(maps[0].sum())}}}{{25}}" in latex


def test_pooled_pictures_halve_each_side_and_max_keeps_the_bright():
    image = scene_image(64)
    pictures = pooling.pooled_pictures(image, 2)
    assert pictures["max"].shape == pictures["avg"].shape == (16, 16)
    assert (pictures["max"] >= pictures["avg"]).all() and (pictures["max"] > pictures["avg"]).any()
    once = pooling.pooled_pictures(image, 1)["avg"]
    np.testing.assert_array_equal(once, np.round(F.avg_pool2d(torch.tensor(image / 1.0)[None, None], 2)[0, 0].numpy()))


def test_the_pooling_lesson_pools_a_photograph_and_max_keeps_the_tripod():
    """The "on a photo" tab pools the cameraman photograph (it once showed a drawn house): max pooling
    keeps the thin bright tripod legs brighter than average pooling does."""
    import io
    from PIL import Image
    from cnnviz import images
    from ui import cached

    pictures = {name: np.asarray(Image.open(io.BytesIO(png))) for name, png in cached.pooled_scene(2).items()}
    photo = images.sample_image("camera", cached.PICTURE_SIDE)
    np.testing.assert_array_equal(pictures["original"].reshape(photo.shape[:2] + (-1,))[..., 0], photo[..., 0])
    legs = pictures["original"] > 200                       # the bright tripod among the grass, below the man
    legs[:160] = False
    assert legs.any() and pictures["max"][legs].mean() > pictures["avg"][legs].mean() + 10


# ---------------------------------------------------------------- pages (AppTest)

def plotly_specs(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def latex(at) -> list[str]:
    return [e.value.strip("$\n") for e in at.latex]


def animation_spec(at) -> dict:
    return next(spec for spec in plotly_specs(at) if spec.get("frames"))


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_pooling_frames_follow_the_widgets(lang):
    at = open_app(lang, "pages/pooling.py")
    x = teaching_grid("random", 8, 8)
    for mode, window, padding in (("max", 2, 0), ("avg", 2, 1), ("max", 3, 1), ("avg", 3, 0)):
        at.radio(key="pool_mode").set_value(mode).run()
        at.slider(key="pool_window").set_value(window).run()
        at.slider(key=f"pool_padding_{window}").set_value(padding).run()
        expected = (ops.max_pool2d if mode == "max" else ops.avg_pool2d)(x, window, window, padding)
        spec = animation_spec(at)
        assert len(spec["frames"]) == expected.size
        assert spec["frames"][-1]["data"][0]["text"] == [[format_number(v) for v in row] for row in expected]
        title = spec["layout"]["annotations"][0]["text"]
        assert t("pooling.input_padded" if padding else "pooling.input", lang) in title
    assert at.slider(key="pool_stride_3").value == 3                      # the stride starts at the window size
    at.slider(key="pool_stride_3").set_value(1).run()
    assert len(animation_spec(at)["frames"]) == ops.avg_pool2d(x, 3, 1).size
    assert not at.exception


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_pooling_step_arithmetic_follows_its_slider(lang):
    at = open_app(lang, "pages/pooling.py")
    x = teaching_grid("random", 8, 8)
    at.slider(key="pool_step-16").set_value(6).run()
    step = steps.pool_trace(x, 2, 2, 0, "max").steps[5]
    assert formulas.pool_step_formula(step, "max", cell=True) in latex(at)
    at.radio(key="pool_mode").set_value("avg").run()
    at.slider(key="pool_step-16").set_value(6).run()
    step = steps.pool_trace(x, 2, 2, 0, "avg").steps[5]
    assert formulas.pool_step_formula(step, "avg", cell=True) in latex(at)
    assert t("pooling.step_note_avg", lang) in " ".join(c.value for c in at.caption)


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_pooling_window_too_large_is_friendly(lang):
    at = open_app(lang, "pages/pooling.py")
    at.slider(key="pool_side").set_value(3).run()
    at.slider(key="pool_window").set_value(4).run()
    expected = InvalidInput("errors.pool_window_too_large", window="4x4", padded="3x3").localized(lang)
    assert at.warning[0].value == expected and not at.exception
    # The rest of the page still runs; without a step to explain, the tabs open on the next section.
    assert t("pooling.tab_step", lang) not in [tab.label for tab in at.tabs]
    assert at.subheader[-1].value == t("pooling.global_title", lang)
    at.slider(key="pool_window").set_value(2).run()
    assert not at.warning


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_pooling_sections_follow_their_widgets(lang):
    at = open_app(lang, "pages/pooling.py")
    assert [tab.label for tab in at.tabs] == [t(f"pooling.tab_{name}", lang)
                                              for name in ("step", "global", "shift", "vs_stride", "image")]
    assert at.subheader[-1].value == t("pooling.arithmetic_title", lang)     # only the open tab is drawn
    choose_tab(at, "pooling", t("pooling.tab_global", lang))
    assert at.subheader[-1].value == t("pooling.global_title", lang)
    choose_tab(at, "pooling", t("pooling.tab_shift", lang))
    assert at.subheader[-1].value == t("pooling.shift_title", lang)

    def shift_panel() -> dict:
        return next(s for s in plotly_specs(at) if [a["text"] for a in s["layout"].get("annotations", [])[1:2]]
                    == [t("pooling.shifted", lang, n=at.slider(key="pool_shift").value)])

    profile = " · ".join(t("pooling.profile_item", lang, n=n, share=share)
                         for n, share in pooling.shift_profile(teaching_grid("dots", 8, 8), range(4)).items())
    assert at.info[0].value == t("pooling.unchanged", lang, share=1.0, profile=profile)
    at.slider(key="pool_shift").set_value(2).run()
    comparison = pooling.shift_comparison(teaching_grid("dots", 8, 8), 2)
    assert np.array_equal(np.array(shift_panel()["data"][-1]["z"]) > 0.5, comparison.changed)
    assert f"{comparison.unchanged_share:.0%}" in at.info[0].value

    choose_tab(at, "pooling", t("pooling.tab_vs_stride", lang))
    at.selectbox(key="vs_kernel").set_value("sobel_x").run()
    expected = pooling.pool_and_strided_conv(teaching_grid("random", 8, 8), named_kernel("sobel_x")).convolved
    side_by_side = next(s for s in plotly_specs(at) if len(s["layout"].get("annotations", [])) == 4
                        and s["layout"]["annotations"][3]["text"].startswith(t("pooling.vs_convolved", lang)))
    assert side_by_side["data"][3]["text"] == [[format_number(v) for v in row] for row in expected]

    at.slider(key="vs_channels").set_value(128).run()
    pooled, conv = pooling.pooling_vs_strided_conv(56, 128)
    table = next(m.value for m in at.markdown if m.value.startswith("| "))
    pool_row, conv_row = table.splitlines()[2:]
    assert pool_row.endswith(f"| {pooled.output} × {pooled.output} × 128 | 0 | 0 |")
    assert conv_row.endswith(f"| {conv.output} × {conv.output} × 128 | {conv.parameters:,} | {conv.multiplications:,} |")
    choose_tab(at, "pooling", t("pooling.tab_image", lang))
    at.slider(key="pool_times").set_value(3).run()
    assert t("pooling.image_intro", lang, times=3, side=256, pooled=32) in [m.value for m in at.markdown]
    assert not at.exception


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_activations_page_follows_its_widgets(lang):
    at = open_app(lang, "pages/activations.py")
    assert [tab.label for tab in at.tabs] == [t(f"activations.tab_{name}", lang)
                                              for name in ("map", "curves", "depth", "softmax")]

    response = activations.sobel_response(scene_image(256))
    row, col = activations.edge_patch(response, 6)
    for name in ("relu", "leaky_relu", "sigmoid", "tanh"):
        at.radio(key="act_function").set_value(name).run()
        assert formulas.activation_formula(name, 0.1 if name == "leaky_relu" else 0.01) in latex(at)
        patch = next(s for s in plotly_specs(at) if len(s["data"]) == 2 and "texttemplate" in s["data"][1])
        after = activations.activations(0.1)[name].function(response[row: row + 6, col: col + 6])
        assert patch["data"][1]["text"] == [[format_number(v) for v in r] for r in after]
        assert t(f"activations.{name}_note", lang) in [i.value for i in at.info]

    choose_tab(at, "activations", t("activations.tab_curves", lang))
    at.multiselect(key="act_curves").set_value(["tanh"]).run()
    curves = next(s for s in plotly_specs(at) if s["data"][0]["type"] == "scatter")
    tanh = t("activations.tanh", lang)
    assert {trace.get("name") for trace in curves["data"]} >= {
        t("activations.function_curve", lang, name=tanh), t("activations.derivative_curve", lang, name=tanh)}

    choose_tab(at, "activations", t("activations.tab_depth", lang))
    assert formulas.gradient_product(10, 0.25 ** 10, 1.0) in latex(at)
    at.slider(key="act_depth").set_value(4).run()
    assert formulas.gradient_product(4, 0.25 ** 4, 1.0) in latex(at)

    choose_tab(at, "activations", t("activations.tab_softmax", lang))
    at.slider(key="act_temperature").set_value(2.0).run()
    share = activations.softmax_with_temperature([2.0, 1.0, 0.1, -1.0], 2.0).max()
    assert any(f"{share:.1%}" in m.value for m in at.markdown)
    bars = next(s for s in plotly_specs(at) if s["data"][0]["type"] == "bar")
    assert bars["data"][0]["x"][0] == pytest.approx(share)
    table = next(m.value for m in at.markdown if m.value.startswith("| "))
    probabilities = activations.softmax_with_temperature([2.0, 1.0, 0.1, -1.0], 2.0)
    assert [row.split(" | ")[-1].rstrip(" |") for row in table.splitlines()[2:]] == [f"{p:.1%}" for p in probabilities]

    assert not at.dataframe                                     # the logits editor is drawn only while open
    at.session_state["softmax_edit"] = True
    at.run()
    classes = [name.strip() for name in t("activations.default_classes", lang).split(",")]
    kept = f"logits-4-{classes[0]}:kept"                       # four classes until the slider says otherwise
    edited = at.session_state[kept].copy()                      # what the editor keeps after an edit
    edited.iloc[0, 1] = -3.0
    at.session_state[kept] = edited
    at.session_state["softmax_edit"] = False
    at.run()
    probabilities = activations.softmax_with_temperature([-3.0, 1.0, 0.1, -1.0], 2.0)
    table = next(m.value for m in at.markdown if m.value.startswith("| "))
    assert [row.split(" | ")[-1].rstrip(" |") for row in table.splitlines()[2:]] == [f"{p:.1%}" for p in probabilities]
    assert not at.dataframe
    at.slider(key="softmax_classes").set_value(6).run()            # the table's size is a control, not rows to paste
    table = next(m.value for m in at.markdown if m.value.startswith("| "))
    assert len(table.splitlines()) == 2 + 6 and classes[5] in table
    assert not at.exception


def test_hostile_class_names_are_shown_as_typed():
    """Class names typed into the softmax editor are never a link, a formula, an icon or markup: the table,
    the sentence and the bars show each name as typed."""
    at = choose_tab(open_app("en", "pages/activations.py"), "activations", t("activations.tab_softmax", "en"))
    classes = [name.strip() for name in t("activations.default_classes", "en").split(",")]
    kept = f"logits-4-{classes[0]}:kept"
    at.session_state["softmax_edit"] = True                        # the editor opened once keeps its table
    at.run()
    for start in range(0, len(HOSTILE_NAMES), 4):
        names = list(HOSTILE_NAMES[start:start + 4])
        edited = at.session_state[kept].copy()
        edited.iloc[:len(names), 0] = names
        edited.iloc[:, 1] = [3.0, 1.0, 0.1, -1.0]                  # the first name is the most likely
        at.session_state[kept] = edited                            # what the editor keeps after an edit
        at.session_state["softmax_edit"] = False
        at.run()
        assert not at.exception
        table = next(m.value for m in at.markdown if m.value.startswith("| "))
        cells = [row.split(" | ")[0].removeprefix("| ") for row in table.splitlines()[2:]]
        assert [unescaped(cell) for cell in cells[:len(names)]] == names
        assert all(cell == formulas.markdown_literal(name) for cell, name in zip(cells, names))
        sentence = next(m.value for m in at.markdown if m.value.startswith("The probabilities sum"))
        assert formulas.markdown_literal(names[0]) in sentence
        bars = next(s for s in plotly_specs(at) if s["data"][0]["type"] == "bar")
        assert set(bars["data"][0]["y"]) >= {formulas.plotly_literal(name) for name in names}


def unescaped(markdown: str) -> str:
    """What Markdown shows for an escaped literal: the escapes gone, the invisible word joiners dropped."""
    return re.sub(r"\\(.)", r"\1", markdown.replace(formulas.WORD_JOINER, ""))
