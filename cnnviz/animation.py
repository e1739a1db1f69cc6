"""The sliding-window animation: one Plotly figure, one frame per output cell, played in the browser.

The same figure serves convolution and pooling: the padded input (padding
cells greyed), the kernel when there is one, and the output filling in cell
by cell. The window is drawn over the taps it really reads, so a dilated
kernel shows as separate taps. Frames carry only what changes (the output
numbers, the window, the formula), which keeps a 12x12 input with a 3x3
kernel well under 200 KiB.

A lesson's trace becomes a ``SlidingWindow`` first (``conv_frames``,
``pool_frames``, ``channels_frames``): the grids and, per frame, the window, the
output cell and the caption. ``plotly_animation`` draws it for the browser and
``cnnviz.animation_export`` as a GIF for slides, both placed by ``window_layout``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cnnviz.figures import PALETTE, Placement, base_layout, format_number, pixel_axes, title_above
from cnnviz.steps import ConvTrace, PoolTrace
from cnnviz.text_fit import number_cell, number_font, text_width

WINDOW_ALPHA = 0.22         # the window's fill: its colour (PALETTE["window"]) over the cells
WINDOW_FILL = f"rgba(228, 87, 46, {WINDOW_ALPHA})"
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


def _window_shapes(step: Step, place: Placement) -> list[dict]:
    """One block for a dense window; for a dilated one, each tap plus a thin outline of its span."""
    rows, cols = step.rows, step.cols
    if step.dense:
        return [_rect(place, rows[0], rows[-1], cols[0], cols[-1], PALETTE["window"], fill=WINDOW_FILL)]
    shapes = [_rect(place, rows[0], rows[-1], cols[0], cols[-1], PALETTE["window"], width=1, fill="rgba(0,0,0,0)")]
    shapes += [_rect(place, r, r, c, c, PALETTE["window"], width=2, fill=WINDOW_FILL) for r in rows for c in cols]
    return shapes


@dataclass(frozen=True)
class Step:
    """What one frame shows: the taps the window reads (rows and columns in the padded input), the output cell
    it fills, max pooling's winner (row, col), and the caption with the step's arithmetic."""
    rows: np.ndarray
    cols: np.ndarray
    out_index: tuple[int, int]
    caption: str
    winner: tuple[int, int] | None = None

    @property
    def dense(self) -> bool:
        """Whether the taps touch (no dilation): the window is drawn as one block, else tap by tap."""
        return (len(self.rows) == self.rows[-1] - self.rows[0] + 1
                and len(self.cols) == self.cols[-1] - self.cols[0] + 1)


@dataclass(frozen=True)
class SlidingWindow:
    """The animation's frames, drawn alike by the browser's figure (``plotly_animation``) and by
    ``cnnviz.animation_export`` (GIF and PNG): the grids and, per frame, a ``Step``.

    ``inputs``: (grid, is_padding, title) per input channel, padding included; ``kernels``: (weights, title)
    per channel; ``steps`` row-major over ``output``."""
    inputs: list[tuple[np.ndarray, np.ndarray, str]]
    kernels: list[tuple[np.ndarray, str]]
    output: np.ndarray
    output_title: str
    steps: list[Step]

    @property
    def panels(self) -> list[tuple[tuple[int, int], str]]:
        """(shape, title) of every grid, left to right: the inputs, the kernels, the output."""
        return ([(grid.shape, title) for grid, _, title in self.inputs]
                + [(k.shape, title) for k, title in self.kernels] + [(self.output.shape, self.output_title)])

    def numbers(self) -> list[str]:
        """Every number a cell prints."""
        grids = [g for g, _, _ in self.inputs] + [k for k, _ in self.kernels] + [self.output]
        return [text for grid in grids for row in _texts(grid) for text in row]

    def revealed(self, frame: int) -> np.ndarray:
        """The output's cell texts once ``frame`` (from 0) is shown: the cells up to its step, "" after."""
        texts = np.full(self.output.shape, "", dtype=object)
        flat = texts.reshape(-1)
        flat[: frame + 1] = [format_number(float(v)) for v in self.output.flat[: frame + 1]]
        return texts


