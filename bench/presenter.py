"""Each lesson's rerun in presenter mode over a trivial page's, beside the same lesson's rerun as usual.

Presenter mode draws every figure larger (``cnnviz.presenter``); the larger figure is made once per
figure and kept beside it (``ui.common.CheckedFigure.presented``), so a rerun should cost what it
costs as usual. Measured as bench/pages.py does, in its first tab only, both modes in one run.
"""

from __future__ import annotations

import statistics

from bench.common import Measurement
from bench.pages import RATIO_TARGETS, interleaved_reruns, server_like_reruns, trivial_page
from tests.apptest import open_app
from ui.lessons import LESSONS


def run() -> list[Measurement]:
    with server_like_reruns():
        return _measure()


def _measure() -> list[Measurement]:
    floors: list[float] = []
    reruns: dict[str, dict[bool, float]] = {}
    with trivial_page() as trivial:
        for lesson in LESSONS:
            at = open_app("en", lesson.path)
            usual = interleaved_reruns(trivial, at, floors)
            at.query_params["present"] = "1"
            at.run()
            reruns[lesson.name] = {False: usual, True: interleaved_reruns(trivial, at, floors)}
    floor = statistics.median(floors)
    results = [Measurement("presenter", "trivial page rerun", floor, "ms",
                           detail=f"median of {len(floors)} medians, {min(floors):.1f}-{max(floors):.1f} ms")]
    for name, by_mode in reruns.items():
        results.append(Measurement("presenter", f"{name} presenter rerun / trivial", by_mode[True] / floor, "x",
                                   RATIO_TARGETS.get(name, 5.0),
                                   f"{by_mode[True]:.1f} ms; as usual {by_mode[False]:.1f} ms "
                                   f"({by_mode[False] / floor:.1f}x)"))
    return results
