"""Pictures of a trained network: feature-map mosaics, kernels, probabilities, Grad-CAM.

Same figure language as ``cnnviz.figures``: values below zero blue, zero
white, above zero red (``DIVERGING``), row 0 at the top. Feature maps are many
and big, so they travel as uint8 RGB images (for ``st.image``); the small
things (one enlarged map, the kernels, the probabilities) are Plotly dicts.
Text is passed in by the caller, already translated.
"""

from __future__ import annotations

import math

import numpy as np

from cnnviz.figures import DIVERGING, PALETTE, base_layout, pixel_axes
from cnnviz.formulas import plotly_literal
from cnnviz.text_fit import number_cell, number_font

SCALES = ("map", "layer", "network")   # how far one colour range reaches
GAP = 2                                  # white pixels between the maps of a mosaic
CELL = 56                                # the side, in screen pixels, a map is drawn at (about)
KERNELS_ROW = 1000                       # px: a row of kernels is at most this wide
KERNEL_GAP = 16                          # px between two kernels
KERNEL_TITLE = 22                        # px above a kernel for its title


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)], np.float64)


_STOPS = np.array([stop for stop, _ in DIVERGING])
_COLOURS = np.stack([_rgb(colour) for _, colour in DIVERGING])


def colorize(values: np.ndarray, limit: float | np.ndarray) -> np.ndarray:
    """Values in [-limit, limit] to RGB uint8 on the diverging scale (a limit of 0 gives white)."""
    limit = np.where(np.asarray(limit, np.float64) > 0, limit, 1.0)
    position = np.clip(values / limit * 0.5 + 0.5, 0, 1)
    channels = [np.interp(position, _STOPS, _COLOURS[:, c]) for c in range(3)]
    return np.rint(np.stack(channels, axis=-1)).astype(np.uint8)


def limits(maps: np.ndarray, scale: str, network_limit: float) -> np.ndarray:
    """The colour range (+-limit) of each map in a (C, H, W) stack under a scale."""
    if scale == "map":
        return np.abs(maps).reshape(len(maps), -1).max(axis=1)
    if scale == "layer":
        return np.full(len(maps), np.abs(maps).max())
    return np.full(len(maps), network_limit)


def network_limit(arrays: list[np.ndarray]) -> float:
    """The largest magnitude across the spatial (C, H, W) activations of a network."""
    spatial = [np.abs(a).max() for a in arrays if a.ndim == 3]
    return float(max(spatial, default=0.0))


def upscale(image: np.ndarray, factor: int) -> np.ndarray:
    """Nearest-neighbour enlargement, so a 28x28 map stays crisp in the browser."""
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)


