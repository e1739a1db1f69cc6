"""Transfer learning's core: freezing, the trainable counts, the command, the recordings, bad settings, and the
ImageNet path in both of its branches (torchvision missing; torchvision with cached weights, faked)."""

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from torch import nn

from cnnviz import imagenet, train, transfer
from cnnviz.device import torch_threads
from cnnviz.errors import InvalidInput
from cnnviz.models.specs import SOURCE_SPECS
from cnnviz.transfer import TransferConfig, TransferRun
from cnnviz.transfer_figures import network_figure

ROOT = Path(__file__).resolve().parents[1]
SMALL = TransferConfig(labels=50, steps=6, eval_every=3)


@pytest.fixture(autouse=True)
def one_thread():
    """One torch thread, as the pool runs a run (and as the recordings were made)."""
    with torch_threads(1):
        yield


@pytest.mark.parametrize("pair", transfer.PAIRS)
@pytest.mark.parametrize("way", transfer.WAYS)
def test_freezing_keeps_the_base_bit_for_bit_and_the_counts_are_the_modules(pair, way):
    config = replace(SMALL, source=pair[0], target=pair[1], way=way, labels=20, steps=2, eval_every=2)
    trainer = TransferRun(config)
    model = trainer.model
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    for _ in range(config.steps):
        trainer.step()
    base = set(transfer.base_layers(model))
    source = transfer.source_weights(config.source)
    optimized = {id(p) for group in trainer._optimizer.param_groups for p in group["params"]}
    for name, parameter in model.named_parameters():
        layer = name.split(".")[0]
        assert (id(parameter) in optimized) == parameter.requires_grad, name   # the optimizer holds the trainable
        if not parameter.requires_grad:
            assert torch.equal(parameter, before[name]) and torch.equal(parameter, source[name]), name
        else:
            assert not torch.equal(parameter, before[name]), name                # it trained
        if way != "scratch" and layer in base:
            assert torch.equal(before[name], source[name]), name                 # loaded from the source
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    base_weights = sum(p.numel() for name, p in model.named_parameters() if name.split(".")[0] in base)
    top = sum(p.numel() for p in getattr(model, transfer.top_convolution(model)).parameters())
    expected = {"scratch": total, "extraction": total - base_weights, "finetune": total - base_weights + top}[way]
    assert transfer.count_parameters(model) == (trainable, total - trainable) and trainable == expected
    boxes, shown_trainable, shown_frozen = transfer.layer_boxes(config)
    assert (shown_trainable, shown_frozen) == (trainable, total - trainable)
    for box in boxes:
        weights = list(getattr(model, box.name).parameters())
        assert box.parameters == sum(p.numel() for p in weights)
        assert (box.state == "frozen") == (bool(weights) and not any(p.requires_grad for p in weights))


def test_fine_tuning_unfreezes_the_top_convolution_halfway_at_a_smaller_rate():
    trainer = TransferRun(replace(SMALL, way="finetune", steps=4))
    conv2 = trainer.model.conv2
    groups = trainer._optimizer.param_groups
    slow = [g for g in groups if {id(p) for p in g["params"]} == {id(p) for p in conv2.parameters()}]
    assert len(slow) == 1 and slow[0]["lr"] == pytest.approx(SMALL.lr * transfer.FINE_TUNE_RATE)
    assert all(g["lr"] == SMALL.lr for g in groups if g is not slow[0])
    pretrained = conv2.weight.detach().clone()
    for _ in range(2):                             # the new classifier trains alone first
        trainer.step()
    assert not conv2.weight.requires_grad and torch.equal(conv2.weight, pretrained)
    trainer.step()
    assert conv2.weight.requires_grad and not torch.equal(conv2.weight, pretrained)


def test_a_run_tests_on_the_new_classes_only_and_reports_its_points():
    points = []
    result = transfer.run(SMALL, points.append)
    assert [p.step for p in points] == [0, 3, 6] and points[0].loss is None and points[-1].loss > 0
    x_train, y_train, x_test, y_test = transfer.target_data("digits0-4", "digits5-9")
    assert len(x_test) == 1000 and sorted(set(y_test.tolist())) == [0, 1, 2, 3, 4]
    assert torch.bincount(y_train[:50]).tolist() == [10] * 5                 # 50 labels: ten of each digit
    assert result.test_accuracy == points[-1].test_accuracy
    assert 0 <= result.test_accuracy <= 1 and result.seconds <= result.wall_seconds


