"""The architectures lesson: building and summarising a network once, and the page's cached rerun.

``python -m bench architectures``. The first figure is what a student waits for the first time anybody
on the server picks ResNet-50 (or changes its input size): the module built on the meta device and
walked layer by layer, measured in a fresh interpreter so that nothing is warm but the imports. The
second is the page's rerun over a trivial page's, in every tab, with ResNet-50 picked and a stage
opened (the largest diagram and table), as the pages suite measures every lesson.
"""

from __future__ import annotations

import statistics
import subprocess
import sys

from bench.common import Measurement
from bench.pages import interleaved_reruns, server_like_reruns, trivial_page
from tests.apptest import choose_tab, open_app

FIRST_CALL = """
import time, torch
from cnnviz.models.anatomy import anatomy
start = time.perf_counter()
found = anatomy("{network}")
print((time.perf_counter() - start) * 1000, found.parameters)
"""
FRESH_RUNS = 5


def first_call_ms(network: str) -> tuple[float, list[float]]:
    """The median over FRESH_RUNS fresh interpreters of one ``anatomy(network)`` call, and every reading."""
    readings = []
    for _ in range(FRESH_RUNS):
        out = subprocess.run([sys.executable, "-c", FIRST_CALL.format(network=network)], capture_output=True,
                             text=True, check=True).stdout.split()
        readings.append(float(out[0]))
    return statistics.median(readings), readings


def run() -> list[Measurement]:
    first, readings = first_call_ms("resnet50")
    results = [Measurement("architectures", "ResNet-50 built and summarised, first call", first, "ms", 500.0,
                           "fresh interpreter each time: " + ", ".join(f"{r:.0f}" for r in readings) + " ms")]
    with server_like_reruns(), trivial_page() as trivial:
        at = open_app("en", "pages/architectures.py")
        at.selectbox(key="arch_network").set_value("resnet50").run()
        at.session_state["arch_expand_resnet50"] = ["layer2"]
        at.run()
        floors: list[float] = []
        reruns = {}
        for tab in at.tabs:
            label = tab.label
            choose_tab(at, "architectures", label)
            reruns[label] = interleaved_reruns(trivial, at, floors)
    floor = statistics.median(floors)
    slowest = max(reruns.values())
    results.append(Measurement("architectures", "page rerun / trivial (ResNet-50, a stage open)", slowest / floor, "x",
                               5.0, f"{slowest:.1f} ms vs {floor:.1f} ms; by tab: "
                               + ", ".join(f"{label} {ms / floor:.1f}x" for label, ms in reruns.items())))
    return results
