"""Figures for a projector: the same figure drawn larger, so the back row can read its numbers and labels.

A figure's builder sizes its cells for numbers of 14 px or more (``cnnviz.text_fit``), which is
readable on a laptop. Presenter mode wants numbers in grid cells of at least ``NUMBER_FONT`` px
and every other text (axes, ticks, legends, titles, buttons) of at least ``TEXT_FONT`` px. Rather
than every builder taking a second set of sizes, one function redraws any finished figure as the
browser would at a higher zoom: everything measured in pixels (the figure's size, its margins, the
offsets and pads of its text, its fonts) grows by the factor that brings the smallest grid number
to ``NUMBER_FONT``, so cells grow with their numbers and every number still fits its cell; then
any text still below ``TEXT_FONT`` is raised to it. Data coordinates are left alone: a figure laid
out in pixel units (``figures.pixel_axes``) keeps its layout, drawn larger.
"""

from __future__ import annotations

import copy
import math

NUMBER_FONT = 18   # px: the numbers printed in a grid's cells
TEXT_FONT = 16     # px: every other text of a figure
_BASE_FONT = 12    # px: Plotly's own default, where a figure sets no font size at all
_SHIFTS = ("xshift", "yshift")
_PAD_SIDES = ("t", "b", "l", "r")


def presenter_figure(figure: dict) -> dict:
    """A copy of the Plotly figure dict ``figure`` drawn for a projector (see the module's docstring).

    Only sizes in pixels change: fonts, the figure's width and height, its margins, and the pads and
    shifts that place text; the data, the colours and the axes' ranges are the same.
    """
    presented = copy.deepcopy(figure)
    layout = presented.setdefault("layout", {})
    base = _size_of(layout.get("font")) or _BASE_FONT
    zoom = _zoom(presented, base)
    for name in ("width", "height"):
        if isinstance(layout.get(name), (int, float)):
            layout[name] = math.ceil(layout[name] * zoom)
    margin = layout.get("margin", {})
    for side in _PAD_SIDES:
        if isinstance(margin.get(side), (int, float)):
            margin[side] = math.ceil(margin[side] * zoom)
    layout.setdefault("font", {}).setdefault("size", base)
    _grow(layout, zoom, TEXT_FONT)
    for part in [presented] + list(presented.get("frames", [])):
        for trace in part.get("data", []):
            floor = NUMBER_FONT if _is_number_grid(trace) else TEXT_FONT
            if floor == NUMBER_FONT and "textfont" not in trace:
                trace["textfont"] = {"size": base}
            _grow(trace, zoom, floor)
        if part is not presented:
            _grow(part.get("layout", {}), zoom, TEXT_FONT)
    return presented


def _is_number_grid(trace: dict) -> bool:
    return trace.get("type") == "heatmap" and bool(trace.get("texttemplate"))


def _size_of(font) -> float | None:
    size = font.get("size") if isinstance(font, dict) else None
    return size if isinstance(size, (int, float)) else None


def _zoom(figure: dict, base: float) -> float:
    """The factor that brings the smallest number in a grid cell (its own size, or the layout's) to ``NUMBER_FONT``."""
    sizes = []
    for trace in figure.get("data", []):
        if _is_number_grid(trace):
            size = trace.get("textfont", {}).get("size", base)
            sizes += list(size) if isinstance(size, (list, tuple)) else [size]
    return max(1.0, NUMBER_FONT / min(sizes)) if sizes else 1.0


def _grow(node, zoom: float, floor: int) -> None:
    """Scale, in place, every font size, text shift and pad under ``node`` by ``zoom``; fonts to ``floor`` at least."""
    if isinstance(node, list):
        for item in node:
            _grow(item, zoom, floor)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key.endswith("font") and isinstance(value, dict) and "size" in value:
            value["size"] = _font(value["size"], zoom, floor)
        elif key in _SHIFTS and isinstance(value, (int, float)):
            node[key] = round(value * zoom)
        elif key == "pad" and isinstance(value, dict):
            node[key] = {side: round(v * zoom) if side in _PAD_SIDES and isinstance(v, (int, float)) else v
                         for side, v in value.items()}
        if isinstance(value, (dict, list)):
            _grow(value, zoom, floor if key == "textfont" else TEXT_FONT)


def _font(size, zoom: float, floor: int):
    if isinstance(size, (list, tuple)):
        return [_font(s, zoom, floor) for s in size]
    return max(math.ceil(size * zoom), floor) if isinstance(size, (int, float)) else size
