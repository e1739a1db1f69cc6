"""Traces agree with the ops they explain; the counting helpers agree with torch modules."""

import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

from cnnviz import arithmetic, ops, steps
from cnnviz.errors import InvalidInput


@given(st.data())
def test_conv_steps_rebuild_conv2d_cell_by_cell(data):
    channels = data.draw(st.integers(0, 3))          # 0: a 2-D input and kernel
    kh, kw = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    h, w = data.draw(st.integers(1, 9)), data.draw(st.integers(1, 9))
    stride = (data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3)))
    dilation = (data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2)))
    padding = data.draw(st.one_of(st.sampled_from(["valid", "same", "full"]), st.integers(0, 2)))
    rng = np.random.default_rng(data.draw(st.integers(0, 10**6)))
    x = rng.standard_normal((h, w) if channels == 0 else (channels, h, w))
    k = rng.standard_normal((kh, kw) if channels == 0 else (channels, kh, kw))
    bias = float(rng.standard_normal())
    try:
        expected = ops.conv2d(x, k, bias, stride, padding, dilation)
    except InvalidInput:
        assume(False)
    trace = steps.conv_trace(x, k, bias, stride, padding, dilation)
    assert len(trace.steps) == expected.size
    assert [s.out_index for s in trace.steps] == [(i, j) for i in range(expected.shape[0])
                                                  for j in range(expected.shape[1])]
    values = np.array([s.value for s in trace.steps]).reshape(expected.shape)
    np.testing.assert_allclose(values, expected, rtol=1e-10, atol=1e-10)
    np.testing.assert_array_equal(trace.output, expected)
    for step in trace.steps:
        assert step.patch.shape == k.shape
        np.testing.assert_array_equal(step.products, step.patch * k)
        taps = trace.padded[..., step.rows[:, None], step.cols[None, :]]
        np.testing.assert_array_equal(taps, step.patch)
        if channels:
            np.testing.assert_allclose(step.channel_sums.sum() + step.bias, step.value)


def test_dilated_taps_skip_pixels():
    trace = steps.conv_trace(np.arange(49.0).reshape(7, 7), np.ones((3, 3)), dilation=2, stride=2)
    first = trace.steps[0]
    assert first.rows.tolist() == [0, 2, 4] and first.cols.tolist() == [0, 2, 4]
    assert trace.steps[1].cols.tolist() == [2, 4, 6]


@pytest.mark.parametrize("mode", ["max", "avg"])
@given(data=st.data())
def test_pool_steps_rebuild_pooling(mode, data):
    k = data.draw(st.integers(1, 3))
    stride = data.draw(st.one_of(st.none(), st.integers(1, 3)))
    padding = data.draw(st.integers(0, k // 2))
    x = np.random.default_rng(data.draw(st.integers(0, 10**6))).standard_normal(
        (data.draw(st.integers(1, 9)), data.draw(st.integers(1, 9))))
    try:
        trace = steps.pool_trace(x, k, stride, padding, mode)
    except InvalidInput:
        assume(False)
    expected = (ops.max_pool2d if mode == "max" else ops.avg_pool2d)(x, k, stride, padding)
    values = np.array([s.value for s in trace.steps]).reshape(expected.shape)
    np.testing.assert_allclose(values, expected)
    if mode == "max":
        for step in trace.steps:
            assert trace.padded[step.winner] == step.value == step.patch.max()


def test_parameter_counts_match_torch_modules():
    conv = torch.nn.Conv2d(3, 64, 3)
    assert arithmetic.conv_params(3, 3, 64) == sum(p.numel() for p in conv.parameters())
    assert arithmetic.conv_params((5, 3), 2, 4, bias=False) == torch.nn.Conv2d(2, 4, (5, 3), bias=False).weight.numel()
    dense = torch.nn.Linear(224 * 224 * 3, 10)
    assert arithmetic.dense_params_for_image(224, 224, 3, 10) == sum(p.numel() for p in dense.parameters())


def test_receptive_fields():
    three = arithmetic.Layer(3)
    assert arithmetic.receptive_fields([three, three]) == [3, 5]          # two 3x3 see as far as one 5x5
    assert arithmetic.receptive_fields([three] * 3) == [3, 5, 7]          # three 3x3 see as far as one 7x7
    assert arithmetic.receptive_fields([arithmetic.Layer(2, 2), three]) == [2, 6]
    assert arithmetic.receptive_fields([arithmetic.Layer(3, dilation=2)]) == [5]
    assert 2 * arithmetic.conv_params(3, 1, 1, bias=False) == 18 < arithmetic.conv_params(5, 1, 1, bias=False) == 25


def test_receptive_field_matches_a_gradient_probe():
    """Which input pixels can change one output cell: measured with autograd."""
    layers = [arithmetic.Layer(3, 1), arithmetic.Layer(3, 2), arithmetic.Layer(3, 1, 2)]
    x = torch.zeros(1, 1, 64, 64, requires_grad=True)
    y = x
    for layer in layers:
        y = torch.nn.functional.conv2d(y, torch.ones(1, 1, layer.kernel, layer.kernel),
                                       stride=layer.stride, dilation=layer.dilation)
    y[0, 0, 3, 3].backward()
    rows = torch.nonzero(x.grad[0, 0].abs().sum(dim=1)).flatten()
    assert int(rows.max() - rows.min() + 1) == arithmetic.receptive_fields(layers)[-1]


def test_multiplications():
    assert arithmetic.conv_multiplications(30, 30, 3, 3, 8) == 30 * 30 * 27 * 8
