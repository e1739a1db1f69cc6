"""A network's anatomy, read from a forward pass through the module itself: every layer's
output shape, parameters, multiply-accumulates and receptive field, and where the skips are.

The walk runs the module's own layers in the order its ``forward`` does (a ``Sequential``
child by child, a ``ResidualBlock`` as main path, shortcut, sum, ReLU), so the shapes are
the module's, never a formula typed into a page; a test checks that the walk ends where
``module(x)`` does. With an empty batch the walk computes shapes only: VGG-16 is summarised
in milliseconds without initialising, or even touching, its 553 MB of weights.

Counting rules, as the published figures count: multiply-accumulates (MACs) of convolutions
and dense layers only (batch norm, activations, pooling and the residual sums are not counted);
the receptive field is the side of the input square one output pixel depends on, through the
path that sees farthest (None once a layer sees the whole input: a dense layer, global pooling).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from cnnviz.errors import InvalidInput
from cnnviz.models.architectures import NETWORKS, ResidualBlock, build

KINDS = ((nn.Conv2d, "conv"), (nn.Linear, "linear"), (nn.BatchNorm2d, "bn"), (nn.ReLU, "relu"),
         (nn.LocalResponseNorm, "lrn"), (nn.MaxPool2d, "pool"), (nn.AvgPool2d, "pool"),
         (nn.AdaptiveAvgPool2d, "globalpool"), (nn.Dropout, "dropout"), (nn.Flatten, "flatten"))
WINDOWED = (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)
_POOLINGS = {nn.MaxPool2d: "max", nn.AvgPool2d: "avg"}


@dataclass(frozen=True)
class Layer:
    path: str                        # dotted, as in ``named_modules()``; a sum is "<block>.add"
    kind: str                        # conv, linear, bn, relu, lrn, pool, globalpool, dropout, flatten, add
    shape: tuple[int, ...]           # output, without the batch axis
    parameters: int
    macs: int
    receptive_field: int | None      # None: the layer sees the whole input
    block: str = ""                  # the enclosing residual block's path, "" outside one
    branch: str = ""                 # "main" or "shortcut" inside a block
    kernel: int = 0                  # for conv and pooling layers
    stride: int = 1
    groups: int = 1
    pooling: str = ""                # "max" or "avg" for a pooling layer

    @property
    def name(self) -> str:
        """The path without the block's prefix: "conv1" in "layer1.0.main.conv1"."""
        return self.path[len(self.block) + 1:].split(".", 1)[-1] if self.block else self.path

    @property
    def stage(self) -> str:
        """The top-level child it belongs to ("layer2" for any layer inside ResNet's second stage)."""
        return self.path.split(".", 1)[0]


@dataclass(frozen=True)
class Anatomy:
    network: str
    input_shape: tuple[int, int, int]
    layers: tuple[Layer, ...]

    @property
    def parameters(self) -> int:
        return sum(layer.parameters for layer in self.layers)

    @property
    def macs(self) -> int:
        return sum(layer.macs for layer in self.layers)

    @property
    def output_shape(self) -> tuple[int, ...]:
        return self.layers[-1].shape

    def layer(self, path: str) -> Layer:
        return next(layer for layer in self.layers if layer.path == path)


def kind_of(layer: nn.Module) -> str:
    """The kind of a layer as the lessons name it ("conv", "pool", ...), else its class name in lower case."""
    return next((kind for cls, kind in KINDS if isinstance(layer, cls)), type(layer).__name__.lower())


def _pair(value) -> int:
    """The first of a square layer's (k, k) settings; the networks here use square ones only."""
    return value[0] if isinstance(value, tuple) else value


