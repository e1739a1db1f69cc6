"""The small data sets the training lesson ships: shuffled, class-balanced subsets of MNIST and Fashion-MNIST.

``load_subset(dataset)`` reads ``assets/data/<dataset>-subset.npz``; the app needs nothing else at run
time. ``python -m cnnviz.datasets [SOURCE_DIR]`` makes the files again from the full data sets
(``../shared/data`` by default), identically: same seed, same arrays, and with the same zlib the same bytes.

Each split is ordered in blocks of ten images, one of each class in a random order, so the first
10·k training images of a subset hold exactly k of each class, whatever k a lesson picks.
"""

from __future__ import annotations

import functools
import hashlib
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

from cnnviz.errors import InvalidInput

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "assets" / "data"
SOURCE = ROOT.parent / "shared" / "data"
KEYS = ("x_train", "y_train", "x_test", "y_test")
CLASSES = 10
SEED = 2024
# dataset: (the full data set's file in SOURCE, training images, test images). Fashion-MNIST compresses
# less well than MNIST: past 9,000 training images its file would exceed 5 MB (12,000 would take both files
# past their 8 MiB budget).
SUBSETS = {
    "mnist": ("mnist.npz", 12_000, 2_000),
    "fashion-mnist": ("fashion_mnist.npz", 9_000, 2_000),
}


def subset_path(dataset: str) -> Path:
    return ASSETS / f"{dataset}-subset.npz"


@functools.cache
def load_subset(dataset: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(x_train, y_train, x_test, y_test)``: uint8 images N x 28 x 28 and uint8 labels, read-only, read once."""
    if dataset not in SUBSETS:
        raise InvalidInput("errors.training.unknown_dataset", value=dataset, choices=", ".join(SUBSETS))
    with np.load(subset_path(dataset), allow_pickle=False) as data:
        arrays = tuple(data[key] for key in KEYS)
    for array in arrays:
        array.flags.writeable = False
    return arrays


def balanced_order(labels: np.ndarray, per_class: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``per_class`` images of every class, in blocks of one per class (the order in each random)."""
    picks = np.stack([rng.permutation(np.flatnonzero(labels == k))[:per_class] for k in range(CLASSES)], axis=1)
    return rng.permuted(picks, axis=1).ravel()


def make_subset(source: Path, train: int, test: int, seed: int = SEED) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    with np.load(source, allow_pickle=False) as data:
        full = {key: data[key] for key in KEYS}
    arrays = {}
    for split, count in (("train", train), ("test", test)):
        keep = balanced_order(full[f"y_{split}"], count // CLASSES, rng)
        arrays[f"x_{split}"] = full[f"x_{split}"][keep]
        arrays[f"y_{split}"] = full[f"y_{split}"][keep].astype(np.uint8)
    return arrays


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Like ``np.savez_compressed`` (deflate, level 9), but with fixed timestamps, so equal arrays give equal bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for key, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            archive.writestr(info, buffer.getvalue(), zipfile.ZIP_DEFLATED, compresslevel=9)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str]) -> None:
    source = Path(argv[0]) if argv else SOURCE
    ASSETS.mkdir(parents=True, exist_ok=True)
    for dataset, (file, train, test) in SUBSETS.items():
        path = subset_path(dataset)
        write_npz(path, make_subset(source / file, train, test))
        print(f"{path.relative_to(ROOT)}: {train:,} training and {test:,} test images, "
              f"{path.stat().st_size / 2**20:.2f} MiB, sha256 {sha256(path)}")


if __name__ == "__main__":
    main(sys.argv[1:])
