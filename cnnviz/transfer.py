"""Transfer learning, measured: a pretrained network's convolutional base moved to a new task with few labels.

A run trains one of three ways on the first ``labels`` training images of the target task:

* ``scratch``: the same architecture, every weight drawn afresh (He initialization);
* ``extraction`` (feature extraction): the source network's convolutional base, frozen, and a new
  classifier (every layer after ``flatten``, drawn afresh) trained on top;
* ``finetune`` (fine-tuning): as extraction, but once the new classifier has trained for half the steps the
  top convolution is unfrozen too and trains at ``FINE_TUNE_RATE`` times the classifier's learning rate. The
  order is the usual recipe's: a classifier that is still random sends large, noisy gradients, which would
  wreck the pretrained weights before they could help; a small rate nudges the features rather than wipes them.

The pairs (``PAIRS``): LeNet-5 pretrained on MNIST's digits 0-4 (``assets/models/lenet5-digits0-4``, made by
``python -m cnnviz.train --model lenet5-digits0-4``) moved to the digits 5-9 it has never seen; the shipped
Tiny VGG (Fashion-MNIST) moved to MNIST; the shipped LeNet-5 (MNIST) moved to Fashion-MNIST. Every image comes
from the shipped subsets (``cnnviz.datasets``), normalized as the source network's data set was.

``run(config, report, should_stop, pause_pending)`` is the training pool's job (``cnnviz.training_pool``);
``python -m cnnviz.transfer --source digits0-4 --target digits5-9 --labels 50 --way extraction --json`` runs one
from the command line, and ``python -m cnnviz.transfer --record`` records the lesson's reference runs into
``assets/transfer/``. Everything random comes from the run's own generator, seeded by the config: the same
config gives the same numbers, bit for bit, on the same machine with the same number of torch threads.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import platform
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from cnnviz.datasets import SUBSETS, load_subset, sha256
from cnnviz.device import torch_threads
from cnnviz.errors import InvalidInput
from cnnviz.learning import EVAL_BATCH, MAX_BATCH, MAX_SEED, initialize, json_safe, to_tensor
from cnnviz.models.specs import SOURCE_SPECS, SPECS, ModelSpec
from cnnviz.recordings import cpu_name
from cnnviz.training_figures import Curve
from cnnviz.transfer_figures import Box

ROOT = Path(__file__).resolve().parents[1]
RECORDINGS = ROOT / "assets" / "transfer"
RECORDING = RECORDINGS / "runs.json"

SOURCES: dict[str, ModelSpec] = {"digits0-4": SOURCE_SPECS["lenet5-digits0-4"],
                                 "fashion-mnist": SPECS["tinyvgg-fashion-mnist"],
                                 "mnist": SPECS["lenet5-mnist"]}


@dataclass(frozen=True)
class Target:
    dataset: str                 # the shipped subset its images come from
    classes: tuple[int, ...]     # the data set's classes the new task tells apart, numbered 0, 1, ... in this order


TARGETS = {"digits5-9": Target("mnist", (5, 6, 7, 8, 9)),
           "mnist": Target("mnist", tuple(range(10))),
           "fashion-mnist": Target("fashion-mnist", tuple(range(10)))}
PAIRS = (("digits0-4", "digits5-9"), ("fashion-mnist", "mnist"), ("mnist", "fashion-mnist"))
WAYS = ("scratch", "extraction", "finetune")
FINE_TUNE_RATE = 0.01   # Keras' transfer-learning guide: the top trained with Adam at 1e-3, then fine-tuned at 1e-5
MAX_STEPS = 5000
# The lesson's experiments: the labels each pair is recorded with, and the seeds (each setting is their mean).
EXPERIMENTS = {PAIRS[0]: (50, 200, 1000), PAIRS[1]: (100,), PAIRS[2]: (100,)}
SEEDS = (0, 1, 2)
DIGITS = 4               # significant digits the recordings keep


def _whole(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def available_labels(target: str) -> int:
    """How many labelled training images of the target task the shipped subset holds."""
    spec = TARGETS[target]
    return SUBSETS[spec.dataset][1] * len(spec.classes) // 10


@dataclass(frozen=True)
class TransferConfig:
    """One run's settings; impossible ones raise ``InvalidInput`` when the config is made."""
    source: str = "digits0-4"
    target: str = "digits5-9"
    labels: int = 50             # the first N training images of the target task (balanced: blocks of one per class)
    way: str = "extraction"
    seed: int = 0
    steps: int = 500
    batch_size: int = 32         # fewer labelled images than that: all of them in each batch
    lr: float = 3e-3             # Adam's, for the layers that are new (all of them, from scratch)
    eval_every: int = 50

    def __post_init__(self):
        for field, options in (("source", SOURCES), ("target", TARGETS), ("way", WAYS)):
            value = getattr(self, field)
            if not isinstance(value, str) or value not in options:
                raise InvalidInput(f"errors.transfer.unknown_{field}", value=value, choices=", ".join(options))
        if (self.source, self.target) not in PAIRS:
            raise InvalidInput("errors.transfer.pair", source=self.source, target=self.target,
                               pairs=", ".join(f"{source} → {target}" for source, target in PAIRS))
        low, high = len(TARGETS[self.target].classes), available_labels(self.target)
        if not (_whole(self.labels) and low <= self.labels <= high):
            raise InvalidInput("errors.transfer.labels", value=self.labels, low=low, high=f"{high:,}")
        if not (_whole(self.seed) and 0 <= self.seed <= MAX_SEED):
            raise InvalidInput("errors.training.seed", value=self.seed, high=MAX_SEED)
        if not (_whole(self.steps) and 1 <= self.steps <= MAX_STEPS):
            raise InvalidInput("errors.training.steps", value=self.steps, high=f"{MAX_STEPS:,}")
        if not (_whole(self.batch_size) and 1 <= self.batch_size <= MAX_BATCH):
            raise InvalidInput("errors.training.batch_size", value=self.batch_size, high=MAX_BATCH)
        if isinstance(self.lr, bool) or not isinstance(self.lr, (int, float)) or not 0 < self.lr <= 1:
            raise InvalidInput("errors.training.learning_rate", value=self.lr, high="1")
        if not (_whole(self.eval_every) and 1 <= self.eval_every <= self.steps):
            raise InvalidInput("errors.training.eval_every", value=self.eval_every, high=self.steps)

    @property
    def classes(self) -> int:
        return len(TARGETS[self.target].classes)


