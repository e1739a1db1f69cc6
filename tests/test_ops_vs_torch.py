"""cnnviz.ops against torch.nn.functional, the oracle, over random shapes and settings."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cnnviz import ops
from cnnviz.errors import InvalidInput

settings.register_profile("cnnviz", max_examples=150, deadline=None)
settings.load_profile("cnnviz")

small = st.integers(1, 3)
side = st.integers(1, 12)
pair = st.one_of(small, st.tuples(small, small))


def _pair(v):
    return v if isinstance(v, tuple) else (v, v)


def arrays(draw, shape):
    seed = draw(st.integers(0, 2**32 - 1))
    return np.random.default_rng(seed).standard_normal(shape)


def torch_conv(x3, w4, bias, stride, pads, dilation):
    """torch's conv2d with explicit (possibly uneven) zero padding."""
    (top, bottom), (left, right) = pads
    xt = F.pad(torch.from_numpy(x3)[None], (left, right, top, bottom))
    bt = None if bias is None else torch.from_numpy(np.broadcast_to(bias, (w4.shape[0],)).copy())
    return F.conv2d(xt, torch.from_numpy(w4), bt, stride=stride, dilation=dilation)[0].numpy()


@st.composite
def conv_case(draw):
    channels, filters = draw(small), draw(st.integers(1, 4))
    kh, kw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    h, w = draw(side), draw(side)
    stride, dilation = _pair(draw(pair)), _pair(draw(pair))
    padding = draw(st.one_of(st.sampled_from(["valid", "same", "full"]), st.integers(0, 3),
                             st.tuples(st.integers(0, 3), st.integers(0, 3))))
    x = arrays(draw, (channels, h, w))
    weights = arrays(draw, (filters, channels, kh, kw))
    bias = draw(st.one_of(st.none(), st.just("vector"), st.floats(-2, 2)))
    if bias == "vector":
        bias = arrays(draw, (filters,))
    return x, weights, bias, stride, padding, dilation


def fits(x, w, stride, padding, dilation):
    try:
        ops.conv_geometry(x.shape, w.shape, stride, padding, dilation)
        return True
    except InvalidInput:
        return False


@given(conv_case())
def test_conv2d_bank_matches_torch(case):
    x, w, bias, stride, padding, dilation = case
    assume(fits(x, w, stride, padding, dilation))
    _, _, pads, out_shape = ops.conv_geometry(x.shape, w.shape, stride, padding, dilation)
    ours = ops.conv2d(x, w, bias, stride, padding, dilation)
    expected = torch_conv(x, w, bias, stride, pads, dilation)
    assert ours.shape == expected.shape == (w.shape[0], *out_shape)
    np.testing.assert_allclose(ours, expected, rtol=1e-10, atol=1e-10)


@given(conv_case())
def test_single_filter_and_2d_forms_match_the_bank(case):
    x, w, bias, stride, padding, dilation = case
    assume(fits(x, w, stride, padding, dilation))
    b = None if bias is None else np.broadcast_to(bias, (w.shape[0],))[0]
    one = ops.conv2d(x, w[0], b, stride, padding, dilation)
    np.testing.assert_allclose(one, ops.conv2d(x, w[:1], b, stride, padding, dilation)[0])
    flat = ops.conv2d(x[0], w[0, 0], b, stride, padding, dilation)
    np.testing.assert_allclose(flat, ops.conv2d(x[:1], w[:1, :1], b, stride, padding, dilation)[0])


@pytest.mark.filterwarnings("ignore:Using padding=.same.")
@given(st.integers(1, 12), st.integers(1, 6), st.integers(1, 3), st.integers(1, 3))
def test_same_padding_follows_keras_and_equals_torch_same_at_stride_1(n, k, stride, dilation):
    x = np.random.default_rng(n * 31 + k).standard_normal((1, n, n + 1))
    w = np.random.default_rng(k).standard_normal((2, 1, k, k))
    out = ops.conv2d(x, w, stride=stride, padding="same", dilation=dilation)
    assert out.shape[1:] == (math.ceil(n / stride), math.ceil((n + 1) / stride))
    if stride == 1:
        expected = F.conv2d(torch.from_numpy(x)[None], torch.from_numpy(w), padding="same",
                            dilation=dilation)[0].numpy()
        np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-10)


@given(conv_case())
def test_convolve2d_is_correlation_with_the_flipped_kernel(case):
    x, w, bias, stride, padding, dilation = case
    assume(fits(x, w, stride, padding, dilation))
    _, _, pads, _ = ops.conv_geometry(x.shape, w.shape, stride, padding, dilation)
    flipped = w[..., ::-1, ::-1].copy()
    expected = torch_conv(x, flipped, bias, stride, pads, dilation)
    np.testing.assert_allclose(ops.convolve2d(x, w, bias, stride, padding, dilation), expected,
                               rtol=1e-10, atol=1e-10)


def test_convolve2d_flips_an_asymmetric_kernel():
    x = np.zeros((5, 5))
    x[2, 2] = 1.0                      # an impulse: convolution reproduces the kernel
    k = np.arange(9.0).reshape(3, 3)
    np.testing.assert_array_equal(ops.convolve2d(x, k), k)
    np.testing.assert_array_equal(ops.conv2d(x, k), k[::-1, ::-1])


