"""The sliding-window animation: one Plotly figure, one frame per output cell, played in the browser.

The same figure serves convolution and pooling: the padded input (padding
cells greyed), the kernel when there is one, and the output filling in cell
by cell. The window is drawn over the taps it really reads, so a dilated
kernel shows as separate taps. Frames carry only what changes (the output
numbers, the window, the formula), which keeps a 12x12 input with a 3x3
kernel well under 200 KiB.
"""

from __future__ import annotations

import math

import numpy as np

from cnnviz.figures import PALETTE, Placement, base_layout, format_number, pixel_axes, title_above
from cnnviz.steps import ConvTrace, PoolTrace
from cnnviz.text_fit import number_cell, number_font, text_width

WINDOW_FILL = "rgba(228, 87, 46, 0.22)"
WINNER = "#7c2d12"
SPEEDS = {"slow": 1100, "normal": 550, "fast": 200}   # milliseconds per frame
CAPTION_FONT = 16
BUTTON_FONT = 15
TITLE_FONT = 18          # px, bold: a panel's title
# px below the grids: the top of the buttons, the top of the step slider (the "Step n" line) and the figure's
# bottom edge, which holds them both. Plotly would push a margin too small for them, shrinking the grids.
BUTTONS_BELOW, SLIDER_BELOW, CONTROLS_BELOW = 6, 36, 151


def _texts(grid: np.ndarray) -> list[list[str]]:
    return [[format_number(float(v)) for v in row] for row in grid]


def _flat_colour(colour: str) -> list:
    return [[0, colour], [1, colour]]


def _grid(z, text, colorscale, place: Placement, font_size: int) -> dict:
    return {"type": "heatmap", "z": z, "text": text, "texttemplate": "%{text}", "colorscale": colorscale,
            "zmin": 0, "zmax": 1, "showscale": False, "xgap": 2, "ygap": 2, "hoverinfo": "skip",
            "textfont": {"size": font_size, "color": PALETTE["text"]}, **place.heatmap()}


def _rect(place: Placement, r0: int, r1: int, c0: int, c1: int, line: str, width: float = 3,
          fill: str | None = None) -> dict:
    """A frame around cells r0..r1, c0..c1; unfilled unless ``fill`` (Plotly's default is transparent)."""
    rect = {"type": "rect", **place.cells(int(r0), int(r1), int(c0), int(c1)), "line": {"color": line, "width": width}}
    return rect | {"fillcolor": fill} if fill else rect


def _window_shapes(rows: np.ndarray, cols: np.ndarray, place: Placement) -> list[dict]:
    """One block for a dense window; for a dilated one, each tap plus a thin outline of its span."""
    if len(rows) == rows[-1] - rows[0] + 1 and len(cols) == cols[-1] - cols[0] + 1:
        return [_rect(place, rows[0], rows[-1], cols[0], cols[-1], PALETTE["window"], fill=WINDOW_FILL)]
    shapes = [_rect(place, rows[0], rows[-1], cols[0], cols[-1], PALETTE["window"], width=1, fill="rgba(0,0,0,0)")]
    shapes += [_rect(place, r, r, c, c, PALETTE["window"], width=2, fill=WINDOW_FILL) for r in rows for c in cols]
    return shapes


