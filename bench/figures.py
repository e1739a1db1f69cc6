"""What the animated figures cost to send: plotly's compact JSON, as st.plotly_chart sends it."""

from __future__ import annotations

import numpy as np
import plotly.io

from bench.common import Measurement, median_ms
from cnnviz import animation, steps
from cnnviz.grids import teaching_grid
from cnnviz.i18n import t
from cnnviz.kernels import named_kernel

LABELS = {"input": "Input", "kernel": "Kernel", "output": "Output", "play": "Play", "pause": "Pause",
          "slow": "Slow", "fast": "Fast", "step": "Step",
          "formula": "out[{i}, {j}] = Σ(window × kernel) + bias = {total} + {bias} = {value}"}


def _kib(figure: dict) -> float:
    return len(plotly.io.to_json(figure, validate=False)) / 1024


def run() -> list[Measurement]:
    x = teaching_grid("random", 12, 12)
    results = []
    for padding in ("valid", "same"):
        trace = steps.conv_trace(x, named_kernel("sobel_x"), 0, 1, padding)
        figure = animation.conv_animation(trace, LABELS)
        results.append(Measurement("figures", f"conv animation 12x12, 3x3, {padding}: payload", _kib(figure),
                                   "KiB", 200, f"{len(figure['frames'])} frames"))
    build = median_ms(lambda: animation.conv_animation(steps.conv_trace(x, named_kernel("sobel_x")), LABELS))
    results.append(Measurement("figures", "conv animation 12x12, 3x3: build", build, "ms"))
    same = animation.conv_animation(steps.conv_trace(x, named_kernel("sobel_x"), padding="same"), LABELS)
    for engine in ("json", "auto"):        # what st.plotly_chart does on every rerun; "auto" is orjson when installed
        ms = median_ms(lambda: plotly.io.to_json(same, validate=False, engine=engine))
        results.append(Measurement("figures", f"conv animation 12x12, same: to JSON per rerun, {engine} engine", ms,
                                   "ms", detail=f"plotly's engine: {plotly.io.json.config.default_engine}"))
    big = steps.conv_trace(teaching_grid("random", 16, 16), np.ones((3, 3)), padding="full")
    results.append(Measurement("figures", "conv animation 16x16, full padding (largest): payload",
                               _kib(animation.conv_animation(big, LABELS)), "KiB"))
    return results + _pooling(x)


def _pooling(x: np.ndarray) -> list[Measurement]:
    """The pooling lesson's animation for a 12x12 input (its largest side), in Korean (the longer captions):
    the usual 2x2/stride 2, a 3x3/stride 1 with padding 1 (as many cells as the input), and the most
    frames the page allows (4x4, stride 1, padding 2: 13x13 cells)."""
    results = []
    for window, stride, padding in ((2, 2, 0), (3, 1, 1), (4, 1, 2)):
        for mode in ("max", "avg"):
            labels = LABELS | {"formula": t(f"pooling.formula_{mode}", "ko")}
            figure = animation.pool_animation(steps.pool_trace(x, window, stride, padding, mode), labels)
            results.append(Measurement("figures", f"pool animation 12x12, {mode} {window}x{window}/{stride} pad "
                                       f"{padding}: payload", _kib(figure), "KiB", 200,
                                       f"{len(figure['frames'])} frames"))
    build = median_ms(lambda: animation.pool_animation(steps.pool_trace(x, 2, 2, 0, "max"),
                                                       LABELS | {"formula": t("pooling.formula_max", "en")}))
    results.append(Measurement("figures", "pool animation 12x12, 2x2/2: build", build, "ms"))
    return results