def _macs(layer: nn.Module, out: torch.Tensor) -> int:
    """Per image: every output value of a convolution or dense layer costs one multiply-add per input it weighs."""
    per_image = math.prod(out.shape[1:])
    if isinstance(layer, nn.Conv2d):
        return per_image * (layer.in_channels // layer.groups) * math.prod(layer.kernel_size)
    if isinstance(layer, nn.Linear):
        return per_image * layer.in_features
    return 0


class _Walk:
    """One pass through a module, collecting a ``Layer`` per leaf; ``rf`` and ``jump`` are the receptive
    field so far and the input pixels between two neighbouring pixels of the current map."""

    def __init__(self, network: str, side: int):
        self.network, self.side = network, side
        self.layers: list[Layer] = []

    def run(self, module: nn.Module, x: torch.Tensor, path: str = "", rf: int | None = 1, jump: int = 1,
            block: str = "", branch: str = "") -> tuple[torch.Tensor, int | None, int]:
        if isinstance(module, ResidualBlock):
            return self._residual(module, x, path, rf, jump)
        if isinstance(module, nn.Sequential):
            for name, child in module.named_children():
                x, rf, jump = self.run(child, x, f"{path}.{name}" if path else name, rf, jump, block, branch)
            return x, rf, jump
        if isinstance(module, nn.Identity):
            return x, rf, jump
        return self._leaf(module, x, path, rf, jump, block, branch)

    def _residual(self, module: ResidualBlock, x, path, rf, jump):
        main, main_rf, main_jump = self.run(module.main, x, f"{path}.main", rf, jump, path, "main")
        short, short_rf, _ = self.run(module.shortcut, x, f"{path}.shortcut", rf, jump, path, "shortcut")
        total = main + short
        rf = None if None in (main_rf, short_rf) else max(main_rf, short_rf)
        self.layers.append(Layer(f"{path}.add", "add", tuple(total.shape[1:]), 0, 0, rf, path))
        return self._leaf(module.relu, total, f"{path}.relu", rf, main_jump, path, "")

    def _leaf(self, layer: nn.Module, x, path, rf, jump, block, branch):
        self._check_fits(layer, x, path)
        try:
            out = layer(x)
        except RuntimeError as error:      # a case the checks above do not foresee: still a sentence
            raise InvalidInput("architectures.layer_failed", layer=path,
                               shape=" × ".join(map(str, x.shape[1:]))) from error
        kernel = stride = dilation = 1
        if isinstance(layer, WINDOWED):
            kernel, stride = _pair(layer.kernel_size), _pair(layer.stride)
            dilation = _pair(getattr(layer, "dilation", 1))
        if rf is not None and (isinstance(layer, (nn.AdaptiveAvgPool2d, nn.Linear)) or out.dim() == 2):
            rf = None
        elif rf is not None:
            rf += (kernel - 1) * dilation * jump
            jump *= stride
        self.layers.append(Layer(path, kind_of(layer), tuple(out.shape[1:]), sum(p.numel() for p in layer.parameters()),
                                 _macs(layer, out), rf, block, branch, kernel if isinstance(layer, WINDOWED) else 0,
                                 stride, getattr(layer, "groups", 1), _POOLINGS.get(type(layer), "")))
        return out, rf, jump

    def _check_fits(self, layer: nn.Module, x: torch.Tensor, path: str) -> None:
        """Say in a sentence why a layer cannot take this input, before torch says it in a traceback."""
        if isinstance(layer, WINDOWED) and x.dim() == 4:
            kernel, padding = _pair(layer.kernel_size), _pair(layer.padding)
            span = _pair(getattr(layer, "dilation", 1)) * (kernel - 1) + 1
            side = x.shape[-1] + 2 * padding
            if side < span:
                raise InvalidInput("architectures.window_too_big", layer=path, kernel=span,
                                   map=f"{x.shape[-2]} × {x.shape[-1]}", padded=side, input=self.side)
        if isinstance(layer, nn.Linear) and x.shape[-1] != layer.in_features:
            before = next((l.shape for l in reversed(self.layers) if len(l.shape) == 3), None)
            raise InvalidInput("architectures.dense_fixes_size", layer=path, expected=f"{layer.in_features:,}",
                               got=f"{x.shape[-1]:,}", maps=" × ".join(map(str, before or x.shape[1:])),
                               input=self.side, native=NETWORKS[self.network][2] if self.network in NETWORKS else "?")


def unallocated(network: str) -> nn.Sequential:
    """``build(network)`` with uninitialised weights: built on the meta device (no memory, no random
    initialisation), then given CPU tensors that are reserved but never written. (``to_empty`` would do
    the same through ``empty_like``, whose first call on a meta tensor imports half a second of torch.)"""
    with torch.device("meta"):
        module = build(network, 10 if network == "lenet5" else 1000)
    for layer in module.modules():
        for name, parameter in list(layer.named_parameters(recurse=False)):
            setattr(layer, name, nn.Parameter(torch.empty(parameter.shape), requires_grad=False))
        for name, buffer in list(layer.named_buffers(recurse=False)):
            layer.register_buffer(name, torch.empty(buffer.shape, dtype=buffer.dtype))
    return module.eval()


def anatomy(network: str, side: int | None = None, module: nn.Module | None = None) -> Anatomy:
    """The anatomy of ``NETWORKS[network]`` for a side x side input (its own size by default).

    Without ``module``, the network is ``unallocated`` and the walk pushes an empty batch through it,
    so only shapes are computed; the counts are the module's all the same. 1,000 classes, except
    LeNet-5's 10. With a ``module`` (of real weights), a batch of one image of zeros goes through.
    """
    _, channels, native = NETWORKS[network]
    side = native if side is None else side
    batch = 1 if module is not None else 0
    module = unallocated(network) if module is None else module.eval()
    walk = _Walk(network, side)
    with torch.inference_mode():
        walk.run(module, torch.zeros(batch, channels, side, side, device=next(module.parameters()).device))
    return Anatomy(network, (channels, side, side), tuple(walk.layers))


def layer_summary(module: nn.Sequential, side: int, channels: int = 1) -> list[dict]:
    """One row per layer of a flat ``Sequential`` (a shipped model): name, kind, output shape, parameters,
    from the same walk (the model cards and the feature-map lesson's table)."""
    walk = _Walk("", side)
    device = next(module.parameters()).device
    with torch.inference_mode():
        walk.run(module, torch.zeros(1, channels, side, side, device=device))
    return [{"name": layer.path, "kind": layer.kind, "shape": list(layer.shape), "parameters": layer.parameters}
            for layer in walk.layers]
