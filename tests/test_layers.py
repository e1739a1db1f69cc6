"""Pooling and activation lessons: numbers against ops and torch, pages against their widgets."""

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cnnviz import activations, ops, pooling
from cnnviz.figures import format_number
from cnnviz.grids import teaching_grid
from cnnviz.i18n import LANGUAGES
from tests.apptest import open_app


@pytest.mark.parametrize("name, torch_fn", [("relu", F.relu), ("leaky_relu", lambda x: F.leaky_relu(x, 0.1)),
                                            ("sigmoid", torch.sigmoid), ("tanh", torch.tanh)])
def test_derivatives_match_autograd(name, torch_fn):
    x = np.concatenate([np.linspace(-6, 6, 241), [0.0, -1e-9, 1e-9]])
    xt = torch.tensor(x, requires_grad=True)
    torch_fn(xt).sum().backward()
    activation = activations.activations(0.1)[name]
    np.testing.assert_allclose(activation.derivative(x), xt.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(activation.function(x), torch_fn(torch.tensor(x)).numpy(), atol=1e-12)
    assert activation.derivative(x).max() == pytest.approx(activation.max_derivative, abs=1e-9)


def test_vanishing_gradient_factor():
    assert activations.gradient_through_layers("sigmoid", 3) == 0.25 ** 3
    assert activations.gradient_through_layers("relu", 30) == 1.0


@pytest.mark.parametrize("temperature", [0.1, 0.5, 1.0, 3.0])
def test_softmax_temperature_matches_torch(temperature):
    logits = np.array([2.0, 1.0, 0.1, -1.0])
    expected = F.softmax(torch.tensor(logits) / temperature, dim=0).numpy()
    np.testing.assert_allclose(activations.softmax_with_temperature(logits, temperature), expected)
    with pytest.raises(ValueError):
        activations.softmax_with_temperature(logits, 0)


def test_pooling_tolerates_a_shift_inside_its_window_only():
    dots = teaching_grid("dots", 8, 8)
    assert pooling.shift_comparison(dots, 1).unchanged_share == 1.0
    assert pooling.shift_comparison(dots, 2).unchanged_share < 1.0
    assert pooling.shift_comparison(dots, 0).changed.sum() == 0


def test_pooling_vs_strided_conv_counts_match_torch():
    pooled, conv = pooling.pooling_vs_strided_conv(56, 64)
    layer = torch.nn.Conv2d(64, 64, 3, stride=2, padding=1)
    out = layer(torch.zeros(1, 64, 56, 56))
    assert (pooled.output, pooled.parameters) == (F.max_pool2d(torch.zeros(1, 1, 56, 56), 2).shape[-1], 0)
    assert conv.output == out.shape[-1]
    assert conv.parameters == sum(p.numel() for p in layer.parameters())
    assert conv.multiplications == out.shape[-1] ** 2 * 9 * 64 * 64


def animation(at) -> dict:
    return next(s for s in (json.loads(c.proto.spec) for c in at.get("plotly_chart")) if s.get("frames"))


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_pooling_frames_follow_the_widgets(lang):
    at = open_app(lang, "pages/pooling.py")
    x = teaching_grid("random", 8, 8)
    for mode, window, padding in (("max", 2, 0), ("avg", 2, 1), ("max", 3, 1), ("avg", 3, 0)):
        at.radio(key="pool_mode").set_value(mode).run()
        at.slider(key="pool_window").set_value(window).run()
        at.slider(key=f"pool_padding_{window}").set_value(padding).run()
        expected = (ops.max_pool2d if mode == "max" else ops.avg_pool2d)(x, window, window, padding)
        frames = animation(at)["frames"]
        assert len(frames) == expected.size
        assert frames[-1]["data"][0]["text"] == [[format_number(v) for v in row] for row in expected]
    at.checkbox(key="pool_stride_same").set_value(False).run()
    at.slider(key="pool_stride").set_value(1).run()
    assert len(animation(at)["frames"]) == ops.avg_pool2d(x, 3, 1).size
    assert not at.exception


def test_pooling_window_too_large_is_friendly():
    at = open_app("ko", "pages/pooling.py")
    at.slider(key="pool_side").set_value(3).run()
    at.slider(key="pool_window").set_value(4).run()
    assert "풀링 윈도우" in at.warning[0].value and not at.exception
    at.slider(key="pool_window").set_value(2).run()
    assert not at.warning


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_activations_page_follows_its_widgets(lang):
    at = open_app(lang, "pages/activations.py")
    assert [m.value for m in at.metric] == [f"{0.25 ** 10:.3g}", "1"]
    at.slider(key="act_depth").set_value(4).run()
    assert at.metric[0].value == f"{0.25 ** 4:.3g}"
    for name in ("leaky_relu", "sigmoid", "tanh"):
        at.radio(key="act_function").set_value(name).run()
    at.slider(key="act_temperature").set_value(2.0).run()
    share = activations.softmax_with_temperature([2.0, 1.0, 0.1, -1.0], 2.0).max()
    assert f"{share:.1%}" in at.markdown[-1].value or f"{share:.1%}" in " ".join(m.value for m in at.markdown)
    assert not at.exception
