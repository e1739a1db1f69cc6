"""Each lesson's AppTest rerun time over a trivial page's, measured in the same run.

AppTest does two things on every run that the real server does once per
process, and whose cost grows with the app rather than with the lesson:
it compiles the scripts again (a fresh ScriptCache for the pages and another
for app.py), and it decides again whether the app uses the legacy ``pages/``
folder, so every run first goes through Streamlit's folder-mode router. The
server compiles each script once, and app.py's ``st.navigation`` switches the
folder mode off for good on its first run. The bench does the same for the
trivial page and the lessons alike, so it measures what a student's rerun
costs on the server.
"""

from __future__ import annotations

import statistics
import tempfile
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import streamlit.testing.v1.app_test as app_test_module
import streamlit.testing.v1.local_script_runner as local_runner_module
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest

from bench.common import Measurement, median_ms
from tests.apptest import APP, choose_tab, open_app
from ui.lessons import LESSONS

TRIVIAL = 'import streamlit as st\nst.title("trivial")\nst.write("a trivial page")\n'
# Lessons whose rerun is held to another target elsewhere: the trained network's page runs a
# 12-layer forward pass and sends a dozen images per rerun; bench.models holds it to 150 ms.
RATIO_TARGETS = {"feature_maps": None}


ROUNDS = 5
# Lessons opened from a shared link (ui/links.py): settings, an open tab and a typed-in kernel in the URL.
LINKS = {
    "convolution": {"kernel_preset": "sobel_y", "stride": "2", "padding": "same", "rows": "9", "tab": "size",
                    "kernel": "1_2_0~0_-1_0.5~3_0_-2"},
    "pooling": {"pool_mode": "avg", "pool_side": "10", "pool_window": "3", "pool_step": "4"},
    "channels": {"channel_filter": "only_red", "channel_bias": "0.5", "tab": "filter"},
}


def rerun_ms(at: AppTest) -> float:
    return median_ms(lambda: at.run(), repeat=15, warmup=2)


@contextmanager
def server_like_reruns():
    """Patch AppTest to compile once and route as the server does after its first run (see above)."""
    shared = ScriptCache()
    decide_folder_mode = PagesManager.__init__

    def navigation_router(manager, *args, **kwargs):
        decide_folder_mode(manager, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    with mock.patch.object(app_test_module, "ScriptCache", lambda: shared), \
            mock.patch.object(local_runner_module, "ScriptCache", lambda: shared), \
            mock.patch.object(PagesManager, "__init__", navigation_router):
        yield


@contextmanager
def trivial_page():
    """An AppTest of a trivial page (a title and a line), run once."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "trivial.py"
        script.write_text(TRIVIAL)
        trivial = AppTest.from_file(str(script), default_timeout=60)
        trivial.run()
        yield trivial


def trivial_rerun_ms() -> float:
    """The floor: a trivial page's median rerun."""
    with trivial_page() as trivial:
        return rerun_ms(trivial)


def run() -> list[Measurement]:
    with server_like_reruns():
        return _measure()


def interleaved_reruns(trivial: AppTest, at: AppTest, floors: list[float]) -> float:
    """The lesson's median rerun over ROUNDS rounds, each after a measurement of the trivial page (added to
    ``floors``): the floor is sampled all through the run, beside every lesson and tab."""
    reruns = []
    for _ in range(ROUNDS):
        floors.append(rerun_ms(trivial))
        reruns.append(rerun_ms(at))
    return statistics.median(reruns)


def lesson_reruns(trivial: AppTest, lesson, floors: list[float]) -> dict[str, float]:
    """``interleaved_reruns`` for the lesson in each of its section tabs (only the open one is drawn), or as it
    opens when it has none; keyed by the tab's label ("" for a lesson without tabs)."""
    at = open_app("en", lesson.path)
    labels = [tab.label for tab in at.tabs]
    if not labels:
        return {"": interleaved_reruns(trivial, at, floors)}
    reruns = {}
    for label in labels:
        choose_tab(at, lesson.name, label)
        reruns[label] = interleaved_reruns(trivial, at, floors)
    return reruns


def linked_reruns(trivial: AppTest, floors: list[float]) -> dict[str, float]:
    """``interleaved_reruns`` of each lesson in LINKS as a fresh browser opens it from its link."""
    reruns = {}
    for name, query in LINKS.items():
        at = AppTest.from_file(APP, default_timeout=60)
        for key, value in {"lang": "en", **query}.items():
            at.query_params[key] = value
        at.switch_page(f"pages/{name}.py").run()
        assert not at.exception and not at.toast, f"{name}: the link did not open cleanly"
        reruns[name] = interleaved_reruns(trivial, at, floors)
    return reruns


def _measure() -> list[Measurement]:
    """Each lesson's median rerun over the median of every floor measurement in the run. The floor is
    sampled all through the run because it moves with what ran before it (between 2.7 and 5.9 ms within
    one run), and a lesson with section tabs is measured in each of them, its slowest tab its figure."""
    floors: list[float] = []
    with trivial_page() as trivial:
        lessons = {lesson.name: lesson_reruns(trivial, lesson, floors) for lesson in LESSONS}
        linked = linked_reruns(trivial, floors)
    floor = statistics.median(floors)
    results = [Measurement("pages", "trivial page rerun", floor, "ms",
                           detail=f"median of {len(floors)} medians, {min(floors):.1f}-{max(floors):.1f} ms")]
    for name, reruns in lessons.items():
        slowest = max(reruns.values())
        detail = f"{slowest:.1f} ms vs {floor:.1f} ms"
        if len(reruns) > 1:
            detail += "; by tab: " + ", ".join(f"{label} {ms / floor:.1f}x" for label, ms in reruns.items())
        results.append(Measurement("pages", f"{name} rerun / trivial", slowest / floor, "x",
                                   RATIO_TARGETS.get(name, 5.0), detail))
    for name, ms in linked.items():
        usual = max(lessons[name].values()) / floor
        results.append(Measurement("pages", f"{name} opened from a link rerun / trivial", ms / floor, "x", 5.0,
                                   f"{ms:.1f} ms; the lesson's usual slowest tab {usual:.1f}x"))
    return results