@dataclass(frozen=True)
class Layout:
    """Where the grids go, in px of the plot (its top-left corner at 0, 0): the cell side and number font, each
    grid's ``Placement`` (inputs, kernels, output, in ``SlidingWindow.panels`` order), the x of each title's
    centre, the plot's size and the margins the first and last titles need."""
    cell: int
    font_size: int
    places: list[Placement]
    title_centres: list[float]
    width: int
    height: int
    left: int
    right: int


def window_layout(model: SlidingWindow, least_width: float = 0) -> Layout:
    """The grids side by side at one cell size, the plot at least ``least_width`` px and the widest caption wide
    (the gaps between the grids grow to fill it)."""
    panels = model.panels
    rows_max = max(shape[0] for shape, _ in panels)
    total_cols = sum(shape[1] for shape, _ in panels) + 1.5 * (len(panels) - 1)
    numbers = model.numbers()
    # As small as the numbers allow at a readable font: the default 7x7 lesson then fits beside its controls
    # at 1440 px, and a bigger one scrolls in its own box.
    cell = number_cell(numbers, 38 if max(rows_max, total_cols / 3) <= 8 else 30)
    # ... and wide enough for each panel's title over it (half a gap spare on each side; bold is ~10% wider).
    cell = max(cell, *(math.ceil(1.1 * text_width(title, TITLE_FONT) / (cols + 1)) for (_, cols), title in panels))
    # The first and the last panel's titles may reach past their grids: the margins leave room for them.
    left, right = ((1.1 * text_width(title, TITLE_FONT) - cols * cell) / 2 + 4
                   for (_, cols), title in (panels[0], panels[-1]))
    # The grids at their cell size, but never narrower than the widest caption or ``least_width``: a figure
    # that keeps its size scrolls in its own box on a small screen instead of cutting them off.
    width = math.ceil(max(total_cols * cell, max(text_width(s.caption, CAPTION_FONT) for s in model.steps),
                          least_width))
    # Square cells; where the plot is wider than the grids, the gaps between them grow.
    column = width / total_cols
    places, centres, start = [], [], 0.0
    for (_, cols), _ in panels:
        centre = (start + cols / 2) * column
        places.append(Placement(left=round(centre - cols * cell / 2), top=0, dx=cell, dy=cell))
        centres.append(centre)
        start += cols + 1.5
    return Layout(cell, number_font(numbers, cell), places, centres, width, rows_max * cell,
                  max(10, math.ceil(left)), max(10, math.ceil(right)))


