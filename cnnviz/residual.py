"""Why residual connections: plain and residual networks of 20 and 40 layers, trained briefly and replayed.

He, Zhang, Ren and Sun (2015), "Deep Residual Learning for Image Recognition", found that a deeper plain
network (with batch normalization) trains to a *higher training error* than a shallower one, and that
identity shortcuts remove the gap. This is that experiment, small: the networks of
``cnnviz.models.deep_stacks`` (a plain and a residual one of each depth start from the same weights),
trained with ``cnnviz.learning.Trainer`` on the shipped Fashion-MNIST subset, one torch thread, seeded.

``python -m cnnviz.residual`` records the four runs into ``assets/runs/residual/<name>.json`` (the training
lesson's recording format, ``cnnviz.recordings.dumps``, with three more entries: the first mini-batch's
loss and each layer's gradient norm at the initial weights, and the loss and accuracy on a fixed slice of
the training images at every snapshot) and writes the README there. ``load_run(name)`` reads one back.
"""

from __future__ import annotations

import argparse
import functools
import json
import platform
import re
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import torch
import torch.nn.functional as F

from cnnviz import recordings
from cnnviz.datasets import load_subset, sha256
from cnnviz.figures import SERIES_COLOURS
from cnnviz.learning import MODELS, Snapshot, TrainConfig, Trainer, json_safe, to_tensor
from cnnviz.training_figures import Curve, LayerLine

RUNS_DIR = recordings.RUNS_DIR / "residual"
NAMES = ("plain20", "residual20", "plain40", "residual40")
# The paper's CIFAR training (SGD with momentum 0.9, learning rate 0.1, He initialization), for 800 steps
# of 64 images: about 5.7 passes over the 9,000 training images.
BASE = TrainConfig(model="plain20", dataset="fashion-mnist", activation="relu", pooling="avg", init="he",
                   optimizer="momentum", lr=0.1, batch_size=64, seed=0, steps=800, eval_every=50)
RUNS = {name: replace(BASE, model=name) for name in NAMES}
TRAIN_SLICE = 1000      # the first training images, tested like the test images at every snapshot
LOSS_TOP = 2.5          # the top of the loss axis: a network's first losses far above ln 10 would flatten the rest
COLOURS = {20: SERIES_COLOURS[0], 40: SERIES_COLOURS[1]}     # one colour per depth; plain dashed, residual solid
MODEL = re.compile(r"(plain|residual)(\d+)")


@dataclass(frozen=True)
class ResidualRun:
    """One recorded run; each tuple has one value per snapshot."""
    name: str
    config: TrainConfig
    snapshots: tuple[Snapshot, ...]
    start_loss: float                   # the first mini-batch's loss, at the initial weights
    start_grad_norms: dict[str, float]  # each weighted layer's gradient norm from that batch, input to output
    train_images: int                   # the first this many training images are tested like the test images:
    train_loss: tuple[float, ...]       # their loss
    train_accuracy: tuple[float, ...]   # and accuracy

    @property
    def residual(self) -> bool:
        return MODEL.fullmatch(self.config.model)[1] == "residual"

    @property
    def depth(self) -> int:
        return int(MODEL.fullmatch(self.config.model)[2])

    @property
    def parameters(self) -> int:
        return parameter_count(self.config.model)

    @property
    def steps(self) -> list[int]:
        return [s.step for s in self.snapshots]

    @property
    def losses(self) -> list[float]:
        """The training loss at each snapshot: at step 0 the first batch's, then the mean since the last one."""
        return [self.start_loss] + [s.loss for s in self.snapshots[1:]]


@functools.cache
def parameter_count(model: str) -> int:
    with torch.device("meta"):       # shapes only: no memory, no random numbers
        return sum(p.numel() for p in MODELS[model]().parameters())


