"""The networks the lessons build, in plain torch: the two shipped ones and the great architectures.

The shipped networks are flat ``nn.Sequential`` stacks with named layers: running
the layers one by one in a loop gives every intermediate activation of one call,
with no hooks and no shared state, and the layer names are the ones the page shows.
The great architectures (AlexNet, VGG-16, ResNet-18/50) are built the same way,
named as their papers name them, with residual blocks as ``ResidualBlock`` (a main
path and a shortcut), so the architectures lesson can walk them and draw the skips.
No weights, no torchvision: ``build(name)`` gives the module and its exact counts.
"""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

# The training lesson swaps these in; the shipped models use ReLU and max pooling. An activation
# layer is named after its function ("relu1", "sigmoid1"); the layers with weights keep their names.
ACTIVATIONS = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}
POOLINGS = {"max": nn.MaxPool2d, "avg": nn.AvgPool2d}


def lenet5(activation: str = "relu", pooling: str = "max", classes: int = 10) -> nn.Sequential:
    """LeNet-5 (LeCun et al., 1998) as it is taught today: ReLU and max pooling.

    The original read 32x32 images; padding 2 on the first convolution keeps
    MNIST's 28x28 at 28x28, so the second convolution sees the same 14x14 and
    the classifier the same 16 x 5 x 5 features as in the paper. Sigmoid or tanh
    with average pooling is closer to the paper's own choice.
    """
    act, pool = ACTIVATIONS[activation], POOLINGS[pooling]
    return nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(1, 6, kernel_size=5, padding=2)),
        (f"{activation}1", act()),
        ("pool1", pool(2)),
        ("conv2", nn.Conv2d(6, 16, kernel_size=5)),
        (f"{activation}2", act()),
        ("pool2", pool(2)),
        ("flatten", nn.Flatten()),
        ("fc1", nn.Linear(16 * 5 * 5, 120)),
        (f"{activation}3", act()),
        ("fc2", nn.Linear(120, 84)),
        (f"{activation}4", act()),
        ("fc3", nn.Linear(84, classes)),
    ]))


