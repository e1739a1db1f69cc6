"""Export for slides: how long the GIF of a lesson's animation takes to build, and how big it is.

Built from scratch each time (the lessons cache the GIF per setting, so a class pays once), in Korean, whose
captions are the wider ones. The issue's target: a 7x7 input with a 3x3 kernel in <= 2 s and <= 1 MB.
"""

from __future__ import annotations

from bench.common import Measurement, median_ms
from cnnviz import animation, animation_export, channels, steps
from cnnviz.grids import teaching_grid
from cnnviz.i18n import t
from cnnviz.kernels import named_kernel

LANG = "ko"


def _labels() -> dict[str, str]:
    names = ("play", "pause", "slow", "fast", "step", "formula", "kernel")
    return {name: t(f"convolution.{name}", LANG) for name in names} | {
        "input": t("convolution.input_label", LANG), "output": t("convolution.output_label", LANG)}


def _models() -> list[tuple[str, animation.SlidingWindow, float | None, float | None]]:
    """(what, frames, time target in ms, size target in KiB)."""
    labels = _labels()
    pool = labels | {"input": t("pooling.input", LANG), "output": t("pooling.output_label", LANG)}
    x, w, b = channels.worked_example()
    example = {name: t(f"channels.{name}", LANG) for name in ("channel", "channel_names", "kernel", "formula",
                                                             "output")}
    return [
        ("conv 7x7, 3x3", animation.conv_frames(
            steps.conv_trace(teaching_grid("random", 7, 7), named_kernel("sobel_x")), labels), 2000, 1024),
        ("conv 12x12, 3x3, same", animation.conv_frames(
            steps.conv_trace(teaching_grid("random", 12, 12), named_kernel("sobel_x"), padding="same"), labels),
         None, None),
        ("max pooling 8x8, 2x2/2", animation.pool_frames(
            steps.pool_trace(teaching_grid("random", 8, 8), 2, 2, 0, "max"),
            pool | {"formula": t("pooling.formula_max", LANG)}), None, None),
        ("average pooling 8x8, 3x3/1, padding 1", animation.pool_frames(
            steps.pool_trace(teaching_grid("random", 8, 8), 3, 1, 1, "avg"),
            pool | {"formula": t("pooling.formula_avg", LANG)}), None, None),
        ("channels: cs231n example, 3x5x5, stride 2", animation.channels_frames(
            steps.conv_trace(x, w[0], b[0], stride=2, padding=1), example), None, None),
    ]


def run() -> list[Measurement]:
    step = t("convolution.step", LANG)
    results = []
    for what, frames, ms_target, kib_target in _models():
        data = animation_export.gif(frames, step)
        width = animation_export.drawing(frames, step).width
        detail = f"{len(frames.steps)} frames, {width} px wide"
        results.append(Measurement("export", f"GIF {what}: build", median_ms(
            lambda: animation_export.gif(frames, step), repeat=3), "ms", ms_target, detail))
        results.append(Measurement("export", f"GIF {what}: size", len(data) / 1024, "KiB", kib_target, detail))
    frames = _models()[0][1]
    results.append(Measurement("export", "PNG of one step, conv 7x7, 3x3: build",
                               median_ms(lambda: animation_export.png(frames, step, 12), repeat=5), "ms"))
    return results
