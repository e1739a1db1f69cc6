"""The shipped weights on the official test sets (needs ../shared/data; skipped without it)."""

import pytest

from cnnviz import models
from tests.models_support import dataset

TARGETS = {"lenet5-mnist": ("mnist", 0.992), "tinyvgg-fashion-mnist": ("fashion_mnist", 0.915)}


@pytest.mark.parametrize("name", TARGETS)
def test_shipped_weights_reach_their_accuracy(name):
    file, target = TARGETS[name]
    data = dataset(file)
    x, y = data["x_test"], data["y_test"]
    assert len(x) == 10_000
    model = models.load(name, device="cpu")
    accuracy = float((model.predict(x, invert=False).argmax(axis=1) == y).mean())
    assert accuracy >= target, f"{name}: {accuracy:.4f} < {target}"
    # The model card reports what the shipped weights really do.
    assert abs(accuracy - model.card["test_accuracy"]) <= 0.0005
    assert model.card["test_images"] == 10_000
