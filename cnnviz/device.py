"""Which device torch computes on: CUDA, then Apple MPS, then the CPU.

``CNNVIZ_DEVICE`` (e.g. ``cpu`` or ``cuda:1``) overrides the choice, so a
teacher can keep a shared GPU free or test the CPU path on a GPU machine.
"""

from __future__ import annotations

import os

import torch


def choose_device() -> torch.device:
    override = os.environ.get("CNNVIZ_DEVICE", "").strip()
    if override:
        return torch.device(override)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def describe(device: torch.device) -> str:
    """A short name for the badge: the GPU's model, "Apple GPU (MPS)", or "CPU"."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    if device.type == "mps":
        return "Apple GPU (MPS)"
    return "CPU"
