"""Figure builders: numbers in, Plotly figure dicts out.

One figure language across the lessons: the colours in ``PALETTE`` mean the
same thing on every page (input, padding, kernel, window, output), row 0 is at
the top, and values use one diverging scale: blue below zero, white at zero,
red above. Figures are plain dicts (what ``st.plotly_chart`` accepts), which
is about 50 times cheaper than building a validated ``go.Figure``; text is
passed in by the caller, already translated.
"""

from __future__ import annotations

import math

import numpy as np

PALETTE = {
    "input": "#dbe7f6",
    "padding": "#eceff3",
    "kernel": "#f6c177",
    "window": "#e4572e",
    "output": "#cdebd5",
    "dense": "#c2410c",
    "conv": "#1d4ed8",
    "text": "#1f2933",
    "muted": "#6b7280",
}
DIVERGING = [[0.0, "#2166ac"], [0.25, "#92c5de"], [0.5, "#f7f7f7"], [0.75, "#f4a582"], [1.0, "#b2182b"]]
FONT = {"family": "Source Sans Pro, Noto Sans KR, sans-serif", "size": 15, "color": PALETTE["text"]}


def base_layout(**overrides) -> dict:
    """The layout every figure starts from: white, readable on a projector, no logo."""
    layout = {
        "font": FONT,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
    }
    layout.update(overrides)
    return layout


def _wrap(label: str, width: int = 10) -> str:
    """Break a box label onto two lines at its last space when it is long."""
    if " + " in label:
        return label.replace(" + ", "<br>+ ")
    if len(label) > width and " " in label:
        head, tail = label.rsplit(" ", 1)
        return f"{head}<br>{tail}"
    return label


def pipeline_figure(labels: dict[str, str]) -> dict:
    """Input -> [conv + ReLU -> pooling] x 2 -> flatten -> dense -> softmax -> class.

    ``labels`` holds the translated names: input, conv, pool, flatten, dense,
    softmax, class, features, classifier. Boxes shrink and deepen as the
    feature maps do, to hint at what each stage does to the shape.
    """
    stages = [
        ("input", 1.00, "#e5e7eb"), ("conv", 0.85, PALETTE["input"]), ("pool", 0.62, PALETTE["input"]),
        ("conv", 0.62, PALETTE["input"]), ("pool", 0.45, PALETTE["input"]), ("flatten", 0.9, PALETTE["output"]),
        ("dense", 0.7, PALETTE["output"]), ("softmax", 0.55, PALETTE["output"]), ("class", 0.45, PALETTE["kernel"]),
    ]
    shapes, annotations = [], []
    step, width = 1.0, 0.78
    for index, (name, height, colour) in enumerate(stages):
        x0 = index * step
        shapes.append({"type": "rect", "x0": x0, "x1": x0 + width, "y0": -height / 2, "y1": height / 2,
                       "fillcolor": colour, "line": {"color": "#94a3b8", "width": 1}, "layer": "below"})
        annotations.append({"x": x0 + width / 2, "y": 0, "text": _wrap(labels[name]),
                            "showarrow": False, "font": {"size": 13}})
        if index:
            annotations.append({"x": x0 - 0.02, "y": 0, "ax": x0 - step + width + 0.02, "ay": 0,
                                "xref": "x", "yref": "y", "axref": "x", "ayref": "y", "text": "",
                                "showarrow": True, "arrowhead": 3, "arrowwidth": 1.5,
                                "arrowcolor": PALETTE["muted"]})
    for group, first, last, colour in (("features", 1, 4, PALETTE["conv"]),
                                       ("classifier", 5, 7, PALETTE["dense"])):
        x0, x1 = first * step, last * step + width
        shapes.append({"type": "line", "x0": x0, "x1": x1, "y0": 0.62, "y1": 0.62,
                       "line": {"color": colour, "width": 3}})
        annotations.append({"x": (x0 + x1) / 2, "y": 0.72, "text": f"<b>{labels[group]}</b>",
                            "showarrow": False, "font": {"color": colour, "size": 15}})
    return {
        "data": [{"type": "scatter", "x": [], "y": [], "hoverinfo": "skip"}],  # Plotly needs a trace
        "layout": base_layout(
            shapes=shapes, annotations=annotations, height=190, showlegend=False,
            margin={"l": 5, "r": 5, "t": 5, "b": 5},
            xaxis={"visible": False, "range": [-0.1, len(stages) * step - step + width + 0.1], "fixedrange": True},
            yaxis={"visible": False, "range": [-0.6, 0.85], "fixedrange": True},
        ),
    }


