"""Per-output-cell traces of a convolution or a pooling, for animations and the arithmetic view.

A trace is only built for teaching-sized grids: a page that animates a
512x512 photo cell by cell would send megabytes to the browser and teach
nothing more than a 12x12 crop does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz import ops
from cnnviz.errors import InvalidInput

MAX_TRACE_SIDE = 64


@dataclass(frozen=True)
class ConvStep:
    out_index: tuple[int, int]
    rows: np.ndarray          # row of each kernel tap in the padded input, (kh,)
    cols: np.ndarray          # column of each kernel tap in the padded input, (kw,)
    patch: np.ndarray         # input values under the taps, shaped like the kernel
    products: np.ndarray      # patch * kernel
    bias: float
    value: float              # products.sum() + bias: the output cell
    channel_sums: np.ndarray | None = None  # (C,) per-channel sums, for a 3-D kernel


@dataclass(frozen=True)
class ConvTrace:
    padded: np.ndarray        # the input with its padding, (H+pt+pb, W+pl+pr) or (C, ...)
    pads: tuple[tuple[int, int], tuple[int, int]]
    kernel: np.ndarray
    output: np.ndarray        # cnnviz.ops.conv2d of the same arguments
    steps: list[ConvStep]


@dataclass(frozen=True)
class PoolStep:
    out_index: tuple[int, int]
    rows: np.ndarray
    cols: np.ndarray
    patch: np.ndarray         # window values; padding is -inf for max, 0 for average
    value: float
    winner: tuple[int, int] | None = None  # (row, col) in the padded input of the max


@dataclass(frozen=True)
class PoolTrace:
    padded: np.ndarray
    padding: tuple[int, int]
    output: np.ndarray
    steps: list[PoolStep]


def _check_traceable(out_shape) -> None:
    if max(out_shape) > MAX_TRACE_SIDE:
        raise InvalidInput("errors.trace_too_large", size=f"{out_shape[0]}x{out_shape[1]}",
                           limit=MAX_TRACE_SIDE)


def conv_trace(x, w, bias=None, stride=1, padding=0, dilation=1) -> ConvTrace:
    """One filter's convolution, cell by cell. ``w`` is (kh,kw) or (C,kh,kw)."""
    w = np.asarray(w, dtype=np.float64)
    if w.ndim not in (2, 3):
        raise InvalidInput("errors.trace_one_filter", ndim=w.ndim)
    output = ops.conv2d(x, w, bias, stride, padding, dilation)
    x3 = np.asarray(x, dtype=np.float64)
    x3 = x3[None] if x3.ndim == 2 else x3
    (sh, sw), (dh, dw), pads, out_shape = ops.conv_geometry(x3.shape, w.shape, stride, padding, dilation)
    _check_traceable(out_shape)
    padded3 = ops.pad_input(x3, pads)
    kh, kw = w.shape[-2:]
    b = 0.0 if bias is None else float(np.asarray(bias, dtype=np.float64).reshape(-1)[0])
    steps = []
    for i in range(out_shape[0]):
        for j in range(out_shape[1]):
            rows = i * sh + dh * np.arange(kh)
            cols = j * sw + dw * np.arange(kw)
            patch = padded3[:, rows[:, None], cols[None, :]]
            patch = patch if w.ndim == 3 else patch[0]
            products = patch * w
            sums = products.sum(axis=(1, 2)) if w.ndim == 3 else None
            steps.append(ConvStep((i, j), rows, cols, patch, products, b, float(products.sum() + b), sums))
    padded = padded3 if np.ndim(x) == 3 else padded3[0]
    return ConvTrace(padded, pads, w, output, steps)


def conv_steps(x, w, bias=None, stride=1, padding=0, dilation=1) -> list[ConvStep]:
    """The steps of ``conv_trace``: one per output cell, in row-major order."""
    return conv_trace(x, w, bias, stride, padding, dilation).steps


def pool_trace(x, kernel_size, stride=None, padding=0, mode: str = "max") -> PoolTrace:
    """One (H,W) map's max or average pooling, window by window."""
    if mode not in ("max", "avg"):
        raise InvalidInput("errors.pool_mode", mode=mode)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise InvalidInput("errors.trace_one_map", ndim=x.ndim)
    fill = -np.inf if mode == "max" else 0.0
    windows = ops.pool_windows(x, kernel_size, stride, padding, fill=fill)[0]
    (kh, kw), (sh, sw), (ph, pw), out_shape = ops.pool_geometry(x.shape, kernel_size, stride, padding)
    _check_traceable(out_shape)
    output = ops.max_pool2d(x, kernel_size, stride, padding) if mode == "max" \
        else ops.avg_pool2d(x, kernel_size, stride, padding)
    steps = []
    for i in range(out_shape[0]):
        for j in range(out_shape[1]):
            rows, cols = i * sh + np.arange(kh), j * sw + np.arange(kw)
            patch = np.array(windows[i, j])
            winner = None
            if mode == "max":
                r, c = np.unravel_index(int(np.argmax(patch)), patch.shape)
                winner = (int(rows[r]), int(cols[c]))
                value = float(patch[r, c])
            else:
                value = float(patch.mean())
            steps.append(PoolStep((i, j), rows, cols, patch, value, winner))
    padded = ops.pad_input(x[None], ((ph, ph), (pw, pw)), value=fill)[0]
    return PoolTrace(padded, (ph, pw), output, steps)


def pool_steps(x, kernel_size, stride=None, padding=0, mode: str = "max") -> list[PoolStep]:
    """The steps of ``pool_trace``: one per output cell, in row-major order."""
    return pool_trace(x, kernel_size, stride, padding, mode).steps
