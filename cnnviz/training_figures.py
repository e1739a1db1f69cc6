"""Figures of the training lesson: curves, gradient norms and the confusion matrix, from plain numbers.

A live run and a recorded one give the same numbers (step, loss, test accuracy,
each layer's gradient norm, the confusion matrix), so one set of figures draws
both, and two runs overlaid. Callers pass the translated words in ``labels``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from cnnviz.figures import PALETTE, SERIES_COLOURS, base_layout, log_axis
from cnnviz.formulas import plotly_literal

UNIFORM_LOSS = math.log(10)     # the cross-entropy of a uniform guess over 10 classes: where training starts
GRID = {"gridcolor": "#e5e7eb", "zerolinecolor": "#9ca3af"}


@dataclass(frozen=True)
class Curve:
    """One run's history: its name, the training loss at each snapshot's step, and the test accuracy at each
    step it was tested (a live run reports its loss more often than it tests). Without a ``colour``, the
    run's place in the figure picks one."""
    name: str
    steps: list[int]
    loss: list[float]
    tested_steps: list[int]
    accuracy: list[float]
    colour: str | None = None
    dash: str = "solid"


def _finite(values) -> list[float | None]:
    """Plotly draws None as a gap; NaN and inf (a run that diverged) become gaps rather than broken JSON."""
    return [float(v) if v is not None and math.isfinite(v) else None for v in values]


def curves_figure(curves: list[Curve], labels: dict[str, str], last_step: int | None = None,
                  loss_top: float | None = None, uniform_loss: float = UNIFORM_LOSS) -> dict:
    """The training loss (top) and the test accuracy (bottom) over the steps, one colour per run, with
    the loss of a uniform guess (ln 10, or ``uniform_loss`` for another number of classes) drawn as a dotted
    line. ``labels``: step, loss, accuracy, uniform. ``last_step`` fixes the x range (a growing curve does not
    rescale the axes every refresh); ``loss_top`` the top of the loss axis (by default the first losses fit,
    up to 12)."""
    traces = []
    for index, curve in enumerate(curves):
        line = {"color": curve.colour or SERIES_COLOURS[index % len(SERIES_COLOURS)], "width": 3, "dash": curve.dash}
        name = plotly_literal(curve.name)
        traces.append({"type": "scatter", "mode": "lines+markers", "marker": {"size": 5}, "x": list(curve.steps),
                       "y": _finite(curve.loss),
                       "name": name, "legendgroup": name, "line": line,
                       "hovertemplate": f"{name}<br>{labels['step']} %{{x}}: {labels['loss']} %{{y:.3f}}<extra></extra>"})
        traces.append({"type": "scatter", "mode": "lines+markers", "marker": {"size": 5},
                       "x": list(curve.tested_steps), "y": _finite(curve.accuracy),
                       "name": name, "legendgroup": name, "showlegend": False, "xaxis": "x2", "yaxis": "y2",
                       "line": line,
                       "hovertemplate": f"{name}<br>{labels['step']} %{{x}}: %{{y:.1%}}<extra></extra>"})
    high = max([uniform_loss * 1.25] + [v for c in curves for v in _finite(c.loss)[:1] if v is not None])
    x_range = [0, last_step] if last_step else None
    uniform = {"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": uniform_loss,
               "y1": uniform_loss, "line": {"color": PALETTE["muted"], "dash": "dot", "width": 2}}
    return {"data": traces, "layout": base_layout(
        height=460, hovermode="closest", shapes=[uniform],
        annotations=[{"xref": "x domain", "x": 1, "yref": "y", "y": uniform_loss, "xanchor": "right",
                      "yanchor": "bottom", "showarrow": False, "text": labels["uniform"],
                      "font": {"color": PALETTE["muted"], "size": 14}}],
        xaxis={"anchor": "y", "matches": "x2", "showticklabels": False, "range": x_range, **GRID},
        yaxis={"domain": [0.56, 1], "title": {"text": labels["loss"]}, "range": [0, loss_top or min(high, 12)],
               "automargin": True, **GRID},
        xaxis2={"anchor": "y2", "title": {"text": labels["step"]}, "range": x_range, **GRID},
        yaxis2={"domain": [0, 0.44], "title": {"text": labels["accuracy"]}, "range": [0, 1.02], "tickformat": ".0%",
                "automargin": True, **GRID},
        legend={"orientation": "h", "y": 1.08, "x": 0}, margin={"l": 70, "r": 10, "t": 40, "b": 50}),
    }


