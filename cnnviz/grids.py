"""Small input grids for the step-by-step lessons: values a student can add up in their head."""

from __future__ import annotations

import functools

import numpy as np
from PIL import Image

from cnnviz.errors import InvalidInput

GRID_PRESETS = ["random", "vertical_edge", "diagonal", "blob", "scene", "dots"]
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
    elif name == "dots":                # bright dots on even columns: a 1-pixel shift stays in a 2x2 window
        grid = np.where((rows % 3 == 1) & (cols % 4 == 0), 9, 0)
    else:
        raise InvalidInput("errors.unknown_grid", name=name)
    return np.round(grid).astype(np.float64)


@functools.cache
def _scene_image(size: int) -> np.ndarray:
    """A grayscale uint8 picture with smooth and sharp parts: a sky gradient, a sun,
    a house with a roof, thin window bars and fine stripes. Made in code, so every
    lesson has an image without a download or a dataset."""
    y, x = np.mgrid[0:1:complex(0, size), 0:1:complex(0, size)]
    image = 150 + 80 * (1 - y)                                           # sky, lighter at the top
    image = np.where((x - 0.78) ** 2 + (y - 0.2) ** 2 < 0.012, 250, image)     # sun
    image = np.where(y > 0.8, 70 + 20 * np.sin(40 * x), image)            # ground, gently textured
    house = (x > 0.15) & (x < 0.55) & (y > 0.5) & (y <= 0.8)
    roof = (y > 0.3) & (y <= 0.5) & (np.abs(x - 0.35) < (y - 0.3))
    image = np.where(house, 200, np.where(roof, 40, image))
    window = (x > 0.22) & (x < 0.34) & (y > 0.56) & (y < 0.7)
    image = np.where(window, np.where((np.abs(x - 0.28) < 0.006) | (np.abs(y - 0.63) < 0.006), 200, 20), image)
    stripes = (x > 0.62) & (x < 0.92) & (y > 0.55) & (y < 0.75)
    image = np.where(stripes, np.where((y * size).astype(int) % 4 < 2, 30, 220), image)
    return np.clip(image, 0, 255).astype(np.uint8)


def scene_image(size: int = 256) -> np.ndarray:
    """A copy of the generated picture (made once per size)."""
    return _scene_image(size).copy()


def grid_from_picture(rgb: np.ndarray, h: int, w: int) -> np.ndarray:
    """A picture shrunk to an h x w grid of whole numbers 0..9 (its brightness), for the step-by-step lessons."""
    if not (1 <= h <= MAX_SIDE and 1 <= w <= MAX_SIDE):
        raise InvalidInput("errors.grid_size", low=1, high=MAX_SIDE)
    gray = Image.fromarray(np.asarray(rgb, dtype=np.uint8)).convert("L").resize((w, h), Image.Resampling.BOX)
    return np.round(np.asarray(gray, dtype=np.float64) / 255 * 9)