def record(config: TrainConfig, train_slice: int = TRAIN_SLICE) -> dict:
    """Train ``config`` on the CPU in this thread; the recording's entries, rounded and JSON-ready."""
    trainer = Trainer(config, "cpu")
    x_train, y_train, _, _ = load_subset(config.dataset)
    x = to_tensor(x_train[:train_slice], trainer.spec)
    y = torch.from_numpy(y_train[:train_slice].astype("int64"))
    snapshots, on_slice = [], []

    def test() -> bool:
        snapshots.append(trainer.evaluate())
        logits = trainer.logits(x)
        on_slice.append({"step": trainer.steps_done, "loss": F.cross_entropy(logits, y).item(),
                         "accuracy": (logits.argmax(1) == y).double().mean().item()})
        return trainer.steps_done > 0 and snapshots[-1].diverged

    test()
    start = {"loss": trainer.step(), "grad_norms": trainer.grad_norms()}
    while True:
        done = trainer.steps_done
        if done % config.eval_every == 0 or done == config.steps:
            if test() or done == config.steps:      # the loss is no longer a number, or the run is over
                break
        trainer.step()
    return json_safe({"start": start, "train_slice": {"images": len(y), "tests": on_slice},
                      "snapshots": [s.to_dict() for s in snapshots]}, recordings.DIGITS)


def path_of(name: str, folder: Path = RUNS_DIR) -> Path:
    return folder / f"{name}.json"


def read_run(path: Path) -> ResidualRun:
    data = json.loads(path.read_text())
    return ResidualRun(
        name=path.stem, config=TrainConfig.from_dict(data["config"]), snapshots=recordings.read_snapshots(data["snapshots"]),
        start_loss=data["start"]["loss"], start_grad_norms=data["start"]["grad_norms"],
        train_images=data["train_slice"]["images"], train_loss=tuple(s["loss"] for s in data["train_slice"]["tests"]),
        train_accuracy=tuple(s["accuracy"] for s in data["train_slice"]["tests"]))


@functools.cache
def load_run(name: str) -> ResidualRun:
    """A shipped run, read once per process (shared by every session: read-only)."""
    if name not in RUNS:
        raise KeyError(f"there is no recorded run {name!r}; the runs are {', '.join(RUNS)}")
    return read_run(path_of(name))


def load_runs() -> list[ResidualRun]:
    return [load_run(name) for name in NAMES]


def curves(runs: list[ResidualRun], names: dict[str, str]) -> list[Curve]:
    """The runs' training loss and test accuracy for ``training_figures.curves_figure``, named by ``names``."""
    return [Curve(names[run.name], run.steps, run.losses, run.steps, [s.test_accuracy for s in run.snapshots],
                  colour=COLOURS.get(run.depth), dash="solid" if run.residual else "dash") for run in runs]


def grad_lines(runs: list[ResidualRun], names: dict[str, str], at_start: bool = True) -> list[LayerLine]:
    """Each run's gradient norm per layer, at the start or at the last step, for ``layer_norms_figure``."""
    lines = []
    for run in runs:
        norms = run.start_grad_norms if at_start else run.snapshots[-1].grad_norms
        lines.append(LayerLine(names[run.name], list(norms), list(norms.values()), COLOURS.get(run.depth),
                               "solid" if run.residual else "dash"))
    return lines


