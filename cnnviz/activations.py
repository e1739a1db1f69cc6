"""Activation functions with their derivatives, for the lesson on why ReLU replaced the sigmoid."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from cnnviz import ops
from cnnviz.errors import InvalidInput
from cnnviz.kernels import named_kernel


@dataclass(frozen=True)
class Activation:
    name: str
    function: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]
    max_derivative: float        # the steepest it ever gets: what a gradient is multiplied by, at best


def _sigmoid_derivative(x):
    s = ops.sigmoid(x)
    return s * (1 - s)


def _step(x, below: float) -> np.ndarray:
    """1 where x > 0, ``below`` elsewhere: the derivative of ReLU (below 0) and leaky ReLU (below the slope)."""
    return np.where(np.asarray(x, dtype=float) > 0, 1.0, below)


def activations(slope: float = 0.01) -> dict[str, Activation]:
    """ReLU, leaky ReLU (with ``slope``), sigmoid and tanh. Derivatives at 0 follow PyTorch's autograd."""
    return {
        "relu": Activation("relu", ops.relu, lambda x: _step(x, 0.0), 1.0),
        "leaky_relu": Activation("leaky_relu", lambda x: ops.leaky_relu(x, slope), lambda x: _step(x, slope), 1.0),
        "sigmoid": Activation("sigmoid", ops.sigmoid, _sigmoid_derivative, 0.25),
        "tanh": Activation("tanh", ops.tanh, lambda x: 1 - ops.tanh(x) ** 2, 1.0),
    }


def gradient_through_layers(name: str, depth: int) -> float:
    """The most a gradient keeps after ``depth`` layers of this activation: max_derivative ** depth."""
    if depth < 1:
        raise InvalidInput("errors.at_least_one", name="depth", value=depth)
    return activations()[name].max_derivative ** depth


def softmax_with_temperature(logits, temperature: float = 1.0) -> np.ndarray:
    """softmax(z / T): T > 1 flattens the probabilities, T < 1 sharpens them towards the largest logit."""
    return softmax_steps(logits, temperature).probabilities


@dataclass(frozen=True)
class SoftmaxSteps:
    """Softmax worked out column by column, as a student would on paper."""
    logits: np.ndarray
    temperature: float
    scaled: np.ndarray         # z / T
    exponentials: np.ndarray   # e^(z/T - max): shifted by the largest, which cancels in the division
    probabilities: np.ndarray  # exponentials / their sum

    @property
    def total(self) -> float:
        return float(self.exponentials.sum())


def softmax_steps(logits, temperature: float = 1.0) -> SoftmaxSteps:
    """The logits divided by the temperature, their exponentials and the probabilities."""
    if not temperature > 0:
        raise InvalidInput("errors.temperature", value=temperature)
    z = np.asarray(logits, dtype=float).reshape(-1)
    if z.size == 0:
        raise InvalidInput("errors.layers.no_logits")
    with np.errstate(over="ignore"):
        scaled = z / temperature
    if not np.isfinite(scaled).all():
        raise InvalidInput("errors.layers.logits_finite")
    probabilities = ops.softmax(scaled)
    exponentials = np.exp(scaled - scaled.max())
    return SoftmaxSteps(z, float(temperature), scaled, exponentials, probabilities)


def sobel_response(gray) -> np.ndarray:
    """A grey uint8 picture (scaled to 0..1) through the Sobel x kernel, same padding: a feature map with
    positive values where the picture gets darker to the right and negative where it gets brighter."""
    return ops.conv2d(np.asarray(gray, dtype=float) / 255, named_kernel("sobel_x"), padding="same")


def edge_patch(feature_map: np.ndarray, size: int = 6) -> tuple[int, int]:
    """The top-left corner of the ``size`` x ``size`` patch with the strongest positive and negative values
    together: where an activation function visibly changes numbers."""
    feature_map = np.asarray(feature_map, dtype=float)
    size = min(size, *feature_map.shape)
    both = np.minimum(ops.avg_pool2d(ops.relu(feature_map), size, 1), ops.avg_pool2d(ops.relu(-feature_map), size, 1))
    row, col = np.unravel_index(int(np.argmax(both)), both.shape)
    return int(row), int(col)
