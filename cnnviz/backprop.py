"""One training example, step by step: the loss, the gradients and one SGD update, with the real numbers.

For one image and its label this computes what a training step computes for
one kernel of the first convolution:

* cross-entropy: logits z, softmax y, one-hot target T, the terms -T_i log y_i
  and their sum L, and the gradient at the logits, dL/dz = y - T;
* that gradient carried back through the network to the kernel's output map,
  dL/dZ_k (as large as the map), by autograd;
* the kernel's gradient, which is itself a correlation: the padded input X_pad
  correlated with dL/dZ_k as the "kernel",
  dL/dW_k[i, j] = sum_{r,c} X_pad[r + i, c + j] * dL/dZ_k[r, c], and
  dL/db_k = sum dL/dZ_k. ``cnnviz.steps.conv_trace`` computes it, so every tap
  (i, j) comes with its window of X_pad, the products and their sum, in the
  format the convolution lesson animates;
* one SGD update W <- W - lr * dL/dW, before and after.

The caller's model is never changed: the gradients are taken with
``torch.autograd.grad`` with respect to copies made in the call, so the model
the app shares between sessions can be used as it is (eval mode, frozen
parameters, even inside ``torch.inference_mode()``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from cnnviz import ops
from cnnviz.errors import InvalidInput
from cnnviz.steps import ConvStep, ConvTrace, conv_trace


@dataclass(frozen=True)
class CrossEntropy:
    logits: np.ndarray           # z, (classes,)
    probabilities: np.ndarray    # y = softmax(z)
    target: np.ndarray           # T, one-hot
    terms: np.ndarray            # -T_i log y_i: zero but for the label's
    loss: float                  # L = sum of the terms = -log y_label
    logit_gradient: np.ndarray   # dL/dz = y - T


@dataclass(frozen=True)
class KernelGradient:
    index: int                   # which kernel of the first convolution
    padded_input: np.ndarray     # X_pad, the input with the convolution's padding
    output_gradient: np.ndarray  # dL/dZ_k: the gradient arriving at the kernel's output map
    weight_gradient: np.ndarray  # dL/dW_k = X_pad correlated with dL/dZ_k, (kh, kw)
    bias_gradient: float         # dL/db_k = sum of dL/dZ_k
    trace: ConvTrace             # that correlation tap by tap: one step per (i, j), row-major

    def tap(self, i: int, j: int) -> ConvStep:
        """Tap (i, j): its window X_pad[i:i+H, j:j+W] (``patch``), the products with dL/dZ_k, their sum."""
        kh, kw = self.weight_gradient.shape
        if not (0 <= i < kh and 0 <= j < kw):
            raise ValueError(f"The kernel is {kh}x{kw}: there is no tap ({i}, {j}).")
        return self.trace.steps[i * kw + j]


@dataclass(frozen=True)
class SgdUpdate:
    learning_rate: float
    weight_before: np.ndarray
    weight_gradient: np.ndarray
    weight_after: np.ndarray     # weight_before - learning_rate * weight_gradient
    bias_before: float
    bias_gradient: float
    bias_after: float


@dataclass(frozen=True)
class BackpropExample:
    label: int
    cross_entropy: CrossEntropy
    kernel: KernelGradient
    update: SgdUpdate


def cross_entropy(logits, label: int) -> CrossEntropy:
    """Softmax, one-hot target, loss terms and y - T for one example's logits (computed in float64)."""
    z = np.asarray(logits, dtype=np.float64).reshape(-1)
    _check_label(label, z.size)
    log_y = z - (z.max() + np.log(np.exp(z - z.max()).sum()))
    y = np.exp(log_y)
    target = np.zeros_like(z)
    target[label] = 1.0
    terms = np.where(target == 1.0, -log_y, 0.0)
    return CrossEntropy(z, y, target, terms, float(terms.sum()), y - target)


def backprop_example(model: nn.Sequential, image, label: int, kernel: int = 0,
                     learning_rate: float = 0.01) -> BackpropExample:
    """Loss, gradients and an SGD step for kernel ``kernel`` of the first layer of ``model``.

    ``model``: an ``nn.Sequential`` whose first layer is a one-channel ``nn.Conv2d``
    with stride 1 and a bias (both shipped networks). ``image``: the normalised
    input the network reads, (H, W) or (1, 1, H, W).
    """
    conv = _first_convolution(model)
    if isinstance(kernel, bool) or not isinstance(kernel, (int, np.integer)) or not 0 <= kernel < conv.out_channels:
        raise ValueError(f"The first layer has {conv.out_channels} kernels, numbered 0 to "
                         f"{conv.out_channels - 1}: there is no kernel {kernel}.")
    if not (isinstance(learning_rate, (int, float)) and math.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(f"The learning rate must be a number greater than 0 (got {learning_rate}).")
    kernel = int(kernel)
    weight = conv.weight.detach()
    x = torch.as_tensor(image, dtype=weight.dtype, device=weight.device)
    if x.dim() == 2:
        x = x[None, None]
    if x.dim() != 4 or x.shape[:2] != (1, 1):
        raise ValueError(f"The network reads one grayscale image, (H, W) or (1, 1, H, W); "
                         f"this one is {tuple(x.shape)}.")
    with torch.inference_mode(False), torch.enable_grad():
        x = x.clone()
        z = F.conv2d(x, weight.clone(), conv.bias.detach().clone(), padding=conv.padding).requires_grad_(True)
        logits = model[1:](z)
        if logits.dim() != 2 or logits.shape[0] != 1:
            raise ValueError(f"The network must end in one row of class scores; it gives {tuple(logits.shape)}.")
        loss = cross_entropy(logits[0].detach().cpu().numpy(), label)
        back = torch.as_tensor(loss.logit_gradient, dtype=logits.dtype, device=logits.device).reshape(logits.shape)
        (output_gradient,) = torch.autograd.grad(logits, z, grad_outputs=back)

    image_np = x[0].detach().cpu().numpy().astype(np.float64)
    _, _, pads, _ = ops.conv_geometry(image_np.shape, tuple(weight.shape), 1, conv.padding, 1)
    padded = ops.pad_input(image_np, pads)[0]
    dz = output_gradient[0, kernel].cpu().numpy().astype(np.float64)
    trace = conv_trace(padded, dz)
    gradient = trace.output
    bias_gradient = float(dz.sum())
    before = weight[kernel, 0].cpu().numpy().astype(np.float64)
    bias_before = float(conv.bias.detach()[kernel])
    rate = float(learning_rate)
    update = SgdUpdate(rate, before, gradient, before - rate * gradient,
                       bias_before, bias_gradient, bias_before - rate * bias_gradient)
    return BackpropExample(int(label), loss, KernelGradient(kernel, padded, dz, gradient, bias_gradient, trace), update)


def _check_label(label, classes: int) -> None:
    if isinstance(label, bool) or not isinstance(label, (int, np.integer)) or not 0 <= label < classes:
        raise InvalidInput("errors.models.class_index", index=label, count=classes)


def _first_convolution(model: nn.Sequential) -> nn.Conv2d:
    """The first layer, if it is a convolution whose weight gradient is one plain correlation."""
    conv = model[0] if isinstance(model, nn.Sequential) and len(model) else None
    if not isinstance(conv, nn.Conv2d) or conv.in_channels != 1 or conv.bias is None \
            or conv.stride != (1, 1) or conv.dilation != (1, 1) or conv.groups != 1 \
            or conv.padding_mode != "zeros":
        raise ValueError("The step-by-step backpropagation needs a network whose first layer is a one-channel "
                         "convolution with stride 1, no dilation, zero padding and a bias.")
    return conv