@dataclass(frozen=True)
class Point:
    """Where a run stands after ``step`` mini-batches."""
    step: int
    loss: float | None           # mean training loss of the steps since the last point (None at step 0)
    test_loss: float
    test_accuracy: float         # on the target task's test images, never trained on
    seconds: float               # spent training so far (the tests not counted)


@dataclass(frozen=True)
class Result:
    config: TransferConfig
    test_accuracy: float
    trainable_parameters: int
    frozen_parameters: int
    seconds: float               # training only
    wall_seconds: float          # the whole run: data, network, training and tests
    points: tuple[Point, ...]

    def to_dict(self) -> dict:
        values = asdict(self)
        values["points"] = [[p.step, p.loss, p.test_loss, p.test_accuracy, p.seconds] for p in self.points]
        return values


@functools.cache
def source_weights(source: str) -> dict[str, torch.Tensor]:
    """The source network's shipped weights, read once per process."""
    return torch.load(SOURCES[source].weights_path, map_location="cpu", weights_only=True)


@functools.cache
def target_data(source: str, target: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The target task's training and test images, normalized as the source's data set, labels 0, 1, ..."""
    spec, task = SOURCES[source], TARGETS[target]
    x_train, y_train, x_test, y_test = load_subset(task.dataset)
    lookup = np.full(256, -1, dtype=np.int64)
    lookup[list(task.classes)] = np.arange(len(task.classes))
    arrays = []
    for x, y in ((x_train, y_train), (x_test, y_test)):
        keep = lookup[y] >= 0
        arrays += [to_tensor(x[keep], spec), torch.from_numpy(lookup[y[keep]])]
    return tuple(arrays)


def base_layers(model: nn.Sequential) -> list[str]:
    """The convolutional base: the layers before ``flatten``."""
    names = [name for name, _ in model.named_children()]
    return names[:names.index("flatten")]


def top_convolution(model: nn.Sequential) -> str:
    return [name for name in base_layers(model) if isinstance(getattr(model, name), nn.Conv2d)][-1]


def build_network(config: TransferConfig, generator: torch.Generator) -> nn.Sequential:
    """The source's architecture with an output per target class, every weight drawn from ``generator`` (He);
    for a transfer way, the source's convolutional base loaded and frozen (fine-tuning: all but its top
    convolution, as it trains once unfrozen). Frozen means ``requires_grad`` is False: those weights get no
    gradient, so the optimizer never changes them."""
    with torch.device("meta"):
        model = SOURCES[config.source].build(classes=config.classes)
    model.to_empty(device="cpu")
    initialize(model, "he", generator)
    if config.way != "scratch":
        base = base_layers(model)
        weights = source_weights(config.source)
        model.load_state_dict({key: value for key, value in weights.items() if key.split(".")[0] in base},
                              strict=False)
        tuned = top_convolution(model) if config.way == "finetune" else None
        for name in base:
            getattr(model, name).requires_grad_(name == tuned)
    return model


def parameter_groups(model: nn.Sequential, config: TransferConfig) -> list[dict]:
    """The trainable weights: the pretrained top convolution (fine-tuning) at a smaller rate, the rest at ``lr``."""
    pretrained = set(base_layers(model)) if config.way != "scratch" else set()
    groups = [{"params": [], "lr": config.lr}, {"params": [], "lr": config.lr * FINE_TUNE_RATE}]
    for name, parameter in model.named_parameters():
        if parameter.requires_grad:
            groups[name.split(".")[0] in pretrained]["params"].append(parameter)
    return [group for group in groups if group["params"]]


def count_parameters(model: nn.Module) -> tuple[int, int]:
    """(trainable, frozen) parameters, read from the module's ``requires_grad``."""
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return trainable, sum(p.numel() for p in model.parameters()) - trainable


