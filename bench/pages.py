"""Each lesson's AppTest rerun time over a trivial page's, measured in the same run.

AppTest compiles the scripts again on every run (a fresh ScriptCache each
time), which the real server does once per process; that compile grows with
a page's length and would dominate the figure. The bench keeps one cache
across runs, for the trivial page and the lessons alike, so it measures what
a student's rerun costs on the server.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from unittest import mock

import streamlit.testing.v1.app_test as app_test_module
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


def shared_script_cache():
    """Patch AppTest to keep one script cache across runs, as the server does (see above)."""
    shared = ScriptCache()
    return mock.patch.object(app_test_module, "ScriptCache", lambda: shared)


def trivial_rerun_ms() -> float:
    """The floor: a trivial page's median rerun."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "trivial.py"
        script.write_text(TRIVIAL)
        trivial = AppTest.from_file(str(script), default_timeout=60)
        trivial.run()
        return rerun_ms(trivial)


def run() -> list[Measurement]:
    with shared_script_cache():
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
