"""Training a small CNN one mini-batch at a time, for the lesson where students watch one learn.

``Trainer(config)`` builds LeNet-5, Tiny VGG or one of the deep plain and residual networks
(``cnnviz.models.deep_stacks``) with the chosen activation, pooling and initialization and trains
it on a shipped subset (``cnnviz.datasets``); ``evaluate()`` takes a ``Snapshot`` of what the
lesson draws. ``run(config, report, should_stop)`` is the loop a worker
thread runs.

Everything random is drawn from the run's own ``torch.Generator``, seeded by the config, never
from torch's global one, which every thread of the app shares: the same config gives the same
numbers, bit for bit, on the same machine with the same number of torch threads. Nothing here
sets that number: whoever runs the loop does.

Where a run starts: a network that spreads its belief evenly over the 10 classes has a
cross-entropy of ln 10 ≈ 2.303 (``CHANCE_LOSS``), and a well-initialized one starts close to that.
"""

from __future__ import annotations

import functools
import math
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from cnnviz import augment
from cnnviz.augment import Augmentation
from cnnviz.datasets import SUBSETS, load_subset
from cnnviz.device import choose_device
from cnnviz.errors import InvalidInput
from cnnviz.models import architectures, deep_stacks, preprocess
from cnnviz.models.specs import SPECS, ModelSpec

CHANCE_LOSS = math.log(10)
CLASSES = 10
SIDE = 28
SHIFTS = Augmentation(shift=2)   # the training lesson's augmentation: random shifts of up to 2 pixels
MIN_TRAIN_IMAGES = 100
MAX_BATCH = 1024
MAX_LR = 10.0
MAX_STEPS = 100_000
MAX_SEED = 2**32 - 1
EVAL_BATCH = 500         # the test images go through in chunks: on a CPU, faster than all at once
TRAIN_SET_TESTED = 500   # the first this many training images are tested too, as they are (never augmented)

MODELS = {"lenet5": architectures.lenet5, "tinyvgg": architectures.tiny_vgg,
          # The residual-connections experiment (cnnviz.residual): 20 and 40 layers, with and without shortcuts.
          **{f"{kind}{depth}": functools.partial(deep_stacks.deep_stack, depth, kind == "residual")
             for depth in (20, 40) for kind in ("plain", "residual")}}
# Each data set's shipped model knows how its images are normalized and framed.
DATA_SPECS: dict[str, ModelSpec] = {spec.dataset.lower(): spec for spec in SPECS.values()}

# How each scheme draws a conv or linear layer's weights. "normal_1" is the classic slip of drawing
# every weight from N(0, 1): far too large for layers with hundreds of inputs. "default" is what
# PyTorch's layers do by themselves (reset_parameters), drawn here from the run's own generator.
WEIGHT_INITS: dict[str, Callable[[torch.Tensor, torch.Generator], torch.Tensor]] = {
    "he": lambda w, g: nn.init.kaiming_normal_(w, nonlinearity="relu", generator=g),
    "default": lambda w, g: nn.init.kaiming_uniform_(w, a=math.sqrt(5), generator=g),
    "normal_0.01": lambda w, g: nn.init.normal_(w, 0.0, 0.01, generator=g),
    "normal_1": lambda w, g: nn.init.normal_(w, 0.0, 1.0, generator=g),
    "zeros": lambda w, g: nn.init.zeros_(w),
}
OPTIMIZERS: dict[str, Callable[..., torch.optim.Optimizer]] = {
    "sgd": lambda params, lr: torch.optim.SGD(params, lr=lr),
    "momentum": lambda params, lr: torch.optim.SGD(params, lr=lr, momentum=0.9),
    "adam": lambda params, lr: torch.optim.Adam(params, lr=lr),
}