def plotly_animation(model: SlidingWindow, labels: dict[str, str]) -> dict:
    """The animated figure: ``labels`` play, pause, slow, fast, step name its controls.

    The panels share one pair of axes (see ``Placement``); the caption is the figure's title rather than
    an annotation because a frame's annotations replace all of them, so the panel titles (annotations)
    would travel in every frame.
    """
    def play(duration: int) -> dict:
        return {"method": "animate", "args": [None, {"frame": {"duration": duration, "redraw": True},
                                                      "fromcurrent": True, "transition": {"duration": 0}}]}

    buttons = [play(SPEEDS["normal"]) | {"label": f"▶ {labels['play']}"},
               {"label": f"■ {labels['pause']}", "method": "animate",
                "args": [[None], {"mode": "immediate", "frame": {"duration": 0, "redraw": False},
                                  "transition": {"duration": 0}}]},
               play(SPEEDS["slow"]) | {"label": f"▶ {labels['slow']}"},
               play(SPEEDS["fast"]) | {"label": f"▶▶ {labels['fast']}"}]
    layout = window_layout(model, sum(text_width(b["label"], BUTTON_FONT) + 24 for b in buttons))
    margin = {"l": layout.left, "r": layout.right, "t": 80, "b": CONTROLS_BELOW}
    titles = [title_above(title, centre, TITLE_FONT, bold=True, gap=10)
              for (_, title), centre in zip(model.panels, layout.title_centres)]
    input_places = layout.places[:len(model.inputs)]
    kernel_places, output_place = layout.places[len(model.inputs):-1], layout.places[-1]
    font_size = layout.font_size

    padding_scale = [[0, PALETTE["input"]], [0.5, PALETTE["input"]], [0.5, PALETTE["padding"]], [1, PALETTE["padding"]]]
    traces = [_grid(mask.astype(float).tolist(), _texts(grid), padding_scale, place, font_size)
              for (grid, mask, _), place in zip(model.inputs, input_places)]
    traces += [_grid(np.zeros(k.shape).tolist(), _texts(k), _flat_colour(PALETTE["kernel"]), place, font_size)
               for (k, _), place in zip(model.kernels, kernel_places)]
    traces.append(_grid(np.zeros(model.output.shape).tolist(), _texts(np.full(model.output.shape, np.nan)),
                        _flat_colour(PALETTE["output"]), output_place, font_size))

    frames = []
    for k, step in enumerate(model.steps):
        i, j = step.out_index
        shapes = [shape for place in input_places for shape in _window_shapes(step, place)]
        shapes.append(_rect(output_place, i, i, j, j, PALETTE["window"], width=4))
        if step.winner is not None:
            r, c = step.winner
            shapes.append(_rect(input_places[0], r, r, c, c, WINNER, width=4))
        # Only the rows filled so far: cells past the last text have none, and a frame sends half the numbers.
        out_text = model.revealed(k)
        filled = out_text[:i].tolist() + [out_text[i, : j + 1].tolist()]
        frames.append({"name": str(k), "traces": [len(traces) - 1], "data": [{"type": "heatmap", "text": filled}],
                       "layout": {"shapes": shapes, "title": {"text": step.caption}}})
    first = frames[0]
    traces[-1]["text"] = first["data"][0]["text"]
    plot_width, plot_height = layout.width, layout.height
    figure_layout = base_layout(margin=margin, showlegend=False, width=plot_width + margin["l"] + margin["r"],
                                height=plot_height + margin["t"] + margin["b"], annotations=titles,
                                shapes=first["layout"]["shapes"], **pixel_axes(plot_width, plot_height))
    # The caption's place and style, once for every frame (a frame sends only its text).
    figure_layout["title"] = {"text": model.steps[0].caption, "x": 0, "xref": "paper", "xanchor": "left", "y": 1,
                              "yref": "paper", "yanchor": "bottom", "pad": {"b": 55}, "font": {"size": CAPTION_FONT}}
    figure_layout["updatemenus"] = [{"type": "buttons", "direction": "left", "showactive": False, "x": 0,
                                     "y": -BUTTONS_BELOW / plot_height,
                                     "xanchor": "left", "yanchor": "top", "pad": {"t": 4, "r": 6}, "buttons": buttons,
                                     "font": {"size": BUTTON_FONT}}]
    figure_layout["sliders"] = [{"active": 0, "x": 0, "len": 1, "y": -SLIDER_BELOW / plot_height, "yanchor": "top",
                                 "pad": {"t": 30},
                                 "currentvalue": {"prefix": f"{labels['step']} ", "font": {"size": 14}},
                                 "steps": [{"label": str(k + 1), "method": "animate",
                                            "args": [[str(k)], {"mode": "immediate", "transition": {"duration": 0},
                                                                "frame": {"duration": 0, "redraw": True}}]}
                                           for k in range(len(frames))]}]
    return {"data": traces, "layout": figure_layout, "frames": frames}


def _padding_mask(shape: tuple[int, int], top: int, bottom: int, left: int, right: int) -> np.ndarray:
    is_padding = np.ones(shape, bool)
    is_padding[top: shape[0] - bottom, left: shape[1] - right] = False
    return is_padding


