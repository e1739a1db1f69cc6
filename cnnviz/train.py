"""Train one of the shipped models: ``python -m cnnviz.train --model NAME [--data FILE.npz]``.

The .npz holds ``x_train, y_train, x_test, y_test`` (uint8 images N x 28 x 28,
integer labels), as ``../shared/data`` does for MNIST and Fashion-MNIST; without
``--data``, the model's data set's shipped subset (``assets/data``).
Training uses the GPU when there is one (``CNNVIZ_DEVICE`` overrides), prints
one line per epoch, and is reproducible from ``--seed`` on a given machine.
It writes the weights (a state dict, read back with ``weights_only=True``)
and the model card (JSON and Markdown) into ``--out``, ``assets/models`` by default.

Adam with a one-cycle learning-rate schedule; optional light augmentation
(random shifts of a few pixels, left-right flips).

With ``--steps N`` it trains instead the way the training lesson does (``cnnviz.learning``):
N mini-batches on the shipped subset, with the activation, pooling, initialization and
optimizer given, a line (or with ``--json`` a JSON object) per evaluation; nothing is written.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import platform
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from cnnviz import augment, learning
from cnnviz.datasets import KEYS, subset_path
from cnnviz.device import choose_device, describe
from cnnviz.errors import InvalidInput
from cnnviz.learning import TrainConfig, json_safe, to_tensor
from cnnviz.models import architectures
from cnnviz.models.anatomy import layer_summary
from cnnviz.models.specs import ASSETS, SOURCE_SPECS, SPECS, ModelSpec

# Options that only one of the two ways of training reads.
STEP_OPTIONS = ("activation", "pooling", "init", "optimizer", "eval_every", "augment", "json")
EPOCH_OPTIONS = ("data", "out", "epochs", "weight_decay", "shift", "hflip", "limit_test")
TRAINABLE = SPECS | SOURCE_SPECS        # the models this command makes


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m cnnviz.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, choices=sorted(TRAINABLE))
    parser.add_argument("--data", type=Path, help=".npz with x_train, y_train, x_test, y_test "
                        "(default: the shipped subset of the model's data set)")
    parser.add_argument("--out", type=Path, help="folder for the weights and the model card (default: assets/models)")
    parser.add_argument("--epochs", type=int, help="default: the model's own")
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--lr", type=float, help="the one-cycle schedule's peak learning rate")
    parser.add_argument("--weight-decay", type=float)
    parser.add_argument("--shift", type=int, help="random shifts of up to this many pixels (0: none)")
    parser.add_argument("--hflip", action=argparse.BooleanOptionalAction, default=None,
                        help="random left-right flips")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", help="e.g. cpu or cuda:0 (default: CUDA, then MPS, then CPU)")
    parser.add_argument("--threads", type=int, help="CPU threads for torch")
    parser.add_argument("--limit-train", type=int, help="train on N images chosen by the seed (for smoke tests)")
    parser.add_argument("--limit-test", type=int, help="test on N images chosen by the seed")
    steps = parser.add_argument_group("step by step, as the training lesson trains (on the shipped subset; "
                                      "--limit-train: the first N of its images)")
    steps.add_argument("--steps", type=int, help="train this many mini-batches instead of epochs")
    steps.add_argument("--activation", choices=list(architectures.ACTIVATIONS))
    steps.add_argument("--pooling", choices=list(architectures.POOLINGS))
    steps.add_argument("--init", choices=list(learning.WEIGHT_INITS))
    steps.add_argument("--optimizer", choices=list(learning.OPTIMIZERS))
    steps.add_argument("--eval-every", type=int, help="test every N steps (default: 50)")
    steps.add_argument("--augment", action="store_true", help=f"random shifts of up to {learning.SHIFTS.shift} px")
    steps.add_argument("--json", action="store_true", help="print one JSON object per evaluation")
    args = parser.parse_args(argv)
    if args.steps is not None:
        clash = [name for name in EPOCH_OPTIONS if getattr(args, name) is not None]
        if clash:
            parser.error(f"--{clash[0].replace('_', '-')} is for training in epochs, not with --steps")
        try:
            args.config = step_config(args)
        except InvalidInput as error:
            parser.error(str(error))
        return args
    clash = [name for name in STEP_OPTIONS if getattr(args, name) not in (None, False)]
    if clash:
        parser.error(f"--{clash[0].replace('_', '-')} needs --steps")
    args.data = args.data or subset_path(TRAINABLE[args.model].dataset.lower())
    args.out = args.out or ASSETS
    for name, value in TRAINABLE[args.model].train.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    for name in ("epochs", "batch_size"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.shift < 0:
        parser.error("--shift cannot be negative")
    return args


def step_config(args: argparse.Namespace) -> TrainConfig:
    """The lesson's settings from the options given; the model name says the network and the data set."""
    model, dataset = args.model.split("-", 1)       # "lenet5-mnist", "tinyvgg-fashion-mnist"
    given = {"activation": args.activation, "pooling": args.pooling, "init": args.init, "optimizer": args.optimizer,
             "lr": args.lr, "batch_size": args.batch_size, "train_images": args.limit_train, "seed": args.seed,
             "eval_every": args.eval_every or min(TrainConfig.eval_every, args.steps)}
    return TrainConfig(model=model, dataset=dataset, augment=learning.SHIFTS if args.augment else None,
                       steps=args.steps,
                       **{name: value for name, value in given.items() if value is not None})


