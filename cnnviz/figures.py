"""Figure builders: numbers in, Plotly figure dicts out.

One figure language across the lessons: the colours in ``PALETTE`` mean the
same thing on every page (input, padding, kernel, window, output), row 0 is at
the top, and values use one diverging scale: blue below zero, white at zero,
red above. Figures are plain dicts (what ``st.plotly_chart`` accepts), which
is about 50 times cheaper than building a validated ``go.Figure``; text is
passed in by the caller, already translated.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from cnnviz.text_fit import number_cell, number_font, text_width, wrap_text

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


def log_axis(title: str, **settings) -> dict:
    """A log-scale axis with powers of ten (10⁶) on its ticks and its title held clear of them.

    With Plotly's default standoff the title sits against tick labels such as "10⁻⁶" (a Korean
    title visibly touches them); a fixed standoff, with automargin, moves the title out instead.
    """
    return {"title": {"text": title, "standoff": 22}, "type": "log", "exponentformat": "power",
            "automargin": True, **settings}


def _wrap(label: str, width: int = 10) -> str:
    """Break a box label onto two lines at its last space when it is long."""
    if " + " in label:
        return label.replace(" + ", "<br>+ ")
    if len(label) > width and " " in label:
        head, tail = label.rsplit(" ", 1)
        return f"{head}<br>{tail}"
    return label


PIPELINE_FONT = 13


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
    # x is in pixels: every box as wide as the widest label, arrows between them. The figure keeps that
    # width (on a narrow screen it scrolls) so that no label runs into the next.
    texts = {name: _wrap(labels[name]) for name, _, _ in stages}
    width = max(text_width(text, PIPELINE_FONT) for text in texts.values()) + 10
    step = width + 22
    shapes, annotations = [], []
    for index, (name, height, colour) in enumerate(stages):
        x0 = index * step
        shapes.append({"type": "rect", "x0": x0, "x1": x0 + width, "y0": -height / 2, "y1": height / 2,
                       "fillcolor": colour, "line": {"color": "#94a3b8", "width": 1}, "layer": "below"})
        annotations.append({"x": x0 + width / 2, "y": 0, "text": texts[name],
                            "showarrow": False, "font": {"size": PIPELINE_FONT}})
        if index:
            annotations.append({"x": x0 - 2, "y": 0, "ax": x0 - step + width + 2, "ay": 0,
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
    end = (len(stages) - 1) * step + width
    return {
        "data": [{"type": "scatter", "x": [], "y": [], "hoverinfo": "skip"}],  # Plotly needs a trace
        "layout": base_layout(
            shapes=shapes, annotations=annotations, height=190, width=math.ceil(end) + 20, showlegend=False,
            margin={"l": 5, "r": 5, "t": 5, "b": 5},
            xaxis={"visible": False, "range": [-5, end + 5], "fixedrange": True},
            yaxis={"visible": False, "range": [-0.6, 0.85], "fixedrange": True},
        ),
    }


CHART_TITLE_FONT = 18
PHONE_WIDTH = 320        # px a figure has on a phone: what a title that Plotly cannot wrap must fit


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
    title = wrap_text(labels["title"], CHART_TITLE_FONT, PHONE_WIDTH)
    shapes = []
    if highlight is not None:
        shapes.append({"type": "line", "x0": highlight, "x1": highlight, "yref": "paper", "y0": 0, "y1": 1,
                       "line": {"color": PALETTE["muted"], "dash": "dot", "width": 2}})
    return {
        "data": traces,
        "layout": base_layout(
            title={"text": title, "x": 0.01, "font": {"size": CHART_TITLE_FONT}},
            height=360, shapes=shapes, hovermode="x unified",
            xaxis={"title": {"text": labels["x"]}, "type": "log", "tickvals": sides,
                   "gridcolor": "#e5e7eb"},
            yaxis=log_axis(labels["y"], gridcolor="#e5e7eb"),
            legend={"orientation": "h", "y": -0.32, "x": 0},
            margin={"l": 70, "r": 10, "t": 28 + 24 * title.count("<br>") + 24, "b": 40},
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


@dataclass(frozen=True)
class Panel:
    """One small grid of a ``value_grids`` figure."""
    values: np.ndarray
    title: str = ""
    colour: str | None = None            # one colour for every cell; None: the diverging scale
    outline: np.ndarray | None = None    # boolean mask of cells to frame in the window colour
    outline_fill: str | None = None      # with ``colour``: the framed cells' own colour


@dataclass(frozen=True)
class Placement:
    """Where a grid sits on a figure's one pair of axes, whose unit is one pixel: its top-left corner and its
    cell width and height, in px.

    Grids placed on one pair of axes instead of one subplot each: Plotly draws every subplot's axes and layers
    again whenever a figure is mounted, which is most of a lesson's time in the browser after a rerun."""
    left: float
    top: float
    dx: float
    dy: float

    def heatmap(self) -> dict:
        """A heatmap's coordinates for its cell (0, 0) at the corner."""
        return {"x0": self.left + self.dx / 2, "dx": self.dx, "y0": self.top + self.dy / 2, "dy": self.dy}

    def cells(self, r0: int, r1: int, c0: int, c1: int) -> dict:
        """A shape's coordinates around the cells from (r0, c0) to (r1, c1)."""
        return {"xref": "x", "yref": "y", "x0": self.left + c0 * self.dx, "x1": self.left + (c1 + 1) * self.dx,
                "y0": self.top + r0 * self.dy, "y1": self.top + (r1 + 1) * self.dy}


