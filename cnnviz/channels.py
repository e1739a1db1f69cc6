"""Colour images through a convolution: one kernel per channel, summed, plus the bias."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz import ops
from cnnviz.errors import InvalidInput
from cnnviz.kernels import named_kernel

COLOURS = ("red", "green", "blue")           # the channels of an RGB picture, in order
CHANNEL_FILTERS = ("sobel_all", "only_red", "luminance", "red_minus_green", "random")
BANK_CLASSICS = ("sobel_x", "sobel_y", "laplacian", "box_blur", "sharpen", "outline")


def split(rgb: np.ndarray) -> np.ndarray:
    """uint8 (H, W, 3) -> float (3, H, W) in 0..1: the layout a convolution reads."""
    return np.moveaxis(np.asarray(rgb, dtype=np.float64)[..., :3] / 255, -1, 0)


def tint(channel: np.ndarray, index: int) -> np.ndarray:
    """One channel (0..1) shown in its own colour: the red channel as shades of red, and so on."""
    picture = np.zeros(channel.shape + (3,))
    picture[..., index] = channel
    return (picture * 255).round().astype(np.uint8)


def channel_filter(name: str, seed: int = 0) -> np.ndarray:
    """A (3, 3, 3) filter: one 3x3 kernel per input channel (see CHANNEL_FILTERS)."""
    identity, zero = named_kernel("identity"), np.zeros((3, 3))
    if name == "sobel_all":
        return np.stack([named_kernel("sobel_x")] * 3)
    if name == "only_red":
        return np.stack([identity, zero, zero])
    if name == "luminance":
        return np.stack([0.299 * identity, 0.587 * identity, 0.114 * identity])
    if name == "red_minus_green":
        return np.stack([identity, -identity, zero])
    if name == "random":
        return np.random.default_rng(seed).integers(-2, 3, (3, 3, 3)).astype(float)
    raise InvalidInput("errors.unknown_kernel", name=name)


def filter_bank(count: int, seed: int = 0) -> np.ndarray:
    """(count, 3, 3, 3): classic kernels on every channel first, then random ones."""
    classics = [np.stack([named_kernel(name)] * 3) for name in BANK_CLASSICS]
    rng = np.random.default_rng(seed)
    extra = [rng.normal(0, 1, (3, 3, 3)) for _ in range(max(count - len(classics), 0))]
    return np.stack((classics + extra)[:count])


@dataclass(frozen=True)
class ChannelSum:
    per_channel: np.ndarray   # (3, H, W): each channel convolved with its own kernel
    bias: float

    @property
    def total(self) -> np.ndarray:
        """The feature map: the per-channel maps summed, plus the bias."""
        return self.per_channel.sum(axis=0) + self.bias


def channel_sum(x3: np.ndarray, kernel3: np.ndarray, bias: float = 0.0) -> ChannelSum:
    """Convolve each channel with its kernel separately ("same" padding), to show the sum being made."""
    if kernel3.shape[0] != x3.shape[0]:
        raise InvalidInput("errors.channel_mismatch", kernel_channels=kernel3.shape[0], input_channels=x3.shape[0])
    return ChannelSum(np.stack([ops.conv2d(x, k, padding="same") for x, k in zip(x3, kernel3)]), float(bias))


def worked_example() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cs231n demo's setting: a 5x5x3 input of 0..2, two 3x3x3 filters of -1..1, biases 1 and 0
    (used with padding 1 and stride 2)."""
    rng = np.random.default_rng(231)
    return (rng.integers(0, 3, (3, 5, 5)).astype(float), rng.integers(-1, 2, (2, 3, 3, 3)).astype(float),
            np.array([1.0, 0.0]))
