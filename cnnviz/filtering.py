"""Classic filters on a whole picture: responses, edge strength and direction, and how to show them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.colors import hsv_to_rgb

from cnnviz import ops, steps
from cnnviz.figures import diverging_image
from cnnviz.kernels import named_kernel

DISPLAYS = ("signed", "absolute", "clipped")


def response(gray: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The filter's feature map, the same size as the picture ("same" zero padding)."""
    return ops.conv2d(gray, kernel, padding="same")


@dataclass(frozen=True)
class Gradient:
    x: np.ndarray             # Sobel x: change along x (vertical edges)
    y: np.ndarray             # Sobel y: change along y (horizontal edges)

    @property
    def magnitude(self) -> np.ndarray:
        return np.hypot(self.x, self.y)

    @property
    def direction(self) -> np.ndarray:
        """Angle of the gradient in radians, -pi..pi."""
        return np.arctan2(self.y, self.x)


def gradient(gray: np.ndarray, family: str = "sobel") -> Gradient:
    return Gradient(response(gray, named_kernel(f"{family}_x")), response(gray, named_kernel(f"{family}_y")))


def signed_limit(values: np.ndarray) -> float:
    """The |value| the signed display paints in its strongest colour: half the peak, so that
    thin edges on a flat picture stay visible rather than fading to near white."""
    return float(np.abs(values).max()) / 2 or 1.0


def display(values: np.ndarray, how: str) -> np.ndarray:
    """A feature map as a uint8 picture: "signed" on the diverging scale (blue < 0 < red),
    "absolute" as |value| in grey (brightest = strongest), "clipped" to 0..255 as image tools do."""
    if how == "signed":
        return diverging_image(values, signed_limit(values))
    if how == "absolute":
        magnitude = np.abs(values)
        peak = magnitude.max() or 1.0
        return (magnitude / peak * 255).round().astype(np.uint8)
    return np.clip(values, 0, 255).round().astype(np.uint8)


def direction_image(g: Gradient) -> np.ndarray:
    """Edge direction as hue, edge strength as brightness: the colour wheel of gradients."""
    hue = (g.direction + np.pi) / (2 * np.pi)
    strength = g.magnitude / (g.magnitude.max() or 1.0)
    return (hsv_to_rgb(np.stack([hue, np.ones_like(hue), np.clip(strength * 1.5, 0, 1)], axis=-1)) * 255
            ).round().astype(np.uint8)


@dataclass(frozen=True)
class Zoom:
    region: np.ndarray        # the pixels around the chosen one, as the filter reads them (zeros past the border)
    trace: steps.ConvTrace    # the convolution of that region, cell by cell
    centre: int               # index of the chosen pixel's step in trace.steps


def zoom(gray: np.ndarray, kernel: np.ndarray, row: int, col: int, radius: int = 3) -> Zoom:
    """The step-by-step view of ``response(gray, kernel)`` around pixel (row, col)."""
    kh, kw = kernel.shape
    _, _, pads, _ = ops.conv_geometry(gray.shape, kernel.shape, 1, "same", 1)
    margin = radius + max(kh, kw)           # zeros around the picture, as "same" padding reads them
    big = np.pad(np.asarray(gray, dtype=float), margin)
    top, left = row - pads[0][0] - radius + margin, col - pads[1][0] - radius + margin
    window = big[top: top + 2 * radius + kh, left: left + 2 * radius + kw]
    trace = steps.conv_trace(window, kernel)
    side = 2 * radius + 1
    return Zoom(window, trace, radius * side + radius)
