"""A loaded model: predictions, every layer's activations, Grad-CAM, and its own numbers.

One ``LoadedModel`` serves every session of the app at once, so it never
changes after loading: the module is in eval mode with gradients switched off
for its parameters, predictions run under ``torch.inference_mode()``, and the
activations of a call are collected by running the layers one by one in that
call (no hooks, nothing stored on the object).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from cnnviz.errors import InvalidInput
from cnnviz.models import preprocess
from cnnviz.models.preprocess import Prepared
from cnnviz.models.specs import SPECS, ModelSpec
from cnnviz.models.anatomy import kind_of, layer_summary

BATCH = 1000


@dataclass(frozen=True)
class Activation:
    """One layer's output for one image: (C, H, W) for conv/relu/pool, (N,) for dense layers."""
    name: str
    kind: str      # input, conv, relu, pool, flatten, linear, softmax
    array: np.ndarray


@dataclass(frozen=True)
class GradCam:
    heatmap: np.ndarray    # side x side, 0-1: where the evidence for the class lies
    class_index: int
    layer: str


class LoadedModel:
    def __init__(self, spec: ModelSpec, module: nn.Sequential, device: torch.device, card: dict):
        self.spec = spec
        self.name = spec.name
        self.module = module
        self.device = device
        self.card = card
        self.labels = list(spec.labels)
        self._layers = tuple(layer_summary(module, spec.side))

    def __repr__(self) -> str:
        return f"LoadedModel({self.name!r}, device={str(self.device)!r})"

    # ------------------------------------------------------------ input

    def prepare(self, image, invert: bool | None = None, fit: bool | None = None) -> Prepared:
        """What the model sees of one uint8 image (see ``cnnviz.models.preprocess``)."""
        if isinstance(image, Prepared):
            return image
        spec = self.spec
        return preprocess.prepare(image, spec.side, spec.box, spec.centre_by_mass, invert, fit)

    def _tensor(self, images: list[np.ndarray]) -> torch.Tensor:
        batch = torch.from_numpy(np.stack(images))[:, None]
        return ((batch - self.spec.mean) / self.spec.std).to(self.device)

    # ------------------------------------------------------------ output

    def predict(self, images, invert: bool | None = None, fit: bool | None = None) -> np.ndarray:
        """Class probabilities (N, classes) for a uint8 stack (N, H, W) or (N, H, W, 3) of any size."""
        images = preprocess.check_image(images, batch=True)
        out = []
        with torch.inference_mode():
            for start in range(0, len(images), BATCH):
                prepared = [self.prepare(image, invert, fit).image for image in images[start:start + BATCH]]
                out.append(torch.softmax(self.module(self._tensor(prepared)), dim=1).cpu().numpy())
        return np.concatenate(out).astype(np.float64) if out else np.zeros((0, len(self.labels)))

    def feature_maps(self, image, invert: bool | None = None, fit: bool | None = None) -> list[Activation]:
        """Every activation for one image, input to output.

        The first is the prepared input (0-1, as shown to the user; the network
        itself receives it normalised by the training set's mean and std), the
        last the softmax probabilities.
        """
        prepared = self.prepare(image, invert, fit)
        activations = [Activation("input", "input", prepared.image[None].copy())]
        with torch.inference_mode():
            x = self._tensor([prepared.image])
            for name, layer in self.module.named_children():
                x = layer(x)
                activations.append(Activation(name, kind_of(layer), x[0].cpu().numpy()))
            probabilities = torch.softmax(x, dim=1)[0].cpu().numpy().astype(np.float64)
        if not np.isfinite(probabilities).all():
            raise InvalidInput("errors.models.output_not_finite", model=self.name)
        activations.append(Activation("softmax", "softmax", probabilities))
        return activations

    def grad_cam(self, image, class_index: int | None = None,
                 invert: bool | None = None, fit: bool | None = None) -> GradCam:
        """Grad-CAM (Selvaraju et al., 2017) on the last convolutional activation.

        The gradient of the class score with respect to each feature map,
        averaged over the map, weighs that map; the ReLU of the weighted sum,
        placed back over the input pixels each cell looks at, shows where the
        evidence for the class lies. The gradient is taken with respect to a
        copy of the activation made in this call, so nothing shared is touched.
        """
        prepared = self.prepare(image, invert, fit)
        cut = list(dict(self.module.named_children())).index(self.spec.grad_cam_layer) + 1
        head, tail = self.module[:cut], self.module[cut:]
        with torch.inference_mode(False), torch.enable_grad():
            with torch.no_grad():
                features = head(self._tensor([prepared.image]))
            features = features.detach().clone().requires_grad_(True)
            logits = tail(features)
            if class_index is None:
                class_index = int(logits[0].argmax())
            if isinstance(class_index, bool) or not 0 <= int(class_index) < len(self.labels):
                raise InvalidInput("errors.models.class_index", index=class_index, count=len(self.labels))
            (gradient,) = torch.autograd.grad(logits[0, int(class_index)], features)
        weights = gradient[0].mean(dim=(1, 2), keepdim=True)
        cam = torch.relu((weights * features[0].detach()).sum(0)).cpu().numpy().astype(np.float64)
        start, step = _cell_geometry(head)
        heatmap = _place(cam, start, step, self.spec.side)
        peak = heatmap.max()
        return GradCam(heatmap / peak if peak > 0 else heatmap, int(class_index), self.spec.grad_cam_layer)

    # ------------------------------------------------------------ the module's own numbers

    def layers(self) -> list[dict]:
        """Name, kind, output shape and parameters of every layer (measured once, at load)."""
        return [dict(row) for row in self._layers]

    def first_kernels(self) -> tuple[str, np.ndarray]:
        """The first convolution's name and its learned kernels (filters x channels x kh x kw)."""
        for name, layer in self.module.named_children():
            if isinstance(layer, nn.Conv2d):
                return name, layer.weight.detach().cpu().numpy().copy()
        raise LookupError(f"{self.name} has no convolution")

    def class_names(self, lang: str | None = None) -> list[str]:
        """The class names in the current (or given) language."""
        return self.spec.class_names(lang)