def pixel_axes(width: float, height: float) -> dict:
    """One hidden pair of axes over a ``width`` x ``height`` px plot, one unit a pixel, y growing downwards
    (row 0 at the top)."""
    return {"xaxis": {"visible": False, "range": [0, width], "fixedrange": True},
            "yaxis": {"visible": False, "range": [height, 0], "fixedrange": True}}


def title_above(text: str, x: float, size: int, bold: bool = False, gap: int = 2) -> dict:
    """A title centred on ``x`` (in px of ``pixel_axes``), ``gap`` px above the plot; its text may reach past
    the plot's edges into the margins."""
    return {"text": f"<b>{text}</b>" if bold else text, "x": x, "xref": "x", "y": 1, "yref": "paper",
            "yanchor": "bottom", "yshift": gap, "showarrow": False, "font": {"size": size}}


def cell_texts(values) -> list[list[str]]:
    """The numbers a grid prints in its cells."""
    return [[format_number(float(v)) for v in row] for row in np.asarray(values, dtype=float)]


def _panel_heatmap(panel: Panel, place: Placement, font_size: int) -> dict:
    values = np.asarray(panel.values, dtype=float)
    heatmap = {"type": "heatmap", "z": values.tolist(), "texttemplate": "%{text}", "xgap": 2, "ygap": 2,
               "text": cell_texts(values), "hoverinfo": "skip",
               "showscale": False, "textfont": {"size": font_size, "color": PALETTE["text"]}, **place.heatmap()}
    if panel.colour is None:
        finite = np.abs(values[np.isfinite(values)])
        limit = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
        # No text colour: Plotly picks black or white against each cell, so numbers stay readable on dark blue/red.
        return heatmap | {"colorscale": DIVERGING, "zmin": -limit, "zmax": limit, "textfont": {"size": font_size}}
    marked = panel.outline if panel.outline is not None and panel.outline_fill else np.zeros(values.shape, bool)
    second = panel.outline_fill or panel.colour
    return heatmap | {"colorscale": [[0, panel.colour], [0.5, panel.colour], [0.5, second], [1, second]],
                      "zmin": 0, "zmax": 1, "z": np.asarray(marked, dtype=float).tolist()}


TITLE_FONT = 14


def _title_span(title: str, cell: int) -> float:
    """How many cells wide a panel title is at the title font."""
    return text_width(title, TITLE_FONT) / cell + 0.2


