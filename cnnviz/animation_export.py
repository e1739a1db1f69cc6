"""The sliding-window animation for slides: an animated GIF, or one step as a PNG, drawn with Pillow.

The frames are the browser's (``cnnviz.animation.SlidingWindow``), placed by the
same ``window_layout``: the padded input (padding greyed), the kernels, the
output filling in cell by cell, the window over the taps it reads, max pooling's
winner, and the step's arithmetic as the caption line. Colours are
``PALETTE``'s. Each frame is drawn in RGB and mapped onto one small fixed palette
(the figure's few colours and the shades text takes on them), which keeps a 7x7
input with a 3x3 kernel to a few hundred KiB, built in a fraction of a second
(``python -m bench export``).

Hangul needs a CJK font: Noto Sans CJK where it is installed (Debian's
``fonts-noto-cjk``), else matplotlib's DejaVu Sans, which draws the numbers and
Latin text but shows Hangul as boxes (``has_cjk_font`` says which).
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from cnnviz.animation import (CAPTION_FONT, SPEEDS, TITLE_FONT, WINDOW_ALPHA, WINNER, Layout, SlidingWindow, Step,
                              window_layout)
from cnnviz.figures import PALETTE, cell_texts

HOLD_MS = 2000              # the finished output stays this long before the GIF starts again
LEAST_WIDTH = 800           # px: a smaller animation is drawn larger, up to twice its size in the browser
TOP = 80                    # px above the grids: the caption line, then the panels' titles (as in the browser)
FOOTER = 36                 # px below the grids: "Step n / N"
FOOTER_FONT = 14
LEVELS = 6                  # shades of a text colour over a background (anti-aliased edges) in the palette
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts", "/Library/Fonts",
             "/System/Library/Fonts", "C:/Windows/Fonts")
CJK_FONTS = {False: ("NotoSansCJK-Regular.ttc", "NotoSansCJKkr-Regular.otf", "NotoSansKR-Regular.otf"),
             True: ("NotoSansCJK-Bold.ttc", "NotoSansCJKkr-Bold.otf", "NotoSansKR-Bold.otf")}
KOREAN_FACE = "Noto Sans CJK KR"     # the face of a .ttc collection to use: its Korean glyph shapes


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i: i + 2], 16) for i in (1, 3, 5))


def _mix(top: tuple, under: tuple, alpha: float) -> tuple[int, int, int]:
    return tuple(round(alpha * a + (1 - alpha) * b) for a, b in zip(top, under))


WHITE = (255, 255, 255)
WINDOW = _rgb(PALETTE["window"])


@functools.cache
def _font_file(bold: bool) -> tuple[str, int] | None:
    """(path, face index) of an installed Noto Sans CJK, its Korean face; None when there is none."""
    for folder in FONT_DIRS:
        root = Path(folder).expanduser()
        if not root.is_dir():
            continue
        for name in CJK_FONTS[bold]:
            for path in sorted(root.rglob(name)):
                for index in range(8 if path.suffix == ".ttc" else 1):
                    try:
                        face = ImageFont.truetype(str(path), 12, index=index)
                    except OSError:
                        break
                    if face.getname()[0] == KOREAN_FACE or path.suffix != ".ttc":
                        return str(path), index
    return None


def has_cjk_font() -> bool:
    """Whether Korean text is drawn with its glyphs (else as boxes)."""
    return _font_file(False) is not None


@functools.cache
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    found = _font_file(bold) or _font_file(False)
    if found is not None:
        return ImageFont.truetype(found[0], size, index=found[1])
    import matplotlib

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name), size)


def _palette() -> Image.Image:
    """The GIF's colours: the figure's fills, the window's fill over them, and each text colour's shades over
    each background its text sits on."""
    fills = [_rgb(PALETTE[name]) for name in ("input", "padding", "kernel", "output")]
    backgrounds = [WHITE, *fills, *(_mix(WINDOW, b, WINDOW_ALPHA) for b in (WHITE, *fills[:2]))]
    texts = [_rgb(PALETTE["text"]), _mix(WINDOW, _rgb(PALETTE["text"]), WINDOW_ALPHA)]
    colours = [*backgrounds, *texts, WINDOW, _rgb(WINNER), _rgb(PALETTE["muted"])]
    colours += [_mix(text, b, level / LEVELS) for text in texts for b in backgrounds for level in range(1, LEVELS)]
    colours += [_mix(_rgb(PALETTE["muted"]), WHITE, level / LEVELS) for level in range(1, LEVELS)]
    colours = list(dict.fromkeys(colours))
    colours += [colours[0]] * (256 - len(colours))
    palette = Image.new("P", (1, 1))
    palette.putpalette([channel for colour in colours for channel in colour])
    return palette


PALETTE_IMAGE = _palette()


@dataclass(frozen=True)
class Drawing:
    """A ``SlidingWindow`` laid out in px of the picture: the browser's layout times ``scale``, the grids
    ``top`` px down and ``left`` px in."""
    model: SlidingWindow
    layout: Layout
    step_label: str
    scale: float
    left: int
    top: int
    width: int
    height: int

    def px(self, value: float) -> int:
        return round(value * self.scale)

    def cell_box(self, panel: int, row: int, col: int, rows: int = 1, cols: int = 1) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) of the cells from (row, col), ``rows`` x ``cols`` of them, of the ``panel``-th grid
        (the inputs, the kernels, the output), on the cell lines (x1, y1 exclusive)."""
        place = self.layout.places[panel]
        return (self.left + self.px(place.left + col * place.dx), self.top + self.px(place.top + row * place.dy),
                self.left + self.px(place.left + (col + cols) * place.dx),
                self.top + self.px(place.top + (row + rows) * place.dy))

    @property
    def panels(self) -> list[tuple[np.ndarray, np.ndarray, str]]:
        """(each cell's colour, the values, the title) of every grid, in ``cell_box`` order."""
        model = self.model
        return ([(np.where(mask, PALETTE["padding"], PALETTE["input"]), grid, title)
                 for grid, mask, title in model.inputs]
                + [(np.full(k.shape, PALETTE["kernel"]), k, title) for k, title in model.kernels]
                + [(np.full(model.output.shape, PALETTE["output"]), model.output, model.output_title)])