def load_npz(path: Path, spec: ModelSpec, limit_train: int | None, limit_test: int | None, seed: int = 0):
    """The four arrays, checked, as float tensors normalised like the model expects.

    A limit keeps a random subset (chosen by the seed): the files may be sorted by class. A model that learns
    only some classes (``spec.classes``) gets only their images, labelled 0, 1, ... in that order.
    """
    if not path.is_file():
        raise SystemExit(f"error: {path} does not exist")
    with np.load(path, allow_pickle=False) as data:
        missing = [key for key in KEYS if key not in data.files]
        if missing:
            raise SystemExit(f"error: {path} lacks {', '.join(missing)} (it needs {', '.join(KEYS)})")
        arrays = {key: data[key] for key in KEYS}
    for split, limit in (("train", limit_train), ("test", limit_test)):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim != 3 or x.shape[1:] != (spec.side, spec.side) or x.dtype != np.uint8:
            raise SystemExit(f"error: x_{split} must be uint8 N x {spec.side} x {spec.side}, not {x.dtype} {x.shape}")
        if spec.classes is not None and y.shape == (len(x),):
            keep, order = np.isin(y, spec.classes), np.argsort(spec.classes)
            x, y = x[keep], order[np.searchsorted(spec.classes, y[keep], sorter=order)]
        if y.shape != (len(x),) or y.min() < 0 or y.max() >= len(spec.labels):
            raise SystemExit(f"error: y_{split} must hold one label in 0..{len(spec.labels) - 1} per image")
        if limit and limit < len(x):
            keep = np.sort(np.random.default_rng(seed).choice(len(x), limit, replace=False))
            x, y = x[keep], y[keep]
        arrays[f"x_{split}"], arrays[f"y_{split}"] = x, y

    return (to_tensor(arrays["x_train"], spec), torch.from_numpy(arrays["y_train"].astype(np.int64)),
            to_tensor(arrays["x_test"], spec), torch.from_numpy(arrays["y_test"].astype(np.int64)))


@torch.inference_mode()
def predict_labels(model: torch.nn.Module, x: torch.Tensor, device: torch.device, batch: int = 1000) -> torch.Tensor:
    model.eval()
    return torch.cat([model(x[i:i + batch].to(device)).argmax(1).cpu() for i in range(0, len(x), batch)])


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def train(args: argparse.Namespace) -> dict:
    """Train, evaluate and write; torch's global settings are restored afterwards."""
    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    try:
        return _train_steps(args) if args.steps is not None else _train(args)
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(deterministic)


def _train(args: argparse.Namespace) -> dict:
    spec = TRAINABLE[args.model]
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device) if args.device else choose_device()
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    generator = torch.Generator().manual_seed(args.seed)

    x_train, y_train, x_test, y_test = load_npz(args.data, spec, args.limit_train, args.limit_test, args.seed)
    model = spec.build().to(device)
    parameters = sum(p.numel() for p in model.parameters())
    steps = math.ceil(len(x_train) / args.batch_size)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, total_steps=args.epochs * steps)
    background = -spec.mean / spec.std   # a black pixel, normalised
    transforms = augment.Augmentation(shift=args.shift, hflip=args.hflip)
    print(f"{spec.name}: {parameters:,} parameters; {len(x_train):,} training and {len(x_test):,} test "
          f"images from {args.data.name}; {args.epochs} epochs of {steps} batches on {describe(device)}",
          flush=True)

    history, started = [], time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(len(x_train), generator=generator)
        loss_sum, correct = 0.0, 0
        for step in range(steps):
            index = order[step * args.batch_size:(step + 1) * args.batch_size]
            x = augment.apply(x_train[index], transforms, generator, fill=background).to(device)
            y = y_train[index].to(device)
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            loss_sum += loss.item() * len(index)
            correct += (logits.argmax(1) == y).sum().item()
        test_accuracy = (predict_labels(model, x_test, device) == y_test).float().mean().item()
        row = {"epoch": epoch, "loss": loss_sum / len(x_train), "train_accuracy": correct / len(x_train),
               "test_accuracy": test_accuracy, "seconds": time.perf_counter() - started}
        history.append(row)
        print(f"epoch {epoch:>2}/{args.epochs}  loss {row['loss']:.4f}  train acc {100 * row['train_accuracy']:.2f}%"
              f"  test acc {100 * test_accuracy:.2f}%  {row['seconds']:.0f} s", flush=True)
    seconds = time.perf_counter() - started

    predicted = predict_labels(model, x_test, device)
    per_class = {label: (predicted[y_test == k] == k).float().mean().item()
                 for k, label in enumerate(spec.labels) if (y_test == k).any()}
    card = {
        "model": spec.name,
        "dataset": spec.dataset,
        "data_file": args.data.name,
        "data_sha256": sha256(args.data),
        "train_images": len(x_train),
        "test_images": len(x_test),
        "test_accuracy": (predicted == y_test).float().mean().item(),
        "per_class_accuracy": per_class,
        "parameters": parameters,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "optimizer": f"AdamW (weight decay {args.weight_decay:g})",
        "schedule": f"one-cycle, peak learning rate {args.lr:g}",
        "augmentation": ", ".join(filter(None, [f"random shifts up to {args.shift} px" if args.shift else "",
                                                "left-right flips" if args.hflip else ""])) or "none",
        "seed": args.seed,
        "training_seconds": round(seconds, 1),
        "device": describe(device),
        "threads": torch.get_num_threads() if device.type == "cpu" else None,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "command": "python -m cnnviz.train " + " ".join(shlex.quote(a) for a in args.argv),
        "history": [{k: round(v, 5) if isinstance(v, float) else v for k, v in row.items()} for row in history],
        "layers": layer_summary(model.cpu(), spec.side),
        "notes": spec.notes,
    }
    write(model, card, args.out)
    print(f"test accuracy {100 * card['test_accuracy']:.2f}% after {args.epochs} epochs, {seconds:.0f} s; "
          f"wrote {args.out / (spec.name + '.pt')} and its model card", flush=True)
    return card


