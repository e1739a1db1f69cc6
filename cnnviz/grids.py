"""Small input grids for the step-by-step lessons: values a student can add up in their head."""

from __future__ import annotations

import numpy as np

from cnnviz.errors import InvalidInput

GRID_PRESETS = ["random", "vertical_edge", "diagonal", "blob", "scene"]
MIN_SIDE, MAX_SIDE = 3, 16   # what the lessons offer; teaching_grid accepts 1..MAX_SIDE


def _scene(h: int, w: int) -> np.ndarray:
    """A tiny picture with a bright disc, a dark bar and a gradient sky, sampled at h x w."""
    y, x = np.mgrid[0:1:complex(0, h), 0:1:complex(0, w)]
    image = 3 + 3 * (1 - y)                                          # sky: lighter at the top
    image = np.where((x - 0.3) ** 2 + (y - 0.35) ** 2 < 0.05, 9, image)  # the sun
    image = np.where((y > 0.7) & (x > 0.45), 1, image)               # a dark block
    return image


def teaching_grid(name: str, h: int, w: int, seed: int = 0) -> np.ndarray:
    """An h x w grid of whole numbers 0..9 (see GRID_PRESETS)."""
    if not (1 <= h <= MAX_SIDE and 1 <= w <= MAX_SIDE):
        raise InvalidInput("errors.grid_size", low=1, high=MAX_SIDE)
    rows, cols = np.mgrid[0:h, 0:w]
    if name == "random":
        grid = np.random.default_rng(seed).integers(0, 10, (h, w))
    elif name == "vertical_edge":
        grid = np.where(cols < w // 2, 0, 9)
    elif name == "diagonal":
        grid = np.where(np.abs(rows * (w - 1) - cols * (h - 1)) <= max(h, w) / 2, 9, 0)
    elif name == "blob":
        cy, cx = (h - 1) / 2, (w - 1) / 2
        distance = np.hypot((rows - cy) / (h / 2), (cols - cx) / (w / 2))
        grid = np.clip(np.round(9 * (1 - distance) * 1.6), 0, 9)
    elif name == "scene":
        grid = _scene(h, w)
    else:
        raise InvalidInput("errors.unknown_grid", name=name)
    return np.round(grid).astype(np.float64)