def parameter_growth_figure(sides: list[int], dense: list[int], conv: list[int], labels: dict[str, str],
                            highlight: int | None = None) -> dict:
    """First-layer parameters of a dense and a conv layer against the image side (log scale)."""
    traces = [
        {"type": "scatter", "mode": "lines+markers", "x": sides, "y": dense, "name": labels["dense"],
         "line": {"color": PALETTE["dense"], "width": 3}, "marker": {"size": 8},
         "hovertemplate": "%{x}×%{x}: %{y:,}<extra></extra>"},
        {"type": "scatter", "mode": "lines+markers", "x": sides, "y": conv, "name": labels["conv"],
         "line": {"color": PALETTE["conv"], "width": 3}, "marker": {"size": 8},
         "hovertemplate": "%{x}×%{x}: %{y:,}<extra></extra>"},
    ]
    shapes = []
    if highlight is not None:
        shapes.append({"type": "line", "x0": highlight, "x1": highlight, "yref": "paper", "y0": 0, "y1": 1,
                       "line": {"color": PALETTE["muted"], "dash": "dot", "width": 2}})
    return {
        "data": traces,
        "layout": base_layout(
            title={"text": labels["title"], "x": 0.01},
            height=360, shapes=shapes, hovermode="x unified",
            xaxis={"title": {"text": labels["x"]}, "type": "log", "tickvals": sides,
                   "gridcolor": "#e5e7eb"},
            yaxis={"title": {"text": labels["y"]}, "type": "log", "exponentformat": "power",
                   "gridcolor": "#e5e7eb", "automargin": True},
            legend={"orientation": "h", "y": -0.25, "x": 0},
            margin={"l": 70, "r": 10, "t": 50, "b": 10},
        ),
    }


def format_number(value: float) -> str:
    """Short, exact-looking cell text: 3 for 3.0, 0.25 for 0.25, -0.33 for -1/3, -∞ for padding of max pooling."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if math.isinf(value):
        return "−∞" if value < 0 else "∞"
    if abs(value - round(value)) < 1e-9:
        return str(int(round(value))) if round(value) != 0 else "0"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "0") else text


def value_grid(values, title: str = "", colour: str | None = None, cell: int = 44) -> dict:
    """A small grid with its numbers printed in the cells (kernels, patches, products).

    ``colour`` paints every cell one colour of the figure language; without it the
    cells use the diverging scale, centred at zero, so signs stand out.
    """
    values = np.asarray(values, dtype=float)
    limit = float(np.nanmax(np.abs(values))) if values.size and np.isfinite(values).any() else 1.0
    heatmap = {"type": "heatmap", "z": values.tolist(), "texttemplate": "%{text}", "xgap": 2, "ygap": 2,
               "text": [[format_number(float(v)) for v in row] for row in values], "hoverinfo": "skip",
               "showscale": False, "textfont": {"size": 14, "color": PALETTE["text"]}}
    if colour is None:
        heatmap |= {"colorscale": DIVERGING, "zmin": -(limit or 1.0), "zmax": limit or 1.0}
    else:
        heatmap |= {"colorscale": [[0, colour], [1, colour]], "zmin": 0, "zmax": 1,
                    "z": np.zeros(values.shape).tolist()}
    rows, cols = values.shape
    return {"data": [heatmap], "layout": base_layout(
        title={"text": title, "x": 0.5, "font": {"size": 15}}, height=rows * cell + 50,
        width=max(cols * cell + 20, 120), margin={"l": 10, "r": 10, "t": 40, "b": 10},
        xaxis={"visible": False, "fixedrange": True},
        yaxis={"visible": False, "autorange": "reversed", "fixedrange": True, "scaleanchor": "x"})}


def receptive_field_figure(fields: list[int], labels: list[str]) -> dict:
    """Nested squares: the input region one output cell sees after each layer, all centred."""
    side = max(fields)
    shades = ["#1d4ed8", "#2563eb", "#3b82f6", "#60a5fa", "#93c5fd", "#bfdbfe"]
    shapes, annotations = [], []
    for index, field in reversed(list(enumerate(fields))):
        start = (side - field) / 2
        shapes.append({"type": "rect", "x0": start, "x1": start + field, "y0": start, "y1": start + field,
                       "line": {"color": shades[index % len(shades)], "width": 3},
                       "fillcolor": "rgba(37, 99, 235, 0.06)"})
        annotations.append({"x": start + field, "y": start, "xanchor": "right", "yanchor": "bottom",
                            "text": labels[index], "showarrow": False,
                            "font": {"size": 13, "color": shades[index % len(shades)]}})
    grid = {"type": "heatmap", "z": np.zeros((side, side)).tolist(), "x0": 0.5, "y0": 0.5,
            "colorscale": [[0, PALETTE["input"]], [1, PALETTE["input"]]], "showscale": False,
            "xgap": 1, "ygap": 1, "hoverinfo": "skip"}
    centre = (side - 1) / 2 + 0.5
    marker = {"type": "scatter", "x": [centre], "y": [centre], "mode": "markers", "hoverinfo": "skip",
              "marker": {"symbol": "square", "size": 14, "color": PALETTE["window"]}}
    return {"data": [grid, marker], "layout": base_layout(
        shapes=shapes, annotations=annotations, height=min(120 + 22 * side, 560), showlegend=False,
        xaxis={"visible": False, "range": [-0.2, side + 0.2], "fixedrange": True},
        yaxis={"visible": False, "range": [side + 0.2, -0.2], "scaleanchor": "x", "fixedrange": True},
        margin={"l": 10, "r": 10, "t": 10, "b": 10})}
