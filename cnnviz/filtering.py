"""Classic filters on a whole picture: responses, edge strength and direction, and how to show them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.colors import hsv_to_rgb

from cnnviz import ops, steps
from cnnviz.errors import InvalidInput
from cnnviz.figures import diverging_image
from cnnviz.kernels import named_kernel

DISPLAYS = ("signed", "absolute", "clipped")
BORDERS = ("edge", "zeros")     # repeat the edge pixels (image tools) or pad with zeros (a CNN layer)


def _padded(gray: np.ndarray, kernel_shape: tuple[int, int], border: str) -> np.ndarray:
    """The picture with the border a "same"-size result needs (the extra pixel of an even kernel
    goes to the bottom/right, as ops' "same" padding does)."""
    if border not in BORDERS:
        raise InvalidInput("errors.images.border", border=border, choices=", ".join(BORDERS))
    _, _, pads, _ = ops.conv_geometry(np.shape(gray), kernel_shape, 1, "same", 1)
    return np.pad(np.asarray(gray, dtype=float), pads, mode="edge" if border == "edge" else "constant")


def response(gray: np.ndarray, kernel: np.ndarray, border: str = "zeros") -> np.ndarray:
    """The filter's feature map, the same size as the picture: ops.conv2d with "same" padding, the
    border filled with zeros (as a CNN layer does) or with copies of the edge pixels (as image tools do)."""
    if border == "zeros":
        return ops.conv2d(gray, kernel, padding="same")
    return ops.conv2d(_padded(gray, np.shape(kernel), border), kernel)


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


def gradient(gray: np.ndarray, family: str = "sobel", border: str = "zeros") -> Gradient:
    return Gradient(response(gray, named_kernel(f"{family}_x"), border),
                    response(gray, named_kernel(f"{family}_y"), border))


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


def display_peak(values: np.ndarray, how: str) -> float:
    """The value the strongest colour of ``display(values, how)`` stands for (0 for a flat absolute map)."""
    if how == "signed":
        return signed_limit(values)
    if how == "absolute":
        return float(np.abs(values).max())
    return 255.0


def direction_image(g: Gradient) -> np.ndarray:
    """Edge direction as hue, edge strength as brightness: the colour wheel of gradients."""
    hue = (g.direction + np.pi) / (2 * np.pi)
    strength = g.magnitude / (g.magnitude.max() or 1.0)
    return (hsv_to_rgb(np.stack([hue, np.ones_like(hue), np.clip(strength * 1.5, 0, 1)], axis=-1)) * 255
            ).round().astype(np.uint8)


def direction_wheel(size: int = 121) -> np.ndarray:
    """The key to ``direction_image``: a disc whose every point is coloured as an edge whose brightness
    grows in the direction of that point from the centre (x to the right, y down as in the picture)."""
    y, x = np.mgrid[-1:1:complex(0, size), -1:1:complex(0, size)]
    inside = np.hypot(x, y) <= 1
    picture = direction_image(Gradient(np.where(inside, x, 0.0), np.where(inside, y, 0.0)))
    picture[~inside] = 255
    return picture


@dataclass(frozen=True)
class Zoom:
    region: np.ndarray        # the pixels around the chosen one, as the filter reads them (zeros past the border)
    trace: steps.ConvTrace    # the convolution of that region, cell by cell
    centre: int               # index of the chosen pixel's step in trace.steps


def zoom(gray: np.ndarray, kernel: np.ndarray, row: int, col: int, radius: int = 3, border: str = "zeros") -> Zoom:
    """The step-by-step view of ``response(gray, kernel, border)`` around pixel (row, col)."""
    height, width = np.shape(gray)
    if not (0 <= row < height and 0 <= col < width):
        raise InvalidInput("errors.images.zoom_outside", row=row, col=col, height=height, width=width)
    kh, kw = kernel.shape
    _, _, pads, _ = ops.conv_geometry(gray.shape, kernel.shape, 1, "same", 1)
    padded = _padded(gray, kernel.shape, border)
    big = np.pad(padded, radius)            # past the border: zeros, only for the neighbours the result never reads
    top, left = row, col                    # (row, col) of the output reads padded[row:row+kh, col:col+kw]
    window = big[top: top + 2 * radius + kh, left: left + 2 * radius + kw]
    trace = steps.conv_trace(window, kernel)
    side = 2 * radius + 1
    return Zoom(window, trace, radius * side + radius)


def strongest_pixel(values: np.ndarray) -> tuple[int, int]:
    """Where the response is largest in size: a good first pixel to zoom into."""
    row, col = np.unravel_index(int(np.argmax(np.abs(values))), np.shape(values))
    return int(row), int(col)


def mark_region(gray: np.ndarray, row: int, col: int, half: int) -> np.ndarray:
    """The grey picture in colour with a red frame around the zoomed neighbourhood, to show where it is."""
    picture = np.repeat(np.clip(np.round(gray), 0, 255).astype(np.uint8)[..., None], 3, axis=2)
    height, width = picture.shape[:2]
    thick = max(2, max(height, width) // 128)
    half = max(half, max(height, width) // 40)          # never smaller than a visible square
    top, bottom = max(row - half - thick, 0), min(row + half + thick, height - 1)
    left, right = max(col - half - thick, 0), min(col + half + thick, width - 1)
    red = np.array([228, 87, 46], np.uint8)
    picture[top: bottom + 1, left: left + thick] = red
    picture[top: bottom + 1, right - thick + 1: right + 1] = red
    picture[top: top + thick, left: right + 1] = red
    picture[bottom - thick + 1: bottom + 1, left: right + 1] = red
    return picture