def _whole(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


@dataclass(frozen=True)
class TrainConfig:
    """One run's settings; impossible ones raise ``InvalidInput`` when the config is made."""
    model: str = "lenet5"
    dataset: str = "mnist"
    activation: str = "relu"
    pooling: str = "max"
    init: str = "he"
    optimizer: str = "adam"
    lr: float = 1e-3
    batch_size: int = 64
    train_images: int | None = None     # the first N images of the subset; None: all of them
    augment: Augmentation | None = None  # random transforms of every training batch (cnnviz.augment); None: none
    seed: int = 0
    steps: int = 1500
    eval_every: int = 50
    refresh_seconds: float | None = None  # a live run: a quick snapshot between tests at least this often

    def __post_init__(self):
        choices = {"model": MODELS, "dataset": SUBSETS, "activation": architectures.ACTIVATIONS,
                   "pooling": architectures.POOLINGS, "init": WEIGHT_INITS, "optimizer": OPTIMIZERS}
        for field, options in choices.items():
            value = getattr(self, field)
            if not isinstance(value, str) or value not in options:
                raise InvalidInput(f"errors.training.unknown_{field}", value=value, choices=", ".join(options))
        if isinstance(self.lr, (bool, np.bool_)) or not isinstance(self.lr, (int, float, np.number)) \
                or not 0 < self.lr <= MAX_LR:     # NaN fails the comparison too
            raise InvalidInput("errors.training.learning_rate", value=self.lr, high=f"{MAX_LR:g}")
        available = SUBSETS[self.dataset][1]
        if self.train_images is not None and not (
                _whole(self.train_images) and MIN_TRAIN_IMAGES <= self.train_images <= available):
            raise InvalidInput("errors.training.train_images", value=self.train_images,
                               low=f"{MIN_TRAIN_IMAGES:,}", high=f"{available:,}")
        high = min(MAX_BATCH, self.train_images or available)
        if not (_whole(self.batch_size) and 1 <= self.batch_size <= high):
            raise InvalidInput("errors.training.batch_size", value=self.batch_size, high=high)
        if self.augment is not None and not isinstance(self.augment, Augmentation):
            raise InvalidInput("errors.training.augment", value=self.augment)
        if self.augment is not None:
            self.augment.check(SIDE, SIDE)
        if not (_whole(self.seed) and 0 <= self.seed <= MAX_SEED):
            raise InvalidInput("errors.training.seed", value=self.seed, high=MAX_SEED)
        if not (_whole(self.steps) and 1 <= self.steps <= MAX_STEPS):
            raise InvalidInput("errors.training.steps", value=self.steps, high=f"{MAX_STEPS:,}")
        if not (_whole(self.eval_every) and 1 <= self.eval_every <= self.steps):
            raise InvalidInput("errors.training.eval_every", value=self.eval_every, high=self.steps)
        if self.refresh_seconds is not None and not (
                isinstance(self.refresh_seconds, (int, float)) and 0.05 <= self.refresh_seconds <= 60):
            raise InvalidInput("errors.training.refresh_seconds", value=self.refresh_seconds)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> TrainConfig:
        """A config as ``to_dict`` wrote it (a recording written before augmentations had settings says false)."""
        augmentation = values.get("augment")
        return cls(**{**values, "augment": Augmentation(**augmentation) if augmentation else None})


@dataclass(frozen=True)
class Snapshot:
    """What a run looks like after ``step`` mini-batches."""
    step: int
    loss: float | None              # mean training loss of the steps since the last snapshot (None at step 0)
    train_accuracy: float | None    # share of those steps' training images classified right
    test_loss: float
    test_accuracy: float            # on the subset's test images, never trained on
    kernels: np.ndarray             # the first convolution's weights, filters x k x k
    grad_norms: dict[str, float]    # each weighted layer's gradient norm at the last step ({} at step 0)
    confusion: np.ndarray           # CLASSES x CLASSES counts: row = true class, column = predicted
    diverged: bool = False          # the loss is no longer a finite number: the run is over
    probe: np.ndarray | None = None  # CLASSES x CLASSES: the class probabilities for each class's first test image
    tested: bool = True             # False: a quick snapshot, whose test figures are those of the last test
    train_set_accuracy: float | None = None  # on the first TRAIN_SET_TESTED training images, never augmented

    def to_dict(self) -> dict:
        """Plain lists and numbers, for JSON (non-finite numbers stay floats: see ``json_safe``)."""
        return {**asdict(self), "kernels": self.kernels.tolist(), "confusion": self.confusion.tolist(),
                "probe": None if self.probe is None else self.probe.tolist()}

    @classmethod
    def from_dict(cls, values: dict) -> Snapshot:
        probe = values.get("probe")
        return cls(**{**values, "kernels": np.asarray(values["kernels"], dtype=np.float32),
                      "confusion": np.asarray(values["confusion"], dtype=np.int64),
                      "probe": None if probe is None else np.asarray(probe, dtype=np.float64)})


def json_safe(value, digits: int | None = None):
    """``value`` with floats rounded to ``digits`` significant digits and NaN or infinity as None."""
    if isinstance(value, dict):
        return {key: json_safe(item, digits) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item, digits) for item in value]
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return float(f"{value:.{digits}g}") if digits else value
    return value


