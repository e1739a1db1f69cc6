"""What augmentation does to a trained network's scores, for the augmentation lesson.

Two measurements with a shipped network (``cnnviz.models``) on the shipped MNIST test images:

* ``test_time_scores``: the test accuracy on the test images as they are, and on augmented copies of them,
  one score per draw: augmented test images give another score at every draw, and they are not the pictures
  the test stands for, which is why augmentation is for training batches only;
* ``flipped``: what the network reads in a digit turned upside down, mirrored, or turned half a circle: a
  6 upside down reads as a 9, and a flip does not keep a digit's class.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from cnnviz import augment
from cnnviz.augment import Augmentation
from cnnviz.models import LoadedModel

CHUNK = 1000
FLIPS = {"as_is": (), "upside_down": (-2,), "mirrored": (-1,), "half_turn": (-2, -1)}


def probabilities(model: LoadedModel, batch: torch.Tensor) -> np.ndarray:
    """The network's class probabilities (N x classes) for a 0-1 batch N x 1 x side x side, taken as framed."""
    spec = model.spec
    with torch.inference_mode():
        x = ((batch - spec.mean) / spec.std).to(model.device)
        return torch.cat([torch.softmax(model.module(chunk), dim=1) for chunk in x.split(CHUNK)]).double().cpu().numpy()


def accuracy(model: LoadedModel, batch: torch.Tensor, labels: np.ndarray) -> float:
    return float(np.mean(probabilities(model, batch).argmax(1) == labels))


def test_time_scores(model: LoadedModel, pictures: np.ndarray, labels: np.ndarray, augmentation: Augmentation,
                     seeds: range) -> tuple[float, list[float]]:
    """(the accuracy on the uint8 ``pictures`` as they are, [the accuracy on one augmented draw of them, per seed])."""
    batch = augment.to_batch(pictures)
    draws = [accuracy(model, augment.apply(batch, augmentation, torch.Generator().manual_seed(seed)), labels)
             for seed in seeds]
    return accuracy(model, batch, labels), draws


@dataclass(frozen=True)
class Flipped:
    """Each way of flipping (``FLIPS``): the pictures, the network's class for each and its probability."""
    pictures: dict[str, np.ndarray]       # uint8 N x H x W
    classes: dict[str, np.ndarray]        # N
    confidence: dict[str, np.ndarray]     # N

    def share(self, way: str, class_index: int) -> float:
        """The share of the pictures flipped ``way`` that the network reads as ``class_index``."""
        return float(np.mean(self.classes[way] == class_index))


def flipped(model: LoadedModel, pictures: np.ndarray) -> Flipped:
    """Every uint8 picture (N x H x W) as it is, upside down, mirrored and turned half a circle, with what the
    network reads in each."""
    batch = augment.to_batch(pictures)
    every = torch.ones(len(batch), dtype=torch.bool)
    shown, classes, confidence = {}, {}, {}
    for way, dims in FLIPS.items():
        turned = batch
        for dim in dims:
            turned = augment.flip(turned, every, dim)
        read = probabilities(model, turned)
        shown[way] = augment.to_pictures(turned, grey=True)
        classes[way], confidence[way] = read.argmax(1), read.max(1)
    return Flipped(shown, classes, confidence)
