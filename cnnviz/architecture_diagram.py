"""A network's block diagram as SVG, laid out here from its ``Anatomy``.

Every layer is in it: a convolution or dense layer is one box with the batch norm,
activation, LRN or dropout that follow it written inside, the output shape is on the arrow
that leaves each box, and a residual block's shortcut is a real second arrow, drawn beside
the main path, into the sum. A ResNet stage is one box until it is opened into its blocks.
The layout is a column (a network is a chain with skips), so it is computed here rather than
by a graph layout engine in the browser, which took ten times longer to draw than the page
took to run; the SVG goes out as it is and keeps its size (a phone scrolls it sideways).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from cnnviz.figures import FONT, PALETTE
from cnnviz.i18n import t
from cnnviz.models.anatomy import Anatomy, Layer
from cnnviz.text_fit import text_width

FOLDED = {"bn", "relu", "lrn", "dropout"}      # drawn inside the box of the layer before them
COLOURS = {"conv": "#dbeafe", "linear": "#fde68a", "pool": "#dcfce7", "globalpool": "#dcfce7", "flatten": "#f3f4f6",
           "stage": "#e0e7ff", "add": "#fed7aa", "input": "#f3f4f6"}
SKIP_COLOUR = "#ea580c"
STAGE_COLOUR = "#6366f1"
LINE = "#475569"
SIZE = 15                  # px: box text; the shapes on the arrows one smaller
LINE_HEIGHT = 19
PAD_X, PAD_Y = 14, 8       # px inside a box
ARROW = 40                 # px between two boxes: the arrow and its shape
MARGIN = 12


@dataclass
class Unit:
    """One box: a head layer and the layers folded into it."""
    head: Layer
    folded: list[Layer] = field(default_factory=list)

    @property
    def out(self) -> Layer:
        return (self.folded or [self.head])[-1]


def units(layers: list[Layer] | tuple[Layer, ...]) -> list[Unit]:
    """Group layers into boxes: each folded kind joins the box before it (a leading one opens its own)."""
    grouped: list[Unit] = []
    for layer in layers:
        if layer.kind in FOLDED and grouped and grouped[-1].head.kind != "add" and layer.branch == grouped[-1].head.branch:
            grouped[-1].folded.append(layer)
        else:
            grouped.append(Unit(layer))
    return grouped


def shape_text(shape: tuple[int, ...]) -> str:
    return " × ".join(str(n) for n in shape)


def layer_text(layer: Layer) -> str:
    """What a layer does, in the page's language: "3×3 conv, 64, stride 2"."""
    k, s = layer.kernel, layer.stride
    if layer.kind == "conv":
        text = t("architectures.box_conv", k=k, channels=layer.shape[0])
        if layer.groups > 1:
            text += ", " + t("architectures.box_groups", groups=layer.groups)
    elif layer.kind == "linear":
        text = t("architectures.box_linear", units=layer.shape[0])
    elif layer.kind == "pool":
        text = t(f"architectures.box_{layer.pooling}pool", k=k)
    else:
        text = t(f"architectures.box_{layer.kind}")
    if s > 1 and layer.kind in ("conv", "pool"):
        text += ", " + t("architectures.box_stride", s=s)
    return text


def _label(unit: Unit) -> list[str]:
    parts = [t(f"architectures.box_{layer.kind}") for layer in unit.folded]
    head = f"{unit.head.name}: {layer_text(unit.head)}"
    return [head] + (["+ " + " + ".join(parts)] if parts else [])


@dataclass
class Box:
    """One box of the column (or, with ``skip``, on a block's shortcut): its text, kind and the shape it hands on."""
    lines: list[str]
    kind: str
    shape: tuple[int, ...]
    path: str = ""
    y: float = 0.0

    @property
    def width(self) -> float:
        return max(text_width(line, SIZE) for line in self.lines) + 2 * PAD_X

    @property
    def height(self) -> float:
        return len(self.lines) * LINE_HEIGHT + 2 * PAD_Y


@dataclass
class Skip:
    """A residual block opened: the box before it (its input), its sum, and the boxes on its shortcut."""
    entry: int
    add: int
    shortcut: list[Box]


@dataclass
class Stage:
    name: str
    first: int
    last: int