def build_model(config: TrainConfig, generator: torch.Generator) -> nn.Sequential:
    """The config's network on the CPU with freshly initialized weights, the same for any device it moves to.

    The layers are made on the meta device (no memory, no random numbers) and then drawn from
    ``generator``: building them normally would draw from torch's global generator first.
    """
    with torch.device("meta"):
        model = MODELS[config.model](activation=config.activation, pooling=config.pooling)
    model.to_empty(device="cpu")
    initialize(model, config.init, generator)
    return model


@torch.no_grad()
def initialize(model: nn.Module, scheme: str, generator: torch.Generator) -> None:
    """Draw every conv and linear layer's weights from ``scheme``. Biases start at zero, except for
    "default", which draws them from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) as PyTorch does. Batch
    normalization starts as PyTorch starts it: scale 1, shift 0, running mean 0 and variance 1."""
    for layer in model.modules():
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            WEIGHT_INITS[scheme](layer.weight, generator)
            if layer.bias is None:
                continue
            if scheme == "default":
                bound = 1 / math.sqrt(layer.weight[0].numel())
                nn.init.uniform_(layer.bias, -bound, bound, generator=generator)
            else:
                nn.init.zeros_(layer.bias)
        elif isinstance(layer, nn.modules.batchnorm._BatchNorm):
            layer.reset_parameters()


def to_tensor(images: np.ndarray, spec: ModelSpec) -> torch.Tensor:
    """uint8 images N x H x W as the float N x 1 x H x W batch the network reads, normalized like its data set."""
    return normalize(torch.tensor(images, dtype=torch.float32) / 255, spec).unsqueeze(1)


def normalize(batch: torch.Tensor, spec: ModelSpec) -> torch.Tensor:
    """Pixels on the 0-1 scale as the network reads them: normalized like its data set."""
    return (batch - spec.mean) / spec.std


@contextmanager
def evaluating(model: nn.Module):
    """The model in evaluation mode for the block: batch normalization uses its running statistics, the
    same for every image, instead of the batch's own (and does not update them); then training mode again."""
    model.eval()
    try:
        yield
    finally:
        model.train()


def probe_indices(labels: np.ndarray) -> np.ndarray:
    """The first test image of each class: the pictures a student watches the network learn to read."""
    return np.array([int(np.flatnonzero(labels == k)[0]) for k in range(CLASSES)])


