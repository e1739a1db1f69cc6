"""The training command on a tiny made-up data set: outputs, model card, reproducibility, errors; and
its step-wise mode, the training lesson's core on the shipped subset."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from cnnviz import learning, train
from cnnviz.datasets import subset_path
from cnnviz.models.specs import SPECS

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tiny_npz(tmp_path_factory):
    """80 training and 40 test images of two easy classes (a bright left or right half)."""
    rng = np.random.default_rng(0)
    path = tmp_path_factory.mktemp("data") / "tiny.npz"

    def split(n):
        y = rng.integers(0, 2, n)
        x = rng.integers(0, 40, (n, 28, 28)).astype(np.uint8)
        for i, label in enumerate(y):
            x[i, :, 14 * label:14 * label + 14] += 200
        return x, y.astype(np.uint8)

    (x_train, y_train), (x_test, y_test) = split(80), split(40)
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return path


def run(npz, out, *extra):
    return train.main(["--model", "tinyvgg-fashion-mnist", "--data", str(npz), "--out", str(out),
                       "--epochs", "2", "--batch-size", "16", "--threads", "1", *extra])


def test_training_writes_weights_and_a_model_card(tiny_npz, tmp_path, capsys):
    card = run(tiny_npz, tmp_path)
    printed = capsys.readouterr().out
    assert "epoch  1/2" in printed and "epoch  2/2" in printed and "test acc" in printed
    spec = SPECS["tinyvgg-fashion-mnist"]
    state = torch.load(tmp_path / f"{spec.name}.pt", weights_only=True)
    module = spec.build()
    module.load_state_dict(state)
    saved = json.loads((tmp_path / f"{spec.name}.json").read_text())
    assert saved == json.loads(json.dumps(card))
    for field in ("dataset", "epochs", "test_accuracy", "parameters", "training_seconds", "device", "seed"):
        assert field in saved
    assert saved["epochs"] == 2 and saved["train_images"] == 80 and saved["test_images"] == 40
    assert saved["parameters"] == sum(p.numel() for p in module.parameters())
    assert len(saved["history"]) == 2 and saved["device"] == "CPU"
    assert saved["command"].startswith("python -m cnnviz.train --model tinyvgg-fashion-mnist")
    markdown = (tmp_path / f"{spec.name}.md").read_text()
    assert f"{100 * saved['test_accuracy']:.2f}%" in markdown and spec.notes in markdown


def test_same_seed_same_weights_other_seed_other_weights(tiny_npz, tmp_path):
    for folder, seed in (("a", "3"), ("b", "3"), ("c", "4")):
        run(tiny_npz, tmp_path / folder, "--seed", seed, "--shift", "2", "--hflip")
    load = lambda folder: torch.load(tmp_path / folder / "tinyvgg-fashion-mnist.pt", weights_only=True)  # noqa: E731
    a, b, c = load("a"), load("b"), load("c")
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not all(torch.equal(a[k], c[k]) for k in a)


def test_the_command_line_entry_point(tiny_npz, tmp_path):
    result = subprocess.run([sys.executable, "-m", "cnnviz.train", "--model", "lenet5-mnist", "--data", str(tiny_npz),
                             "--out", str(tmp_path), "--epochs", "1", "--limit-train", "32", "--limit-test", "16",
                             "--threads", "1"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "test accuracy" in result.stdout
    card = json.loads((tmp_path / "lenet5-mnist.json").read_text())
    assert card["train_images"] == 32 and card["test_images"] == 16


def test_the_shipped_cards_match_their_markdown():
    for spec in SPECS.values():
        card = json.loads(spec.card_path.read_text())
        assert spec.card_path.with_suffix(".md").read_text() == train.markdown_card(card)


@pytest.mark.parametrize("arrays, message", [
    ({"x_train": np.zeros((4, 28, 28), np.uint8)}, "lacks"),
    ({"x_train": np.zeros((4, 32, 32), np.uint8), "y_train": np.zeros(4, np.uint8),
      "x_test": np.zeros((2, 28, 28), np.uint8), "y_test": np.zeros(2, np.uint8)}, "x_train must be"),
    ({"x_train": np.zeros((4, 28, 28), np.uint8), "y_train": np.full(4, 12, np.uint8),
      "x_test": np.zeros((2, 28, 28), np.uint8), "y_test": np.zeros(2, np.uint8)}, "y_train must"),
])
def test_bad_data_files_are_refused_with_a_reason(tmp_path, arrays, message):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(SystemExit, match=message):
        run(path, tmp_path / "out")
    with pytest.raises(SystemExit, match="does not exist"):
        run(tmp_path / "missing.npz", tmp_path / "out")


def test_step_wise_training_prints_json_lines():
    result = subprocess.run([sys.executable, "-m", "cnnviz.train", "--model", "lenet5-mnist", "--steps", "5",
                             "--eval-every", "5", "--json", "--limit-train", "100", "--threads", "1"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["step"] for row in rows] == [0, 5]
    assert rows[0]["loss"] is None and rows[1]["loss"] > 0
    assert all(0 <= row["test_accuracy"] <= 1 and row["seconds"] >= 0 for row in rows)
    assert len(rows[1]["kernels"]) == 6 and set(rows[1]["grad_norms"]) == {"conv1", "conv2", "fc1", "fc2", "fc3"}


def test_step_options_map_to_the_lessons_config(capsys):
    args = train.parse_args(["--model", "tinyvgg-fashion-mnist", "--steps", "2", "--activation", "tanh",
                             "--pooling", "avg", "--init", "normal_0.01", "--optimizer", "momentum", "--lr", "0.01",
                             "--batch-size", "8", "--limit-train", "100", "--augment", "--seed", "3"])
    assert args.config == learning.TrainConfig(
        model="tinyvgg", dataset="fashion-mnist", activation="tanh", pooling="avg", init="normal_0.01",
        optimizer="momentum", lr=0.01, batch_size=8, train_images=100, augment=learning.SHIFTS, seed=3, steps=2, eval_every=2)
    snapshot = train.main(["--model", "lenet5-mnist", "--steps", "2", "--limit-train", "100", "--threads", "1"])
    assert snapshot["step"] == 2
    assert "step 2/2" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["--steps", "5", "--epochs", "2"], "--epochs is for training in epochs"),
    (["--steps", "5", "--data", "x.npz"], "--data is for training in epochs"),
    (["--init", "zeros"], "--init needs --steps"),
    (["--json"], "--json needs --steps"),
    (["--steps", "5", "--lr", "20"], "learning rate"),
    (["--steps", "5", "--limit-train", "20"], "training images"),
])
def test_step_options_are_checked(argv, message, capsys):
    with pytest.raises(SystemExit):
        train.parse_args(["--model", "lenet5-mnist", *argv])
    assert message in capsys.readouterr().err


def test_the_default_data_is_the_shipped_subset():
    for name, dataset in (("lenet5-mnist", "mnist"), ("tinyvgg-fashion-mnist", "fashion-mnist")):
        assert train.parse_args(["--model", name]).data == subset_path(dataset)
