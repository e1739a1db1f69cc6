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
from tests.apptest import choose_tab, open_app
from ui.lessons import LESSONS

TRIVIAL = 'import streamlit as st\nst.title("trivial")\nst.write("a trivial page")\n'
# Lessons whose rerun is held to another target elsewhere: the trained network's page runs a
# 12-layer forward pass and sends a dozen images per rerun; bench.models holds it to 150 ms.
RATIO_TARGETS = {"feature_maps": None}


ROUNDS = 5


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


def paired_reruns(trivial: AppTest, at: AppTest) -> tuple[float, float, float]:
    """(the median of the lesson's rerun over the trivial page's, the lesson's median ms, the floor's median ms),
    over ROUNDS rounds that each measure the trivial page right before the lesson.

    The machine's speed drifts over seconds (within one run the floor has moved
    between 2.7 and 5.9 ms), so a ratio of neighbours is steadier than a ratio
    against one floor for the whole run.
    """
    pairs = [(rerun_ms(trivial), rerun_ms(at)) for _ in range(ROUNDS)]
    return (statistics.median(ms / floor for floor, ms in pairs), statistics.median(ms for _, ms in pairs),
            statistics.median(floor for floor, _ in pairs))


def lesson_reruns(trivial: AppTest, lesson) -> dict[str, tuple[float, float, float]]:
    """``paired_reruns`` for the lesson in each of its section tabs (only the open one is drawn), or as it
    opens when it has none; keyed by the tab's label ("" for a lesson without tabs)."""
    at = open_app("en", lesson.path)
    labels = [tab.label for tab in at.tabs]
    if not labels:
        return {"": paired_reruns(trivial, at)}
    reruns = {}
    for label in labels:
        choose_tab(at, lesson.name, label)
        reruns[label] = paired_reruns(trivial, at)
    return reruns


def _measure() -> list[Measurement]:
    """A lesson with section tabs is measured in each of them, and its slowest tab is its figure."""
    with trivial_page() as trivial:
        lessons = {lesson.name: lesson_reruns(trivial, lesson) for lesson in LESSONS}
    floors = [floor for reruns in lessons.values() for _, _, floor in reruns.values()]
    results = [Measurement("pages", "trivial page rerun", statistics.median(floors), "ms",
                           detail=f"median of {len(floors)} medians, {min(floors):.1f}-{max(floors):.1f} ms")]
    for name, reruns in lessons.items():
        slowest = max(reruns, key=lambda label: reruns[label][0])
        ratio, ms, floor = reruns[slowest]
        detail = f"{ms:.1f} ms vs {floor:.1f} ms"
        if len(reruns) > 1:
            detail += "; by tab: " + ", ".join(f"{label} {r:.1f}x" for label, (r, _, _) in reruns.items())
        results.append(Measurement("pages", f"{name} rerun / trivial", ratio, "x", RATIO_TARGETS.get(name, 5.0),
                                   detail))
    return results
