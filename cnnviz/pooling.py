"""What the pooling lesson compares: shifted inputs, and pooling against a strided convolution."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz import arithmetic, ops
from cnnviz.errors import InvalidInput


def pool(x, kernel: int, stride: int | None = None, padding: int = 0, mode: str = "max") -> np.ndarray:
    return (ops.max_pool2d if mode == "max" else ops.avg_pool2d)(x, kernel, stride, padding)


@dataclass(frozen=True)
class ShiftComparison:
    original: np.ndarray
    shifted: np.ndarray          # the same grid moved right by ``shift`` pixels (zeros fill in)
    pooled: np.ndarray
    pooled_shifted: np.ndarray
    changed: np.ndarray          # True where pooling the shifted grid gave another value

    @property
    def unchanged_share(self) -> float:
        return float(1 - self.changed.mean())


def shift_comparison(x: np.ndarray, shift: int, kernel: int = 2, mode: str = "max") -> ShiftComparison:
    """Pool ``x`` and ``x`` shifted right by ``shift`` pixels, and mark the pooled cells that changed."""
    x = np.asarray(x, dtype=float)
    if not 0 <= shift < x.shape[1]:
        raise InvalidInput("errors.layers.shift", shift=shift, width=x.shape[1])
    moved = np.zeros_like(x)
    moved[:, shift:] = x[:, : x.shape[1] - shift]
    pooled, pooled_moved = pool(x, kernel, mode=mode), pool(moved, kernel, mode=mode)
    return ShiftComparison(x, moved, pooled, pooled_moved, ~np.isclose(pooled, pooled_moved))


@dataclass(frozen=True)
class Downsampler:
    """One way to halve a feature map: its output size, parameters and multiplications."""
    output: int
    parameters: int
    multiplications: int


def pooling_vs_strided_conv(side: int, channels: int, kernel: int = 2, conv_kernel: int = 3
                            ) -> tuple[Downsampler, Downsampler]:
    """A kxk/stride-2 pooling and a same-padded stride-2 convolution keeping ``channels`` channels."""
    pooled = ops.output_size(side, kernel, kernel)
    conv = ops.output_size(side, conv_kernel, 2, (conv_kernel - 1) // 2)
    return (Downsampler(pooled, 0, 0),
            Downsampler(conv, arithmetic.conv_params(conv_kernel, channels, channels),
                        arithmetic.conv_multiplications(conv, conv, conv_kernel, channels, channels)))


def shift_profile(x: np.ndarray, shifts, kernel: int = 2, mode: str = "max") -> dict[int, float]:
    """For each shift, the share of pooled cells that stayed the same: where the tolerance breaks."""
    return {shift: shift_comparison(x, shift, kernel, mode).unchanged_share for shift in shifts}


@dataclass(frozen=True)
class SideBySide:
    """One input halved twice: by 2x2 max pooling, and by a 3x3 convolution with stride 2 and padding 1."""
    x: np.ndarray
    pooled: np.ndarray
    kernel: np.ndarray
    convolved: np.ndarray


def pool_and_strided_conv(x: np.ndarray, kernel: np.ndarray) -> SideBySide:
    """Both downsamplings of the same ``x``; the kernel stands in for weights a network would learn."""
    kernel = np.asarray(kernel, dtype=float)
    return SideBySide(np.asarray(x, dtype=float), ops.max_pool2d(x, 2), kernel,
                      ops.conv2d(x, kernel, stride=2, padding=(kernel.shape[0] - 1) // 2))


def pooled_pictures(gray: np.ndarray, times: int) -> dict[str, np.ndarray]:
    """A grey picture 2x2/stride-2 max- and average-pooled ``times`` times (each pass halves each side),
    as uint8 arrays at their pooled size."""
    results = {"max": np.asarray(gray, dtype=float), "avg": np.asarray(gray, dtype=float)}
    for _ in range(times):
        results = {mode: pool(picture, 2, mode=mode) for mode, picture in results.items()}
    return {mode: np.clip(np.round(picture), 0, 255).astype(np.uint8) for mode, picture in results.items()}
