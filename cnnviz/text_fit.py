"""How wide a figure's text is drawn, estimated without a browser, so cells and figures are sized to fit it.

The estimates are upper bounds for the figures' font (Source Sans, or the
browser's sans-serif where it is missing): a Hangul syllable takes about a
full em, a digit, a Latin letter or a minus sign at most 0.6 em, a point or a
space less. Figures use them to size cells and panels; tests use them to check
that every number fits its cell.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

NUMBER_FONT = (14, 18)   # px, smallest and largest: grid numbers stay readable from the back of a classroom
CELL_PADDING = 6         # px of a cell left free on each side of its number
_NARROW = set(".,:;|!'()[] ")
_MARKUP = re.compile(r"</?[a-z]+>")


def _em(char: str) -> float:
    if "\u1100" <= char <= "\u11ff" or "\u3130" <= char <= "\u318f" or "\uac00" <= char <= "\ud7a3":
        return 1.0
    return 0.35 if char in _NARROW else 0.6


def text_width(text: str, size: float) -> float:
    """About how many pixels the widest line of ``text`` (Plotly markup: lines split at <br>) takes at ``size`` px."""
    lines = _MARKUP.sub("", text.replace("<br>", "\n")).split("\n")
    return max(size * sum(_em(char) for char in line) for line in lines)


def number_cell(texts: Iterable[str], cell: int) -> int:
    """A cell side of at least ``cell`` px in which the widest of ``texts`` fits at the smallest number font."""
    widest = max((text_width(text, NUMBER_FONT[0]) for text in texts), default=0.0)
    return max(cell, math.ceil(widest + 2 * CELL_PADDING))


def number_font(texts: Iterable[str], cell: int) -> int:
    """The number font for ``cell``-px cells: as large as the widest text allows, up to 40% of the cell,
    within ``NUMBER_FONT`` (give the cell from ``number_cell`` and the text fits)."""
    texts = list(texts)
    size = min(NUMBER_FONT[1], max(NUMBER_FONT[0], int(cell * 0.4)))
    while size > NUMBER_FONT[0] and any(text_width(text, size) + 2 * CELL_PADDING > cell for text in texts):
        size -= 1
    return size


def wrap_text(text: str, size: float, width: float) -> str:
    """``text`` broken at spaces (Plotly's <br>) into lines of at most about ``width`` px at ``size`` px:
    Plotly never wraps a title, and a long one is cut off at a phone's edge."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and text_width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return "<br>".join(lines)
