"""Device choice: CUDA, then MPS, then CPU; CNNVIZ_DEVICE overrides; the badge names the GPU."""

import torch

from cnnviz import device


def test_override_wins(monkeypatch):
    monkeypatch.setenv("CNNVIZ_DEVICE", "cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert device.choose_device() == torch.device("cpu")


def test_cuda_first_then_cpu(monkeypatch):
    monkeypatch.delenv("CNNVIZ_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert device.choose_device().type == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert device.choose_device() == torch.device("cpu")


def test_badge_text(monkeypatch):
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda _: "NVIDIA H100 80GB HBM3")
    assert device.describe(torch.device("cuda")) == "NVIDIA H100 80GB HBM3"
    assert device.describe(torch.device("cpu")) == "CPU"
