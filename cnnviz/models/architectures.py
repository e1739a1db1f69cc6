"""The two shipped networks, as plain ``nn.Sequential`` stacks with named layers.

A flat stack is what the lessons need: running the layers one by one in a
loop gives every intermediate activation of one call, with no hooks and no
shared state, and the layer names are the ones the page shows.
"""

from __future__ import annotations

from collections import OrderedDict

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