def layer_boxes(config: TransferConfig) -> tuple[list[Box], int, int]:
    """The network of a way as the lesson draws it (its weighted and pooling layers, each with its state read
    from the module's ``requires_grad``), with its trainable and frozen parameter counts."""
    model = build_network(config, torch.Generator().manual_seed(config.seed))
    base = set(base_layers(model))
    pretrained = base if config.way != "scratch" else set()
    boxes = []
    for name, layer in model.named_children():
        if not isinstance(layer, (nn.Conv2d, nn.Linear, nn.MaxPool2d, nn.AvgPool2d)):
            continue
        weights = list(layer.parameters())
        state = ("plain" if not weights else "frozen" if not any(p.requires_grad for p in weights)
                 else "tuned" if name in pretrained else "new")
        boxes.append(Box(name, sum(p.numel() for p in weights), state, name in base))
    return (boxes, *count_parameters(model))


class TransferRun:
    """One run: ``step()`` trains on one mini-batch, ``evaluate()`` tests on the target's test images."""

    def __init__(self, config: TransferConfig):
        self.config = config
        x_train, y_train, self._x_test, self._y_test = target_data(config.source, config.target)
        self._x, self._y = x_train[:config.labels], y_train[:config.labels]
        self._generator = torch.Generator().manual_seed(config.seed)
        self.model = build_network(config, self._generator)
        self._optimizer = torch.optim.Adam(parameter_groups(self.model, config))
        # Fine-tuning: the top convolution waits, frozen, while the new classifier trains the first half.
        self._waiting = getattr(self.model, top_convolution(self.model)) if config.way == "finetune" else None
        self.unfreeze_at = config.steps // 2 if self._waiting is not None else None
        if self.unfreeze_at:
            self._waiting.requires_grad_(False)
        self._order, self._position = torch.empty(0, dtype=torch.int64), 0
        self._losses: list[float] = []
        self.steps_done, self.seconds = 0, 0.0

    def step(self) -> None:
        started = time.perf_counter()
        if self.steps_done == self.unfreeze_at:
            self._waiting.requires_grad_(True)
        size = min(self.config.batch_size, len(self._y))
        if self._position + size > len(self._order):
            self._order, self._position = torch.randperm(len(self._y), generator=self._generator), 0
        index = self._order[self._position:self._position + size]
        self._position += size
        loss = F.cross_entropy(self.model(self._x[index]), self._y[index])
        self._optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self._optimizer.step()
        self._losses.append(loss.item())
        self.steps_done += 1
        self.seconds += time.perf_counter() - started

    @torch.no_grad()
    def evaluate(self) -> Point:
        logits = torch.cat([self.model(x) for x in self._x_test.split(EVAL_BATCH)])
        loss = sum(self._losses) / len(self._losses) if self._losses else None
        self._losses = []
        return Point(self.steps_done, loss, F.cross_entropy(logits, self._y_test).item(),
                     (logits.argmax(1) == self._y_test).float().mean().item(), self.seconds)