def sliding_window_animation(inputs: list[tuple], windows: list, output: np.ndarray, captions: list[str],
                             labels: dict[str, str], kernels: list[tuple] = (), winners: list | None = None) -> dict:
    """The animated figure.

    ``inputs``: (grid, is_padding, title) per input channel, padding included; ``kernels``:
    (weights, title) per channel; ``windows``: (rows, cols) of the taps read at each step,
    row-major over ``output``; ``captions``: the formula shown at each step (the figure's title);
    ``labels``: output, play, pause, slow, fast, step. ``winners``: for max pooling, the (row, col)
    of each window's maximum.

    The panels share one pair of axes (see ``Placement``); the caption is the figure's title rather than
    an annotation because a frame's annotations replace all of them, so the panel titles (annotations)
    would travel in every frame.
    """
    panels = [(grid.shape, title) for grid, _, title in inputs] + [(k.shape, title) for k, title in kernels]
    panels.append((output.shape, labels["output"]))
    rows_max = max(shape[0] for shape, _ in panels)
    total_cols = sum(shape[1] for shape, _ in panels) + 1.5 * (len(panels) - 1)
    numbers = [text for grid in [g for g, _, _ in inputs] + [k for k, _ in kernels] + [output]
               for row in _texts(grid) for text in row]
    # As small as the numbers allow at a readable font: the default 7x7 lesson then fits beside its controls
    # at 1440 px, and a bigger one scrolls in its own box.
    cell = number_cell(numbers, 38 if max(rows_max, total_cols / 3) <= 8 else 30)
    # ... and wide enough for each panel's title over it (half a gap spare on each side; bold is ~10% wider).
    cell = max(cell, *(math.ceil(1.1 * text_width(title, TITLE_FONT) / (cols + 1)) for (_, cols), title in panels))
    font_size = number_font(numbers, cell)

    # The first and the last panel's titles may reach past their grids: the margins leave room for them.
    left, right = ((1.1 * text_width(title, TITLE_FONT) - cols * cell) / 2 + 4
                   for (_, cols), title in (panels[0], panels[-1]))
    margin = {"l": max(10, math.ceil(left)), "r": max(10, math.ceil(right)), "t": 80, "b": CONTROLS_BELOW}

    def play(duration: int) -> dict:
        return {"method": "animate", "args": [None, {"frame": {"duration": duration, "redraw": True},
                                                      "fromcurrent": True, "transition": {"duration": 0}}]}

    buttons = [play(SPEEDS["normal"]) | {"label": f"▶ {labels['play']}"},
               {"label": f"■ {labels['pause']}", "method": "animate",
                "args": [[None], {"mode": "immediate", "frame": {"duration": 0, "redraw": False},
                                  "transition": {"duration": 0}}]},
               play(SPEEDS["slow"]) | {"label": f"▶ {labels['slow']}"},
               play(SPEEDS["fast"]) | {"label": f"▶▶ {labels['fast']}"}]
    # The grids at their cell size, but never narrower than the widest caption or the row of buttons:
    # a figure that keeps its size scrolls in its own box on a small screen instead of cutting them off.
    plot_width = math.ceil(max(total_cols * cell, max(text_width(c, CAPTION_FONT) for c in captions),
                               sum(text_width(b["label"], BUTTON_FONT) + 24 for b in buttons)))
    # Square cells; where the plot is wider than the grids, the gaps between them grow.
    column = plot_width / total_cols
    places, titles, start = [], [], 0.0
    for (_, cols), title in panels:
        centre = (start + cols / 2) * column
        places.append(Placement(left=round(centre - cols * cell / 2), top=0, dx=cell, dy=cell))
        titles.append(title_above(title, centre, TITLE_FONT, bold=True, gap=10))
        start += cols + 1.5
    input_places, kernel_places, output_place = places[:len(inputs)], places[len(inputs):-1], places[-1]

    padding_scale = [[0, PALETTE["input"]], [0.5, PALETTE["input"]], [0.5, PALETTE["padding"]], [1, PALETTE["padding"]]]
    traces = [_grid(mask.astype(float).tolist(), _texts(grid), padding_scale, place, font_size)
              for (grid, mask, _), place in zip(inputs, input_places)]
    traces += [_grid(np.zeros(k.shape).tolist(), _texts(k), _flat_colour(PALETTE["kernel"]), place, font_size)
               for (k, _), place in zip(kernels, kernel_places)]
    traces.append(_grid(np.zeros(output.shape).tolist(), _texts(np.full(output.shape, np.nan)),
                        _flat_colour(PALETTE["output"]), output_place, font_size))

    frames = []
    out_text = np.full(output.shape, "", dtype=object)
    out_w = output.shape[1]
    for k, (rows, cols) in enumerate(windows):
        i, j = divmod(k, out_w)
        out_text[i, j] = format_number(float(output[i, j]))
        shapes = [shape for place in input_places
                  for shape in _window_shapes(np.asarray(rows), np.asarray(cols), place)]
        shapes.append(_rect(output_place, i, i, j, j, PALETTE["window"], width=4))
        if winners and winners[k] is not None:
            r, c = winners[k]
            shapes.append(_rect(input_places[0], r, r, c, c, WINNER, width=4))
        # Only the rows filled so far: cells past the last text have none, and a frame sends half the numbers.
        filled = out_text[:i].tolist() + [out_text[i, : j + 1].tolist()]
        frames.append({"name": str(k), "traces": [len(traces) - 1], "data": [{"type": "heatmap", "text": filled}],
                       "layout": {"shapes": shapes, "title": {"text": captions[k]}}})
    first = frames[0]
    traces[-1]["text"] = first["data"][0]["text"]
    plot_height = rows_max * cell
    layout = base_layout(margin=margin, showlegend=False, width=plot_width + margin["l"] + margin["r"],
                         height=plot_height + margin["t"] + margin["b"], annotations=titles,
                         shapes=first["layout"]["shapes"], **pixel_axes(plot_width, plot_height))
    # The caption's place and style, once for every frame (a frame sends only its text).
    layout["title"] = {"text": captions[0], "x": 0, "xref": "paper", "xanchor": "left", "y": 1, "yref": "paper",
                       "yanchor": "bottom", "pad": {"b": 55}, "font": {"size": CAPTION_FONT}}
    layout["updatemenus"] = [{"type": "buttons", "direction": "left", "showactive": False, "x": 0,
                              "y": -BUTTONS_BELOW / plot_height,
                              "xanchor": "left", "yanchor": "top", "pad": {"t": 4, "r": 6}, "buttons": buttons,
                              "font": {"size": BUTTON_FONT}}]
    layout["sliders"] = [{"active": 0, "x": 0, "len": 1, "y": -SLIDER_BELOW / plot_height, "yanchor": "top", "pad": {"t": 30},
                          "currentvalue": {"prefix": f"{labels['step']} ", "font": {"size": 14}},
                          "steps": [{"label": str(k + 1), "method": "animate",
                                     "args": [[str(k)], {"mode": "immediate", "transition": {"duration": 0},
                                                         "frame": {"duration": 0, "redraw": True}}]}
                                    for k in range(len(frames))]}]
    return {"data": traces, "layout": layout, "frames": frames}


