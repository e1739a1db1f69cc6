"""Named kernels: the classic filters the lessons apply, one place for all of them."""

from __future__ import annotations

import numpy as np

from cnnviz.errors import InvalidInput

_KERNELS = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "sobel_x": [[1, 0, -1], [2, 0, -2], [1, 0, -1]],     # responds to vertical edges (change along x)
    "sobel_y": [[1, 2, 1], [0, 0, 0], [-1, -2, -1]],     # responds to horizontal edges (change along y)
    "box_blur": np.full((3, 3), 1 / 9).tolist(),
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "laplacian": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
}
CONVOLUTION_PRESETS = list(_KERNELS)
_KERNELS |= {
    "prewitt_x": [[1, 0, -1], [1, 0, -1], [1, 0, -1]],
    "prewitt_y": [[1, 1, 1], [0, 0, 0], [-1, -1, -1]],
    "scharr_x": [[3, 0, -3], [10, 0, -10], [3, 0, -3]],
    "scharr_y": [[3, 10, 3], [0, 0, 0], [-3, -10, -3]],
    "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
    "outline": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
}
FILTER_PRESETS = ["sobel_x", "sobel_y", "prewitt_x", "prewitt_y", "scharr_x", "scharr_y", "laplacian", "outline",
                  "sharpen", "emboss", "box_blur", "identity"]


def named_kernel(name: str) -> np.ndarray:
    """A fresh copy of the kernel called ``name`` (see CONVOLUTION_PRESETS)."""
    if name not in _KERNELS:
        raise InvalidInput("errors.unknown_kernel", name=name)
    return np.array(_KERNELS[name], dtype=np.float64)


def gaussian_kernel(sigma: float, size: int | None = None) -> np.ndarray:
    """A normalised Gaussian blur kernel; by default 2*ceil(3 sigma) + 1 wide (at most 7)."""
    if not sigma > 0:
        raise InvalidInput("errors.at_least_one", name="sigma", value=sigma)
    size = size or min(2 * int(np.ceil(3 * sigma)) + 1, 7)
    offsets = np.arange(size) - size // 2
    line = np.exp(-offsets ** 2 / (2 * sigma ** 2))
    kernel = np.outer(line, line)
    return kernel / kernel.sum()


def normalise(kernel: np.ndarray) -> np.ndarray:
    """Scale the weights to sum to 1 (a blur keeps the brightness); a kernel summing to 0 is left as it is."""
    kernel = np.asarray(kernel, dtype=float)
    total = kernel.sum()
    return kernel / total if abs(total) > 1e-12 else kernel