def value_grids(panels: list[Panel], cell: int = 44) -> dict:
    """Small grids side by side in one figure, numbers printed in the cells (kernels, windows,
    products, pooled maps). One figure instead of one per grid keeps a page's rerun cheap, and one
    pair of axes instead of one per grid keeps its drawing cheap (see ``Placement``). A panel whose
    title is wider than its grid gets the room for it.

    ``cell`` is the least cell side in px: cells grow until the widest number fits at a readable
    font. The figure keeps that size (on a narrower screen its box scrolls) rather than squeezing
    numbers into each other."""
    texts = [text for p in panels for row in cell_texts(p.values) for text in row]
    cell = number_cell(texts, cell)
    font_size = number_font(texts, cell)
    rows = max(np.shape(p.values)[0] for p in panels)
    spans = [max(np.shape(p.values)[1], _title_span(p.title, cell)) for p in panels]
    total = sum(spans) + 1.2 * (len(panels) - 1)
    lines = max(p.title.count("<br>") for p in panels) + 1
    width = max(int(total * cell) + 20, 120)
    # The columns share the plot's width: just under ``cell`` each from rounding, wider where the figure
    # is held at its least width.
    column = (width - 20) / total
    traces, shapes, titles, start = [], [], [], 0.0
    for panel, span in zip(panels, spans):
        cols = np.shape(panel.values)[1]
        place = Placement(left=(start + (span - cols) / 2) * column, top=0, dx=column, dy=cell)
        traces.append(_panel_heatmap(panel, place, font_size))
        marked = [] if panel.outline is None else np.argwhere(panel.outline)
        shapes += [{"type": "rect", **place.cells(r, r, c, c), "line": {"color": PALETTE["window"], "width": 3}}
                   for r, c in marked]
        if panel.title:
            titles.append(title_above(panel.title, (start + span / 2) * column, TITLE_FONT))
        start += span + 1.2
    top = 40 + 18 * (lines - 1)
    return {"data": traces, "layout": base_layout(shapes=shapes, annotations=titles, height=rows * cell + top + 10,
                                                   width=width, margin={"l": 10, "r": 10, "t": top, "b": 10},
                                                   **pixel_axes(width - 20, rows * cell))}


def value_grid(values, title: str = "", colour: str | None = None, cell: int = 44,
               outline: np.ndarray | None = None) -> dict:
    """One small grid with its numbers (see ``value_grids``)."""
    return value_grids([Panel(np.asarray(values), title, colour, outline)], cell)


def conv_step_grids(step, kernel, labels: dict[str, str]) -> dict:
    """One step of a convolution (a ``cnnviz.steps.ConvStep``): its window, the kernel, their products and the
    output value as grids (``labels``: window, kernel, products, value)."""
    return value_grids([Panel(step.patch, labels["window"], PALETTE["input"]),
                        Panel(kernel, labels["kernel"], PALETTE["kernel"]),
                        Panel(step.products, labels["products"]),
                        Panel(np.array([[step.value]]), labels["value"], PALETTE["output"])])


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


def diverging_image(values: np.ndarray, limit: float | None = None) -> np.ndarray:
    """A 2-D array as a uint8 RGB picture on the diverging scale: blue below zero, white at zero,
    red above; ``limit`` (default: the largest |value|) maps to the strongest colour."""
    values = np.asarray(values, dtype=float)
    limit = float(np.abs(values).max()) if limit is None else float(limit)
    position = np.clip(values / (limit or 1.0), -1, 1) / 2 + 0.5
    stops = [stop for stop, _ in DIVERGING]
    channels = [[int(colour[i: i + 2], 16) for _, colour in DIVERGING] for i in (1, 3, 5)]
    return np.stack([np.interp(position, stops, c) for c in channels], axis=-1).round().astype(np.uint8)


def colour_bar(limit: float, title: str) -> dict:
    """The diverging scale as a strip from -``limit`` to +``limit``: what the colours of a
    ``diverging_image`` with the same limit stand for (the ends also for anything beyond)."""
    limit = float(limit) or 1.0
    steps = np.linspace(-limit, limit, 101)
    ticks = [-limit, -limit / 2, 0.0, limit / 2, limit]
    labels = [f"≤ {format_number(-limit)}", format_number(-limit / 2), "0", format_number(limit / 2),
              f"≥ {format_number(limit)}"]
    return {"data": [{"type": "heatmap", "z": [steps.round(4).tolist()], "x": steps.round(4).tolist(),
                      "colorscale": DIVERGING, "zmin": -limit, "zmax": limit, "showscale": False,
                      "hoverinfo": "skip"}],
            "layout": base_layout(height=92, margin={"l": 24, "r": 24, "t": 28, "b": 30},
                                  title={"text": title, "x": 0.5, "font": {"size": 13}},
                                  xaxis={"tickvals": ticks, "ticktext": labels, "fixedrange": True,
                                         "tickfont": {"size": 12}, "showgrid": False, "zeroline": False},
                                  yaxis={"visible": False, "fixedrange": True})}