class Trainer:
    """One run: ``step()`` trains on one mini-batch, ``evaluate()`` tests on the subset's test images.

    One thread steps a trainer. ``model`` is the live network; reading it (``predict``) from
    another thread while a step updates it may mix the weights of two consecutive steps.
    The model trains in training mode and is tested in evaluation mode (``evaluating``), which
    only the networks with batch normalization (``cnnviz.models.deep_stacks``) tell apart; those
    are recorded in one thread, never read by another while they train.
    """

    def __init__(self, config: TrainConfig, device: torch.device | str | None = None):
        self.config = config
        self.device = torch.device(device) if device else choose_device()
        self.spec = DATA_SPECS[config.dataset]
        x_train, y_train, x_test, y_test = load_subset(config.dataset)
        count = config.train_images or len(x_train)
        # On the 0-1 scale, where augmentation works; batches are normalized and go to the device one by one.
        self._x_train = torch.tensor(x_train[:count], dtype=torch.float32).unsqueeze(1) / 255
        self._y_train = torch.from_numpy(y_train[:count].astype(np.int64))
        tested = min(count, TRAIN_SET_TESTED)
        self._x_train_set = to_tensor(x_train[:tested], self.spec).to(self.device)
        self._y_train_set = self._y_train[:tested].to(self.device)
        self._x_test = to_tensor(x_test, self.spec).to(self.device)
        self._y_test = torch.from_numpy(y_test.astype(np.int64)).to(self.device)
        self._probe = probe_indices(y_test)
        self._generator = torch.Generator().manual_seed(config.seed)
        self.model = build_model(config, self._generator).to(self.device)
        self._optimizer = OPTIMIZERS[config.optimizer](self.model.parameters(), config.lr)
        self._first_conv = next(m for m in self.model.modules() if isinstance(m, nn.Conv2d))
        self._weighted = {name: layer for name, layer in self.model.named_modules()
                          if isinstance(layer, (nn.Conv2d, nn.Linear))}
        self._order, self._position = torch.empty(0, dtype=torch.int64), 0
        self._losses: list[float] = []
        self._last_test: Snapshot | None = None
        self._correct = self._seen = 0
        self.steps_done = 0

    def _next_batch(self) -> torch.Tensor:
        """The next batch of a random order of the training images; a new order when too few are left."""
        size = self.config.batch_size
        if self._position + size > len(self._order):
            self._order, self._position = torch.randperm(len(self._y_train), generator=self._generator), 0
        self._position += size
        return self._order[self._position - size:self._position]

    def step(self) -> float:
        """One mini-batch: forward, cross-entropy, backward, one optimizer step. Returns the batch's loss."""
        index = self._next_batch()
        x = self._x_train[index]
        if self.config.augment is not None:
            x = augment.apply(x, self.config.augment, self._generator)
        x, y = normalize(x, self.spec).to(self.device), self._y_train[index].to(self.device)
        logits = self.model(x)
        loss = F.cross_entropy(logits, y)
        self._optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self._optimizer.step()
        self.steps_done += 1
        value = loss.item()
        self._losses.append(value)
        self._correct += int((logits.argmax(1) == y).sum())
        self._seen += len(y)
        return value

    @torch.no_grad()
    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """The network's logits for a batch of normalized images (``to_tensor``), in chunks, in evaluation mode."""
        with evaluating(self.model):
            return torch.cat([self.model(chunk.to(self.device)) for chunk in x.split(EVAL_BATCH)])

    def grad_norms(self) -> dict[str, float]:
        """Each weighted layer's weight-gradient norm at the last step ({} before the first)."""
        return {name: float(torch.linalg.vector_norm(layer.weight.grad))
                for name, layer in self._weighted.items() if layer.weight.grad is not None}

    @torch.no_grad()
    def evaluate(self) -> Snapshot:
        """Test on all test images, and on the first training images as they are (never augmented: augmentation
        is for training batches only), in evaluation mode; the training loss is averaged since the last snapshot."""
        logits = self.logits(self._x_test)
        train_set_accuracy = (self.logits(self._x_train_set).argmax(1) == self._y_train_set).double().mean().item()
        test_loss = F.cross_entropy(logits, self._y_test).item()
        pairs = self._y_test * CLASSES + logits.argmax(1)
        confusion = torch.bincount(pairs, minlength=CLASSES * CLASSES).reshape(CLASSES, CLASSES).cpu().numpy()
        loss = sum(self._losses) / len(self._losses) if self._losses else None
        train_accuracy = self._correct / self._seen if self._seen else None
        self._losses, self._correct, self._seen = [], 0, 0
        grads = self.grad_norms()
        self._last_test = Snapshot(
            step=self.steps_done, loss=loss, train_accuracy=train_accuracy, test_loss=test_loss,
            test_accuracy=float(np.trace(confusion)) / len(self._y_test),
            kernels=self._first_conv.weight[:, 0].cpu().numpy().copy(), grad_norms=grads,
            confusion=confusion, probe=torch.softmax(logits[self._probe], dim=1).double().cpu().numpy(),
            diverged=not math.isfinite(test_loss) or (loss is not None and not math.isfinite(loss)),
            train_set_accuracy=train_set_accuracy)
        return self._last_test

    def glance(self) -> Snapshot:
        """A quick snapshot between two tests: the training loss since the last snapshot, the kernels and
        the gradients now; the test figures are the last test's (``tested`` is False). Testing the 2,000
        images costs as much as ~15 steps, so a live run glances often and tests now and then."""
        if self._last_test is None:
            return self.evaluate()
        loss = sum(self._losses) / len(self._losses) if self._losses else None
        train_accuracy = self._correct / self._seen if self._seen else None
        self._losses, self._correct, self._seen = [], 0, 0
        grads = self.grad_norms()
        return replace(self._last_test, step=self.steps_done, loss=loss, train_accuracy=train_accuracy,
                       kernels=self._first_conv.weight[:, 0].detach().cpu().numpy().copy(), grad_norms=grads,
                       diverged=loss is not None and not math.isfinite(loss), tested=False)

    @torch.no_grad()
    def predict(self, image: np.ndarray, invert: bool | None = None, fit: bool | None = None) -> np.ndarray:
        """Class probabilities for one uint8 picture, framed like the data set (``preprocess.prepare``)."""
        spec = self.spec
        prepared = preprocess.prepare(image, SIDE, spec.box, spec.centre_by_mass, invert, fit)
        x = torch.from_numpy((prepared.image - spec.mean) / spec.std)[None, None]
        return torch.softmax(self.logits(x), dim=1)[0].double().cpu().numpy()


