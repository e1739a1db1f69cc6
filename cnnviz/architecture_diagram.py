"""A network's block diagram as Graphviz DOT, drawn from its ``Anatomy``.

Every layer is in it: a convolution or dense layer is one box with the batch norm,
activation, LRN or dropout that follow it written inside, the output shape is on the arrow
that leaves each box, and a residual block's shortcut is a real second arrow into the sum.
A ResNet stage is one box until it is expanded into its blocks. Streamlit draws DOT in the
browser with the Graphviz it ships (no request leaves the machine).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cnnviz.i18n import t
from cnnviz.models.anatomy import Anatomy, Layer

FOLDED = {"bn", "relu", "lrn", "dropout"}      # drawn inside the box of the layer before them
COLOURS = {"conv": "#dbeafe", "linear": "#fde68a", "pool": "#dcfce7", "globalpool": "#dcfce7", "flatten": "#f3f4f6", "stage": "#e0e7ff", "add": "#fed7aa", "input": "#f3f4f6"}
SKIP_COLOUR = "#ea580c"


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


def _label(unit: Unit) -> str:
    parts = [t(f"architectures.box_{layer.kind}") for layer in unit.folded]
    head = f"{unit.head.name}: {layer_text(unit.head)}"
    return head + ("\\n+ " + " + ".join(parts) if parts else "")


def _quote(text: str) -> str:
    """A DOT string, line breaks written as DOT's own ``\\n`` (the catalogs' labels hold real ones)."""
    return '"' + text.replace('"', '\\"').replace("\n", "\\n") + '"'


class _Dot:
    """DOT text: nodes where they are declared (inside a stage's cluster or not), every edge at the top level,
    since an edge written inside a cluster would pull both of its ends into it."""

    def __init__(self):
        self.lines = ['digraph G {', 'rankdir=TB; nodesep=0.3; ranksep=0.28;',
                      'node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=15, '
                      'color="#475569", margin="0.12,0.05"];',
                      'edge [fontname="Helvetica", fontsize=14, color="#475569", fontcolor="#334155"];']
        self.edges: list[str] = []
        self.count = 0

    def node(self, label: str, kind: str, **attrs) -> str:
        self.count += 1
        name = f"n{self.count}"
        extra = "".join(f", {key}={_quote(str(value))}" for key, value in attrs.items())
        self.lines.append(f'{name} [label={_quote(label)}, fillcolor="{COLOURS.get(kind, "#ffffff")}"{extra}];')
        return name

    def edge(self, source: str, target: str, label: str = "", skip: bool = False) -> None:
        attrs = [f"label={_quote(' ' + label)}"] if label else []
        if skip:
            attrs.append(f'color="{SKIP_COLOUR}", fontcolor="{SKIP_COLOUR}", penwidth=2')
        self.edges.append(f"{source} -> {target} [{', '.join(attrs)}];")

    def text(self) -> str:
        return "\n".join(self.lines + self.edges + ["}"])


def diagram(anatomy: Anatomy, expanded: frozenset[str] | set[str] = frozenset()) -> str:
    """The DOT source of ``anatomy``'s block diagram, with the ResNet stages named in ``expanded`` opened."""
    dot = _Dot()
    previous = dot.node(t("architectures.box_input", shape=shape_text(anatomy.input_shape)), "input")
    shape = anatomy.input_shape
    stages: dict[str, list[Layer]] = {}
    for layer in anatomy.layers:                  # a stage is a top-level child that holds residual blocks
        if layer.block:
            stages.setdefault(layer.stage, []).append(layer)
    index = 0
    layers = anatomy.layers
    while index < len(layers):
        layer = layers[index]
        if layer.stage in stages:
            members = stages[layer.stage]
            previous = (_stage_open(dot, members, previous, shape) if layer.stage in expanded
                        else _stage_closed(dot, layer.stage, members, previous, shape))
            shape = members[-1].shape
            index += len(members)
            continue
        run = []
        while index < len(layers) and layers[index].stage not in stages:
            run.append(layers[index])
            index += 1
        for unit in units(run):
            node = dot.node(_label(unit), unit.head.kind)
            dot.edge(previous, node, shape_text(shape))
            previous, shape = node, unit.out.shape
    output = dot.node(t("architectures.box_output", shape=shape_text(shape)), "input")
    dot.edge(previous, output, shape_text(shape))
    return dot.text()


def _blocks(members: list[Layer]) -> dict[str, list[Layer]]:
    blocks: dict[str, list[Layer]] = {}
    for layer in members:
        blocks.setdefault(layer.block, []).append(layer)
    return blocks


def _stage_closed(dot: _Dot, stage: str, members: list[Layer], previous: str, shape) -> str:
    blocks = _blocks(members)
    first = next(iter(blocks.values()))
    convs = [layer for layer in first if layer.kind == "conv" and layer.branch == "main"]
    plan = " | ".join(f"{layer.kernel}×{layer.kernel}, {layer.shape[0]}" for layer in convs)
    label = t("architectures.box_stage", stage=stage, blocks=len(blocks), plan=plan)
    node = dot.node(label, "stage", tooltip=t("architectures.expand_hint"))
    dot.edge(previous, node, shape_text(shape))
    return node


def _stage_open(dot: _Dot, members: list[Layer], previous: str, shape) -> str:
    stage = members[0].stage
    dot.lines.append(f'subgraph cluster_{stage} {{ label={_quote(stage)}; style="rounded,dashed"; color="#6366f1"; '
                     'fontname="Helvetica"; fontsize=13;')
    for block_layers in _blocks(members).values():
        entry, entry_shape = previous, shape
        main = units([layer for layer in block_layers if layer.branch == "main"])
        shortcut = units([layer for layer in block_layers if layer.branch == "shortcut"])
        tail = [layer for layer in block_layers if not layer.branch]       # the sum and its ReLU
        for unit in main:
            node = dot.node(_label(unit), unit.head.kind)
            dot.edge(previous, node, shape_text(shape))
            previous, shape = node, unit.out.shape
        add = dot.node(t("architectures.box_add") + "\\n+ " + t("architectures.box_relu"), "add", shape="ellipse")
        dot.edge(previous, add, shape_text(shape))
        skip_from, skip_shape = entry, entry_shape
        for unit in shortcut:
            node = dot.node(_label(unit), unit.head.kind, color=SKIP_COLOUR)
            dot.edge(skip_from, node, shape_text(skip_shape), skip=True)
            skip_from, skip_shape = node, unit.out.shape
        label = shape_text(skip_shape) if shortcut else t("architectures.identity")
        dot.edge(skip_from, add, label, skip=True)
        previous, shape = add, tail[-1].shape
    dot.lines.append("}")
    return previous
