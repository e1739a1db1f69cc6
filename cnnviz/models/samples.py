"""Sample inputs the project draws itself: handwritten-style digits and clothing outlines.

Nothing here comes from a dataset. Each sample is drawn in code, the way a
student would hand it in: a dark pen on white paper for the digits, a
coloured garment on a white background for the clothes. So the samples go
through the same preprocessing (grayscale, invert, crop, centre) as a drawing
or a photo does.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

SIZE = 112          # pixels per side of a sample
SUPERSAMPLE = 2     # render at twice the size, then average, for smooth edges


@dataclass(frozen=True)
class Sample:
    key: str            # catalog key "feature_maps.sample_<key>"
    label: int          # the class a good model should give it
    image: np.ndarray   # SIZE x SIZE x 3, uint8


def _grid() -> tuple[np.ndarray, np.ndarray]:
    n = SIZE * SUPERSAMPLE
    coords = (np.arange(n) + 0.5) / n
    return np.meshgrid(coords, coords)   # x to the right, y down, both 0-1


def _arc(cx, cy, rx, ry, start, stop, points=24) -> list[tuple[float, float]]:
    """Points on an ellipse, angles in degrees, clockwise on screen (y points down)."""
    angles = np.radians(np.linspace(start, stop, points))
    return list(zip(cx + rx * np.cos(angles), cy + ry * np.sin(angles)))


def _strokes(paths: list[list[tuple[float, float]]], width: float) -> np.ndarray:
    """Coverage (0-1) of round-capped pen strokes along polylines."""
    x, y = _grid()
    distance = np.full(x.shape, np.inf)
    for path in paths:
        for (x0, y0), (x1, y1) in zip(path[:-1], path[1:]):
            dx, dy = x1 - x0, y1 - y0
            along = np.clip(((x - x0) * dx + (y - y0) * dy) / max(dx * dx + dy * dy, 1e-12), 0, 1)
            distance = np.minimum(distance, np.hypot(x - x0 - along * dx, y - y0 - along * dy))
    return (distance <= width / 2).astype(np.float64)


def _polygon(points: list[tuple[float, float]]) -> np.ndarray:
    """Coverage (0-1) of a filled polygon (even-odd rule)."""
    x, y = _grid()
    inside = np.zeros(x.shape, bool)
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]):
        crosses = (y0 > y) != (y1 > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
        inside ^= crosses & (x < at)
    return inside.astype(np.float64)


def _paint(coverage: np.ndarray, colour: tuple[int, int, int], shade: np.ndarray | None = None) -> np.ndarray:
    """``colour`` where covered (darkened by ``shade``, 0-1), white paper elsewhere."""
    n = SIZE
    coverage = coverage.reshape(n, SUPERSAMPLE, n, SUPERSAMPLE).mean(axis=(1, 3))
    ink = np.asarray(colour, np.float64)
    if shade is not None:
        shade = shade.reshape(n, SUPERSAMPLE, n, SUPERSAMPLE).mean(axis=(1, 3))
        ink = ink * (1 - 0.45 * shade[..., None])
    image = 255 * (1 - coverage[..., None]) + ink * coverage[..., None]
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


PEN = (25, 25, 35)
DIGITS: dict[int, list[list[tuple[float, float]]]] = {
    0: [_arc(0.5, 0.5, 0.24, 0.36, 0, 360, 48)],
    1: [[(0.38, 0.26), (0.55, 0.13), (0.53, 0.87)]],
    2: [_arc(0.5, 0.33, 0.22, 0.2, 190, 380) + [(0.27, 0.85), (0.76, 0.85)]],
    3: [_arc(0.48, 0.32, 0.2, 0.17, 210, 450), _arc(0.48, 0.66, 0.23, 0.19, 270, 510)],
    4: [[(0.62, 0.87), (0.62, 0.14), (0.24, 0.62), (0.78, 0.62)]],
    5: [[(0.72, 0.15), (0.36, 0.15), (0.32, 0.45)] + _arc(0.48, 0.62, 0.23, 0.22, 230, 495)],
    6: [[(0.66, 0.14), (0.42, 0.34)] + _arc(0.5, 0.65, 0.2, 0.2, 200, 560)],
    7: [[(0.25, 0.16), (0.76, 0.16), (0.45, 0.87)]],
    8: [_arc(0.5, 0.31, 0.17, 0.16, 0, 360, 40), _arc(0.5, 0.67, 0.21, 0.19, 0, 360, 40)],
    9: [_arc(0.5, 0.34, 0.19, 0.18, 0, 360, 40), [(0.69, 0.34), (0.64, 0.87)]],
}

# Garments: (catalog key, Fashion-MNIST class, colour, outline polygon, extra strokes for straps/handles).
CLOTHES = [
    ("tshirt", 0, (200, 40, 50), [(0.36, 0.1), (0.45, 0.17), (0.55, 0.17), (0.64, 0.1), (0.92, 0.26),
                                   (0.83, 0.43), (0.74, 0.37), (0.74, 0.92), (0.26, 0.92), (0.26, 0.37),
                                   (0.17, 0.43), (0.08, 0.26)], []),
    ("trouser", 1, (40, 60, 140), [(0.3, 0.06), (0.7, 0.06), (0.74, 0.94), (0.56, 0.94), (0.5, 0.36),
                                    (0.44, 0.94), (0.26, 0.94)], []),
    ("pullover", 2, (60, 120, 70), [(0.36, 0.08), (0.64, 0.08), (0.84, 0.18), (0.97, 0.88), (0.84, 0.9),
                                     (0.76, 0.42), (0.76, 0.94), (0.24, 0.94), (0.24, 0.42), (0.16, 0.9),
                                     (0.03, 0.88), (0.16, 0.18)], []),
    ("dress", 3, (150, 60, 140), [(0.4, 0.05), (0.6, 0.05), (0.62, 0.36), (0.8, 0.95), (0.2, 0.95),
                                   (0.38, 0.36)], []),
    ("sneaker", 7, (70, 70, 80), [(0.03, 0.7), (0.08, 0.6), (0.36, 0.55), (0.55, 0.45), (0.8, 0.43),
                                   (0.97, 0.5), (0.97, 0.74), (0.03, 0.76)],
     [[(0.4, 0.56), (0.46, 0.5)], [(0.47, 0.55), (0.53, 0.49)]]),
    ("bag", 8, (150, 100, 50), [(0.1, 0.42), (0.9, 0.42), (0.9, 0.95), (0.1, 0.95)],
     [_arc(0.5, 0.42, 0.22, 0.3, 180, 360)]),
    ("ankle_boot", 9, (90, 55, 35), [(0.05, 0.76), (0.1, 0.62), (0.42, 0.56), (0.5, 0.08), (0.9, 0.08),
                                      (0.93, 0.9), (0.05, 0.9)], []),
]


@functools.cache
def digits() -> tuple[Sample, ...]:
    return tuple(Sample(f"digit_{d}", d, _paint(_strokes(paths, 0.1), PEN)) for d, paths in DIGITS.items())


@functools.cache
def clothes() -> tuple[Sample, ...]:
    samples = []
    for key, label, colour, outline, extra in CLOTHES:
        body = _polygon(outline)
        edge = _strokes([outline + outline[:1]], 0.035) * body
        coverage = np.maximum(body, _strokes(extra, 0.05)) if extra else body
        samples.append(Sample(key, label, _paint(coverage, colour, shade=edge)))
    return tuple(samples)


SAMPLES = {"lenet5-mnist": digits, "tinyvgg-fashion-mnist": clothes}


def samples_for(model: str) -> tuple[Sample, ...]:
    """The samples drawn for a model's classes (empty for a model without any)."""
    make = SAMPLES.get(model)
    return make() if make else ()
