"""Where ImageNet comes in: the data set real pretrained networks learn from, the usual bases and how the
libraries name them, and, where it can run, a real ResNet-18's features of a picture.

The ResNet-18 path never downloads anything: it runs only when torchvision imports and its ImageNet weights
are already in the local torch hub cache (``torch.hub.get_dir()/checkpoints``); ``resnet18_status()`` says
which of the two is missing otherwise.
"""

from __future__ import annotations

import functools
import importlib
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from cnnviz.errors import InvalidInput

_LOG = logging.getLogger(__name__)

# image-net.org: 14,197,122 images in 21,841 synsets; ILSVRC 2012 (ImageNet-1K): 1,281,167 training images,
# 50,000 validation images, 1,000 classes.
IMAGENET_IMAGES = 14_197_122
IMAGENET_CLASSES = 21_841
ILSVRC_TRAIN_IMAGES = 1_281_167
ILSVRC_VAL_IMAGES = 50_000
ILSVRC_CLASSES = 1_000


@dataclass(frozen=True)
class Base:
    """A convolutional base people start from: its family, the names ``keras.applications`` and
    ``torchvision.models`` give it (with the torchvision weights' name), size and accuracy (top-1 on ILSVRC 2012's
    validation images, as keras.io lists them)."""
    family: str
    keras: str
    torchvision: str | None          # None: not in torchvision.models
    timm: str | None                 # the name the timm library gives it, where torchvision lacks it
    parameters: str
    top1: str


BASES = (
    Base("VGG", "VGG16", 'vgg16(weights="IMAGENET1K_V1")', None, "138.4M", "71.3%"),
    Base("ResNet", "ResNet50", 'resnet50(weights="IMAGENET1K_V2")', None, "25.6M", "74.9%"),
    Base("Inception-ResNet", "InceptionResNetV2", None, "inception_resnet_v2", "55.9M", "80.3%"),
    Base("Xception", "Xception", None, "legacy_xception", "22.9M", "79.0%"),
)
RESNET18_CALL = "torchvision.models.resnet18(weights=ResNet18_Weights.IMAGENET1K_V1)"
SIDE, CROP = 256, 224                        # ImageNet's preprocessing: the shorter side to 256, the centre 224
MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
READY, NO_TORCHVISION, NO_WEIGHTS = "ready", "no_torchvision", "no_weights"


@functools.cache
def _torchvision_models():
    """``torchvision.models``, or None when torchvision is missing or does not import beside this torch."""
    try:
        return importlib.import_module("torchvision.models")
    except Exception as error:   # noqa: BLE001 - ImportError, or the RuntimeError of a mismatched build
        _LOG.info("torchvision does not import: %s", error)
        return None


def weights_path(models) -> Path:
    """Where torch's hub keeps ResNet-18's ImageNet weights once downloaded (this app never downloads them)."""
    url = models.ResNet18_Weights.IMAGENET1K_V1.url
    return Path(torch.hub.get_dir()) / "checkpoints" / url.rsplit("/", 1)[-1]


def resnet18_status() -> tuple[str, str]:
    """(READY, NO_TORCHVISION or NO_WEIGHTS, and the weights' path where it is known)."""
    models = _torchvision_models()
    if models is None:
        return NO_TORCHVISION, ""
    path = weights_path(models)
    return (READY if path.is_file() else NO_WEIGHTS), str(path)


@functools.cache
def resnet18() -> tuple[torch.nn.Module, tuple[str, ...]]:
    """The real ResNet-18 with its ImageNet weights from the local cache, read once, and its 1,000 class names."""
    models = _torchvision_models()
    if models is None:
        raise InvalidInput("errors.transfer.no_torchvision")
    path = weights_path(models)
    if not path.is_file():
        raise InvalidInput("errors.transfer.no_weights", path=str(path))
    model = models.resnet18()
    model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return model.eval(), tuple(models.ResNet18_Weights.IMAGENET1K_V1.meta["categories"])


def prepare(rgb: np.ndarray) -> torch.Tensor:
    """A uint8 RGB picture as ImageNet networks read it: the shorter side scaled to 256, the centre 224 x 224
    cropped, each channel normalized with ImageNet's mean and standard deviation. 1 x 3 x 224 x 224."""
    x = torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1)[None].float() / 255
    height, width = x.shape[-2:]
    scale = SIDE / min(height, width)
    size = (max(CROP, round(height * scale)), max(CROP, round(width * scale)))
    x = F.interpolate(x, size=size, mode="bilinear", antialias=True, align_corners=False)
    top, left = (size[0] - CROP) // 2, (size[1] - CROP) // 2
    x = x[..., top:top + CROP, left:left + CROP]
    return (x - torch.tensor(MEAN)[:, None, None]) / torch.tensor(STD)[:, None, None]


def seen(x: torch.Tensor) -> np.ndarray:
    """The prepared batch's picture as uint8 RGB again: the 224 x 224 the network actually reads."""
    rgb = x[0] * torch.tensor(STD)[:, None, None] + torch.tensor(MEAN)[:, None, None]
    return (rgb.clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0).numpy()


@dataclass(frozen=True)
class Features:
    vector: np.ndarray                   # the 512 numbers the convolutional base gives (after global average pooling)
    top: list[tuple[str, float]]         # the five likeliest ImageNet classes and their probabilities
    picture: np.ndarray                  # what the network read: the picture scaled and cropped to 224 x 224


@torch.inference_mode()
def resnet18_features(rgb: np.ndarray) -> Features:
    """What a feature extractor sees of the picture: ResNet-18's base (every layer but ``fc``) gives 512 numbers;
    its ImageNet classifier, for comparison, its five likeliest classes."""
    model, names = resnet18()
    base = torch.nn.Sequential(*list(model.children())[:-1])
    x = prepare(rgb)
    vector = base(x).flatten(1)
    probabilities = torch.softmax(model.fc(vector), dim=1)[0]
    best = torch.topk(probabilities, 5)
    return Features(vector[0].numpy().copy(), [(names[i], float(p)) for p, i in zip(best.values, best.indices)],
                    seen(x))