def conv_animation(trace: ConvTrace, labels: dict[str, str], is_padding: np.ndarray | None = None) -> dict:
    """A one-channel convolution trace as an animation. ``labels["formula"]`` is a template
    with {i}, {j}, {total}, {bias} and {value}. ``is_padding`` greys other cells than the
    trace's padding (the zeros a transposed convolution spreads between its pixels)."""
    if trace.padded.ndim != 2:
        raise ValueError("conv_animation draws a one-channel trace")
    if is_padding is None:
        (top, bottom), (left, right) = trace.pads
        is_padding = np.ones(trace.padded.shape, bool)
        is_padding[top: trace.padded.shape[0] - bottom, left: trace.padded.shape[1] - right] = False
    captions = [labels["formula"].format(i=s.out_index[0], j=s.out_index[1],
                                         total=format_number(float(s.products.sum())),
                                         bias=format_number(s.bias), value=format_number(s.value))
                for s in trace.steps]
    return sliding_window_animation([(trace.padded, is_padding, labels["input"])],
                                    [(s.rows, s.cols) for s in trace.steps], trace.output, captions, labels,
                                    kernels=[(trace.kernel, labels["kernel"])])


def pool_animation(trace: PoolTrace, labels: dict[str, str]) -> dict:
    """A pooling trace as an animation; max pooling marks each window's winner.
    ``labels["formula"]``: a template with {i}, {j}, {value}, {window} (the window's values,
    comma-separated, padding of max pooling as −∞), and for averages {total} and {count}."""
    ph, pw = trace.padding
    is_padding = np.ones(trace.padded.shape, bool)
    is_padding[ph: trace.padded.shape[0] - ph, pw: trace.padded.shape[1] - pw] = False
    captions = [labels["formula"].format(i=s.out_index[0], j=s.out_index[1], value=format_number(s.value),
                                         total=format_number(float(s.patch.sum())), count=s.patch.size,
                                         window=", ".join(format_number(float(v)) for v in s.patch.flat))
                for s in trace.steps]
    winners = [s.winner for s in trace.steps]
    return sliding_window_animation([(trace.padded, is_padding, labels["input"])],
                                    [(s.rows, s.cols) for s in trace.steps], trace.output, captions, labels,
                                    winners=winners if any(w is not None for w in winners) else None)


def channels_animation(trace: ConvTrace, labels: dict[str, str]) -> dict:
    """One filter over a multi-channel input: every channel's grid and kernel, one shared window.
    ``labels``: "channel" (a template with {name}), "channel_names" (comma-separated), "formula"
    (with {i}, {j}, {sums}, {bias}, {value}) and the usual play, pause, slow, fast, step, output."""
    if trace.padded.ndim != 3:
        raise ValueError("channels_animation draws a multi-channel trace")
    (top, bottom), (left, right) = trace.pads
    height, width = trace.padded.shape[1:]
    is_padding = np.ones((height, width), bool)
    is_padding[top: height - bottom, left: width - right] = False
    names = [name.strip() for name in labels["channel_names"].split(",")]
    inputs = [(grid, is_padding, labels["channel"].format(name=name)) for grid, name in zip(trace.padded, names)]
    kernels = [(k, labels["kernel"].format(name=name)) for k, name in zip(trace.kernel, names)]
    captions = [labels["formula"].format(i=s.out_index[0], j=s.out_index[1], bias=format_number(s.bias),
                                         value=format_number(s.value),
                                         sums=" + ".join(format_number(float(v)) for v in s.channel_sums))
                for s in trace.steps]
    return sliding_window_animation(inputs, [(s.rows, s.cols) for s in trace.steps], trace.output, captions,
                                    labels, kernels=kernels)
