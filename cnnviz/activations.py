"""Activation functions with their derivatives, for the lesson on why ReLU replaced the sigmoid."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from cnnviz import ops
from cnnviz.errors import InvalidInput


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
    if not temperature > 0:
        raise InvalidInput("errors.temperature", value=temperature)
    return ops.softmax(np.asarray(logits, dtype=float) / temperature)