def test_the_command_prints_the_run_as_json():
    command = [sys.executable, "-m", "cnnviz.transfer", "--source", "digits0-4", "--target", "digits5-9",
               "--labels", "50", "--way", "extraction", "--steps", "6", "--json"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    expected = transfer.run(replace(SMALL, eval_every=6))                    # the same config, here, one thread
    model = transfer.build_network(SMALL, torch.Generator())
    assert printed["test_accuracy"] == expected.test_accuracy
    assert printed["trainable_parameters"] == sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert printed["seconds"] > 0 and printed["config"]["way"] == "extraction"


def test_the_command_refuses_impossible_settings_with_a_sentence():
    done = subprocess.run([sys.executable, "-m", "cnnviz.transfer", "--labels", "0"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "labelled images must be a whole number from 5" in done.stderr


@pytest.mark.parametrize("field, value, key", [
    ("labels", 0, "errors.transfer.labels"), ("labels", 6001, "errors.transfer.labels"),
    ("labels", 4, "errors.transfer.labels"), ("labels", 2.5, "errors.transfer.labels"),
    ("way", "freeze", "errors.transfer.unknown_way"), ("source", "imagenet", "errors.transfer.unknown_source"),
    ("target", "cifar10", "errors.transfer.unknown_target"), ("target", "mnist", "errors.transfer.pair"),
    ("steps", 0, "errors.training.steps"), ("seed", -1, "errors.training.seed"),
    ("batch_size", 0, "errors.training.batch_size"), ("lr", float("nan"), "errors.training.learning_rate"),
])
def test_impossible_settings_are_refused_in_both_languages(field, value, key):
    with pytest.raises(InvalidInput) as caught:
        replace(SMALL, **{field: value})
    assert caught.value.key == key
    english, korean = caught.value.localized("en"), caught.value.localized("ko")
    assert english != korean and key not in english and key not in korean


def test_the_recordings_hold_every_setting_and_replay_the_runs():
    runs = transfer.recordings()
    configs = transfer.experiment_configs()
    assert {(c.source, c.target, c.labels, c.way) for c in configs} == set(runs)
    recorded = runs[("digits0-4", "digits5-9", 50, "extraction")].results[0]
    assert recorded.config == TransferConfig(labels=50, way="extraction", seed=0)
    again = transfer.run(replace(recorded.config, steps=50))      # the first 50 steps again, here: the same numbers
    assert [p.step for p in recorded.points[:2]] == [0, 50]
    for fresh, kept in zip(again.points, recorded.points[:2]):
        assert kept.test_accuracy == pytest.approx(fresh.test_accuracy, abs=1e-3)
        assert kept.test_loss == pytest.approx(fresh.test_loss, rel=1e-3)
    assert recorded.trainable_parameters == again.trainable_parameters


def test_the_pretrained_network_and_its_card():
    spec = SOURCE_SPECS["lenet5-digits0-4"]
    card = json.loads(spec.card_path.read_text())
    assert spec.card_path.with_suffix(".md").read_text() == train.markdown_card(card)
    model = spec.build()
    model.load_state_dict(torch.load(spec.weights_path, weights_only=True))
    assert card["parameters"] == sum(p.numel() for p in model.parameters())
    assert list(card["per_class_accuracy"]) == ["0", "1", "2", "3", "4"] and model.fc3.out_features == 5
    assert card["command"].startswith("python -m cnnviz.train --model lenet5-digits0-4")


def test_the_training_command_keeps_only_the_classes_a_model_learns(tmp_path):
    """lenet5-digits0-4 trains on the digits 0-4 of a data file, labelled 0-4, and nothing else."""
    rng = np.random.default_rng(0)
    path = tmp_path / "digits.npz"
    y_train, y_test = rng.integers(0, 10, 60).astype(np.uint8), rng.integers(0, 10, 30).astype(np.uint8)
    np.savez(path, x_train=rng.integers(0, 255, (60, 28, 28), dtype=np.uint8), y_train=y_train,
             x_test=rng.integers(0, 255, (30, 28, 28), dtype=np.uint8), y_test=y_test)
    arrays = train.load_npz(path, SOURCE_SPECS["lenet5-digits0-4"], None, None)
    assert arrays[1].tolist() == [int(y) for y in y_train if y < 5]
    assert arrays[3].tolist() == [int(y) for y in y_test if y < 5] and len(arrays[0]) == len(arrays[1])


def test_the_network_drawing_locks_exactly_the_frozen_layers():
    rows = []
    for way in transfer.WAYS:
        boxes, trainable, frozen = transfer.layer_boxes(replace(SMALL, way=way))
        rows.append((way, f"{trainable}", boxes))
    figure = network_figure(rows, {"frozen": "f", "tuned": "t", "new": "n", "base": "b", "classifier": "c"})
    locks = [s for s in figure["layout"]["shapes"] if s.get("fillcolor") == "#334155"]
    frozen = sum(box.state == "frozen" for _, _, boxes in rows for box in boxes)
    assert len(locks) == frozen + 1                 # and the legend's
    assert frozen == 2 + 1                          # extraction: conv1 and conv2; fine-tuning: conv1 (pooling has no weights)


# ---------------------------------------------------------------- ImageNet: both branches

def test_without_torchvision_the_resnet_path_says_so(monkeypatch):
    monkeypatch.setattr(imagenet, "_torchvision_models", lambda: None)
    assert imagenet.resnet18_status() == (imagenet.NO_TORCHVISION, "")
    imagenet.resnet18.cache_clear()
    with pytest.raises(InvalidInput) as caught:
        imagenet.resnet18_features(np.zeros((32, 32, 3), np.uint8))
    assert caught.value.key == "errors.transfer.no_torchvision"


class FakeResNet(nn.Module):
    """ResNet-18's outline: a convolutional base ending in global average pooling, then ``fc``."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 512, 7, stride=32)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(512, 1000)

    def forward(self, x):
        return self.fc(torch.flatten(self.avgpool(self.conv1(x)), 1))


def fake_models():
    weights = SimpleNamespace(url="https://download.pytorch.org/models/resnet18-f37072fd.pth",
                              meta={"categories": [f"class {k}" for k in range(1000)]})
    return SimpleNamespace(resnet18=FakeResNet, ResNet18_Weights=SimpleNamespace(IMAGENET1K_V1=weights))


def test_with_torchvision_it_runs_only_on_weights_already_cached(monkeypatch, tmp_path):
    models = fake_models()
    monkeypatch.setattr(imagenet, "_torchvision_models", lambda: models)
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    imagenet.resnet18.cache_clear()
    status, path = imagenet.resnet18_status()
    assert status == imagenet.NO_WEIGHTS and path == str(tmp_path / "checkpoints" / "resnet18-f37072fd.pth")
    with pytest.raises(InvalidInput):
        imagenet.resnet18_features(np.zeros((32, 32, 3), np.uint8))
    torch.manual_seed(0)
    reference = FakeResNet().eval()
    (tmp_path / "checkpoints").mkdir()
    torch.save(reference.state_dict(), path)
    assert imagenet.resnet18_status() == (imagenet.READY, path)
    picture = np.random.default_rng(0).integers(0, 256, (300, 400, 3), dtype=np.uint8)
    try:
        features = imagenet.resnet18_features(picture)
    finally:
        imagenet.resnet18.cache_clear()
    x = imagenet.prepare(picture)
    with torch.no_grad():
        vector = reference.avgpool(reference.conv1(x)).flatten(1)
        probabilities = torch.softmax(reference(x), dim=1)[0]
    np.testing.assert_allclose(features.vector, vector[0].numpy(), rtol=1e-5, atol=1e-6)
    best = torch.topk(probabilities, 5)
    assert [name for name, _ in features.top] == [f"class {int(k)}" for k in best.indices]
    np.testing.assert_allclose([p for _, p in features.top], best.values.numpy(), rtol=1e-5)
    assert features.picture.shape == (224, 224, 3) and features.picture.dtype == np.uint8


def test_imagenet_preprocessing_crops_the_centre_and_normalizes():
    grey = np.full((300, 500, 3), 128, np.uint8)
    x = imagenet.prepare(grey)
    assert x.shape == (1, 3, 224, 224)
    for channel, (mean, std) in enumerate(zip(imagenet.MEAN, imagenet.STD)):
        assert torch.allclose(x[0, channel], torch.tensor((128 / 255 - mean) / std), atol=1e-5)
    assert (imagenet.seen(x) == 128).all()                                # and back to the picture it read
    stripes = np.zeros((300, 500, 3), np.uint8)
    stripes[:, 250:] = 255                                                # the right half white: the centre crop
    seen = imagenet.seen(imagenet.prepare(stripes))                       # keeps the edge in its middle
    assert seen[:, :100].max() < 10 and seen[:, 124:].min() > 245