def _cell_geometry(layers: nn.Sequential) -> tuple[float, float]:
    """Where the centre of output cell 0 lies in input pixels, and the distance between cells.

    Each convolution or pooling moves the first centre by ((k - 1) d / 2 - p) input
    cells of the layer before and multiplies the distance by its stride.
    """
    start, step = 0.0, 1.0
    for layer in layers:
        if isinstance(layer, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
            pick = lambda v: v[0] if isinstance(v, tuple) else v   # noqa: E731 (square layers only)
            kernel, stride, padding = pick(layer.kernel_size), pick(layer.stride), pick(layer.padding)
            dilation = pick(getattr(layer, "dilation", 1))
            start += ((kernel - 1) * dilation / 2 - padding) * step
            step *= stride
    return start, step


def _place(cam: np.ndarray, start: float, step: float, side: int) -> np.ndarray:
    """Bilinear interpolation of a cell grid onto the side x side input pixels it is centred over."""
    def axis(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        position = np.clip((np.arange(side) - start) / step, 0, n - 1)
        low = np.floor(position).astype(int)
        high = np.minimum(low + 1, n - 1)
        return low, high, position - low
    (r0, r1, fr), (c0, c1, fc) = axis(cam.shape[0]), axis(cam.shape[1])
    rows = cam[r0] * (1 - fr)[:, None] + cam[r1] * fr[:, None]
    return rows[:, c0] * (1 - fc) + rows[:, c1] * fc


def load(name: str, device: str | torch.device | None = None) -> LoadedModel:
    """The named model with its shipped weights, in eval mode, on ``device``
    (default: CUDA, then MPS, then the CPU; ``CNNVIZ_DEVICE`` overrides)."""
    from cnnviz.device import choose_device

    spec = SPECS.get(name)
    if spec is None:
        raise InvalidInput("errors.models.unknown_model", model=name, names=", ".join(SPECS))
    if not spec.weights_path.is_file():
        raise InvalidInput("errors.models.no_weights", model=name, path=str(spec.weights_path))
    device = torch.device(device) if device is not None else choose_device()
    module = spec.build()
    try:
        module.load_state_dict(_read_weights(spec))
    except RuntimeError as error:          # names or shapes that are not this network's
        raise InvalidInput("errors.models.weights_mismatch", model=name, path=str(spec.weights_path)) from error
    module.eval().requires_grad_(False)
    module.to(device)
    return LoadedModel(spec, module, device, _read_card(spec))


# What the feature-maps lesson reads from a model card, and the types it may have.
CARD_FIELDS = {"dataset": (str,), "epochs": (int,), "test_accuracy": (int, float), "test_images": (int,),
               "parameters": (int,)}


def _read_weights(spec: ModelSpec) -> dict[str, torch.Tensor]:
    """The weights file as tensors (never unpickled code), each finite."""
    path = str(spec.weights_path)
    try:
        weights = torch.load(spec.weights_path, map_location="cpu", weights_only=True)
    except Exception as error:             # empty, cut short, random bytes, a refused pickle: torch has a type for each
        raise InvalidInput("errors.models.weights_unreadable", model=spec.name, path=path) from error
    if not isinstance(weights, dict) or not all(isinstance(value, torch.Tensor) for value in weights.values()):
        raise InvalidInput("errors.models.weights_unreadable", model=spec.name, path=path)
    if not all(torch.isfinite(value).all() for value in weights.values() if value.is_floating_point()):
        raise InvalidInput("errors.models.weights_not_finite", model=spec.name, path=path)
    return weights


def _read_card(spec: ModelSpec) -> dict:
    """The model card, or {} when there is none; one that is not JSON or lacks what the lesson shows is refused."""
    if not spec.card_path.is_file():
        return {}
    try:
        card = json.loads(spec.card_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise InvalidInput("errors.models.card_unreadable", model=spec.name, path=str(spec.card_path)) from error
    if not isinstance(card, dict) or any(type(card.get(field)) not in kinds for field, kinds in CARD_FIELDS.items()) \
            or not 0 <= card["test_accuracy"] <= 1:
        raise InvalidInput("errors.models.card_unreadable", model=spec.name, path=str(spec.card_path))
    return card
