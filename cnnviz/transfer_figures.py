"""Figures of the transfer lesson: the network of each way with its frozen layers locked, and the accuracies.

Callers pass the translated words; the layers' states come from the module itself
(``cnnviz.transfer.layer_boxes``), so the drawing cannot disagree with what trains.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cnnviz.figures import PALETTE, SERIES_COLOURS, base_layout
from cnnviz.formulas import plotly_literal
from cnnviz.text_fit import text_width, wrap_text

STATE_COLOURS = {"frozen": "#cbd5e1", "tuned": PALETTE["kernel"], "new": PALETTE["output"], "plain": "#f8fafc"}
STATES = ("frozen", "tuned", "new")      # the legend's order; "plain" is a layer without weights
FONT_SIZE = 14
BOX_HEIGHT, PLAIN_HEIGHT, GAP, ROW_GAP = 52, 34, 14, 26
HEADER = 30              # px above the first row for the brackets over the base and the classifier
LOCK = "#334155"
PHONE_PLOT = 280         # px of a phone's width the bars get: the groups' names share it


@dataclass(frozen=True)
class Box:
    """One layer as drawn: its name, its weights and what training does to them."""
    name: str
    parameters: int
    state: str           # frozen (pretrained, locked), tuned (pretrained, trained slowly), new (drawn afresh), plain
    in_base: bool        # part of the convolutional base (else of the classifier)


def _lock(x: float, y: float) -> list[dict]:
    """A padlock 12 px wide whose body's top-left corner is at (x, y) (y grows upwards)."""
    body = {"type": "rect", "x0": x, "x1": x + 12, "y0": y - 9, "y1": y, "fillcolor": LOCK,
            "line": {"color": LOCK, "width": 1}}
    shackle = {"type": "path", "path": f"M {x + 2.5},{y} C {x + 2.5},{y + 8} {x + 9.5},{y + 8} {x + 9.5},{y}",
               "line": {"color": LOCK, "width": 2}}
    return [body, shackle]


