"""Each lesson's AppTest rerun time over a trivial page's, measured in the same run."""

from __future__ import annotations

import tempfile
from pathlib import Path

from streamlit.testing.v1 import AppTest

from bench.common import Measurement, median_ms
from tests.apptest import open_app
from ui.lessons import LESSONS

TRIVIAL = 'import streamlit as st\nst.title("trivial")\nst.write("a trivial page")\n'


def rerun_ms(at: AppTest) -> float:
    return median_ms(lambda: at.run(), repeat=9, warmup=2)


def run() -> list[Measurement]:
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "trivial.py"
        script.write_text(TRIVIAL)
        trivial = AppTest.from_file(str(script), default_timeout=60)
        trivial.run()
        floor = rerun_ms(trivial)
    results = [Measurement("pages", "trivial page rerun", floor, "ms")]
    for lesson in LESSONS:
        at = open_app("en", lesson.path)
        ms = rerun_ms(at)
        results.append(Measurement("pages", f"{lesson.name} rerun / trivial", ms / floor, "x", 5.0,
                                   f"{ms:.1f} ms vs {floor:.1f} ms"))
    return results
