"""Shared helpers for the model tests: where the training data is, and small images."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def data_dir() -> Path:
    """``CNNVIZ_DATA_DIR``, else ``shared/data`` beside the project's folder (``../shared/data``)."""
    override = os.environ.get("CNNVIZ_DATA_DIR")
    return Path(override) if override else ROOT.parent / "shared" / "data"


def dataset(name: str) -> np.lib.npyio.NpzFile:
    path = data_dir() / f"{name}.npz"
    if not path.is_file():
        pytest.skip(f"{path} is absent: the accuracy tests need the training data beside the project "
                    "(../shared/data) or CNNVIZ_DATA_DIR")
    return np.load(path)


def disc(size: int = 64, radius: float = 10, centre=(32, 32), light_background: bool = True,
         colour: bool = False) -> np.ndarray:
    """A filled disc, dark on white paper (or bright on black)."""
    ys, xs = np.indices((size, size))
    inside = (ys - centre[0]) ** 2 + (xs - centre[1]) ** 2 <= radius ** 2
    image = np.where(inside, 20, 255) if light_background else np.where(inside, 235, 0)
    image = image.astype(np.uint8)
    return np.repeat(image[..., None], 3, axis=-1) if colour else image
