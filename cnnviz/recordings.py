"""Reference training runs, recorded once by a command and replayed instantly by the training lesson.

Every student would compute these alike, so nobody waits for them in class.
``python -m cnnviz.recordings`` trains each run of ``RUNS`` on the CPU with one torch thread and
writes ``assets/runs/<name>.json`` (the config and a snapshot every ``eval_every`` steps, floats
rounded to ``DIGITS`` significant digits) and ``assets/runs/README.md``.
``load_recording(name)`` reads a run back as ``Snapshot``\\ s.
"""

from __future__ import annotations

import functools
import json
import platform
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import torch

from cnnviz.augment import Augmentation
from cnnviz.datasets import sha256
from cnnviz.learning import TRAIN_SET_TESTED, Snapshot, TrainConfig, json_safe, run

ROOT = Path(__file__).resolve().parents[1]
RUNS_DIR = ROOT / "assets" / "runs"
DIGITS = 4
GOOD = TrainConfig(model="lenet5", dataset="mnist", activation="relu", pooling="max", init="he",
                   optimizer="adam", lr=1e-3, batch_size=64, seed=0, steps=2000, eval_every=50)
# 500 images: a longer run, since augmented pictures take more steps to learn (without augmentation the test
# accuracy stays where it is after 2,000 steps), and a test every 100 steps (the file stays as small).
SMALL_DATA = replace(GOOD, train_images=500, steps=4000, eval_every=100)
# name: (config, what the run shows). All are LeNet-5 on the MNIST subset.
RUNS: dict[str, tuple[TrainConfig, str]] = {
    "good": (GOOD, "ReLU, max pooling, He initialization, Adam 1e-3: past 95% within 250 steps, then "
                   "between 97% and 98%."),
    "stall": (replace(GOOD, activation="sigmoid", pooling="avg", init="default", optimizer="sgd", lr=0.1),
              "Sigmoid, average pooling, PyTorch's default initialization, plain SGD 0.1: the loss stays "
              "near ln 10 ≈ 2.303 and the network keeps guessing. (With He initialization the same network "
              "does learn: `python -m bench training`.)"),
    "normal-1-init": (replace(GOOD, init="normal_1"),
                      "As 'good', but every weight drawn from N(0, 1): huge activations, a huge first loss, "
                      "slow and poor learning."),
    "zero-init": (replace(GOOD, init="zeros"),
                  "As 'good', but every weight zero: every hidden activation is zero, so is every "
                  "weight's gradient; only the last layer's biases learn, and the network never gets "
                  "past chance."),
    "small-data": (SMALL_DATA, "As 'good', on 500 images without augmentation, for 4,000 steps: it learns them by "
                               "heart (overfitting)."),
    "small-data-augmented": (replace(SMALL_DATA, augment=Augmentation(shift=2, rotation=10)),
                             "The same 500 images, each shifted at random by up to 2 pixels and turned by up to "
                             "10° every time it is seen: a better test accuracy from the same data (the "
                             "augmentation lesson's measured pair; `python -m bench augmentation` runs it for three "
                             "seeds)."),
    "small-data-flipped": (replace(SMALL_DATA, augment=Augmentation(shift=2, rotation=10, vflip=True)),
                           "As 'small-data-augmented', and every picture also turned upside down half of the time: "
                           "an upside-down 6 is no 6, and the gain is lost."),
}


@dataclass(frozen=True)
class Recording:
    name: str
    config: TrainConfig
    snapshots: tuple[Snapshot, ...]


def record(config: TrainConfig) -> list[dict]:
    """The run's snapshots as rounded, JSON-ready dicts (on the CPU, in this thread)."""
    snapshots: list[dict] = []
    run(config, lambda snapshot: snapshots.append(json_safe(snapshot.to_dict(), DIGITS)), device="cpu")
    return snapshots


def path_of(name: str) -> Path:
    return RUNS_DIR / f"{name}.json"


def dumps(config: TrainConfig, snapshots: list[dict], **extra) -> str:
    """One snapshot per line, so a change to a recording reads as a diff of its lines; ``extra`` entries
    (JSON-ready) one per line between the config and the snapshots."""
    lines = ",\n".join(json.dumps(snapshot, separators=(",", ":"), allow_nan=False) for snapshot in snapshots)
    more = "".join(f"{json.dumps(key)}: {json.dumps(value, separators=(',', ':'), allow_nan=False)},\n"
                   for key, value in extra.items())
    return f'{{"config": {json.dumps(config.to_dict())},\n{more}"snapshots": [\n{lines}\n]}}\n'


def read_snapshots(values: list[dict]) -> tuple[Snapshot, ...]:
    """Recorded snapshots, their arrays read-only (a loaded recording is shared by every session)."""
    snapshots = tuple(Snapshot.from_dict(value) for value in values)
    for snapshot in snapshots:
        snapshot.kernels.flags.writeable = snapshot.confusion.flags.writeable = False
    return snapshots


@functools.cache
def load_recording(name: str) -> Recording:
    """A shipped run, read once per process; its arrays are read-only."""
    if name not in RUNS:
        raise KeyError(f"there is no recorded run {name!r}; the runs are {', '.join(RUNS)}")
    data = json.loads(path_of(name).read_text())
    return Recording(name, TrainConfig.from_dict(data["config"]), read_snapshots(data["snapshots"]))


def cpu_name() -> str:
    """The processor's model name (Linux), else what ``platform`` knows."""
    try:
        with open("/proc/cpuinfo") as info:
            return next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def readme(rows: list[tuple[str, str, float, float]]) -> str:
    lines = [
        "# Recorded training runs", "",
        "Reference runs of the training lesson (`cnnviz.learning`), replayed instead of trained in class.",
        "Each file holds the run's config and a snapshot every `eval_every` steps: the mean training loss",
        "since the previous snapshot, the training and test accuracy, the test loss, the first convolution's",
        "kernels, each layer's weight-gradient norm at that step, the 10x10 confusion matrix of the 2,000",
        f"test images and the accuracy on the first {TRAIN_SET_TESTED} training images as they are (never augmented);",
        f"floats rounded to {DIGITS} significant digits, NaN and infinity as null.", "",
        "Made by `python -m cnnviz.recordings` on the CPU with one torch thread, here on",
        f"{cpu_name()} with PyTorch {torch.__version__} and Python {platform.python_version()}.",
        "The same machine gives the same files; another CPU may round a last digit differently.", "",
        "| run | what it shows | final test accuracy | recording time | sha256 |",
        "| --- | --- | ---: | ---: | --- |",
    ]
    lines += [f"| `{name}.json` | {RUNS[name][1]} | {100 * accuracy:.2f}% | {seconds:.0f} s | `{digest}` |"
              for name, digest, accuracy, seconds in rows]
    return "\n".join(lines) + "\n"


def main(names: list[str]) -> None:
    torch.set_num_threads(1)
    RUNS_DIR.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in names or RUNS:
        started = time.perf_counter()
        config = RUNS[name][0]
        snapshots = record(config)
        path_of(name).write_text(dumps(config, snapshots))
        seconds = time.perf_counter() - started
        rows.append((name, sha256(path_of(name)), snapshots[-1]["test_accuracy"], seconds))
        print(f"{name}: {len(snapshots)} snapshots, test accuracy {100 * rows[-1][2]:.2f}%, {seconds:.0f} s, "
              f"{path_of(name).stat().st_size / 1024:.0f} KiB", flush=True)
    if not names:
        (RUNS_DIR / "README.md").write_text(readme(rows))


if __name__ == "__main__":
    main(sys.argv[1:])