def run(config: TrainConfig, report: Callable[[Snapshot], None], should_stop: Callable[[], bool] = lambda: False,
        pause_pending: Callable[[], bool] = lambda: False, device: torch.device | str | None = None) -> Snapshot:
    """Train for ``config.steps`` steps, reporting a tested snapshot at step 0, every ``eval_every`` steps, at
    the end, and whenever ``pause_pending()`` says, after a step, that the run is about to wait (paused, or
    one step at a time: cnnviz.training_pool); with ``config.refresh_seconds``, a quick one (``glance``) in
    between whenever that long has passed since the last report.

    ``should_stop()`` is asked before every step (and may wait there while the run is paused). A loss that
    is no longer finite ends the run at once with a snapshot that says ``diverged``; nothing is raised.
    Returns the last snapshot.
    """
    trainer = Trainer(config, device)
    snapshot = trainer.evaluate()
    report(snapshot)
    reported = time.monotonic()
    while trainer.steps_done < config.steps and not should_stop():
        loss = trainer.step()
        if not math.isfinite(loss) or trainer.steps_done % config.eval_every == 0 \
                or trainer.steps_done == config.steps or pause_pending():
            snapshot = trainer.evaluate()
        elif config.refresh_seconds and time.monotonic() - reported >= config.refresh_seconds:
            snapshot = trainer.glance()
        else:
            continue
        report(snapshot)
        reported = time.monotonic()
        if snapshot.diverged:
            break
    return snapshot
