"""Figures of the augmentation lesson: a grid of random draws, and training against test accuracy side by side.

Callers pass the translated words in ``labels``; the numbers come from ``cnnviz.augment`` and from the
runs' snapshots (``cnnviz.learning``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cnnviz.figures import PALETTE, base_layout
from cnnviz.formulas import plotly_literal
from cnnviz.model_figures import upscale
from cnnviz.training_figures import GRID

GAP = 4                      # px between two tiles of the grid
TRAIN_COLOUR = PALETTE["dense"]
TEST_COLOUR = PALETTE["conv"]
LOWEST_SHOWN = 0.7           # the accuracy axis starts here: the gap at the top is the point, not the first steps


def tiles(draws: np.ndarray, columns: int = 4, factor: int = 1) -> np.ndarray:
    """Pictures N x H x W (grey) or N x H x W x 3 as one RGB picture: a grid of ``columns``, each picture
    enlarged ``factor`` times (nearest neighbour, so a digit's pixels stay sharp), on white."""
    draws = np.asarray(draws, dtype=np.uint8)
    if draws.ndim == 3:
        draws = np.repeat(draws[..., None], 3, axis=-1)
    count, height, width = draws.shape[:3]
    rows = math.ceil(count / columns)
    cell_h, cell_w = height * factor, width * factor
    out = np.full((rows * (cell_h + GAP) + GAP, columns * (cell_w + GAP) + GAP, 3), 255, np.uint8)
    for index, draw in enumerate(draws):
        top, left = GAP + (index // columns) * (cell_h + GAP), GAP + (index % columns) * (cell_w + GAP)
        out[top:top + cell_h, left:left + cell_w] = upscale(draw, factor) if factor > 1 else draw
    return out


@dataclass(frozen=True)
class AccuracyCurve:
    """A run's accuracy at each step it was tested: on its training images as they are, and on the test images."""
    name: str
    steps: list[int]
    train: list[float]
    test: list[float]
    live: bool = False           # a run training now (dashed), beside the recorded ones (solid)


@dataclass(frozen=True)
class Panel:
    title: str
    curves: list[AccuracyCurve]


def accuracy_curve(name: str, snapshots, live: bool = False) -> AccuracyCurve:
    """The tested snapshots of a run (``cnnviz.learning.Snapshot``) as an accuracy curve."""
    tested = [s for s in snapshots if s.tested and s.train_set_accuracy is not None]
    return AccuracyCurve(name, [s.step for s in tested], [s.train_set_accuracy for s in tested],
                         [s.test_accuracy for s in tested], live)


def gap_text(curve: AccuracyCurve, labels: dict[str, str]) -> str:
    return labels["gap"].format(points=f"{100 * (curve.train[-1] - curve.test[-1]):.1f}")


def gap_figure(panels: list[Panel], labels: dict[str, str], last_step: int) -> dict:
    """One panel per run side by side, each with the accuracy on the training images (as they are, never
    augmented) and on the test images over the steps; the last recorded gap between them (overfitting) is
    marked with its size. ``labels``: step, accuracy, train, test, gap (with {points})."""
    traces, shapes, annotations, axes = [], [], [], {}
    width = 1 / len(panels)
    for index, panel in enumerate(panels):
        suffix = "" if index == 0 else str(index + 1)
        x_axis, y_axis = f"x{suffix}", f"y{suffix}"
        domain = [index * width + (0.04 if index else 0), (index + 1) * width - (0.04 if index < len(panels) - 1 else 0)]
        axes[f"xaxis{suffix}"] = {"domain": domain, "anchor": y_axis, "range": [0, last_step * 1.02],
                                  "title": {"text": labels["step"]}, **GRID}
        axes[f"yaxis{suffix}"] = {"anchor": x_axis, "range": [LOWEST_SHOWN, 1.005], "tickformat": ".0%",
                                  "title": {"text": labels["accuracy"]} if index == 0 else None,
                                  "showticklabels": index == 0, "matches": None if index == 0 else "y", **GRID}
        annotations.append({"xref": f"{x_axis} domain", "yref": "paper", "x": 0.5, "y": 1.0, "yanchor": "bottom",
                            "showarrow": False, "text": plotly_literal(panel.title), "font": {"size": 15}})
        for curve in panel.curves:
            dash = "dash" if curve.live else "solid"
            name = plotly_literal(curve.name)
            for series, values, colour in (("train", curve.train, TRAIN_COLOUR), ("test", curve.test, TEST_COLOUR)):
                traces.append({"type": "scatter", "mode": "lines", "x": curve.steps, "y": values,
                               "xaxis": x_axis, "yaxis": y_axis, "name": f"{labels[series]} ({name})",
                               "showlegend": False, "line": {"color": colour, "width": 3, "dash": dash},
                               "hovertemplate": f"{name}, {labels[series]}<br>{labels['step']} %{{x}}: "
                                                f"%{{y:.1%}}<extra></extra>"})
        recorded = next((curve for curve in panel.curves if not curve.live and curve.steps), None)
        if recorded is not None:
            step, high, low = recorded.steps[-1], recorded.train[-1], recorded.test[-1]
            shapes.append({"type": "line", "xref": x_axis, "yref": y_axis, "x0": step, "x1": step, "y0": low,
                           "y1": high, "line": {"color": PALETTE["window"], "width": 3}})
            annotations.append({"xref": x_axis, "yref": y_axis, "x": step, "y": (high + low) / 2, "xanchor": "right",
                                "showarrow": False, "text": gap_text(recorded, labels), "xshift": -6,
                                "font": {"color": PALETTE["window"], "size": 15}, "bgcolor": "rgba(255,255,255,0.85)"})
    for series, colour in (("train", TRAIN_COLOUR), ("test", TEST_COLOUR)):     # the legend: one entry per series
        traces.append({"type": "scatter", "mode": "lines", "x": [None], "y": [None], "name": labels[series],
                       "line": {"color": colour, "width": 3}, "hoverinfo": "skip"})
    return {"data": traces, "layout": base_layout(
        height=440, hovermode="closest", shapes=shapes, annotations=annotations, showlegend=True,
        legend={"orientation": "h", "y": 1.09, "yanchor": "bottom", "x": 0},
        margin={"l": 70, "r": 10, "t": 90, "b": 40}, **axes)}