def _train_steps(args: argparse.Namespace) -> dict:
    if args.threads:
        torch.set_num_threads(args.threads)
    config, started = args.config, time.perf_counter()

    def show(snapshot: learning.Snapshot) -> None:
        seconds = time.perf_counter() - started
        if args.json:
            print(json.dumps(json_safe({**snapshot.to_dict(), "seconds": round(seconds, 3)}), allow_nan=False),
                  flush=True)
            return
        loss = "" if snapshot.loss is None else f"  loss {snapshot.loss:.4f}"
        print(f"step {snapshot.step:>{len(str(config.steps))}}/{config.steps}{loss}  test acc "
              f"{100 * snapshot.test_accuracy:.2f}%  {seconds:.0f} s" + ("  diverged" if snapshot.diverged else ""),
              flush=True)

    device = torch.device(args.device) if args.device else None
    return learning.run(config, show, device=device).to_dict()


def write(model: torch.nn.Module, card: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    state = {name: tensor.detach().cpu().clone() for name, tensor in model.state_dict().items()}
    torch.save(state, out / f"{card['model']}.pt")
    (out / f"{card['model']}.json").write_text(json.dumps(card, indent=1, ensure_ascii=False) + "\n")
    (out / f"{card['model']}.md").write_text(markdown_card(card))


def markdown_card(card: dict) -> str:
    percent = lambda v: f"{100 * v:.2f}%"   # noqa: E731
    lines = [
        f"# Model card: {card['model']}", "",
        card["notes"], "",
        "| | |", "| --- | --- |",
        f"| Dataset | {card['dataset']} (`{card['data_file']}`, sha256 `{card['data_sha256'][:16]}…`) |",
        f"| Training / test images | {card['train_images']:,} / {card['test_images']:,} |",
        f"| **Test accuracy** | **{percent(card['test_accuracy'])}** |",
        f"| Parameters | {card['parameters']:,} |",
        f"| Epochs | {card['epochs']} (batch {card['batch_size']}) |",
        f"| Optimiser | {card['optimizer']}, {card['schedule']} |",
        f"| Augmentation | {card['augmentation']} |",
        f"| Seed | {card['seed']} |",
        f"| Training time | {card['training_seconds']:.0f} s on {card['device']}"
        + (f" ({card['threads']} threads)" if card.get("threads") else "") + " |",
        f"| Software | PyTorch {card['torch']}, Python {card['python']} |",
        "", "Reproduce with:", "", "```", card["command"], "```", "",
        "## Layers", "", "| layer | kind | output shape | parameters |", "| --- | --- | --- | ---: |",
    ]
    lines += [f"| {row['name']} | {row['kind']} | {' × '.join(map(str, row['shape']))} | {row['parameters']:,} |"
              for row in card["layers"]]
    lines += ["", "## Test accuracy per class", "", "| class | accuracy |", "| --- | ---: |"]
    lines += [f"| {label} | {percent(value)} |" for label, value in card["per_class_accuracy"].items()]
    lines += ["", "## Training", "", "| epoch | loss | train accuracy | test accuracy | elapsed |",
              "| ---: | ---: | ---: | ---: | ---: |"]
    lines += [f"| {row['epoch']} | {row['loss']:.4f} | {percent(row['train_accuracy'])} | "
              f"{percent(row['test_accuracy'])} | {row['seconds']:.0f} s |" for row in card["history"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> dict:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    args.argv = argv
    return train(args)


if __name__ == "__main__":
    main()
