"""Shared helpers for the model tests: where the training data is, and small images."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

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


def _scaled(state: dict, factor: float) -> dict:
    return {name: tensor * factor if tensor.is_floating_point() else tensor for name, tensor in state.items()}


class _NotATensor:
    """What a weights file may hold that ``weights_only=True`` refuses to unpickle."""


# How a model's files can be broken on disk: (weights file, card file, shipped weights) -> None, and the catalog
# key of the sentence each gives. LeNet-5's weights are the victim; Tiny VGG's fit no other network.
FAULTS = {
    "missing weights": (lambda w, c, state: w.unlink(), "errors.models.no_weights"),
    "empty weights": (lambda w, c, state: w.write_bytes(b""), "errors.models.weights_unreadable"),
    "truncated weights": (lambda w, c, state: w.write_bytes(w.read_bytes()[:len(w.read_bytes()) // 2]),
                          "errors.models.weights_unreadable"),
    "random bytes": (lambda w, c, state: w.write_bytes(np.random.default_rng(0).bytes(4096)),
                     "errors.models.weights_unreadable"),
    "pickled object": (lambda w, c, state: torch.save({"conv1.weight": _NotATensor()}, w),
                       "errors.models.weights_unreadable"),
    "wrong shapes": (lambda w, c, state: torch.save(
        {name: tensor[..., :1] if tensor.ndim else tensor for name, tensor in state.items()}, w),
        "errors.models.weights_mismatch"),
    "wrong keys": (lambda w, c, state: torch.save(
        {f"renamed.{name}": tensor for name, tensor in state.items()}, w), "errors.models.weights_mismatch"),
    "NaN weights": (lambda w, c, state: torch.save(_scaled(state, float("nan")), w),
                    "errors.models.weights_not_finite"),
    "overflowing weights": (lambda w, c, state: torch.save(_scaled(state, 1e30), w),
                            "errors.models.output_not_finite"),
    "card not JSON": (lambda w, c, state: c.write_text('{"dataset": "MNIST",'), "errors.models.card_unreadable"),
    "card without its numbers": (lambda w, c, state: c.write_text('{"dataset": "MNIST", "epochs": "twelve"}'),
                                 "errors.models.card_unreadable"),
}


def break_model(fault: str, folder: Path, name: str = "lenet5-mnist") -> str:
    """Copy the shipped models into ``folder`` and break ``name``'s files there the way ``fault`` says; the
    catalog key of the sentence that must say so. Point ``cnnviz.models.specs.ASSETS`` at ``folder``."""
    for source in (ROOT / "assets" / "models").iterdir():
        shutil.copy(source, folder / source.name)
    weights, card = folder / f"{name}.pt", folder / f"{name}.json"
    make, key = FAULTS[fault]
    make(weights, card, torch.load(weights, weights_only=True))
    return key
