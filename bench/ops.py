"""cnnviz.ops against torch.nn.functional on the same float64 data, in one run."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from bench.common import Measurement, median_ms
from cnnviz import ops


def run() -> list[Measurement]:
    rng = np.random.default_rng(0)
    image = rng.standard_normal((3, 512, 512))
    image_t = torch.from_numpy(image)[None]
    results = []

    def ratio(name, ours, theirs, target=None):
        a, b = median_ms(ours), median_ms(theirs)
        results.append(Measurement("ops", name, a / b, "x", target, f"cnnviz {a:.1f} ms, torch {b:.1f} ms"))

    for filters in (1, 16):
        w = rng.standard_normal((filters, 3, 3, 3))
        w_t = torch.from_numpy(w)
        ratio(f"conv2d 512x512x3, {filters} filter(s) 3x3x3, same",
              lambda: ops.conv2d(image, w, padding=1), lambda: F.conv2d(image_t, w_t, padding=1), 1.5)
    w = rng.standard_normal((16, 3, 3, 3))
    ratio("conv2d 512x512x3, 16 filters, stride 2, dilation 2",
          lambda: ops.conv2d(image, w, stride=2, dilation=2),
          lambda: F.conv2d(image_t, torch.from_numpy(w), stride=2, dilation=2))
    small = rng.standard_normal((16, 128, 128))
    wt = rng.standard_normal((16, 8, 3, 3))
    ratio("conv_transpose2d 16x128x128 -> 8 channels, stride 2",
          lambda: ops.conv_transpose2d(small, wt, stride=2),
          lambda: F.conv_transpose2d(torch.from_numpy(small)[None], torch.from_numpy(wt), stride=2))
    ratio("max_pool2d 512x512x3, 2x2", lambda: ops.max_pool2d(image, 2), lambda: F.max_pool2d(image_t, 2))
    ratio("avg_pool2d 512x512x3, 2x2", lambda: ops.avg_pool2d(image, 2), lambda: F.avg_pool2d(image_t, 2))
    return results