def _stages(anatomy: Anatomy) -> dict[str, list[Layer]]:
    """The top-level children that hold residual blocks (ResNet's layer1-4), with their layers."""
    stages: dict[str, list[Layer]] = {}
    for layer in anatomy.layers:
        if layer.block:
            stages.setdefault(layer.stage, []).append(layer)
    return stages


def _blocks(members: list[Layer]) -> dict[str, list[Layer]]:
    blocks: dict[str, list[Layer]] = {}
    for layer in members:
        blocks.setdefault(layer.block, []).append(layer)
    return blocks


def _column(anatomy: Anatomy, expanded) -> tuple[list[Box], list[Skip], list[Stage]]:
    """The boxes top to bottom, the skips of the opened blocks and the opened stages around them."""
    boxes = [Box(t("architectures.box_input", shape=shape_text(anatomy.input_shape)).split("\n"), "input",
                 anatomy.input_shape)]
    skips: list[Skip] = []
    stages: list[Stage] = []
    members_of = _stages(anatomy)
    index, layers = 0, anatomy.layers
    while index < len(layers):
        stage = layers[index].stage
        if stage not in members_of:
            run = []
            while index < len(layers) and layers[index].stage not in members_of:
                run.append(layers[index])
                index += 1
            boxes += [Box(_label(unit), unit.head.kind, unit.out.shape, unit.head.path) for unit in units(run)]
            continue
        members = members_of[stage]
        index += len(members)
        blocks = _blocks(members)
        if stage not in expanded:
            first = next(iter(blocks.values()))
            plan = " | ".join(f"{layer.kernel}×{layer.kernel}, {layer.shape[0]}" for layer in first
                              if layer.kind == "conv" and layer.branch == "main")
            boxes.append(Box(t("architectures.box_stage", stage=stage, blocks=len(blocks), plan=plan).split("\n"),
                             "stage", members[-1].shape, stage))
            continue
        first_box = len(boxes)
        for block, block_layers in blocks.items():
            entry = len(boxes) - 1
            boxes += [Box(_label(unit), unit.head.kind, unit.out.shape, unit.head.path)
                      for unit in units([layer for layer in block_layers if layer.branch == "main"])]
            boxes.append(Box([t("architectures.box_add"), "+ " + t("architectures.box_relu")], "add",
                             block_layers[-1].shape, f"{block}.add"))
            shortcut = [Box(_label(unit), unit.head.kind, unit.out.shape, unit.head.path)
                        for unit in units([layer for layer in block_layers if layer.branch == "shortcut"])]
            skips.append(Skip(entry, len(boxes) - 1, shortcut))
        stages.append(Stage(stage, first_box, len(boxes) - 1))
    boxes.append(Box(t("architectures.box_output", shape=shape_text(boxes[-1].shape)).split("\n"), "input",
                     boxes[-1].shape))
    return boxes, skips, stages


def _text(x: float, y: float, text: str, size: int = SIZE, anchor: str = "middle", colour: str = PALETTE["text"],
          weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{colour}" '
            f'font-weight="{weight}" dominant-baseline="middle">{html.escape(text)}</text>')


def _arrow(points: list[tuple[float, float]], colour: str, width: float, css: str) -> str:
    path = " ".join(f"{'M' if i == 0 else 'L'} {x:.1f} {y:.1f}" for i, (x, y) in enumerate(points))
    marker = "skip-head" if colour == SKIP_COLOUR else "head"
    return (f'<path class="{css}" d="{path}" fill="none" stroke="{colour}" stroke-width="{width}" '
            f'marker-end="url(#{marker})"/>')


def _box(box: Box, centre: float, colour: str = LINE) -> str:
    left = centre - box.width / 2
    rounded = box.height / 2 if box.kind == "add" else 8
    parts = [f'<g class="node" data-path="{html.escape(box.path)}">',
             f'<rect x="{left:.1f}" y="{box.y:.1f}" width="{box.width:.1f}" height="{box.height:.1f}" '
             f'rx="{rounded:.1f}" fill="{COLOURS.get(box.kind, "#ffffff")}" stroke="{colour}" stroke-width="1.2"/>']
    for number, line in enumerate(box.lines):
        parts.append(_text(centre, box.y + PAD_Y + (number + 0.5) * LINE_HEIGHT, line))
    return "".join(parts) + "</g>"


