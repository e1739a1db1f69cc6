"""The trained-network lesson: inference, first load and the page's rerun.

``python -m bench.models`` prints a table and writes bench/results-models.json
(``python -m bench models`` runs it with the other suites). Inference runs on
one torch thread, as the app runs it (see ui/model_input.load_model).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import torch

from bench.common import Measurement, median_ms, report
from bench.pages import rerun_ms, server_like_reruns, trivial_rerun_ms
from tests.apptest import open_app

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).with_name("results-models.json")

FIRST_LOAD = """
import json, time
t0 = time.perf_counter()
import numpy
import torch
from cnnviz import models
t1 = time.perf_counter()
model = models.load("{name}")
t2 = time.perf_counter()
model.feature_maps(numpy.zeros((28, 28), numpy.uint8))
t3 = time.perf_counter()
print(json.dumps({{"import": t1 - t0, "load": t2 - t1, "first_call": t3 - t2}}))
"""


def first_load(name: str) -> dict:
    """Seconds for a fresh process to import, load ``name`` and answer its first call (median of 3)."""
    runs = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", FIRST_LOAD.format(name=name)], cwd=ROOT, check=True,
                             capture_output=True, text=True, env={**os.environ, "CNNVIZ_DEVICE": "cpu"}).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    return {key: sorted(run[key] for run in runs)[1] for key in runs[0]}


def inference() -> list[Measurement]:
    from cnnviz import models
    from cnnviz.models.samples import samples_for

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        results = []
        for name in models.available():
            model = models.load(name, device="cpu")
            image = samples_for(name)[0].image
            both = median_ms(lambda: (model.predict(image[None]), model.feature_maps(image)), repeat=51, warmup=5)
            cam = median_ms(lambda: model.grad_cam(image), repeat=51, warmup=5)
            target = 30.0 if name == "tinyvgg-fashion-mnist" else None
            results.append(Measurement("models", f"{name}: predict + all feature maps, one image", both, "ms",
                                       target, "CPU, 1 torch thread, a 112x112 colour sample"))
            results.append(Measurement("models", f"{name}: Grad-CAM, one image", cam, "ms"))
    finally:
        torch.set_num_threads(threads)
    return results


def loading() -> list[Measurement]:
    results = []
    for name in ("lenet5-mnist", "tinyvgg-fashion-mnist"):
        seconds = first_load(name)
        results.append(Measurement("models", f"{name}: first load in a fresh process", seconds["load"] * 1000,
                                   "ms", 2000.0, f"after importing torch and cnnviz ({seconds['import']:.2f} s); "
                                   f"first call {seconds['first_call'] * 1000:.0f} ms"))
    return results


def page_rerun() -> list[Measurement]:
    """The lesson's AppTest rerun against a trivial page's, run as the server runs them (see bench.pages)."""
    with server_like_reruns():
        floor = trivial_rerun_ms()
        results = [Measurement("models", "trivial page rerun", floor, "ms")]
        for name in ("lenet5-mnist", "tinyvgg-fashion-mnist"):
            at = open_app("en", "pages/feature_maps.py")
            at.selectbox(key="model").set_value(name).run()
            ms = rerun_ms(at)
            results.append(Measurement("models", f"feature_maps page rerun, {name}", ms, "ms", 150.0,
                                       f"{ms / floor:.1f}x the trivial page's {floor:.1f} ms"))
    return results


def run() -> list[Measurement]:
    return inference() + loading() + page_rerun()


if __name__ == "__main__":
    sys.exit(0 if report(run(), RESULTS) else 1)