def drawing(model: SlidingWindow, step_label: str) -> Drawing:
    """Where everything goes: at least ``LEAST_WIDTH`` px wide (a small animation is drawn larger), with room
    for the widest caption as Pillow draws it."""
    layout = window_layout(model)
    natural = layout.left + layout.width + layout.right
    scale = min(2.0, max(1.0, LEAST_WIDTH / natural))
    caption = max(font(round(CAPTION_FONT * scale)).getlength(step.caption) for step in model.steps)
    width = max(round(natural * scale), round(layout.left * scale + caption + 10 * scale))
    return Drawing(model, layout, step_label, scale, round(layout.left * scale), round(TOP * scale), width,
                   round((TOP + layout.height + FOOTER) * scale))


def _number(draw: ImageDraw.ImageDraw, d: Drawing, panel: int, row: int, col: int, text: str) -> None:
    """``text`` centred in a cell."""
    x0, y0, x1, y1 = d.cell_box(panel, row, col)
    draw.text(((x0 + x1) / 2, (y0 + y1) / 2), text, fill=PALETTE["text"], font=font(d.px(d.layout.font_size)),
              anchor="mm")


def _base(d: Drawing) -> Image.Image:
    """What every frame shows: the grids, their numbers (the output's empty) and their titles."""
    picture = Image.new("RGB", (d.width, d.height), WHITE)
    draw = ImageDraw.Draw(picture)
    gap = max(1, d.px(1))                # Plotly's 2 px between cells
    for index, (colours, values, title) in enumerate(d.panels):
        output = index == len(d.panels) - 1
        for (row, col), text in np.ndenumerate(np.asarray(cell_texts(values))):
            x0, y0, x1, y1 = d.cell_box(index, row, col)
            draw.rectangle((x0 + gap, y0 + gap, x1 - gap - 1, y1 - gap - 1), fill=str(colours[row, col]))
            if not output:
                _number(draw, d, index, row, col, text)
        draw.text((d.left + d.px(d.layout.title_centres[index]), d.top - d.px(10)), title, fill=PALETTE["text"],
                  font=font(d.px(TITLE_FONT), bold=True), anchor="ms")
    return picture


