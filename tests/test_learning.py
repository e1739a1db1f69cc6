"""The training lesson's core: configs, networks, initializations, the step-wise trainer and its loop."""

import json
import math
import time
from dataclasses import replace

import numpy as np
import pytest
import torch
from torch import nn

from cnnviz import learning
from cnnviz.errors import InvalidInput
from cnnviz.learning import Snapshot, TrainConfig, Trainer
from cnnviz.models import architectures

# Small and quick: 200 images, a handful of steps.
SMALL = TrainConfig(train_images=200, batch_size=32, steps=6, eval_every=3)


@pytest.fixture(autouse=True)
def one_thread():
    """One torch thread, as the lesson's pool runs a run (and quicker on a busy machine)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def collect(config: TrainConfig, **kwargs) -> list[Snapshot]:
    snapshots = []
    learning.run(config, snapshots.append, device="cpu", **kwargs)
    return snapshots


BAD = {
    "model": ("lenet", "errors.training.unknown_model"),
    "dataset": ("cifar10", "errors.training.unknown_dataset"),
    "activation": ("softplus", "errors.training.unknown_activation"),
    "pooling": ("median", "errors.training.unknown_pooling"),
    "init": ("xavier", "errors.training.unknown_init"),
    "optimizer": ("rmsprop", "errors.training.unknown_optimizer"),
    "lr": (0.0, "errors.training.learning_rate"),
    "batch_size": (0, "errors.training.batch_size"),
    "train_images": (99, "errors.training.train_images"),
    "augment": ("yes", "errors.training.augment"),
    "refresh_seconds": (0.0, "errors.training.refresh_seconds"),
    "seed": (-1, "errors.training.seed"),
    "steps": (0, "errors.training.steps"),
    "eval_every": (7, "errors.training.eval_every"),     # longer than SMALL's 6 steps
}
MORE_BAD = [("lr", float("nan")), ("lr", 11.0), ("lr", True), ("lr", "0.1"), ("batch_size", 201),
            ("batch_size", 2.0), ("train_images", 12_001), ("steps", 100_001), ("seed", 1.5), ("model", None)]


@pytest.mark.parametrize("field", BAD)
def test_impossible_settings_are_refused_in_both_languages(field):
    value, key = BAD[field]
    with pytest.raises(ValueError) as caught:
        replace(SMALL, **{field: value})
    error = caught.value
    assert isinstance(error, InvalidInput) and error.key == key
    english, korean = error.localized("en"), error.localized("ko")
    assert str(error) == english and english.endswith(".") and "{" not in english
    assert korean != english and "{" not in korean and str(value) in korean


@pytest.mark.parametrize("field, value", MORE_BAD)
def test_more_impossible_settings(field, value):
    with pytest.raises(InvalidInput, match="."):
        replace(SMALL, **{field: value})


def test_korean_messages_use_the_course_words():
    words = {"lr": "학습률", "batch_size": "배치 크기", "init": "초기화", "activation": "활성화 함수", "pooling": "풀링"}
    for field, word in words.items():
        with pytest.raises(InvalidInput) as caught:
            replace(SMALL, **{field: BAD[field][0]})
        assert word in caught.value.localized("ko")


def test_fashion_mnist_has_fewer_training_images():
    TrainConfig(dataset="mnist", train_images=12_000)
    with pytest.raises(InvalidInput, match="9,000"):
        TrainConfig(dataset="fashion-mnist", train_images=12_000)


@pytest.mark.parametrize("activation", architectures.ACTIVATIONS)
@pytest.mark.parametrize("pooling", architectures.POOLINGS)
@pytest.mark.parametrize("model", learning.MODELS)
def test_each_activation_and_pooling_builds_its_layers(model, activation, pooling):
    config = TrainConfig(model=model, activation=activation, pooling=pooling)
    network = learning.build_model(config, torch.Generator().manual_seed(0))
    kinds = [type(layer) for layer in network]
    assert architectures.ACTIVATIONS[activation] in kinds and architectures.POOLINGS[pooling] in kinds
    others = set(architectures.ACTIVATIONS.values()) - {architectures.ACTIVATIONS[activation]}
    assert not others & set(kinds)
    assert all(name.startswith(activation) for name, layer in network.named_children()
               if isinstance(layer, architectures.ACTIVATIONS[activation]))
    assert network(torch.zeros(2, 1, 28, 28)).shape == (2, 10)


def test_the_shipped_layer_names_stay():
    names = [name for name, _ in architectures.lenet5().named_children()]
    assert names == ["conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "flatten", "fc1", "relu3", "fc2",
                     "relu4", "fc3"]
    assert "max_pool_2" in dict(architectures.tiny_vgg().named_children())


def weights(init: str) -> dict[str, nn.Module]:
    network = learning.build_model(replace(SMALL, init=init), torch.Generator().manual_seed(1))
    return {name: layer for name, layer in network.named_children() if isinstance(layer, (nn.Conv2d, nn.Linear))}


@pytest.mark.parametrize("init, std", [("he", lambda fan_in: math.sqrt(2 / fan_in)),
                                       ("default", lambda fan_in: 1 / math.sqrt(3 * fan_in)),
                                       ("normal_0.01", lambda fan_in: 0.01), ("normal_1", lambda fan_in: 1.0)])
def test_each_initialization_has_its_spread(init, std):
    for name, layer in weights(init).items():
        fan_in = layer.weight[0].numel()
        w = layer.weight.detach()
        if w.numel() >= 2000:       # enough weights for a close estimate
            assert w.std().item() == pytest.approx(std(fan_in), rel=0.05), name
            assert abs(w.mean().item()) < 0.1 * std(fan_in), name
        bias = layer.bias.detach()
        if init == "default":
            assert bias.abs().max() <= 1 / math.sqrt(fan_in) and bias.abs().max() > 0
        else:
            assert not bias.any()


def test_zero_initialization_is_all_zero():
    for layer in weights("zeros").values():
        assert not layer.weight.any() and not layer.bias.any()


def test_initialization_follows_the_seed_only():
    torch.manual_seed(0)
    a = weights("he")["conv1"].weight
    torch.manual_seed(123)          # torch's global generator plays no part
    b = weights("he")["conv1"].weight
    assert torch.equal(a, b)
    other = learning.build_model(SMALL, torch.Generator().manual_seed(2))
    assert not torch.equal(a, other.conv1.weight)


def test_the_untrained_network_starts_at_the_loss_of_a_uniform_guess():
    assert learning.CHANCE_LOSS == pytest.approx(2.302585)
    trainer = Trainer(replace(SMALL, init="default"), "cpu")
    assert trainer.step() == pytest.approx(learning.CHANCE_LOSS, abs=0.05)


def test_a_few_steps_give_snapshots_of_everything_the_lesson_draws():
    snapshots = collect(SMALL)
    assert [s.step for s in snapshots] == [0, 3, 6]
    first, last = snapshots[0], snapshots[-1]
    assert first.loss is None and first.train_accuracy is None and first.grad_norms == {}
    assert last.loss > 0 and 0 <= last.train_accuracy <= 1 and not last.diverged
    assert set(last.grad_norms) == {"conv1", "conv2", "fc1", "fc2", "fc3"}
    assert all(value > 0 for value in last.grad_norms.values())
    assert last.kernels.shape == (6, 5, 5) and last.kernels.dtype == np.float32
    assert not np.array_equal(first.kernels, last.kernels)
    assert last.confusion.shape == (10, 10) and last.confusion.sum() == 2000
    assert (last.confusion.sum(axis=1) == 200).all()
    assert last.test_accuracy == np.trace(last.confusion) / 2000


def test_same_seed_same_run_bit_for_bit():
    config = replace(SMALL, augment=learning.SHIFTS, optimizer="momentum", lr=0.05, steps=4, eval_every=4)
    a, b = collect(config), collect(config)
    assert [s.to_dict() for s in a] == [s.to_dict() for s in b]
    c = collect(replace(config, seed=1))
    assert c[-1].to_dict() != a[-1].to_dict()


def test_tiny_vgg_on_fashion_mnist():
    snapshots = collect(TrainConfig(model="tinyvgg", dataset="fashion-mnist", optimizer="sgd", lr=0.05,
                                    train_images=100, batch_size=16, steps=2, eval_every=2))
    assert snapshots[-1].kernels.shape == (16, 3, 3)
    assert set(snapshots[-1].grad_norms) == {"conv_1_1", "conv_1_2", "conv_2_1", "conv_2_2", "output"}


def test_zero_initialization_never_learns():
    snapshot = collect(replace(SMALL, init="zeros"))[-1]
    assert not snapshot.kernels.any() and snapshot.grad_norms["conv1"] == 0
    assert snapshot.test_accuracy == 0.1       # one class for every image


def test_should_stop_stops_before_the_next_step():
    asked = []

    def should_stop():
        asked.append(1)
        return len(asked) > 3

    snapshots = collect(replace(SMALL, eval_every=1), should_stop=should_stop)
    assert [s.step for s in snapshots] == [0, 1, 2, 3]


def test_a_diverging_run_stops_and_says_so():
    config = replace(SMALL, init="normal_1", optimizer="sgd", lr=10.0, steps=50, eval_every=25)
    snapshots = collect(config)
    last = snapshots[-1]
    assert last.diverged and last.step < 25
    assert last.loss is None or not math.isfinite(last.loss)
    line = json.dumps(learning.json_safe(last.to_dict()), allow_nan=False)     # NaN becomes null
    assert json.loads(line)["diverged"] is True


def test_snapshots_round_trip_through_dicts():
    snapshot = collect(replace(SMALL, steps=3))[-1]
    again = Snapshot.from_dict(json.loads(json.dumps(snapshot.to_dict())))
    assert again.to_dict() == snapshot.to_dict()
    rounded = learning.json_safe({"x": [1.23456789, float("inf")], "n": 3}, 3)
    assert rounded == {"x": [1.23, None], "n": 3}


def test_predict_a_drawing():
    trainer = Trainer(SMALL, "cpu")
    drawing = np.full((200, 200), 255, np.uint8)
    drawing[40:160, 95:105] = 0         # a dark "1" on white paper
    for image in (drawing, np.zeros((28, 28), np.uint8)):
        probabilities = trainer.predict(image)
        assert probabilities.shape == (10,) and probabilities.sum() == pytest.approx(1)
    assert isinstance(trainer.model, nn.Sequential)


def test_the_device_is_chosen_or_given(monkeypatch):
    monkeypatch.setenv("CNNVIZ_DEVICE", "cpu")
    assert Trainer(SMALL).device == torch.device("cpu")
    assert Trainer(SMALL, "cpu").model.conv1.weight.device.type == "cpu"


def test_a_live_run_glances_between_tests_and_tests_on_schedule(monkeypatch):
    """With refresh_seconds, quick snapshots come between the tests: their loss, kernels and gradients are new,
    their test figures the last test's; the tests still fall every eval_every steps."""
    config = replace(SMALL, steps=12, eval_every=6, refresh_seconds=0.05)
    step = Trainer.step

    def slow_step(self):                 # a step slower than the refresh, so that every gap has a glance
        time.sleep(0.06)
        return step(self)

    monkeypatch.setattr(Trainer, "step", slow_step)
    snapshots = collect(config)
    assert [s.step for s in snapshots if s.tested] == [0, 6, 12]
    glances = [s for s in snapshots if not s.tested]
    assert glances and all(s.loss is not None for s in glances)
    for glance in glances:
        last = max((s for s in snapshots if s.tested and s.step < glance.step), key=lambda s: s.step)
        assert glance.test_accuracy == last.test_accuracy and np.array_equal(glance.confusion, last.confusion)
    assert not np.array_equal(glances[0].kernels, snapshots[0].kernels)     # the kernels are the current ones
