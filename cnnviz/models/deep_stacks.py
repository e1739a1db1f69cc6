"""Deep plain and residual networks like the CIFAR nets of He et al. (2015), "Deep Residual Learning for
Image Recognition", section 4.2, sized for 28x28 gray images.

A 3x3 convolution (the stem), then three stages of blocks of two 3x3 conv-BN layers at 28x28, 14x14 and
7x7 with ``width``, 2x and 4x the channels (the first convolution of the second and third stage has
stride 2), global pooling and one linear layer. Like the paper, the depth counts the layers with
weights: the stem, two per block and the linear layer, so a 20-layer network has 19 convolutions.

The plain and the residual network are the same blocks, with the same parameter names, shapes and
initial weights; a residual block only adds its input to its output before the last ReLU,
``relu(F(x) + x)``. Where a block halves the map and doubles the channels, the shortcut takes every
second pixel and pads the new channels with zeros (the paper's option A): no weights of its own, so
both networks have the same parameters.
"""

from __future__ import annotations

from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import nn

from cnnviz.models.architectures import ACTIVATIONS, POOLINGS

STAGES = 3
MIN_DEPTH = 2 * STAGES + 2          # one block per stage


def stage_blocks(depth: int) -> tuple[int, ...]:
    """How many blocks each stage has for ``depth`` layers with weights (stem + 2 per block + linear),
    the odd ones in the first stages: 20 -> (3, 3, 3), the paper's ResNet-20; 40 -> (7, 6, 6)."""
    if depth < MIN_DEPTH or depth % 2:
        raise ValueError(f"a depth of {depth} is not 2 + 2 x (blocks), with at least one block per stage")
    blocks = (depth - 2) // 2
    return tuple(blocks // STAGES + (stage < blocks % STAGES) for stage in range(STAGES))


class Block(nn.Module):
    """conv 3x3 - BN - act - conv 3x3 - BN (that is F), then, residual or not, the activation:
    ``act(F(x) + shortcut(x))`` with a shortcut, ``act(F(x))`` without."""

    def __init__(self, channels_in: int, channels_out: int, stride: int, activation: str, residual: bool):
        super().__init__()
        act = ACTIVATIONS[activation]
        self.conv1 = nn.Conv2d(channels_in, channels_out, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels_out)
        self.act1 = act()
        self.conv2 = nn.Conv2d(channels_out, channels_out, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels_out)
        self.act2 = act()
        self.residual = residual
        self.stride, self.extra_channels = stride, channels_out - channels_in

    def branch(self, x: torch.Tensor) -> torch.Tensor:
        """F(x): what the block's two layers compute."""
        return self.bn2(self.conv2(self.act1(self.bn1(self.conv1(x)))))

    def shortcut(self, x: torch.Tensor) -> torch.Tensor:
        """x itself, or where the block changes the shape, every ``stride``-th pixel and zeros for the new channels."""
        if self.stride > 1:
            x = x[:, :, ::self.stride, ::self.stride]
        return F.pad(x, (0, 0, 0, 0, 0, self.extra_channels)) if self.extra_channels else x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.branch(x)
        return self.act2(out + self.shortcut(x) if self.residual else out)

    def extra_repr(self) -> str:
        return f"residual={self.residual}"


def deep_stack(depth: int, residual: bool, width: int = 8, classes: int = 10, side: int = 28,
               activation: str = "relu", pooling: str = "avg") -> nn.Sequential:
    """The ``depth``-layer plain (``residual=False``) or residual network; ``pooling`` is its global pooling."""
    layers: list[tuple[str, nn.Module]] = [
        ("conv", nn.Conv2d(1, width, 3, padding=1, bias=False)),
        ("bn", nn.BatchNorm2d(width)),
        (activation, ACTIVATIONS[activation]()),
    ]
    channels = width
    for stage, blocks in enumerate(stage_blocks(depth)):
        for index in range(blocks):
            out = width * 2 ** stage
            stride = 2 if stage and not index else 1
            layers.append((f"block{stage + 1}_{index + 1}", Block(channels, out, stride, activation, residual)))
            channels = out
    layers += [(f"{pooling}_pool", POOLINGS[pooling](side // 2 ** (STAGES - 1))),
               ("flatten", nn.Flatten()),
               ("output", nn.Linear(channels, classes))]
    return nn.Sequential(OrderedDict(layers))