def conv_frames(trace: ConvTrace, labels: dict[str, str], is_padding: np.ndarray | None = None) -> SlidingWindow:
    """A one-channel convolution trace as frames. ``labels``: input, kernel, output, and "formula", a template
    with {i}, {j}, {total}, {bias} and {value}. ``is_padding`` greys other cells than the trace's padding (the
    zeros a transposed convolution spreads between its pixels)."""
    if trace.padded.ndim != 2:
        raise ValueError("conv_animation draws a one-channel trace")
    if is_padding is None:
        is_padding = _padding_mask(trace.padded.shape, *trace.pads[0], *trace.pads[1])
    frames = [Step(s.rows, s.cols, s.out_index, labels["formula"].format(
        i=s.out_index[0], j=s.out_index[1], total=format_number(float(s.products.sum())),
        bias=format_number(s.bias), value=format_number(s.value))) for s in trace.steps]
    return SlidingWindow([(trace.padded, is_padding, labels["input"])], [(trace.kernel, labels["kernel"])],
                         trace.output, labels["output"], frames)


def pool_frames(trace: PoolTrace, labels: dict[str, str]) -> SlidingWindow:
    """A pooling trace as frames; max pooling marks each window's winner. ``labels``: input, output, and
    "formula", a template with {i}, {j}, {value}, {window} (the window's values, comma-separated, padding of
    max pooling as −∞), and for averages {total} and {count}."""
    ph, pw = trace.padding
    frames = [Step(s.rows, s.cols, s.out_index, labels["formula"].format(
        i=s.out_index[0], j=s.out_index[1], value=format_number(s.value), total=format_number(float(s.patch.sum())),
        count=s.patch.size, window=", ".join(format_number(float(v)) for v in s.patch.flat)), s.winner)
              for s in trace.steps]
    return SlidingWindow([(trace.padded, _padding_mask(trace.padded.shape, ph, ph, pw, pw), labels["input"])], [],
                         trace.output, labels["output"], frames)


def channels_frames(trace: ConvTrace, labels: dict[str, str]) -> SlidingWindow:
    """One filter over a multi-channel input as frames: every channel's grid and kernel, one shared window.
    ``labels``: "channel" and "kernel" (templates with {name}), "channel_names" (comma-separated), "formula"
    (with {i}, {j}, {sums}, {bias}, {value}) and "output"."""
    if trace.padded.ndim != 3:
        raise ValueError("channels_animation draws a multi-channel trace")
    is_padding = _padding_mask(trace.padded.shape[1:], *trace.pads[0], *trace.pads[1])
    names = [name.strip() for name in labels["channel_names"].split(",")]
    inputs = [(grid, is_padding, labels["channel"].format(name=name)) for grid, name in zip(trace.padded, names)]
    kernels = [(k, labels["kernel"].format(name=name)) for k, name in zip(trace.kernel, names)]
    frames = [Step(s.rows, s.cols, s.out_index, labels["formula"].format(
        i=s.out_index[0], j=s.out_index[1], bias=format_number(s.bias), value=format_number(s.value),
        sums=" + ".join(format_number(float(v)) for v in s.channel_sums))) for s in trace.steps]
    return SlidingWindow(inputs, kernels, trace.output, labels["output"], frames)


def conv_animation(trace: ConvTrace, labels: dict[str, str], is_padding: np.ndarray | None = None) -> dict:
    """``conv_frames`` as the browser's figure (``labels`` also name its controls)."""
    return plotly_animation(conv_frames(trace, labels, is_padding), labels)


def pool_animation(trace: PoolTrace, labels: dict[str, str]) -> dict:
    """``pool_frames`` as the browser's figure (``labels`` also name its controls)."""
    return plotly_animation(pool_frames(trace, labels), labels)


def channels_animation(trace: ConvTrace, labels: dict[str, str]) -> dict:
    """``channels_frames`` as the browser's figure (``labels`` also name its controls)."""
    return plotly_animation(channels_frames(trace, labels), labels)
