"""The cases of Dumoulin & Visin, "A guide to convolution arithmetic for deep learning" (2016).

Each case is a convolution setting and its transposed counterpart. A transposed
convolution is taught the way the guide draws it: the input spread out with
s - 1 zeros between its pixels, padded by k - 1 - p, then convolved (stride 1)
with the kernel turned 180 degrees. ``transpose_as_convolution`` builds that
grid, and the tests check it equals ``ops.conv_transpose2d``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz import ops
from cnnviz.errors import InvalidInput


@dataclass(frozen=True)
class Case:
    name: str            # message key suffix: "cases.<name>" and "cases.<name>_rule"
    size: int            # input side i
    kernel: int          # k
    stride: int = 1      # s
    padding: int = 0     # p
    dilation: int = 1    # d

    @property
    def output(self) -> int:
        return ops.output_size(self.size, self.kernel, self.stride, self.padding, self.dilation)

    @property
    def output_padding(self) -> int:
        """The 'a' of the odd case: pixels the forward convolution never reached, restored by the transpose."""
        return (self.size + 2 * self.padding - self.dilation * (self.kernel - 1) - 1) % self.stride


CASES = [
    Case("no_padding_unit_strides", 4, 3),
    Case("arbitrary_padding", 5, 4, padding=2),
    Case("half_padding", 5, 3, padding=1),
    Case("full_padding", 5, 3, padding=2),
    Case("no_padding_strides", 5, 3, stride=2),
    Case("padding_strides", 5, 3, stride=2, padding=1),
    Case("padding_strides_odd", 6, 3, stride=2, padding=1),
    Case("dilation", 7, 3, dilation=2),
]


@dataclass(frozen=True)
class TransposeGrid:
    grid: np.ndarray         # the spread-out, padded input
    inserted: np.ndarray     # True where the grid holds a zero that is not an input pixel
    kernel: np.ndarray       # the kernel turned 180 degrees


def transpose_as_convolution(x: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: int = 0,
                             output_padding: int = 0) -> TransposeGrid:
    """The direct convolution that equals ``conv_transpose2d(x, kernel, stride, padding, output_padding)``."""
    x = np.asarray(x, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    k = kernel.shape[0]
    if kernel.shape[0] != kernel.shape[1] or x.ndim != 2:
        raise InvalidInput("errors.transpose_square")
    if padding > k - 1:
        raise InvalidInput("errors.transpose_padding", padding=padding, limit=k - 1)
    h, w = x.shape
    border = k - 1 - padding
    size = ((h - 1) * stride + 1 + 2 * border + output_padding, (w - 1) * stride + 1 + 2 * border + output_padding)
    grid = np.zeros(size)
    inserted = np.ones(size, bool)
    grid[border: border + (h - 1) * stride + 1: stride, border: border + (w - 1) * stride + 1: stride] = x
    inserted[border: border + (h - 1) * stride + 1: stride, border: border + (w - 1) * stride + 1: stride] = False
    return TransposeGrid(grid, inserted, kernel[::-1, ::-1].copy())
