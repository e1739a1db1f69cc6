"""Names, kinds, output shapes and parameter counts, read from a module itself."""

from __future__ import annotations

import torch
from torch import nn

KINDS = ((nn.Conv2d, "conv"), (nn.ReLU, "relu"), (nn.MaxPool2d, "pool"), (nn.AvgPool2d, "pool"),
         (nn.Flatten, "flatten"), (nn.Linear, "linear"))


def kind_of(layer: nn.Module) -> str:
    for cls, kind in KINDS:
        if isinstance(layer, cls):
            return kind
    return type(layer).__name__.lower()


@torch.inference_mode()
def layer_summary(module: nn.Sequential, side: int, channels: int = 1) -> list[dict]:
    """One row per layer of a Sequential: name, kind, output shape (no batch axis), parameters.

    The shapes come from pushing a blank image through the layers, so they are
    the module's own, not a formula's.
    """
    device = next(module.parameters()).device
    x = torch.zeros(1, channels, side, side, device=device)
    rows = []
    for name, layer in module.named_children():
        x = layer(x)
        rows.append({"name": name, "kind": kind_of(layer), "shape": list(x.shape[1:]),
                     "parameters": sum(p.numel() for p in layer.parameters())})
    return rows