def network_figure(rows: list[tuple[str, str, list[Box]]], legend: dict[str, str]) -> dict:
    """One row per way: its name and a line under it (the trainable count), then its layers left to right,
    each coloured by its state, the frozen ones locked, under a bracket for the convolutional base and one for
    the classifier. ``legend``: a word for each of ``STATES``, and for "base" and "classifier".

    Drawn in pixels (one unit is one pixel), at a fixed width: on a narrow screen the figure scrolls rather
    than squeezing its words into each other."""
    numbers = [f"{box.parameters:,}" for _, _, boxes in rows for box in boxes]
    names = [box.name for _, _, boxes in rows for box in boxes]
    box_width = math.ceil(max(text_width(text, FONT_SIZE) for text in names + numbers)) + 16
    label_width = math.ceil(max(text_width(text, FONT_SIZE + 1) for title, line, _ in rows for text in (title, line)))
    left = label_width + 16
    columns = max(len(boxes) for _, _, boxes in rows)
    width = left + columns * box_width + (columns - 1) * GAP
    shapes, annotations = [], []
    for index, (title, line, boxes) in enumerate(rows):
        middle = -index * (BOX_HEIGHT + ROW_GAP) - BOX_HEIGHT / 2
        annotations.append({"x": 0, "y": middle, "xanchor": "left", "showarrow": False, "align": "left",
                            "text": f"<b>{plotly_literal(title)}</b><br>{plotly_literal(line)}",
                            "font": {"size": FONT_SIZE + 1}})
        for column, box in enumerate(boxes):
            x0 = left + column * (box_width + GAP)
            half = (PLAIN_HEIGHT if box.state == "plain" else BOX_HEIGHT) / 2
            shapes.append({"type": "rect", "x0": x0, "x1": x0 + box_width, "y0": middle - half, "y1": middle + half,
                           "fillcolor": STATE_COLOURS[box.state], "line": {"color": "#94a3b8", "width": 1},
                           "layer": "below"})
            if column:
                shapes.append({"type": "line", "x0": x0 - GAP, "x1": x0, "y0": middle, "y1": middle,
                               "line": {"color": PALETTE["muted"], "width": 1.5}})
            text = plotly_literal(box.name) + ("" if box.state == "plain" else f"<br>{box.parameters:,}")
            annotations.append({"x": x0 + box_width / 2, "y": middle - (4 if box.state == "frozen" else 0),
                                "text": text, "showarrow": False, "font": {"size": FONT_SIZE}})
            if box.state == "frozen":
                shapes += _lock(x0 + box_width - 16, middle + half - 5)
    for group, members in (("base", [b.in_base for b in rows[0][2]]), ("classifier", [not b.in_base for b in rows[0][2]])):
        columns_in = [column for column, member in enumerate(members) if member]
        x0 = left + columns_in[0] * (box_width + GAP)
        x1 = left + columns_in[-1] * (box_width + GAP) + box_width
        colour = PALETTE["conv"] if group == "base" else PALETTE["dense"]
        shapes.append({"type": "line", "x0": x0, "x1": x1, "y0": HEADER / 2, "y1": HEADER / 2,
                       "line": {"color": colour, "width": 3}})
        annotations.append({"x": (x0 + x1) / 2, "y": HEADER / 2, "yanchor": "bottom", "showarrow": False,
                            "text": f"<b>{plotly_literal(legend[group])}</b>", "font": {"size": FONT_SIZE, "color": colour}})
    bottom = -len(rows) * (BOX_HEIGHT + ROW_GAP)
    x = left
    for state in STATES:           # the legend: a swatch (the frozen one locked) and its word
        shapes.append({"type": "rect", "x0": x, "x1": x + 22, "y0": bottom - 8, "y1": bottom + 8,
                       "fillcolor": STATE_COLOURS[state], "line": {"color": "#94a3b8", "width": 1}})
        if state == "frozen":
            shapes += _lock(x + 5, bottom + 3)
        annotations.append({"x": x + 28, "y": bottom, "xanchor": "left", "showarrow": False,
                            "text": plotly_literal(legend[state]), "font": {"size": FONT_SIZE}})
        x += 28 + text_width(legend[state], FONT_SIZE) + 24
    width = max(width, x)
    height = -bottom + 20 + HEADER + 8
    return {
        "data": [{"type": "scatter", "x": [], "y": [], "hoverinfo": "skip"}],  # Plotly needs a trace
        "layout": base_layout(
            shapes=shapes, annotations=annotations, width=math.ceil(width) + 10, height=math.ceil(height) + 10,
            showlegend=False, margin={"l": 5, "r": 5, "t": 5, "b": 5},
            xaxis={"visible": False, "range": [0, math.ceil(width)], "fixedrange": True},
            yaxis={"visible": False, "range": [bottom - 20, HEADER + 8], "fixedrange": True}),
    }


def accuracy_figure(groups: list[str], ways: list[str], accuracy: list[list[float]], spread: list[list[float]],
                    labels: dict[str, str]) -> dict:
    """Grouped bars: for each group (a number of labels, or a pair of tasks), each way's mean test accuracy with
    its spread over the seeds as an error bar (the numbers are in the table beside it, and on hover).
    ``labels``: group, accuracy."""
    names = [wrap_text(plotly_literal(g), FONT_SIZE, PHONE_PLOT / len(groups)) for g in groups]   # they fit a phone
    traces = [{"type": "bar", "name": plotly_literal(way), "x": names,
               "y": [round(100 * a, 2) for a in accuracy[index]],
               "error_y": {"type": "data", "array": [round(100 * s, 2) for s in spread[index]], "visible": True,
                           "color": PALETTE["text"], "thickness": 1.5},
               "marker": {"color": SERIES_COLOURS[index % len(SERIES_COLOURS)]},
               "hovertemplate": f"{plotly_literal(way)}: %{{y:.1f}}%<extra></extra>"}
              for index, way in enumerate(ways)]
    low = min(100 * (a - s) for row, spreads in zip(accuracy, spread) for a, s in zip(row, spreads))
    return {"data": traces, "layout": base_layout(
        barmode="group", height=380, bargap=0.25,
        xaxis={"title": {"text": labels["group"], "standoff": 12}, "type": "category", "fixedrange": True,
               "automargin": True},
        yaxis={"title": {"text": labels["accuracy"]}, "range": [max(0, 10 * math.floor(low / 10) - 10), 103],
               "ticksuffix": "%", "fixedrange": True, "gridcolor": "#e5e7eb", "automargin": True},
        legend={"orientation": "h", "y": 1.12, "x": 0}, margin={"l": 70, "r": 10, "t": 40, "b": 50})}
