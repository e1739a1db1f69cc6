"""Which device torch computes on: CUDA, then Apple MPS, then the CPU.

``CNNVIZ_DEVICE`` (e.g. ``cpu`` or ``cuda:1``) overrides the choice, so a
teacher can keep a shared GPU free or test the CPU path on a GPU machine.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

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


@contextmanager
def torch_threads(count: int):
    """torch's CPU threads set to ``count`` inside the block (a run's numbers depend on it), as before after it."""
    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)