def diagram(anatomy: Anatomy, expanded: frozenset[str] | set[str] = frozenset()) -> str:
    """The SVG of ``anatomy``'s block diagram, with the ResNet stages named in ``expanded`` opened."""
    boxes, skips, stages = _column(anatomy, expanded)
    label_room = max(text_width(shape_text(box.shape), SIZE - 1) for box in boxes) + 16
    main_width = max(box.width for box in boxes)
    centre = MARGIN + 14 + main_width / 2                     # 14: room for an opened stage's frame
    shortcut_width = max((box.width for skip in skips for box in skip.shortcut), default=0)
    lane = centre + max(main_width / 2, label_room + 8) + 24 + shortcut_width / 2     # where the shortcuts run
    width = (lane + max(shortcut_width / 2, label_room) + MARGIN + 16 if skips
             else centre + main_width / 2 + label_room + MARGIN)
    y = MARGIN
    starts = {stage.first: stage for stage in stages}
    for index, box in enumerate(boxes):
        if index in starts:
            y += 26                                           # the opened stage's name above its frame
        box.y = y
        y += box.height + ARROW
        if any(stage.last == index for stage in stages):
            y += 10
    height = y - ARROW + MARGIN
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="architecture" width="{width:.0f}" height="{height:.0f}" '
             f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{FONT["family"]}">',
             '<defs>' + "".join(f'<marker id="{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
                                f'markerHeight="7" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" '
                                f'fill="{colour}"/></marker>' for name, colour in (("head", LINE),
                                                                                    ("skip-head", SKIP_COLOUR)))
             + '</defs>']
    for stage in stages:
        top, bottom = boxes[stage.first].y - 30, boxes[stage.last].y + boxes[stage.last].height + 8
        right = (lane + shortcut_width / 2 + 10) if skips else centre + main_width / 2 + 10
        parts.append(f'<rect class="stage" x="{MARGIN:.1f}" y="{top:.1f}" width="{right - MARGIN:.1f}" '
                     f'height="{bottom - top:.1f}" rx="10" fill="none" stroke="{STAGE_COLOUR}" stroke-dasharray="6 4"/>')
        parts.append(_text(MARGIN + 12, top + 13, stage.name, SIZE - 1, "start", STAGE_COLOUR, "bold"))
    for above, below in zip(boxes, boxes[1:]):
        start, end = above.y + above.height, below.y
        parts.append(_arrow([(centre, start), (centre, end - 1)], LINE, 1.4, "edge"))
        parts.append(_text(centre + 8, start + 0.6 * (end - start), shape_text(above.shape), SIZE - 1, "start",
                           "#334155"))
    for skip in skips:
        parts += _skip(boxes, skip, centre, lane)
    parts += [_box(box, centre) for box in boxes]
    return "".join(parts) + "</svg>"


def _skip(boxes: list[Box], skip: Skip, centre: float, lane: float) -> list[str]:
    """The shortcut: from the arrow leaving the block's input, out to the lane, down (through its projection,
    if any) and back into the sum."""
    entry, add = boxes[skip.entry], boxes[skip.add]
    fork = entry.y + entry.height + 6
    join = add.y + add.height / 2
    parts = []
    if not skip.shortcut:
        parts.append(_arrow([(centre, fork), (lane, fork), (lane, join), (centre + add.width / 2, join)],
                            SKIP_COLOUR, 2, "skip"))
        parts.append(_text(lane + 8, (fork + join) / 2, t("architectures.identity"), SIZE - 1, "start", SKIP_COLOUR))
        return parts
    top = (fork + join) / 2 - sum(box.height for box in skip.shortcut) / 2 - 8 * (len(skip.shortcut) - 1)
    previous = (lane, fork)
    points = [(centre, fork), (lane, fork)]
    for box in skip.shortcut:
        box.y = top
        parts.append(_arrow(points + [(lane, box.y - 1)], SKIP_COLOUR, 2, "skip"))
        parts.append(_box(box, lane, SKIP_COLOUR))
        previous = (lane, box.y + box.height)
        points = [previous]
        top += box.height + 16
    parts.append(_arrow([previous, (lane, join), (centre + add.width / 2, join)], SKIP_COLOUR, 2, "skip"))
    parts.append(_text(lane + 8, (previous[1] + join) / 2, shape_text(skip.shortcut[-1].shape), SIZE - 1, "start",
                       SKIP_COLOUR))
    return parts