def tiny_vgg(channels: tuple[int, int] = (16, 32), classes: int = 10, side: int = 28,
             activation: str = "relu", pooling: str = "max") -> nn.Sequential:
    """CNN Explainer's Tiny VGG: [conv3x3 - ReLU - conv3x3 - ReLU - max pool 2] x 2 -> dense.

    Layer names follow CNN Explainer. Unlike its 10-channel, unpadded version,
    the convolutions here use 'same' padding (a 28x28 map stays 28x28, so the
    edges of the image are seen as often as its centre) and more channels;
    the model card says what that buys.
    """
    act, pool = ACTIVATIONS[activation], POOLINGS[pooling]
    first, second = channels
    layers: list[tuple[str, nn.Module]] = []
    previous = 1
    for block, width in ((1, first), (2, second)):
        for index in (1, 2):
            layers.append((f"conv_{block}_{index}", nn.Conv2d(previous, width, kernel_size=3, padding=1)))
            layers.append((f"{activation}_{block}_{index}", act()))
            previous = width
        layers.append((f"{pooling}_pool_{block}", pool(2)))
    layers.append(("flatten", nn.Flatten()))
    layers.append(("output", nn.Linear(second * (side // 4) ** 2, classes)))
    return nn.Sequential(OrderedDict(layers))


def alexnet(classes: int = 1000) -> nn.Sequential:
    """AlexNet as the paper (Krizhevsky, Sutskever, Hinton, 2012) built it: two groups, LRN, dropout.

    The paper split its layers over two GPUs; ``groups=2`` gives the same connections
    (conv2, conv4 and conv5 see only their own GPU's half, conv3 and the dense layers
    see both), hence 60,965,224 parameters where torchvision's single-stream version
    has 61,100,840. Local response normalisation follows ReLU in the first two layers
    with the paper's n=5, k=2, alpha=1e-4, beta=0.75; PyTorch divides alpha by n, so it
    gets 5 x 1e-4. The paper's 224x224 input only works as 227x227 (that is what its
    55x55 first maps need); padding 2 on conv1 gives the same 55x55 from 224x224.
    There is no adaptive pooling: fc6 wants 256 x 6 x 6 inputs, which fixes the input size.
    """
    def lrn() -> nn.LocalResponseNorm:
        return nn.LocalResponseNorm(size=5, alpha=5e-4, beta=0.75, k=2.0)

    return nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(3, 96, kernel_size=11, stride=4, padding=2)),
        ("relu1", nn.ReLU()), ("lrn1", lrn()), ("pool1", nn.MaxPool2d(3, stride=2)),
        ("conv2", nn.Conv2d(96, 256, kernel_size=5, padding=2, groups=2)),
        ("relu2", nn.ReLU()), ("lrn2", lrn()), ("pool2", nn.MaxPool2d(3, stride=2)),
        ("conv3", nn.Conv2d(256, 384, kernel_size=3, padding=1)), ("relu3", nn.ReLU()),
        ("conv4", nn.Conv2d(384, 384, kernel_size=3, padding=1, groups=2)), ("relu4", nn.ReLU()),
        ("conv5", nn.Conv2d(384, 256, kernel_size=3, padding=1, groups=2)), ("relu5", nn.ReLU()),
        ("pool5", nn.MaxPool2d(3, stride=2)),
        ("flatten", nn.Flatten()),
        ("dropout6", nn.Dropout(0.5)), ("fc6", nn.Linear(256 * 6 * 6, 4096)), ("relu6", nn.ReLU()),
        ("dropout7", nn.Dropout(0.5)), ("fc7", nn.Linear(4096, 4096)), ("relu7", nn.ReLU()),
        ("fc8", nn.Linear(4096, classes)),
    ]))


VGG16_BLOCKS = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))   # (channels, 3x3 convolutions) per block


def vgg16(classes: int = 1000) -> nn.Sequential:
    """VGG-16, configuration D of Simonyan and Zisserman (2014): only 3x3 convolutions (padding 1)
    and 2x2 max pooling, the channels doubling block by block from 64 to 512, then three dense layers.

    As in the paper, no adaptive pooling before fc6: the dense layers fix the input at 224x224.
    """
    layers: list[tuple[str, nn.Module]] = []
    previous = 3
    for block, (width, convs) in enumerate(VGG16_BLOCKS, start=1):
        for index in range(1, convs + 1):
            layers.append((f"conv{block}_{index}", nn.Conv2d(previous, width, kernel_size=3, padding=1)))
            layers.append((f"relu{block}_{index}", nn.ReLU()))
            previous = width
        layers.append((f"pool{block}", nn.MaxPool2d(2)))
    layers.append(("flatten", nn.Flatten()))
    for index, (inputs, outputs) in enumerate(((512 * 7 * 7, 4096), (4096, 4096)), start=6):
        layers += [(f"fc{index}", nn.Linear(inputs, outputs)), (f"relu{index}", nn.ReLU()),
                   (f"dropout{index}", nn.Dropout(0.5))]
    layers.append(("fc8", nn.Linear(4096, classes)))
    return nn.Sequential(OrderedDict(layers))


class ResidualBlock(nn.Module):
    """relu(main(x) + shortcut(x)): the main path learns only what must change, F(x), and the
    shortcut carries x itself (or a 1x1 projection where the shape changes)."""

    def __init__(self, main: nn.Sequential, shortcut: nn.Module):
        super().__init__()
        self.main = main
        self.shortcut = shortcut
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu(self.main(x) + self.shortcut(x))


