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
from tests.apptest import open_app
from ui.lessons import LESSONS

TRIVIAL = 'import streamlit as st\nst.title("trivial")\nst.write("a trivial page")\n'
# Lessons whose rerun is held to another target elsewhere: the trained network's page runs a
# 12-layer forward pass and sends a dozen images per rerun; bench.models holds it to 150 ms.
RATIO_TARGETS = {"feature_maps": None}


def rerun_ms(at: AppTest) -> float:
    return median_ms(lambda: at.run(), repeat=9, warmup=2)


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


def trivial_rerun_ms() -> float:
    """The floor: a trivial page's median rerun."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "trivial.py"
        script.write_text(TRIVIAL)
        trivial = AppTest.from_file(str(script), default_timeout=60)
        trivial.run()
        return rerun_ms(trivial)


def run() -> list[Measurement]:
    with server_like_reruns():
        return _measure()


def _measure() -> list[Measurement]:
    floor = trivial_rerun_ms()
    results = [Measurement("pages", "trivial page rerun", floor, "ms")]
    for lesson in LESSONS:
        at = open_app("en", lesson.path)
        ms = rerun_ms(at)
        results.append(Measurement("pages", f"{lesson.name} rerun / trivial", ms / floor, "x",
                                   RATIO_TARGETS.get(lesson.name, 5.0),
                                   f"{ms:.1f} ms vs {floor:.1f} ms"))
    return results
