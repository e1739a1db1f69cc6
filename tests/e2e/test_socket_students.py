"""The classroom bench's socket students speak Streamlit's protocol well enough to be a class.

Each of them must reach every lesson, find its widgets by their labels in both
languages, and change them: a change that the server did not apply would make
them a class that only ever reloads its pages.
"""

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.classroom import Record, lesson_script
from bench.socket_students import SocketStudent
from cnnviz import formulas
from cnnviz.arithmetic import AxisArithmetic
from cnnviz.i18n import LANGUAGES, t
from tests.e2e.harness import running_app
from tests.image_corpus import good_files


@pytest.fixture(scope="module")
def app():
    with running_app() as base:
        yield base


def visit(base: str, lang: str, actions):
    """Run ``actions(student)`` in a fresh session; the record and what the last run wrote."""
    async def go():
        record = Record()
        async with SocketStudent(0, base, record, 0, lang, 60) as student:
            await actions(student)
            return record, student
    # A thread of its own: the browser tests' Playwright keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, go()).result()


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_a_socket_student_goes_through_the_whole_lesson(app, lang):
    _, steps, _ = lesson_script()
    record, _ = visit(app, lang, lambda s: s.lesson(steps, time.monotonic() + 240))
    assert record.errors == []
    assert record.passes == 1
    assert set(record.samples) == {step.label for step in steps}


def test_widget_changes_reach_the_server(app):
    # The sliding-window lesson opens on a 7x7 grid, a 3x3 kernel, valid padding, stride 1.
    rows_at = lambda stride: formulas.output_size_general(AxisArithmetic(7, 3, stride, 1, 0, 0), "H", "K_h")

    async def actions(s):
        await s.open("activations")
        assert formulas.activation_formula("sigmoid", 0.01) not in "\n".join(s.texts)
        await s.choose("activations.sigmoid")          # a radio inside a fragment
        assert formulas.activation_formula("sigmoid", 0.01) in "\n".join(s.texts)
        await s.open("convolution")
        assert rows_at(1) not in "\n".join(s.texts)            # the output size is in the other tab
        await s.open_tab("convolution.tab_size")
        assert rows_at(1) in "\n".join(s.texts) and rows_at(2) not in "\n".join(s.texts)
        await s.slide("convolution.stride")
        assert rows_at(2) in "\n".join(s.texts)
        await s.open("filters")
        assert s.media and all(url.startswith("/media/") for url in s.media)

    record, _ = visit(app, "en", actions)
    assert record.errors == []


def test_a_missing_widget_is_a_step_failure_not_a_crash(app):
    async def actions(s):
        await s.open("pooling")
        with pytest.raises(LookupError, match=t("convolution.dilation", "en")):
            await s.slide("convolution.dilation")

    record, _ = visit(app, "en", actions)
    assert record.errors == []


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_a_socket_student_uploads_a_picture(app, lang):
    """The upload goes through the server's own route (address, XSRF, PUT) and the page decodes it."""
    data = good_files()["rgb.png"][0]

    async def actions(s):
        await s.open("filters")
        await s.upload("images.upload", "mine.png", data)
        assert s.exceptions == [] and s.alerts == []
        assert any(t("images.showing", lang, name="mine", height=48, width=64).split("mine")[1] in text
                   for text in s.texts)

    record, _ = visit(app, lang, actions)
    assert record.errors == []