def _conv_bn(inputs: int, outputs: int, kernel: int, stride: int = 1) -> list[tuple[str, nn.Module]]:
    return [("conv", nn.Conv2d(inputs, outputs, kernel, stride=stride, padding=kernel // 2, bias=False)),
            ("bn", nn.BatchNorm2d(outputs))]


def _numbered(index: int, layers: list[tuple[str, nn.Module]]) -> list[tuple[str, nn.Module]]:
    return [(f"{name}{index}", layer) for name, layer in layers]


def _residual_block(inputs: int, width: int, stride: int, bottleneck: bool) -> ResidualBlock:
    """A basic block (two 3x3) or, for ResNet-50, a bottleneck (1x1 down, 3x3, 1x1 up by 4).

    The bottleneck strides on its 3x3 as torchvision does ("ResNet v1.5"), not on the first
    1x1 as the paper: 4.09 G multiply-accumulates at 224x224 instead of 3.86 G.
    """
    if bottleneck:
        outputs = width * 4
        plan = [(inputs, width, 1, 1), (width, width, 3, stride), (width, outputs, 1, 1)]
    else:
        outputs = width
        plan = [(inputs, width, 3, stride), (width, width, 3, 1)]
    layers: list[tuple[str, nn.Module]] = []
    for index, (cin, cout, kernel, step) in enumerate(plan, start=1):
        layers += _numbered(index, _conv_bn(cin, cout, kernel, step))
        if index < len(plan):
            layers.append((f"relu{index}", nn.ReLU()))
    if stride != 1 or inputs != outputs:
        shortcut: nn.Module = nn.Sequential(OrderedDict(_conv_bn(inputs, outputs, 1, stride)))
    else:
        shortcut = nn.Identity()
    return ResidualBlock(nn.Sequential(OrderedDict(layers)), shortcut)


def resnet(blocks: tuple[int, ...], bottleneck: bool, classes: int = 1000) -> nn.Sequential:
    """ResNet (He, Zhang, Ren, Sun, 2015) for ImageNet: a 7x7 stem, four stages of residual
    blocks whose width doubles while the map halves, then global average pooling, so any
    input size works: the one dense layer sees the channels, not the map."""
    layers: list[tuple[str, nn.Module]] = [
        ("conv1", nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)),
        ("bn1", nn.BatchNorm2d(64)), ("relu", nn.ReLU()),
        ("maxpool", nn.MaxPool2d(3, stride=2, padding=1)),
    ]
    inputs = 64
    for stage, (width, count) in enumerate(zip((64, 128, 256, 512), blocks), start=1):
        stage_blocks = []
        for index in range(count):
            stride = 2 if stage > 1 and index == 0 else 1
            stage_blocks.append((str(index), _residual_block(inputs, width, stride, bottleneck)))
            inputs = width * 4 if bottleneck else width
        layers.append((f"layer{stage}", nn.Sequential(OrderedDict(stage_blocks))))
    layers += [("avgpool", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten()),
               ("fc", nn.Linear(inputs, classes))]
    return nn.Sequential(OrderedDict(layers))


def resnet18(classes: int = 1000) -> nn.Sequential:
    return resnet((2, 2, 2, 2), bottleneck=False, classes=classes)


def resnet50(classes: int = 1000) -> nn.Sequential:
    return resnet((3, 4, 6, 3), bottleneck=True, classes=classes)


# name: (builder taking the number of classes, input channels, the input side the network was made for)
NETWORKS = {
    "lenet5": (lambda classes: lenet5(classes=classes), 1, 28),
    "alexnet": (alexnet, 3, 224),
    "vgg16": (vgg16, 3, 224),
    "resnet18": (resnet18, 3, 224),
    "resnet50": (resnet50, 3, 224),
}


def build(name: str, num_classes: int = 1000) -> nn.Sequential:
    """One of ``NETWORKS`` with random weights; build it under ``torch.device("meta")`` to get
    its shapes and counts without allocating its weights (VGG-16's are 553 MB)."""
    if name not in NETWORKS:
        raise ValueError(f"unknown network {name!r}; choose one of {', '.join(NETWORKS)}")
    return NETWORKS[name][0](num_classes)
