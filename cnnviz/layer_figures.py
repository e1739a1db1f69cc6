"""Figures of the pooling and activation lessons, built from cnnviz numbers in the shared figure language.

Callers pass the translated words in ``labels``; every number drawn comes from
``cnnviz.ops``, ``cnnviz.pooling`` or ``cnnviz.activations``.
"""

from __future__ import annotations

import numpy as np

from cnnviz import ops
from cnnviz.activations import activations, gradient_through_layers
from cnnviz.figures import PALETTE, Panel, format_number, lines_figure, value_grids
from cnnviz.pooling import ShiftComparison, SideBySide

CHANGED_FILL = "#f7cdbf"     # a pooled cell that a shift changed (framed in the window colour)
FUNCTION_COLOURS = {"relu": "#1d4ed8", "leaky_relu": "#15803d", "sigmoid": "#c2410c", "tanh": "#7c3aed"}
CURVE_X = np.linspace(-6, 6, 241).round(3)


def window_figure(patch: np.ndarray, winner: np.ndarray | None) -> dict:
    """One pooling window with its numbers, the max's cell framed."""
    cell = 64 if max(patch.shape) <= 3 else 52
    return value_grids([Panel(patch, "", PALETTE["input"], winner)], cell=cell)


def global_pool_figure(maps: np.ndarray, labels: dict[str, str]) -> dict:
    """Each channel, then one column per global pooling: one number per channel, in channel order.
    ``labels``: channel (a template with {n}), gap, gmp."""
    panels = [Panel(m, labels["channel"].format(n=n + 1), PALETTE["input"]) for n, m in enumerate(maps)]
    panels += [Panel(ops.global_avg_pool(maps)[:, None], labels["gap"], PALETTE["output"]),
               Panel(ops.global_max_pool(maps)[:, None], labels["gmp"], PALETTE["output"])]
    return value_grids(panels, cell=40)


def shift_figure(comparison: ShiftComparison, labels: dict[str, str]) -> dict:
    """The map, the shifted map, both pooled; pooled cells the shift changed are filled and framed.
    ``labels``: original, shifted, pooled, pooled_shifted."""
    inputs, outputs = PALETTE["input"], PALETTE["output"]
    return value_grids([Panel(comparison.original, labels["original"], inputs),
                        Panel(comparison.shifted, labels["shifted"], inputs),
                        Panel(comparison.pooled, labels["pooled"], outputs),
                        Panel(comparison.pooled_shifted, labels["pooled_shifted"], outputs, comparison.changed,
                              CHANGED_FILL)], cell=32)


def side_by_side_figure(result: SideBySide, labels: dict[str, str]) -> dict:
    """The input, its 2x2 max pooling, the kernel and the stride-2 convolution, each titled with its size.
    ``labels``: input, pooled, kernel, convolved."""
    def title(key: str, grid: np.ndarray) -> str:
        return f"{labels[key]}<br>{grid.shape[0]}×{grid.shape[1]}"

    cell = 34 if result.x.shape[1] <= 8 else 28
    return value_grids([Panel(result.x, title("input", result.x), PALETTE["input"]),
                        Panel(result.pooled, title("pooled", result.pooled), PALETTE["output"]),
                        Panel(result.kernel, title("kernel", result.kernel), PALETTE["kernel"]),
                        Panel(result.convolved, title("convolved", result.convolved), PALETTE["output"])],
                       cell=cell)


def activation_curves(names: list[str], slope: float, labels: dict[str, str]) -> dict:
    """Each chosen function (solid) and its derivative (dashed) in the function's own colour; the
    sigmoid's steepest point, 0.25 at x = 0, is marked. ``labels``: one per name, function and
    derivative (templates with {name}), x, y."""
    functions = activations(slope)
    series, colours = [], []
    for name in names:
        activation = functions[name]
        series += [(labels["function"].format(name=labels[name]), activation.function(CURVE_X), False),
                   (labels["derivative"].format(name=labels[name]), activation.derivative(CURVE_X), True)]
        colours += [FUNCTION_COLOURS[name]] * 2
    figure = lines_figure(CURVE_X, series, "", labels["x"], labels["y"], colours=colours)
    if "sigmoid" in names:
        peak = float(functions["sigmoid"].derivative(np.array([0.0]))[0])
        figure["data"].append({"type": "scatter", "mode": "markers", "x": [0], "y": [peak], "showlegend": False,
                               "hoverinfo": "skip", "marker": {"size": 10, "color": FUNCTION_COLOURS["sigmoid"]}})
        figure["layout"]["annotations"] = [{"x": 0, "y": peak, "ax": -70, "ay": -40, "text": f"σ′(0) = {format_number(peak)}",
                                            "showarrow": True, "arrowhead": 2, "arrowcolor": FUNCTION_COLOURS["sigmoid"],
                                            "font": {"size": 15, "color": FUNCTION_COLOURS["sigmoid"]},
                                            "bgcolor": "rgba(255,255,255,0.85)"}]
    figure["layout"]["yaxis"]["range"] = [-1.3, 2.5]
    figure["layout"]["margin"]["t"] = 20
    return figure


def gradient_depth_figure(depth: int, labels: dict[str, str]) -> dict:
    """The most of a gradient that survives n sigmoid layers (0.25^n) next to ReLU's (1^n), n = 1..depth,
    on a log scale. ``labels``: sigmoid, relu (series names), x, y."""
    layers = list(range(1, depth + 1))
    series = [(labels[name], [gradient_through_layers(name, n) for n in layers], False) for name in ("sigmoid", "relu")]
    figure = lines_figure(layers, series, "", labels["x"], labels["y"], log_y=True,
                          colours=[FUNCTION_COLOURS["sigmoid"], FUNCTION_COLOURS["relu"]])
    figure["layout"]["margin"]["t"] = 20
    figure["layout"]["xaxis"]["dtick"] = 1 if depth <= 15 else 5
    for trace in figure["data"]:
        trace["mode"] = "lines+markers"
    return figure