def _frame_box(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], colour, width: int) -> None:
    """A frame of ``width`` px centred on the cell lines of ``box`` (as Plotly draws a shape's line)."""
    x0, y0, x1, y1 = box
    out = width // 2
    draw.rectangle((x0 - out, y0 - out, x1 + width - out - 1, y1 + width - out - 1), outline=colour, width=width)


def _tint(picture: Image.Image, box: tuple[int, int, int, int]) -> None:
    """The window's fill over ``box``: its colour at ``WINDOW_ALPHA`` over what is there."""
    region = picture.crop(box)
    picture.paste(Image.blend(region, Image.new("RGB", region.size, WINDOW), WINDOW_ALPHA), box)


def _window(picture: Image.Image, d: Drawing, step: Step, k: int) -> None:
    draw = ImageDraw.Draw(picture)
    rows, cols = step.rows, step.cols
    for panel in range(len(d.model.inputs)):
        span = d.cell_box(panel, rows[0], cols[0], rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1)
        if step.dense:
            _tint(picture, span)
            _frame_box(draw, span, WINDOW, d.px(3))
            continue
        _frame_box(draw, span, WINDOW, max(1, d.px(1)))
        for r in rows:
            for c in cols:
                _tint(picture, box := d.cell_box(panel, r, c))
                _frame_box(draw, box, WINDOW, d.px(2))
    i, j = step.out_index
    _frame_box(draw, d.cell_box(len(d.panels) - 1, i, j), WINDOW, d.px(4))
    if step.winner is not None:
        _frame_box(draw, d.cell_box(0, *step.winner), WINNER, d.px(4))
    draw.text((d.left, d.px(14)), step.caption, fill=PALETTE["text"], font=font(d.px(CAPTION_FONT)), anchor="lt")
    draw.text((d.left, d.height - d.px(FOOTER - 10)), f"{d.step_label} {k + 1} / {len(d.model.steps)}",
              fill=PALETTE["muted"], font=font(d.px(FOOTER_FONT)), anchor="lt")


def frames(d: Drawing, only: int | None = None) -> list[Image.Image]:
    """Every frame (or only frame ``only``, from 0), in the GIF's palette."""
    picture = _base(d)
    draw = ImageDraw.Draw(picture)
    result = []
    for k, step in enumerate(d.model.steps if only is None else d.model.steps[: only + 1]):
        i, j = step.out_index          # the output so far: this step's number joins the earlier steps'
        _number(draw, d, len(d.panels) - 1, i, j, d.model.revealed(k)[i, j])
        if only is None or k == only:
            frame = picture.copy()
            _window(frame, d, step, k)
            result.append(frame.quantize(palette=PALETTE_IMAGE, dither=Image.Dither.NONE))
    return result


def gif(model: SlidingWindow, step_label: str, speed: str = "normal", hold: bool = True) -> bytes:
    """The animation as a looping GIF: one frame per step, ``SPEEDS[speed]`` ms each, the last ``HOLD_MS``
    when ``hold`` (the finished output stays up before it starts again)."""
    if speed not in SPEEDS:
        raise ValueError(f"speed must be one of {', '.join(SPEEDS)}")
    pictures = frames(drawing(model, step_label))
    durations = [SPEEDS[speed]] * len(pictures)
    if hold:
        durations[-1] = max(HOLD_MS, SPEEDS[speed])
    buffer = io.BytesIO()
    pictures[0].save(buffer, format="GIF", save_all=True, append_images=pictures[1:], duration=durations, loop=0,
                     optimize=True)
    return buffer.getvalue()


def png(model: SlidingWindow, step_label: str, index: int) -> bytes:
    """Frame ``index`` (from 0) of ``gif`` as a PNG."""
    if not 0 <= index < len(model.steps):
        raise ValueError(f"step {index + 1} is not one of the {len(model.steps)} steps")
    buffer = io.BytesIO()
    frames(drawing(model, step_label), index)[0].save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
