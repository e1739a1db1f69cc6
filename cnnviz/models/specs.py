"""What the project knows about each shipped model: how to build it, what it
was trained on, how an image must look before it goes in, and where its
weights and model card live.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable

from torch import nn

from cnnviz.i18n import t
from cnnviz.models import architectures

ASSETS = Path(__file__).resolve().parents[2] / "assets" / "models"

FASHION_LABELS = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                  "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
FASHION_KEYS = ("tshirt", "trouser", "pullover", "dress", "coat",
                "sandal", "shirt", "sneaker", "bag", "ankle_boot")


@dataclass(frozen=True)
class ModelSpec:
    name: str
    build: Callable[[], nn.Module]
    labels: tuple[str, ...]
    label_keys: tuple[str, ...] | None   # catalog keys "feature_maps.class_<key>"; None: labels need no translation
    dataset: str
    side: int                           # the input is side x side, one channel
    mean: float                         # the training set's pixel mean and std (0-1 scale)
    std: float
    box: int                            # the object's longer side when an image is framed like the dataset
    centre_by_mass: bool                # MNIST centres the digit's centre of mass; Fashion-MNIST its box
    grad_cam_layer: str                 # the last convolutional activation, whose gradients Grad-CAM weighs
    train: dict = field(default_factory=dict)   # the training command's defaults for this model
    notes: str = ""                     # the model card's "design" paragraph
    classes: tuple[int, ...] | None = None  # the data set's classes it learns, numbered 0, 1, ... in this order (None: all)

    def class_names(self, lang: str | None = None) -> list[str]:
        """The class names in the current (or given) language."""
        if self.label_keys is None:
            return list(self.labels)
        return [t(f"feature_maps.class_{key}", lang) for key in self.label_keys]

    @property
    def weights_path(self) -> Path:
        return ASSETS / f"{self.name}.pt"

    @property
    def card_path(self) -> Path:
        return ASSETS / f"{self.name}.json"


SPECS: dict[str, ModelSpec] = {spec.name: spec for spec in (
    ModelSpec(
        name="lenet5-mnist",
        build=architectures.lenet5,
        labels=tuple(str(digit) for digit in range(10)),
        label_keys=None,
        dataset="MNIST",
        side=28, mean=0.1307, std=0.3081, box=20, centre_by_mass=True,
        grad_cam_layer="relu2",
        train={"epochs": 12, "batch_size": 128, "lr": 3e-3, "weight_decay": 1e-4, "shift": 2, "hflip": False},
        notes=(
            "LeNet-5 as it is taught today: ReLU instead of scaled tanh, max pooling instead of "
            "trainable subsampling, and one fully connected output instead of RBF units. Padding 2 "
            "on the first convolution lets a 28x28 MNIST digit stand in for the paper's 32x32 input, "
            "so every later shape (14x14x6, 10x10x16, 5x5x16, 120, 84, 10) is the paper's. "
            "Random shifts of up to 2 pixels during training, because a student's digit is rarely "
            "centred the way MNIST's are; measured here with the same seed, 8 epochs without shifts "
            "gave 99.27% and 12 epochs with them 99.46% on the test set."
        ),
    ),
    ModelSpec(
        name="tinyvgg-fashion-mnist",
        build=architectures.tiny_vgg,
        labels=FASHION_LABELS,
        label_keys=FASHION_KEYS,
        dataset="Fashion-MNIST",
        side=28, mean=0.2860, std=0.3530, box=28, centre_by_mass=False,
        grad_cam_layer="relu_2_2",
        train={"epochs": 15, "batch_size": 128, "lr": 3e-3, "weight_decay": 1e-4, "shift": 2, "hflip": True},
        notes=(
            "CNN Explainer's Tiny VGG layout, [conv 3x3 - ReLU - conv 3x3 - ReLU - max pool 2] x 2 "
            "-> dense, with two changes. 'Same' padding: without it each 3x3 convolution trims a "
            "pixel from every edge, so a 28x28 image ends as a 4x4 map and the edges of a garment "
            "(sleeves, soles, straps) feed fewer outputs than its middle. More channels, 16 in the "
            "first block and 32 in the second: telling a shirt from a T-shirt, a pullover or a coat "
            "needs more kinds of texture and outline detectors than 10. Measured here with the same "
            "training (15 epochs, AdamW, one-cycle, seed 0) on the 10,000 test images: CNN "
            "Explainer's original (10 channels, no padding, no augmentation) 90.2%; 16 channels in "
            "both blocks with 'same' padding, shifts and flips 91.2%; 16 then 32 channels 92.2% "
            "(92.4% without flips). Random shifts of up to 2 pixels and left-right flips make the "
            "model less tied to the dataset's framing and to its shoes all pointing left: without "
            "flips, a drawn ankle boot pointing right was taken for a bag."
        ),
    ),
)}


# Networks the transfer lesson starts from, trained by the same command (python -m cnnviz.train) but not among
# the models the other lessons look inside (``cnnviz.models.available()``).
SOURCE_SPECS: dict[str, ModelSpec] = {spec.name: spec for spec in (
    ModelSpec(
        name="lenet5-digits0-4",
        build=partial(architectures.lenet5, classes=5),
        labels=tuple(str(digit) for digit in range(5)),
        label_keys=None,
        dataset="MNIST",
        classes=tuple(range(5)),
        side=28, mean=0.1307, std=0.3081, box=20, centre_by_mass=True,
        grad_cam_layer="relu2",
        train=SPECS["lenet5-mnist"].train,
        notes=(
            "LeNet-5 trained exactly as lenet5-mnist, but only on MNIST's digits 0 to 4 (about half of its images) "
            "and with a 5-way output: the pretrained network of the transfer lesson, whose convolutional base "
            "moves to the digits 5 to 9 it has never seen. How well a network's features transfer varies from "
            "one pretraining to the next: of seeds 0, 1 and 2, this is seed 2, the one whose frozen base did best "
            "on a validation set of the new task (feature extraction with the first 50 or 200 labelled images of "
            "the digits 5 to 9 in the shipped subset, tested on 5,000 of its other training images, never on test "
            "images; mean of three runs: seed 0 89.7% and 95.9%, seed 1 89.9% and 95.9%, seed 2 90.7% and 96.5%)."
        ),
    ),
)}
