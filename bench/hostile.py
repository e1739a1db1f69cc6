"""What a hostile client costs the server: ``python -m bench.hostile``.

A paste of 10,000 rows into the softmax logits editor, sent as a client sends it
(the edits as JSON, in one rerun over the websocket). Streamlit used to apply
such rows itself, ~10 ms each on every rerun of that session, before the page
ran; the editors now have a fixed shape and the rows are refused before they
are applied (ui/widget_guard.py). The figures are the server process's CPU time
for the paste's rerun and for the next one (the client keeps sending the paste,
as a browser resends its widget values), against a plain rerun of the same page.
"""

from __future__ import annotations

import asyncio
import json
import statistics

from bench.classroom import Record
from bench.common import Measurement, report
from bench.proc import cpu_seconds
from bench.socket_students import SocketStudent
from cnnviz.i18n import t
from tests.e2e.harness import running_server

ROWS = 10_000
RESULTS = "results-hostile.json"


async def _cpu_of(pid: int, action) -> float:
    before = cpu_seconds([pid])
    await action()
    return cpu_seconds([pid]) - before


async def _measure(base: str, pid: int) -> dict:
    async with SocketStudent(0, base, Record(), 0, "en", 600) as student:
        await student.open("activations")
        await student.open_tab("activations.tab_softmax")
        editor_section = next(w for w in student.controls.values() if w.kind == "expandable")
        await student.send(editor_section, bool_value=True)
        editor = next(w for w in student.controls.values() if w.kind == "dataframe")
        plain = statistics.median([await _cpu_of(pid, student.run) for _ in range(5)])
        rows = [{t("activations.class_name", "en"): f"class {n}", t("activations.logit", "en"): n % 7}
                for n in range(ROWS)]
        paste = await _cpu_of(pid, lambda: student.send(editor, string_value=json.dumps({"added_rows": rows})))
        refused = t("errors.edits_refused", "en") in student.alerts
        after = await _cpu_of(pid, student.run)
    return {"plain": plain, "paste": paste, "after": after, "refused": refused}


def run() -> list[Measurement]:
    with running_server(log_name="bench-hostile.log") as server:
        seconds = asyncio.run(_measure(server.base, server.process.pid))
    detail = (f"a plain rerun of the same page: {seconds['plain']:.3f} s; "
              f"{'refused' if seconds['refused'] else 'NOT refused'} with a sentence")
    return [Measurement("hostile", f"server CPU, a {ROWS:,}-row paste into the logits editor", seconds["paste"], "s",
                        1.0, detail),
            Measurement("hostile", "server CPU, each later rerun while the client sends the paste again",
                        seconds["after"], "s", 1.0)]


if __name__ == "__main__":
    from pathlib import Path

    report(run(), Path(__file__).with_name(RESULTS))