def run(config: TransferConfig, report: Callable[[Point], None] = lambda point: None,
        should_stop: Callable[[], bool] = lambda: False, pause_pending: Callable[[], bool] = lambda: False) -> Result:
    """Train ``config.steps`` steps, reporting a tested point at step 0, every ``eval_every`` steps, at the end, and
    whenever the run is about to wait (``pause_pending``); ``should_stop()`` is asked before every step."""
    started = time.perf_counter()
    trainer = TransferRun(config)
    points = [trainer.evaluate()]
    report(points[-1])
    while trainer.steps_done < config.steps and not should_stop():
        trainer.step()
        if trainer.steps_done % config.eval_every == 0 or trainer.steps_done == config.steps or pause_pending():
            points.append(trainer.evaluate())
            report(points[-1])
    trainable, frozen = count_parameters(trainer.model)
    return Result(config, points[-1].test_accuracy, trainable, frozen, trainer.seconds,
                  time.perf_counter() - started, tuple(points))


def curve(name: str, points) -> Curve:
    """A run's curve for ``cnnviz.training_figures``: the training loss (the test loss at step 0) and the test
    accuracy at each point."""
    steps = [p.step for p in points]
    return Curve(name, steps, [p.test_loss if p.loss is None else p.loss for p in points], steps,
                 [p.test_accuracy for p in points])


def chance_loss(target: str) -> float:
    """The cross-entropy of an even guess over the target's classes: ln 5 or ln 10."""
    return math.log(len(TARGETS[target].classes))


# ---------------------------------------------------------------- the recorded reference runs

def experiment_configs() -> list[TransferConfig]:
    """Every run the lesson replays: each pair at its label counts, each way, each seed."""
    return [TransferConfig(source=source, target=target, labels=labels, way=way, seed=seed)
            for (source, target), counts in EXPERIMENTS.items() for labels in counts for way in WAYS
            for seed in SEEDS]


def record(configs: list[TransferConfig], log: Callable[[Result], None] = lambda result: None) -> list[dict]:
    """The runs, each as a rounded JSON-ready dict (one torch thread, whoever calls sets it)."""
    rows = []
    for config in configs:
        result = run(config)
        log(result)
        rows.append(json_safe(result.to_dict(), DIGITS))
    return rows


@dataclass(frozen=True)
class Recorded:
    """The recorded runs of one setting (pair, labels, way), one per seed."""
    results: tuple[Result, ...]

    @property
    def accuracy(self) -> tuple[float, float]:
        """The mean test accuracy over the seeds and the spread (half the range)."""
        values = [r.test_accuracy for r in self.results]
        return float(np.mean(values)), (max(values) - min(values)) / 2

    @property
    def seconds(self) -> float:
        return float(np.mean([r.seconds for r in self.results]))


def _result(values: dict) -> Result:
    points = tuple(Point(*row) for row in values["points"])
    return Result(**{**values, "config": TransferConfig(**values["config"]), "points": points})


@functools.cache
def recordings() -> dict[tuple[str, str, int, str], Recorded]:
    """The shipped runs, read once per process: (source, target, labels, way) -> its seeds' runs."""
    runs: dict[tuple, list[Result]] = {}
    for values in json.loads(RECORDING.read_text())["runs"]:
        result = _result(values)
        c = result.config
        runs.setdefault((c.source, c.target, c.labels, c.way), []).append(result)
    return {key: Recorded(tuple(results)) for key, results in runs.items()}


def dumps(rows: list[dict]) -> str:
    """One run per line, so that a change to a recording reads as a diff of its lines."""
    lines = ",\n".join(json.dumps(row, separators=(",", ":"), allow_nan=False, ensure_ascii=False) for row in rows)
    return f'{{"runs": [\n{lines}\n]}}\n'


