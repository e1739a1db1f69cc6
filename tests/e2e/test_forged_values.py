"""A hostile client: every widget of every lesson gets values no browser would send, over the websocket.

A student with developer tools can send any widget value: NaN to a whole-number
input, a list to a checkbox, an option that does not exist, edits to rows and
columns a table does not have, a pasted table of 10,000 rows. Each must leave the
session working: the run finishes without an exception shown or logged, and a
clean rerun after it works too.
"""

from __future__ import annotations

import asyncio
import json
import math
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.classroom import Record
from bench.socket_students import SocketStudent, Widget
from cnnviz.i18n import t
from tests.e2e.harness import ARTIFACTS, running_server
from ui.lessons import LESSONS

LOG = "forged-values.log"
# Values of every kind a widget state can carry, most of them nonsense for the widget they are sent to.
FORGED = [
    {"double_value": math.nan}, {"double_value": math.inf}, {"double_value": 1e308}, {"double_value": -5},
    {"int_value": 2 ** 62}, {"double_array_value": {"data": [math.nan]}}, {"double_array_value": {"data": []}},
    {"int_array_value": {"data": [999, -1]}}, {"string_value": "no such option"},
    {"string_array_value": {"data": ["no such option"]}}, {"bool_value": True}, {"json_value": "{"},
]
ROWS = 10_000
# What a data editor's client sends: the edits as JSON. These do not fit the table or are not JSON.
FORGED_EDITS = [
    "{", "[]", '{"edited_rows": {"999": {"0": 1}}}', '{"edited_rows": {"0": {"99": 1}}}',
    '{"edited_rows": {"0": {"Logit z": 1}}}', '{"edited_rows": {"x": {}}}', '{"edited_rows": {"0": {"0": [1, 2]}}}',
    '{"edited_rows": {"-1": {"0": 1}}}', '{"deleted_rows": [999]}', '{"deleted_rows": [0]}',
    json.dumps({"added_rows": [{"0": 1}] * ROWS}),
]


class HostileStudent(SocketStudent):
    def _fetch(self, url: str) -> None:
        """The pictures a run shows are not what is tested here."""


def forgeries(widget: Widget) -> list[dict]:
    if widget.kind == "dataframe":
        return [{"string_value": edits} for edits in FORGED_EDITS]
    return FORGED


async def attack_page(student: SocketStudent, page: str, attacked: set[str], problems: list[str]) -> int:
    """Forge the values of every widget on ``page`` not ``attacked`` yet, in every tab with its editors open, each
    widget's forgeries followed by a clean rerun; the number of values sent."""
    await student.open(page)
    sent = 0
    for tab in list(student.tabs) or [None]:
        if tab is not None:
            await student.open(page)
            await student.send(student.tabs[tab], string_value=tab)
        for expander in [w for w in student.controls.values() if w.kind == "expandable"]:   # editors: drawn if open
            await student.send(expander, bool_value=True)
        clean = dict(student.values)
        for widget in [w for w in list(student.controls.values()) if w.proto.id not in attacked]:
            attacked.add(widget.proto.id)
            where = f"{page or 'home'}, tab {tab}, {widget.kind} {widget.proto.id[-40:]}"
            for value in forgeries(widget):
                await student.send(widget, **value)
                sent += 1
                problems += [f"{where} = {str(value)[:60]}: {shown}" for shown in student.exceptions]
                problems += [f"{where} = {str(value)[:60]}: {alert}" for alert in student.alerts
                             if alert == t("errors.unexpected", "en")]
                student.exceptions = []
            student.values = dict(clean)
            await student.run()                             # the clean rerun after the forgeries
            problems += [f"{where}, the clean rerun after: {shown}" for shown in student.exceptions]
    return sent


def test_forged_widget_values_leave_every_lesson_working():
    log = ARTIFACTS / LOG
    start = log.stat().st_size if log.exists() else 0
    problems: list[str] = []

    async def attack(base: str) -> int:
        sent, attacked = 0, set()                   # the sidebar's widgets, on every page, are attacked once
        for lesson in LESSONS:                      # a session per lesson, as a student opening each link
            record = Record()
            async with HostileStudent(0, base, record, 0, "en", 30) as student:
                sent += await attack_page(student, "" if lesson.name == "home" else lesson.name, attacked, problems)
            problems.extend(record.errors)
        return sent

    with running_server(log_name=LOG) as server, ThreadPoolExecutor(1) as thread:
        sent = thread.submit(asyncio.run, attack(server.base)).result()
    logged = log.read_text(errors="replace")[start:]
    assert sent > 500
    assert problems == []
    assert "Traceback" not in logged, logged[logged.index("Traceback") - 300:][:3000]