def frame_region(image: np.ndarray, row: int, col: int, size: int, colour: str = "#111827",
                 thickness: int = 2) -> np.ndarray:
    """A copy of an RGB picture with a square frame drawn just outside ``size`` x ``size`` pixels at (row, col)."""
    framed = np.array(image, copy=True)
    rgb = [int(colour[i: i + 2], 16) for i in (1, 3, 5)]
    top, left = max(row - thickness, 0), max(col - thickness, 0)
    bottom, right = min(row + size + thickness, framed.shape[0]), min(col + size + thickness, framed.shape[1])
    framed[top:bottom, left: left + thickness] = rgb
    framed[top:bottom, right - thickness: right] = rgb
    framed[top: top + thickness, left:right] = rgb
    framed[bottom - thickness: bottom, left:right] = rgb
    return framed


def enlarge(image: np.ndarray, factor: int) -> np.ndarray:
    """Nearest-neighbour upscaling, so a pooled map is shown with its blocks, not blurred by the browser."""
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)


SERIES_COLOURS = ["#1d4ed8", "#c2410c", "#15803d", "#7c3aed", "#0e7490", "#b91c1c"]


def lines_figure(x, series: list[tuple[str, list, bool]], title: str, x_title: str, y_title: str,
                 log_y: bool = False, colours: list[str] | None = None) -> dict:
    """Curves over one x axis; each series is (name, y values, dashed). Without ``colours`` (one per
    series), colours repeat in pairs when dashed and solid alternate, so a function and its derivative
    share a colour."""
    traces, colour, grid = [], -1, {"gridcolor": "#e5e7eb", "zerolinecolor": "#9ca3af"}
    for index, (name, y, dashed) in enumerate(series):
        colour += 0 if dashed else 1
        traces.append({"type": "scatter", "mode": "lines", "x": list(x), "y": list(y), "name": name,
                       "line": {"color": colours[index] if colours else SERIES_COLOURS[colour % len(SERIES_COLOURS)],
                                "width": 3, "dash": "dash" if dashed else "solid"}})
    return {"data": traces, "layout": base_layout(
        **({"title": {"text": title, "x": 0.01}} if title else {}), height=380, hovermode="x unified",
        xaxis={"title": {"text": x_title}, **grid},
        yaxis=log_axis(y_title, **grid) if log_y else {"title": {"text": y_title}, "exponentformat": "power",
                                                       "automargin": True, **grid},
        legend={"orientation": "h", "y": -0.3, "x": 0}, margin={"l": 70, "r": 10, "t": 50, "b": 40})}


def png_bytes(image: np.ndarray, width: int | None = None, compress_level: int = 6) -> bytes:
    """A uint8 grey or RGB array as PNG bytes: encoded once, then cached and sent as they are.

    ``width`` shrinks a wider picture to the width it is shown at (keeping its aspect): given a
    picture wider than its ``st.image`` width, Streamlit would decode, resize and re-encode it on
    every rerun. ``compress_level`` 1 encodes a photograph several times faster, a few percent bigger."""
    picture = Image.fromarray(np.asarray(image).astype(np.uint8))
    if width is not None and picture.width > width:
        picture = picture.resize((width, max(1, round(picture.height * width / picture.width))), Image.LANCZOS)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", compress_level=compress_level)
    return buffer.getvalue()


GREYS = [[0.0, "#000000"], [1.0, "#ffffff"]]


def scale_bar(low: float, high: float, colorscale: list, ends: tuple[str, str]) -> dict:
    """A thin colour bar that reads a picture's colours back as numbers: the scale from ``low`` to
    ``high`` with their values as ticks, and what the two ends mean written above them."""
    values = np.linspace(low, high, 121)
    ticks = [low, high] if low >= 0 or high <= 0 else [low, 0.0, high]
    annotations = [{"x": x, "y": 1.0, "yref": "paper", "yanchor": "bottom", "xanchor": anchor, "text": text,
                    "showarrow": False, "font": {"size": 13}}
                   for x, anchor, text in ((low, "left", ends[0]), (high, "right", ends[1]))]
    return {"data": [{"type": "heatmap", "z": [values.tolist()], "x": values.tolist(), "colorscale": colorscale,
                      "zmin": low, "zmax": high, "showscale": False, "hoverinfo": "skip"}],
            "layout": base_layout(height=78, annotations=annotations, margin={"l": 20, "r": 20, "t": 26, "b": 24},
                                  xaxis={"tickvals": ticks, "ticktext": [format_number(v) for v in ticks],
                                         "fixedrange": True, "showgrid": False, "zeroline": False,
                                         "range": [low, high]},
                                  yaxis={"visible": False, "fixedrange": True})}