def grad_norms_figure(steps: list[int], norms: dict[str, list[float]], labels: dict[str, str]) -> dict:
    """Each layer's weight-gradient norm over the steps, on a log scale, so that a gradient a thousand
    times smaller than another (vanishing through sigmoids) is as visible as one of the same size.
    ``labels``: step, norm."""
    traces = [{"type": "scatter", "mode": "lines", "x": list(steps), "y": _positive(values),
               "name": plotly_literal(layer), "line": {"color": SERIES_COLOURS[index % len(SERIES_COLOURS)], "width": 3}}
              for index, (layer, values) in enumerate(norms.items())]
    return {"data": traces, "layout": _norms_layout(traces, labels["step"], labels["norm"], hovermode="x unified",
                                                    legend={"orientation": "h", "y": -0.35, "x": 0},
                                                    margin={"l": 70, "r": 10, "t": 20, "b": 40})}


class LayerLine(NamedTuple):
    """One network's gradient norm per weighted layer, from the input to the output."""
    name: str
    layers: list[str]
    norms: list[float]
    colour: str
    dash: str = "solid"


def layer_norms_figure(lines: list[LayerLine], labels: dict[str, str]) -> dict:
    """Each layer's weight-gradient norm against its place in the network (1 = the first layer), on a log
    scale: a gradient that shrank layer by layer on its way back to the input would fall to the left.
    ``labels``: layer, norm."""
    traces = [{"type": "scatter", "mode": "lines+markers", "marker": {"size": 6},
               "x": list(range(1, len(line.norms) + 1)), "y": _positive(line.norms),
               "customdata": [plotly_literal(layer) for layer in line.layers], "name": plotly_literal(line.name),
               "line": {"color": line.colour, "width": 3, "dash": line.dash},
               "hovertemplate": f"{plotly_literal(line.name)}<br>{labels['layer']} %{{x}} (%{{customdata}}): "
                                "%{y:.3g}<extra></extra>"}
              for line in lines]
    return {"data": traces, "layout": _norms_layout(traces, labels["layer"], labels["norm"], hovermode="closest",
                                                    legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
                                                    margin={"l": 70, "r": 10, "t": 60, "b": 50})}


def _positive(values) -> list[float | None]:
    """What a log axis can draw: a zero, negative or non-finite norm becomes a gap."""
    return [v if v is not None and math.isfinite(v) and v > 0 else None for v in values]


def _norms_layout(traces: list[dict], x_title: str, y_title: str, **settings) -> dict:
    """A log y axis of gradient norms, its ticks at readable numbers over the traces' range."""
    values = [v for trace in traces for v in trace["y"] if v is not None]
    ticks = log_ticks(min(values), max(values)) if values else []
    return base_layout(height=340, xaxis={"title": {"text": x_title}, **GRID},
                       yaxis=log_axis(y_title, tickvals=ticks, ticktext=[f"{v:.3g}" for v in ticks], **GRID),
                       **settings)


def log_ticks(low: float, high: float) -> list[float]:
    """1, 2 and 5 times the powers of ten from ``low`` to ``high`` (only the powers over more than three
    decades): readable numbers where Plotly would write each minor tick as a lone digit."""
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    steps = (1,) if last - first > 3 else (1, 2, 5)
    return [m * 10.0 ** k for k in range(first, last + 1) for m in steps if low / 1.5 <= m * 10.0 ** k <= high * 1.5]


def confusion_figure(matrix: np.ndarray, class_names: list[str], labels: dict[str, str]) -> dict:
    """Test images by true class (rows) and predicted class (columns), the count in each cell; the
    diagonal is what the network gets right. ``labels``: true, predicted."""
    matrix = np.asarray(matrix, dtype=int)
    names = [plotly_literal(name) for name in class_names]
    share = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    return {"data": [{"type": "heatmap", "z": share.round(4).tolist(), "x": names, "y": names,
                      "text": matrix.tolist(), "texttemplate": "%{text}", "textfont": {"size": 14},
                      "colorscale": [[0, "#ffffff"], [1, PALETTE["conv"]]], "zmin": 0, "zmax": 1, "showscale": False,
                      "xgap": 1, "ygap": 1,
                      "hovertemplate": f"{labels['true']} %{{y}}, {labels['predicted']} %{{x}}: %{{text}}<extra></extra>"}],
            "layout": base_layout(
                height=440, xaxis={"title": {"text": labels["predicted"]}, "type": "category", "side": "bottom",
                                   "fixedrange": True, "automargin": True},
                yaxis={"title": {"text": labels["true"]}, "type": "category", "autorange": "reversed",
                       "fixedrange": True, "automargin": True, "scaleanchor": "x"},
                margin={"l": 70, "r": 10, "t": 10, "b": 60})}