def mosaic(maps: np.ndarray, map_limits: np.ndarray, columns: int | None = None,
           selected: int | None = None) -> np.ndarray:
    """A (C, H, W) stack as one RGB image: a grid of maps, each on its own colour range.

    ``selected`` draws a frame in the window colour around one map.
    """
    count, height, width = maps.shape
    factor = max(1, math.ceil(CELL / max(height, width)))
    columns = columns or min(count, 16)
    rows = math.ceil(count / columns)
    cell_h, cell_w = height * factor, width * factor
    out = np.full((rows * (cell_h + GAP) + GAP, columns * (cell_w + GAP) + GAP, 3), 255, np.uint8)
    for index in range(count):
        top, left = GAP + (index // columns) * (cell_h + GAP), GAP + (index % columns) * (cell_w + GAP)
        out[top:top + cell_h, left:left + cell_w] = upscale(colorize(maps[index], map_limits[index]), factor)
    if selected is not None and 0 <= selected < count:
        top, left = (selected // columns) * (cell_h + GAP), (selected % columns) * (cell_w + GAP)
        frame = out[top:top + cell_h + 2 * GAP, left:left + cell_w + 2 * GAP]
        frame[:GAP], frame[-GAP:], frame[:, :GAP], frame[:, -GAP:] = (_rgb(PALETTE["window"]),) * 4
    return out


def vector_strip(vector: np.ndarray, limit: float | None = None, per_row: int = 42, cell: int = 14) -> np.ndarray:
    """A dense layer's N numbers as a strip of coloured cells, wrapped every ``per_row``."""
    count = len(vector)
    columns = min(count, per_row)
    rows = math.ceil(count / columns)
    padded = np.full(rows * columns, np.nan)
    padded[:count] = vector
    limit = float(np.abs(vector).max()) if limit is None else limit
    cells = colorize(np.nan_to_num(padded.reshape(rows, columns)), limit)
    cells[np.isnan(padded.reshape(rows, columns))] = 255
    return upscale(cells, cell)


def gray_image(values: np.ndarray, factor: int = 8) -> np.ndarray:
    """A 0-1 grayscale array as an enlarged uint8 image (what the model sees)."""
    return upscale(np.rint(np.clip(values, 0, 1) * 255).astype(np.uint8), factor)


def grad_cam_overlay(values: np.ndarray, heatmap: np.ndarray, factor: int = 8) -> np.ndarray:
    """The input in gray with the Grad-CAM heat laid over it in the 'above zero' red."""
    base = np.clip(values, 0, 1)[..., None] * 255 * 0.8
    alpha = 0.8 * np.clip(heatmap, 0, 1)[..., None]
    blended = (1 - alpha) * base + alpha * _rgb(DIVERGING[-1][1])
    return upscale(np.rint(blended).astype(np.uint8), factor)


def colour_bar(limit: float, width: int = 240, height: int = 14) -> np.ndarray:
    """The diverging scale from -limit to +limit as a small image, for a legend."""
    ramp = np.linspace(-limit, limit, width)
    return np.repeat(colorize(ramp, limit)[None], height, axis=0)


def feature_map_figure(values: np.ndarray, limit: float, hover: str) -> dict:
    """One feature map, enlarged, with its values on hover, on the colour range of the grid."""
    limit = limit if limit > 0 else 1.0
    return {
        "data": [{"type": "heatmap", "z": np.round(values, 4).tolist(), "zmin": -limit, "zmax": limit,
                  "colorscale": DIVERGING, "xgap": 1, "ygap": 1, "hovertemplate": hover + "<extra></extra>",
                  "colorbar": {"thickness": 12, "len": 0.9}}],
        "layout": base_layout(
            height=320,
            xaxis={"visible": False, "scaleanchor": "y", "constrain": "domain"},
            yaxis={"visible": False, "autorange": "reversed", "constrain": "domain"},
            margin={"l": 5, "r": 5, "t": 5, "b": 5},
        ),
    }


def kernels_figure(kernels: np.ndarray, titles: list[str], per_row: int = 8) -> dict:
    """The first layer's kernels (filters x 1 x k x k) side by side with their numbers, on one colour
    range symmetric about zero. Cells are as wide as a number needs at a readable font, and a row holds
    as many kernels as fit ``KERNELS_ROW`` pixels (at most ``per_row``); the figure keeps that size.

    All the kernels share one pair of axes whose unit is one pixel, each placed by its offset: Plotly draws
    every subplot's axes again whenever the figure is mounted, and sixteen subplots took it ~5x the DOM
    work of one.
    """
    count, size = kernels.shape[0], kernels.shape[-1]
    values = np.round(kernels[:, 0], 3)
    texts = [f"{v:.2f}" for v in values.reshape(-1)]        # what "%{z:.2f}" prints
    cell = number_cell(texts, 30)
    font_size = number_font(texts, cell)
    side = size * cell
    per_row = max(1, min(per_row, count, KERNELS_ROW // (side + KERNEL_GAP)))
    rows = math.ceil(count / per_row)
    width = per_row * side + (per_row - 1) * KERNEL_GAP
    height = rows * (KERNEL_TITLE + side) + (rows - 1) * KERNEL_GAP
    limit = float(np.abs(kernels).max()) or 1.0
    data, annotations = [], []
    for index in range(count):
        row, col = divmod(index, per_row)
        left = col * (side + KERNEL_GAP)
        top = row * (KERNEL_TITLE + side + KERNEL_GAP) + KERNEL_TITLE
        data.append({"type": "heatmap", "z": values[index].tolist(), "x0": left + cell / 2, "dx": cell,
                     "y0": top + cell / 2, "dy": cell, "zmin": -limit, "zmax": limit, "colorscale": DIVERGING,
                     "showscale": index == 0, "xgap": 1, "ygap": 1, "hovertemplate": "%{z:.3f}<extra></extra>",
                     "texttemplate": "%{z:.2f}", "textfont": {"size": font_size},
                     **({"colorbar": {"thickness": 12, "len": min(1.0, 240 / height), "x": 1, "xpad": 12}}
                        if index == 0 else {})})
        annotations.append({"x": left + side / 2, "y": top, "text": titles[index], "showarrow": False,
                            "yanchor": "bottom", "font": {"size": 13, "color": PALETTE["muted"]}})
    margin = {"l": 5, "r": 80, "t": 5, "b": 5}      # right: the colour bar and its ticks
    return {"data": data, "layout": base_layout(
        width=width + margin["l"] + margin["r"], height=height + margin["t"] + margin["b"],
        annotations=annotations, margin=margin, **pixel_axes(width, height))}


def probabilities_figure(probabilities, names: list[str], title: str = "", highlight: int | None = None,
                         value_title: str = "") -> dict:
    """Softmax output as bars sorted from the most to the least likely class, the ``highlight`` one
    (default: the most likely) in the window colour. Each bar's percentage is written level, past its end,
    where it fits however thin the bar."""
    probabilities = np.asarray(probabilities, dtype=float)
    order = np.argsort(-probabilities, kind="stable")
    highlight = int(order[0]) if highlight is None else highlight
    colours = [PALETTE["window"] if k == highlight else PALETTE["conv"] for k in order]
    return {
        "data": [{"type": "bar", "orientation": "h", "x": [float(probabilities[k]) for k in order],
                  "y": [plotly_literal(names[k]) for k in order], "marker": {"color": colours},
                  "texttemplate": "%{x:.1%}", "textposition": "outside", "textangle": 0, "cliponaxis": False,
                  "hovertemplate": "%{y}: %{x:.2%}<extra></extra>"}],
        "layout": base_layout(
            **({"title": {"text": title, "x": 0.01, "font": {"size": 15}}} if title else {}),
            height=(40 if title else 10) + (60 if value_title else 30) + 30 * len(order),
            xaxis={"range": [0, 1.2], "tickformat": ".0%", "gridcolor": "#e5e7eb", "fixedrange": True,
                   **({"title": {"text": value_title}} if value_title else {})},
            yaxis={"type": "category", "autorange": "reversed", "automargin": True, "fixedrange": True},
            margin={"l": 10, "r": 30, "t": 40 if title else 10, "b": 60 if value_title else 30}, bargap=0.25,
        ),
    }
