"""Convolution, pooling and activations in plain numpy, numbered as PyTorch numbers them.

Everything here takes numpy arrays and returns numpy arrays. Integer input is
computed in float64; floating input keeps its precision. ``torch.nn.functional``
is the oracle: the property tests check every function against it.

Convolution is done the way frameworks do it (im2col): every kernel tap copies
the input pixels it touches into one row of a matrix, and one matrix product
with the flattened filters gives every output cell at once. The only Python
loop is over the kh x kw taps of the kernel, never over pixels.
"""

from __future__ import annotations

import math
from typing import Union

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnnviz.errors import InvalidInput

Pair = Union[int, tuple[int, int]]
Padding = Union[int, tuple[int, int], str]
PADDING_MODES = ("valid", "same", "full")


# ---------------------------------------------------------------- arguments

def _whole(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InvalidInput("errors.not_whole_number", name=name, value=value)
    return int(value)


def _pair(value, name: str, minimum: int) -> tuple[int, int]:
    """An int or an (h, w) pair of ints, each at least ``minimum``."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise InvalidInput("errors.not_pair", name=name, value=value)
        pair = (_whole(value[0], name), _whole(value[1], name))
    else:
        pair = (_whole(value, name),) * 2
    if min(pair) < minimum:
        key = "errors.padding_negative" if minimum == 0 else "errors.at_least_one"
        raise InvalidInput(key, name=name, value=value)
    return pair


def _as_float_array(x, name: str) -> np.ndarray:
    try:
        array = np.asarray(x)
        if not np.issubdtype(array.dtype, np.floating):
            array = array.astype(np.float64)
    except (TypeError, ValueError):
        raise InvalidInput("errors.not_numeric", name=name) from None
    if array.size == 0:
        raise InvalidInput("errors.empty", name=name)
    return array


def _size_text(h: int, w: int) -> str:
    return f"{h}x{w}"


def output_size(n: int, k: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """Cells along one axis: floor((n + 2p - d(k-1) - 1) / s) + 1."""
    n, k = _whole(n, "input size"), _whole(k, "kernel size")
    stride, padding, dilation = (_whole(v, name) for v, name in
                                 ((stride, "stride"), (padding, "padding"), (dilation, "dilation")))
    for value, name in ((n, "input size"), (k, "kernel size"), (stride, "stride"), (dilation, "dilation")):
        if value < 1:
            raise InvalidInput("errors.at_least_one", name=name, value=value)
    if padding < 0:
        raise InvalidInput("errors.padding_negative", name="padding", value=padding)
    span = dilation * (k - 1) + 1
    if span > n + 2 * padding:
        raise InvalidInput("errors.kernel_too_large_1d", span=span, padded=n + 2 * padding)
    return (n + 2 * padding - span) // stride + 1


def resolve_padding(padding: Padding, size: tuple[int, int], kernel: tuple[int, int],
                    stride: tuple[int, int], dilation: tuple[int, int]
                    ) -> tuple[tuple[int, int], tuple[int, int]]:
    """Padding as ((top, bottom), (left, right)) pixels.

    "valid" adds none; "full" adds d(k-1) on every side; "same" follows Keras:
    the output has ceil(n/s) cells and an odd pixel of padding goes to the
    bottom/right (at stride 1 that is exactly PyTorch's "same").
    """
    if isinstance(padding, str):
        mode = padding.lower()
        if mode not in PADDING_MODES:
            raise InvalidInput("errors.padding_unknown", value=padding)
        per_axis = []
        for n, k, s, d in zip(size, kernel, stride, dilation):
            span = d * (k - 1) + 1
            if mode == "valid":
                per_axis.append((0, 0))
            elif mode == "full":
                per_axis.append((span - 1, span - 1))
            else:
                total = max((math.ceil(n / s) - 1) * s + span - n, 0)
                per_axis.append((total // 2, total - total // 2))
        return per_axis[0], per_axis[1]
    ph, pw = _pair(padding, "padding", minimum=0)
    return (ph, ph), (pw, pw)


# ---------------------------------------------------------------- convolution

def _conv_operands(x, w):
    """(C,H,W) input, (O,C,kh,kw) filters, and whether one filter was given."""
    x = _as_float_array(x, "input")
    w = _as_float_array(w, "kernel")
    if x.ndim not in (2, 3):
        raise InvalidInput("errors.input_ndim", ndim=x.ndim)
    if w.ndim not in (2, 3, 4):
        raise InvalidInput("errors.kernel_ndim", ndim=w.ndim)
    x3 = x[None] if x.ndim == 2 else x
    single = w.ndim < 4
    w4 = w[None, None] if w.ndim == 2 else (w[None] if w.ndim == 3 else w)
    if w4.shape[1] != x3.shape[0]:
        raise InvalidInput("errors.channel_mismatch", kernel_channels=w4.shape[1],
                           input_channels=x3.shape[0])
    dtype = np.result_type(x3.dtype, w4.dtype)
    return x3.astype(dtype, copy=False), w4.astype(dtype, copy=False), single


def _bias_vector(bias, filters: int, dtype) -> np.ndarray:
    if bias is None:
        return np.zeros(filters, dtype)
    b = _as_float_array(bias, "bias").astype(dtype, copy=False).reshape(-1)
    if b.size == 1:
        return np.full(filters, b[0], dtype)
    if b.size != filters:
        raise InvalidInput("errors.bias_count", filters=filters, biases=b.size)
    return b


def conv_geometry(x_shape, w_shape, stride: Pair = 1, padding: Padding = 0, dilation: Pair = 1):
    """Resolve stride, dilation and padding for a (C,H,W) input and (kh,kw) kernel.

    Returns (stride, dilation, ((top,bottom),(left,right)), (OH, OW)), or raises
    ``InvalidInput`` when the kernel does not fit the padded input.
    """
    stride = _pair(stride, "stride", minimum=1)
    dilation = _pair(dilation, "dilation", minimum=1)
    size, kernel = tuple(x_shape[-2:]), tuple(w_shape[-2:])
    pads = resolve_padding(padding, size, kernel, stride, dilation)
    out = []
    for n, k, s, d, (before, after) in zip(size, kernel, stride, dilation, pads):
        span, padded = d * (k - 1) + 1, n + before + after
        if span > padded:
            padded_text = _size_text(size[0] + sum(pads[0]), size[1] + sum(pads[1]))
            if dilation != (1, 1):
                spans = (d_ * (k_ - 1) + 1 for d_, k_ in zip(dilation, kernel))
                raise InvalidInput("errors.dilated_kernel_too_large", kernel=_size_text(*kernel),
                                   span=_size_text(*spans), padded=padded_text)
            raise InvalidInput("errors.kernel_too_large", kernel=_size_text(*kernel), padded=padded_text)
        out.append((padded - span) // s + 1)
    return stride, dilation, pads, tuple(out)


def pad_input(x3: np.ndarray, pads, value: float = 0.0) -> np.ndarray:
    """Pad the two spatial axes of a (C,H,W) array."""
    (top, bottom), (left, right) = pads
    return np.pad(x3, ((0, 0), (top, bottom), (left, right)), constant_values=value)


def _correlate(x, w, bias=None, stride: Pair = 1, padding: Padding = 0, dilation: Pair = 1):
    x3, w4, single = _conv_operands(x, w)
    (sh, sw), (dh, dw), pads, (oh, ow) = conv_geometry(x3.shape, w4.shape, stride, padding, dilation)
    filters, channels, kh, kw = w4.shape
    padded = pad_input(x3, pads)
    columns = np.empty((channels, kh, kw, oh, ow), dtype=x3.dtype)
    for i in range(kh):
        for j in range(kw):
            columns[:, i, j] = padded[:, i * dh: i * dh + (oh - 1) * sh + 1: sh,
                                      j * dw: j * dw + (ow - 1) * sw + 1: sw]
    out = (w4.reshape(filters, -1) @ columns.reshape(-1, oh * ow)).reshape(filters, oh, ow)
    out += _bias_vector(bias, filters, out.dtype)[:, None, None]
    return out[0] if single else out


def conv2d(x, w, bias=None, stride: Pair = 1, padding: Padding = 0, dilation: Pair = 1) -> np.ndarray:
    """Cross-correlation, as ``torch.nn.functional.conv2d`` computes it.

    ``x``: (H,W) or (C,H,W). ``w``: (kh,kw) for a 2-D input, (C,kh,kw) for one
    filter, (O,C,kh,kw) for a bank. One filter gives (OH,OW); a bank (O,OH,OW).
    ``padding``: int, (ph,pw), "valid", "same" or "full". ``bias``: None, a
    number, or one value per filter.
    """
    return _correlate(x, w, bias, stride, padding, dilation)


def convolve2d(x, w, bias=None, stride: Pair = 1, padding: Padding = 0, dilation: Pair = 1) -> np.ndarray:
    """True convolution: ``conv2d`` with the kernel flipped in both spatial axes."""
    w = _as_float_array(w, "kernel")
    return _correlate(x, w[..., ::-1, ::-1], bias, stride, padding, dilation)


def conv_transpose2d(x, w, bias=None, stride: Pair = 1, padding: Pair = 0,
                     output_padding: Pair = 0, dilation: Pair = 1) -> np.ndarray:
    """Transposed convolution, as ``torch.nn.functional.conv_transpose2d``.

    ``x`` (C,H,W) with ``w`` (C,O,kh,kw) gives (O,OH,OW); ``x`` (H,W) with
    ``w`` (kh,kw) gives (OH,OW). Every input pixel stamps the kernel, scaled by
    its value, onto the output ``stride`` pixels apart; ``padding`` then crops
    that many pixels from each border. OH = (H-1)s - 2p + d(kh-1) + op + 1.
    """
    x = _as_float_array(x, "input")
    w = _as_float_array(w, "kernel")
    if x.ndim not in (2, 3):
        raise InvalidInput("errors.input_ndim", ndim=x.ndim)
    single = x.ndim == 2
    if single and w.ndim != 2:
        raise InvalidInput("errors.transpose_kernel_2d", ndim=w.ndim)
    if not single and w.ndim != 4:
        raise InvalidInput("errors.transpose_kernel_4d", ndim=w.ndim)
    x3 = x[None] if single else x
    w4 = w[None, None] if single else w
    if w4.shape[0] != x3.shape[0]:
        raise InvalidInput("errors.channel_mismatch", kernel_channels=w4.shape[0],
                           input_channels=x3.shape[0])
    dtype = np.result_type(x3.dtype, w4.dtype)
    (sh, sw) = _pair(stride, "stride", minimum=1)
    (dh, dw) = _pair(dilation, "dilation", minimum=1)
    (ph, pw) = _pair(padding, "padding", minimum=0)
    (oph, opw) = _pair(output_padding, "output padding", minimum=0)
    if oph >= max(sh, dh) or opw >= max(sw, dw):
        raise InvalidInput("errors.output_padding_too_large")
    channels, filters, kh, kw = w4.shape
    _, h, wd = x3.shape
    full_h = (h - 1) * sh + dh * (kh - 1) + 1 + oph
    full_w = (wd - 1) * sw + dw * (kw - 1) + 1 + opw
    oh, ow = full_h - 2 * ph, full_w - 2 * pw
    if oh < 1 or ow < 1:
        raise InvalidInput("errors.transpose_cropped_away", full=_size_text(full_h, full_w),
                           padding=_size_text(ph, pw))
    full = np.zeros((filters, full_h, full_w), dtype)
    for i in range(kh):
        for j in range(kw):
            stamp = np.tensordot(w4[:, :, i, j], x3, axes=([0], [0]))  # (O, H, W)
            full[:, i * dh: i * dh + (h - 1) * sh + 1: sh, j * dw: j * dw + (wd - 1) * sw + 1: sw] += stamp
    out = full[:, ph: ph + oh, pw: pw + ow] + _bias_vector(bias, filters, dtype)[:, None, None]
    return out[0] if single else out


# ---------------------------------------------------------------- pooling

def pool_geometry(x_shape, kernel_size: Pair, stride: Pair | None = None, padding: Pair = 0):
    """Resolve a pooling window: (kernel, stride, padding, (OH, OW)) or ``InvalidInput``.

    As in PyTorch the stride defaults to the window and padding may be at most
    half the window.
    """
    kernel = _pair(kernel_size, "pooling window", minimum=1)
    stride = kernel if stride is None else _pair(stride, "stride", minimum=1)
    pad = _pair(padding, "padding", minimum=0)
    for p, k in zip(pad, kernel):
        if 2 * p > k:
            raise InvalidInput("errors.pool_padding_too_large", padding=p, window=_size_text(*kernel))
    h, w = x_shape[-2:]
    padded = (h + 2 * pad[0], w + 2 * pad[1])
    if kernel[0] > padded[0] or kernel[1] > padded[1]:
        raise InvalidInput("errors.pool_window_too_large", window=_size_text(*kernel),
                           padded=_size_text(*padded))
    out = tuple((n - k) // s + 1 for n, k, s in zip(padded, kernel, stride))
    return kernel, stride, pad, out


def pool_windows(x, kernel_size: Pair, stride: Pair | None = None, padding: Pair = 0,
                 fill: float = 0.0) -> np.ndarray:
    """Every pooling window as a view of shape (C, OH, OW, kh, kw) (input 2-D: C = 1)."""
    x = _as_float_array(x, "input")
    if x.ndim not in (2, 3):
        raise InvalidInput("errors.input_ndim", ndim=x.ndim)
    x3 = x[None] if x.ndim == 2 else x
    kernel, (sh, sw), (ph, pw), (oh, ow) = pool_geometry(x3.shape, kernel_size, stride, padding)
    padded = pad_input(x3, ((ph, ph), (pw, pw)), value=fill)
    windows = sliding_window_view(padded, kernel, axis=(1, 2))
    return windows[:, : (oh - 1) * sh + 1: sh, : (ow - 1) * sw + 1: sw]


def _window_taps(x, kernel_size: Pair, stride: Pair | None, padding: Pair, fill: float):
    """For each tap of the window, the (C, OH, OW) view of the pixels it reads (input 2-D: C = 1).

    Reducing these kh x kw views tap by tap is a handful of whole-array
    operations, several times faster than reducing a sliding-window view.
    """
    x = _as_float_array(x, "input")
    if x.ndim not in (2, 3):
        raise InvalidInput("errors.input_ndim", ndim=x.ndim)
    x3 = x[None] if x.ndim == 2 else x
    (kh, kw), (sh, sw), (ph, pw), (oh, ow) = pool_geometry(x3.shape, kernel_size, stride, padding)
    padded = pad_input(x3, ((ph, ph), (pw, pw)), value=fill)
    return [padded[:, i: i + (oh - 1) * sh + 1: sh, j: j + (ow - 1) * sw + 1: sw]
            for i in range(kh) for j in range(kw)]


def max_pool2d(x, kernel_size: Pair, stride: Pair | None = None, padding: Pair = 0) -> np.ndarray:
    """Largest value of each window; padding never wins (it is -inf, as in PyTorch)."""
    taps = _window_taps(x, kernel_size, stride, padding, fill=-np.inf)
    out = taps[0].copy()
    for tap in taps[1:]:
        np.maximum(out, tap, out=out)
    return out[0] if np.ndim(x) == 2 else out


def avg_pool2d(x, kernel_size: Pair, stride: Pair | None = None, padding: Pair = 0) -> np.ndarray:
    """Mean of each window; padded zeros count (PyTorch's count_include_pad=True)."""
    taps = _window_taps(x, kernel_size, stride, padding, fill=0.0)
    out = taps[0].copy()
    for tap in taps[1:]:
        out += tap
    out /= len(taps)
    return out[0] if np.ndim(x) == 2 else out


def _channels(x) -> np.ndarray:
    x = _as_float_array(x, "input")
    if x.ndim not in (2, 3):
        raise InvalidInput("errors.input_ndim", ndim=x.ndim)
    return x[None] if x.ndim == 2 else x


def global_avg_pool(x) -> np.ndarray:
    """(C,H,W) -> (C,): each feature map's mean."""
    return _channels(x).mean(axis=(1, 2))


def global_max_pool(x) -> np.ndarray:
    """(C,H,W) -> (C,): each feature map's largest value."""
    return _channels(x).max(axis=(1, 2))


# ---------------------------------------------------------------- activations

def relu(x) -> np.ndarray:
    return np.maximum(_as_float_array(x, "input"), 0)


def leaky_relu(x, slope: float = 0.01) -> np.ndarray:
    x = _as_float_array(x, "input")
    return np.where(x > 0, x, slope * x)


def sigmoid(x) -> np.ndarray:
    """1 / (1 + e^-x), computed without overflow for large |x|."""
    x = _as_float_array(x, "input")
    return np.exp(-np.logaddexp(0, -x))


def tanh(x) -> np.ndarray:
    return np.tanh(_as_float_array(x, "input"))


def softmax(x, axis: int = -1) -> np.ndarray:
    """e^x normalised to sum to 1 along ``axis`` (shifted by the max, so it never overflows)."""
    x = _as_float_array(x, "input")
    if not -x.ndim <= axis < x.ndim:
        raise InvalidInput("errors.bad_axis", axis=axis, ndim=x.ndim)
    shifted = np.exp(x - x.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)