def readme(rows: list[tuple[ResidualRun, str, float, float]], command: str) -> str:
    config = rows[0][0].config
    lines = [
        "# Recorded runs: why residual connections", "",
        "Plain and residual networks of 20 and 40 layers (`cnnviz/models/deep_stacks.py`: a 3x3 stem",
        "convolution, three stages of blocks of two 3x3 conv-BN layers with 8, 16 and 32 channels, global",
        "average pooling, one linear layer; the depth counts the layers with weights, as He et al. count",
        "theirs) trained on the shipped Fashion-MNIST subset (`assets/data`), replayed by the lesson. A plain",
        "and a residual network of the same depth have the same parameters and start from the same weights.",
        f"Training: {config.steps} steps of {config.batch_size} images, SGD with momentum 0.9, learning rate",
        f"{config.lr:g}, He initialization, seed {config.seed}; a snapshot every {config.eval_every} steps.", "",
        "Each file is a training-lesson recording (`cnnviz/recordings.py`: the config and the snapshots, with",
        "the mean training loss since the previous snapshot, the 2,000 test images' loss and accuracy, each",
        "layer's weight-gradient norm at that step) with three more entries: `start`, the first mini-batch's",
        "loss and each layer's gradient norm at the initial weights; `train_slice`, the loss and accuracy on",
        f"the first {rows[0][0].train_images:,} training images at each snapshot, tested as the test images are (batch",
        f"normalization in evaluation mode). Floats rounded to {recordings.DIGITS} significant digits.", "",
        f"Made by `{command}` on the CPU with one torch thread, one run after another,",
        f"here on {recordings.cpu_name()} with PyTorch {torch.__version__} and Python {platform.python_version()},",
        "a 2-core machine shared with other work. The same machine gives the same files; another CPU may round",
        "a last digit differently.", "",
        "| run | final training loss | training accuracy | test accuracy | recording time (CPU time) | sha256 |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    lines += [f"| `{run.name}.json` | {run.losses[-1]:.3f} | {100 * run.train_accuracy[-1]:.2f}% | "
              f"{100 * run.snapshots[-1].test_accuracy:.2f}% | {seconds:.0f} s ({cpu:.0f} s) | `{digest}` |"
              for run, digest, seconds, cpu in rows]
    lines += ["", f"All four: {sum(row[2] for row in rows) / 60:.1f} minutes ({sum(row[3] for row in rows) / 60:.1f} "
                  "minutes of CPU time: the rest is the time other work on the machine took)."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m cnnviz.residual", description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="*", metavar="RUN", help=f"which runs (default: all, {', '.join(NAMES)})")
    parser.add_argument("--steps", type=int, help=f"training steps (default {BASE.steps})")
    parser.add_argument("--eval-every", type=int, help=f"steps between snapshots (default {BASE.eval_every})")
    parser.add_argument("--train-images", type=int, help="train on the first N images only (default: all)")
    parser.add_argument("--train-slice", type=int, default=TRAIN_SLICE, help="training images tested at each snapshot")
    parser.add_argument("--out", type=Path, default=RUNS_DIR, help="folder for the recordings and the README")
    args = parser.parse_args(argv)
    unknown = set(args.runs) - set(NAMES)
    if unknown:
        parser.error(f"unknown run {', '.join(sorted(unknown))}; the runs are {', '.join(NAMES)}")
    changes = {field: value for field, value in (("steps", args.steps), ("eval_every", args.eval_every),
                                                  ("train_images", args.train_images)) if value is not None}
    torch.set_num_threads(1)
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in args.runs or NAMES:
        config = replace(RUNS[name], **changes)
        started, cpu = time.perf_counter(), time.process_time()
        entries = record(config, args.train_slice)
        path = path_of(name, args.out)
        path.write_text(recordings.dumps(config, entries.pop("snapshots"), **entries))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        run = read_run(path)
        rows.append((run, sha256(path), seconds, cpu))
        print(f"{name}: training loss {run.losses[-1]:.3f}, training accuracy {100 * run.train_accuracy[-1]:.2f}%, "
              f"test accuracy {100 * run.snapshots[-1].test_accuracy:.2f}%, {seconds:.0f} s ({cpu:.0f} s CPU), "
              f"{path.stat().st_size / 1024:.0f} KiB", flush=True)
    if not args.runs:
        command = " ".join(["python -m cnnviz.residual", *(argv if argv is not None else sys.argv[1:])])
        (args.out / "README.md").write_text(readme(rows, command))


if __name__ == "__main__":
    main()