@given(st.data())
def test_conv_transpose2d_matches_torch(data):
    channels, filters = data.draw(small), data.draw(st.integers(1, 3))
    kh, kw = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    h, w = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 6))
    stride, dilation = _pair(data.draw(pair)), _pair(data.draw(pair))
    padding = (data.draw(st.integers(0, 2)), data.draw(st.integers(0, 2)))
    output_padding = tuple(data.draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    x = arrays(data.draw, (channels, h, w))
    weights = arrays(data.draw, (channels, filters, kh, kw))
    bias = arrays(data.draw, (filters,))
    full = [(n - 1) * s + d * (k - 1) + 1 + op - 2 * p
            for n, s, d, k, op, p in zip((h, w), stride, dilation, (kh, kw), output_padding, padding)]
    assume(min(full) >= 1)
    ours = ops.conv_transpose2d(x, weights, bias, stride, padding, output_padding, dilation)
    expected = F.conv_transpose2d(torch.from_numpy(x)[None], torch.from_numpy(weights), torch.from_numpy(bias),
                                  stride=stride, padding=padding, output_padding=output_padding,
                                  dilation=dilation)[0].numpy()
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, rtol=1e-10, atol=1e-10)


def test_conv_transpose2d_single_channel_form():
    x, k = np.arange(4.0).reshape(2, 2), np.ones((3, 3))
    out = ops.conv_transpose2d(x, k, stride=2)
    assert out.shape == (5, 5)
    np.testing.assert_allclose(out, ops.conv_transpose2d(x[None], k[None, None], stride=2)[0])


@st.composite
def pool_case(draw):
    kernel = draw(pair)
    kh, kw = _pair(kernel)
    stride = draw(st.one_of(st.none(), pair))
    padding = (draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2)))
    x = arrays(draw, (draw(small), draw(side), draw(side)))
    return x, kernel, stride, padding


@pytest.mark.parametrize("mode", ["max", "avg"])
@given(case=pool_case())
def test_pooling_matches_torch(mode, case):
    x, kernel, stride, padding = case
    try:
        ops.pool_geometry(x.shape, kernel, stride, padding)
    except InvalidInput:
        assume(False)
    ours = (ops.max_pool2d if mode == "max" else ops.avg_pool2d)(x, kernel, stride, padding)
    torch_pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    expected = torch_pool(torch.from_numpy(x)[None], kernel, stride if stride is not None else kernel,
                          padding)[0].numpy()
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose((ops.max_pool2d if mode == "max" else ops.avg_pool2d)(
        x[0], kernel, stride, padding), expected[0], rtol=1e-12)


@given(st.integers(1, 4), st.integers(1, 9), st.integers(1, 9))
def test_global_pooling_matches_torch(c, h, w):
    x = np.random.default_rng(c * h * w).standard_normal((c, h, w))
    xt = torch.from_numpy(x)[None]
    np.testing.assert_allclose(ops.global_avg_pool(x), F.adaptive_avg_pool2d(xt, 1).flatten().numpy())
    np.testing.assert_allclose(ops.global_max_pool(x), F.adaptive_max_pool2d(xt, 1).flatten().numpy())


@given(st.lists(st.floats(-800, 800, allow_nan=False), min_size=1, max_size=30),
       st.floats(0.001, 0.5))
def test_activations_match_torch(values, slope):
    x = np.array(values)
    xt = torch.from_numpy(x)
    np.testing.assert_allclose(ops.relu(x), F.relu(xt).numpy())
    np.testing.assert_allclose(ops.leaky_relu(x, slope), F.leaky_relu(xt, slope).numpy())
    np.testing.assert_allclose(ops.sigmoid(x), torch.sigmoid(xt).numpy(), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(ops.tanh(x), torch.tanh(xt).numpy())
    np.testing.assert_allclose(ops.softmax(x), F.softmax(xt, dim=-1).numpy(), rtol=1e-10, atol=1e-300)


def test_softmax_along_an_axis_sums_to_one():
    x = np.random.default_rng(0).standard_normal((3, 5)) * 50
    for axis in (0, 1, -1):
        p = ops.softmax(x, axis=axis)
        np.testing.assert_allclose(p.sum(axis=axis), 1.0)
        np.testing.assert_allclose(p, F.softmax(torch.from_numpy(x), dim=axis).numpy())


@given(st.integers(1, 40), st.integers(1, 7), st.integers(1, 4), st.integers(0, 3), st.integers(1, 3))
def test_output_size_is_the_shape_torch_produces(n, k, s, p, d):
    span = d * (k - 1) + 1
    if span > n + 2 * p:
        with pytest.raises(ValueError):
            ops.output_size(n, k, s, p, d)
        return
    out = F.conv2d(torch.zeros(1, 1, n, 1), torch.zeros(1, 1, k, 1), stride=(s, 1), padding=(p, 0),
                   dilation=(d, 1))
    assert ops.output_size(n, k, s, p, d) == out.shape[2]


def test_float32_input_stays_float32_and_integers_become_float64():
    x32 = np.ones((4, 4), np.float32)
    assert ops.conv2d(x32, np.ones((3, 3), np.float32)).dtype == np.float32
    assert ops.conv2d(np.ones((4, 4), int), np.ones((3, 3), int)).dtype == np.float64
