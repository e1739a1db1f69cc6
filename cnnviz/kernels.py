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


def named_kernel(name: str) -> np.ndarray:
    """A fresh copy of the kernel called ``name`` (see CONVOLUTION_PRESETS)."""
    if name not in _KERNELS:
        raise InvalidInput("errors.unknown_kernel", name=name)
    return np.array(_KERNELS[name], dtype=np.float64)