def readme(rows: list[dict], seconds: float) -> str:
    runs = {}
    for row in rows:
        c = row["config"]
        runs.setdefault((c["source"], c["target"], c["labels"], c["way"]), []).append(row)
    lines = [
        "# Recorded transfer-learning runs", "",
        "The reference runs of the transfer lesson (`cnnviz.transfer`), replayed instead of trained in class: each",
        "pair of networks, each number of labelled images, each way (from scratch, feature extraction, fine-tuning),",
        f"seeds {', '.join(map(str, SEEDS))}. A run keeps its config, its final test accuracy, its trainable and frozen",
        "parameters (read from the module's `requires_grad`), its training time and a point every `eval_every` steps",
        f"(step, training loss, test loss, test accuracy, seconds); floats rounded to {DIGITS} significant digits.", "",
        "The pretrained networks are the shipped ones in `assets/models/` (`lenet5-digits0-4`, made for this lesson by",
        "`python -m cnnviz.train --model lenet5-digits0-4 --data ../shared/data/mnist.npz --threads 2 --seed 2`;",
        "`lenet5-mnist`;",
        "`tinyvgg-fashion-mnist`); the labelled images and the test images are the shipped subsets in `assets/data/`.", "",
        f"Made by `python -m cnnviz.transfer --record` on the CPU with one torch thread, in {seconds:.0f} s, on",
        f"{cpu_name()} with PyTorch {torch.__version__} and Python {platform.python_version()}.",
        "The same machine gives the same file; another CPU may round a last digit differently.", "",
        f"`runs.json`: sha256 `{sha256(RECORDING)}`", "",
        "| source → target | labels | way | test accuracy (mean ± half the range) | trainable parameters | training time |",
        "| --- | ---: | --- | ---: | ---: | ---: |",
    ]
    for (source, target, labels, way), group in runs.items():
        accuracy = [row["test_accuracy"] for row in group]
        spread = (max(accuracy) - min(accuracy)) / 2
        lines.append(f"| {source} → {target} | {labels:,} | {way} | {100 * np.mean(accuracy):.1f} ± {100 * spread:.1f}% "
                     f"| {group[0]['trainable_parameters']:,} | {np.mean([row['seconds'] for row in group]):.1f} s |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- the command

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m cnnviz.transfer", description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", choices=list(SOURCES), default=TransferConfig.source)
    parser.add_argument("--target", choices=list(TARGETS), default=TransferConfig.target)
    parser.add_argument("--labels", type=int, default=TransferConfig.labels, help="labelled training images")
    parser.add_argument("--way", choices=WAYS, default=TransferConfig.way)
    parser.add_argument("--seed", type=int, default=TransferConfig.seed)
    parser.add_argument("--steps", type=int, default=TransferConfig.steps)
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    parser.add_argument("--record", action="store_true",
                        help=f"record every reference run of the lesson into {RECORDINGS.relative_to(ROOT)}/")
    args = parser.parse_args(argv)
    if not args.record:
        try:
            args.config = TransferConfig(source=args.source, target=args.target, labels=args.labels, way=args.way,
                                         seed=args.seed, steps=args.steps, eval_every=min(TransferConfig.eval_every,
                                                                                          max(args.steps, 1)))
        except InvalidInput as error:
            parser.error(str(error))
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with torch_threads(1):
        if args.record:
            started = time.perf_counter()
            RECORDINGS.mkdir(parents=True, exist_ok=True)
            rows = record(experiment_configs(), lambda r: print(
                f"{r.config.source} → {r.config.target}, {r.config.labels:,} labels, {r.config.way}, seed "
                f"{r.config.seed}: {100 * r.test_accuracy:.1f}%, {r.seconds:.1f} s", flush=True))
            RECORDING.write_text(dumps(rows))
            (RECORDINGS / "README.md").write_text(readme(rows, time.perf_counter() - started))
            print(f"wrote {RECORDING.relative_to(ROOT)} ({RECORDING.stat().st_size / 1024:.0f} KiB) and its README")
            return
        result = run(args.config)
    if args.json:
        print(json.dumps(json_safe(result.to_dict()), allow_nan=False))
        return
    c = result.config
    print(f"{c.source} → {c.target}, {c.labels:,} labels, {c.way}: test accuracy {100 * result.test_accuracy:.2f}% "
          f"after {c.steps:,} steps; {result.trainable_parameters:,} trainable and {result.frozen_parameters:,} frozen "
          f"parameters; {result.seconds:.1f} s training, {result.wall_seconds:.1f} s in all")


if __name__ == "__main__":
    main()
