"""A class at once: ``python -m bench.classroom --sessions 30 --minutes 5 [--through-nginx] [--training K]``.

Starts the app on a loopback port (or two replicas behind nginx), then drives
N student sessions through a scripted lesson: open the pages, move sliders,
play an animation, upload an image, run the trained model. First one session
alone, then N at once for M minutes, in the same run against the same server,
so the two can be compared. Every loop is bounded in count and time; the
command stops by itself.

Who the students are: ``--in-browsers`` of them (4 by default) are real
browser sessions (Chromium contexts through Playwright), which measure what a
student sees; the rest of the class are socket students (bench.socket_students),
which speak Streamlit's protocol over the websocket and cost the server what a
browser costs it, but cost this machine almost nothing. Thirty real browsers
on two cores measure the browsers: each interaction costs them 4-5 s of CPU
against the server's ~0.15 s (``--in-browsers 30`` still does that).

It prints a table, writes JSON (bench/results-classroom.json) and ends with
``classroom: N sessions, p95 X s (1 session: Y s), errors E, peak RSS M MB``.

What a "latency" is here: from the action in the browser (a click, a key, a
file set on the uploader) until the server's "script finished" message has
reached the tab and the page shows the run settled. That includes the
browser's own work. Playing an animation never reaches the server; its time is
shown but kept out of the headline p95.

Students read between actions (``--think``, 10 s on average, drawn between
half and one and a half times that). On one small machine the simulated
students' browsers share the cores with the server and cost far more CPU per
action than the server does; the report gives the CPU of each, per interaction
and as a share of the machine, so the two can be told apart.

Each student starts every pass of the lesson with a fresh page load, which
is a fresh Streamlit session (as a reload is); the old session is kept by the
server for ``server.disconnectedSessionTTL``. After the class leaves, the
bench waits that long and reads the memory again: it must come back near
where it was before the class arrived (``--waves 2`` repeats the class, to
tell caches filling up from a per-session leak).

``--training K``: K of the socket students train in the training lesson while
the others follow the lesson script. Each opens the lesson's "Train it
yourself" tab, sets a seed of its own, presses Train and then polls the run as
the page does (its fragment reruns itself every half second) until the run has
ended, reads, and starts again with a new session; when the class ends, it
leaves mid-run as a closed tab does (the run stops by itself). The training
students' figures are reported apart: the press, each poll (a fragment run),
when the curve they were sent moved on, the runs' steps per second, and the
time from the press to a first curve (waiting in the pool's queue included).
One training student trains alone first, as the baseline (and so the pool's
processes have started before the memory at the start is read). Memory is read
for the server alone and for the server with every process under it (the
pool's fork server and training runs; a sum of RSS, which counts the pages a
forked child shares with its parent twice); the CPU of the training processes
is reported apart from the server's.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import re
import statistics
import time
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from bench import proc
from bench.socket_students import SocketStudent, lesson_pass, lesson_steps
from cnnviz.i18n import t
from tests.e2e.harness import (CHROMIUM_ARGS, CONNECTED, CURRENT_STEP, SETTLED, RequestLog, chromium_path,
                               finished_run, running_server)
from ui.lessons import LESSONS

RESULTS = Path(__file__).with_name("results-classroom.json")
STEP_TIMEOUT_MS = 60_000
MAX_PASSES = 200                 # per student: a second bound beside the clock
VIEWPORT = {"width": 1024, "height": 768}       # a school laptop; the browsers' drawing cost grows with it
LANGS = ("en", "ko")
LIVE_CURVES = "live_curves"     # the key of the training lesson's live curves chart

STATE = """() => { const app = document.querySelector('[data-testid=stApp]');
  return `script ${app?.getAttribute('data-test-script-state')}, ` +
         `connection ${app?.getAttribute('data-test-connection-state')}`; }"""
AT_TOP = """e => (e.value ?? e.getAttribute('aria-valuenow')) === (e.max ?? e.getAttribute('aria-valuemax'))"""
PLAYED = """s => { const label = document.querySelector(s);
  return label && /([3-9]|\\d\\d)\\s*$/.test(label.textContent); }"""


# ---------------------------------------------------------------- the lesson script

def student_png(student: int, number: int, side: int = 320) -> bytes:
    """A photo-like PNG of its own for each student and pass (so caches see new images)."""
    rng = np.random.default_rng([student, number])
    y, x = np.mgrid[0:side, 0:side] / side
    base = np.stack([x, y, (x + y) / 2], axis=-1) * 200
    shapes = (np.sin(x * rng.uniform(5, 20)) * np.cos(y * rng.uniform(5, 20)))[..., None] * 40
    pixels = np.clip(base + shapes + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class Step:
    lesson: str
    name: str
    kind: str         # "server": a script run the student waits for; "browser": never reaches the server
    action: object    # async (Student) -> None

    @property
    def label(self) -> str:
        return f"{self.lesson}: {self.name}"


async def open_home(s: Student) -> None:
    await s.load()


async def home_units(s: Student) -> None:
    units = s.main.get_by_label(t("home.units", s.lang))
    await s.rerun(lambda: units.fill(str(100 * (1 + s.passes % 9))), lambda: units.press("Enter"))


def open_lesson(name: str):
    async def action(s: Student) -> None:
        link = s.page.locator(f"[data-testid=stSidebarNavLink][href$='/{name}']")
        await s.rerun(link.click)
    return action


def move_slider(label_key: str | None = None):
    """Move a slider one notch (up, or down when it is at its top): by its label, or the page's first."""
    async def action(s: Student) -> None:
        sliders = s.main.get_by_role("slider", name=t(label_key, s.lang)) if label_key else s.main.get_by_role("slider")
        slider = sliders.first
        at_top = await slider.evaluate(AT_TOP)
        await slider.focus()
        await s.rerun(lambda: slider.press("ArrowLeft" if at_top else "ArrowRight"))
    return action


def next_option(label_key: str | None = None):
    """Pick the next option in a select box: the one labelled ``label_key``, or the page's first."""
    async def action(s: Student) -> None:
        boxes = s.main.locator("[data-testid=stSelectbox]")
        if label_key:
            boxes = boxes.filter(has_text=t(label_key, s.lang))
        options = s.page.get_by_role("option")
        for attempt in range(3):         # a click that lands while the page redraws can leave the list shut
            await boxes.first.click()
            try:
                await options.first.wait_for(timeout=10_000 if attempt < 2 else STEP_TIMEOUT_MS)
                break
            except Exception:
                if attempt == 2:
                    raise
                await s.page.keyboard.press("Escape")
        count = await options.count()
        await s.rerun(options.nth((s.passes + 1) % max(count, 1)).click)
    return action


def choose(label_key: str):
    """Click the radio option labelled ``label_key``."""
    async def action(s: Student) -> None:
        await s.rerun(s.main.locator("label").filter(has_text=t(label_key, s.lang)).first.click)
    return action


def open_tab(label_key: str):
    """Click the section tab labelled ``label_key``."""
    async def action(s: Student) -> None:
        await s.rerun(s.main.get_by_role("tab", name=t(label_key, s.lang)).click)
    return action


async def play(s: Student) -> None:
    """Play the page's first animation until it has advanced two frames, then pause it."""
    buttons = s.main.locator(".updatemenu-button")
    await buttons.filter(has_text=t("convolution.play", s.lang)).first.click()
    await s.page.wait_for_function(PLAYED, arg=CURRENT_STEP, timeout=STEP_TIMEOUT_MS)
    await buttons.filter(has_text=t("convolution.pause", s.lang)).first.click()


async def upload(s: Student) -> None:
    """A PNG of the student's own on the page's first file uploader (as the file chooser would set it)."""
    chooser = s.main.locator("[data-testid=stFileUploader] input[type=file]").first
    png = {"name": f"student-{s.index}-{s.passes}.png", "mimeType": "image/png",
           "buffer": student_png(s.index, s.passes)}
    await s.rerun(lambda: chooser.set_input_files(png))
    if not await s.main.get_by_text(png["name"]).count():           # the page names the picture it shows
        s.record.error("upload failed", f"{s.page.url}: {png['name']} is not the picture shown")


LESSON_SCRIPT = [
    Step("home", "open (page load)", "server", open_home),
    Step("home", "units", "server", home_units),
    Step("convolution", "open", "server", open_lesson("convolution")),
    Step("convolution", "stride slider", "server", move_slider("convolution.stride")),
    Step("convolution", "dilation slider", "server", move_slider("convolution.dilation")),
    Step("convolution", "play", "browser", play),
    Step("conv_arithmetic", "open", "server", open_lesson("conv_arithmetic")),
    Step("conv_arithmetic", "pick a case", "server", next_option("arithmetic.case")),
    Step("conv_arithmetic", "play", "browser", play),
    Step("pooling", "open", "server", open_lesson("pooling")),
    Step("pooling", "side slider", "server", move_slider("pooling.side")),
    Step("pooling", "play", "browser", play),
    Step("activations", "open", "server", open_lesson("activations")),
    Step("activations", "pick sigmoid", "server", choose("activations.sigmoid")),
    Step("filters", "open", "server", open_lesson("filters")),
    Step("filters", "upload", "server", upload),
    Step("filters", "pick a filter", "server", next_option("filters.filter")),
    Step("channels", "open", "server", open_lesson("channels")),
    Step("channels", "upload", "server", upload),
    Step("channels", "filter bank tab", "server", open_tab("channels.tab_bank")),
    Step("channels", "filters slider", "server", move_slider("channels.filters")),
    Step("channels", "back to the first tab", "server", open_tab("channels.tab_split")),
    Step("feature_maps", "open (model runs)", "server", open_lesson("feature_maps")),
    Step("feature_maps", "pick a sample", "server", next_option("feature_maps.sample")),
]


def lesson_script() -> tuple[list[Step], list[Step], list[str]]:
    """The browsers' steps and the socket students' steps whose lesson is registered, and the names of the
    lessons skipped."""
    registered = {lesson.name for lesson in LESSONS}
    steps = [step for step in LESSON_SCRIPT if step.lesson in registered]
    sockets = [Step(lesson, name, "server", action) for lesson, name, action in lesson_steps() if lesson in registered]
    return steps, sockets, sorted({step.lesson for step in LESSON_SCRIPT} - registered)


# ---------------------------------------------------------------- a socket student who trains

PRESS = Step("training", "train (press)", "server", None)
POLL = Step("training", "poll (the page's fragment rerun)", "server", None)


async def train_and_follow(s: SocketStudent) -> None:
    """Press Train, then poll as the page does until the run has ended (or the class has: the student
    leaves mid-run). One Record.runs entry per run: when the curve the student was sent moved on."""
    pressed = time.monotonic()
    await s.press("training.train")
    s.record.add(PRESS, time.monotonic() - pressed)
    moved: list[tuple[float, int]] = []          # (time, last step on the curve) each time the curve moved on

    def polled(seconds: float) -> None:
        s.record.add(POLL, seconds)
        figure = s.chart(LIVE_CURVES)
        steps = figure["data"][0]["x"] if figure and figure["data"] else []
        if steps and (not moved or moved[-1][1] != steps[-1]):
            moved.append((time.monotonic(), steps[-1]))

    await s.follow(s.deadline, polled)
    ended = "left mid-run" if s.auto_reruns else next(
        (state for state in ("done", "stopped") if any(a.startswith(t(f"training.ended_{state}", s.lang).split("{")[0])
                                                       for a in s.alerts)), "other")
    span = moved[-1][0] - moved[0][0] if len(moved) > 1 else 0.0
    s.record.runs.append({
        "ended": ended, "last_step": moved[-1][1] if moved else None,
        "first_curve_s": round(moved[0][0] - pressed, 3) if moved else None,
        "steps_per_s": round((moved[-1][1] - moved[0][1]) / span, 1) if span else None,
        "refresh_s": [round(b[0] - a[0], 3) for a, b in zip(moved, moved[1:])]})
    if ended in ("stopped", "other"):
        s.record.error(f"training run {ended}", f"socket student {s.index}: {' / '.join(s.alerts)[:200]}")


def training_script() -> list[Step]:
    """The training students' pass: open the lesson, its live tab, a seed of one's own, train and follow; empty
    while the training lesson is not registered."""
    if "training" not in {lesson.name for lesson in LESSONS}:
        return []
    return [Step("training", "open", "server", lambda s: s.open("training")),
            Step("training", "live tab", "server", lambda s: s.open_tab("training.tab_live")),
            Step("training", "seed", "server", lambda s: s.type_number("training.seed", 100 * s.index + s.passes)),
            Step("training", "train and follow the run", "training", train_and_follow)]


# ---------------------------------------------------------------- one student

@dataclass
class Record:
    samples: dict[str, list[float]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)
    passes: int = 0
    runs: list[dict] = field(default_factory=list)          # training runs followed (train_and_follow)

    def add(self, step: Step, seconds: float) -> None:
        self.samples.setdefault(step.label, []).append(seconds)
        self.kinds[step.label] = step.kind

    def error(self, kind: str, detail: str) -> None:
        self.errors.append({"kind": kind, "detail": detail[:300]})


class Student:
    """One browser context, one tab: a student going through the lesson again and again."""

    def __init__(self, index: int, browser, base: str, record: Record, think: float):
        self.index, self.browser, self.base, self.record, self.think = index, browser, base, record, think
        self.lang = LANGS[index % len(LANGS)]
        self.random = random.Random(index)
        self.passes = 0
        self.generation = 0          # bumped on every deliberate page load or close
        self.runs = 0                # script runs the server has reported finished to this tab
        self.ran = asyncio.Event()
        self.requests = RequestLog(base)

    async def __aenter__(self) -> Student:
        self.context = await self.browser.new_context(viewport=VIEWPORT,
                                                      locale="ko-KR" if self.lang == "ko" else "en-US")
        self.context.on("request", self.requests.record)
        self.context.on("response", self._response)
        self.context.on("requestfailed", self._failed)
        self.page = await self.context.new_page()
        self.page.set_default_timeout(STEP_TIMEOUT_MS)
        self.page.on("websocket", self._websocket)
        self.main = self.page.locator("[data-testid=stMain]")
        return self

    async def __aexit__(self, *exc) -> None:
        self.generation += 1
        outside = self.requests.outside()
        if outside:
            self.record.error("request left the machine", outside[0])
        await self.context.close()

    # -- what goes wrong, seen from the browser
    def _response(self, response) -> None:
        if response.status >= 400:
            self._http_error(response.url, f"HTTP {response.status}")

    def _failed(self, request) -> None:
        if "ERR_ABORTED" not in (request.failure or ""):        # a page left or an image replaced
            self._http_error(request.url, request.failure or "failed")

    def _http_error(self, url: str, why: str) -> None:
        kind = "upload failed" if "/_stcore/upload_file" in url else "media failed" if "/media/" in url \
            else "request failed"
        self.record.error(kind, f"{why}: {url}")

    def _websocket(self, socket) -> None:
        if "/_stcore/stream" in socket.url:
            generation = self.generation
            socket.on("close", lambda _: generation == self.generation and self.record.error(
                "disconnect", f"student {self.index}: the websocket closed"))
            socket.on("framereceived", self._frame)

    def _frame(self, payload) -> None:
        """Count the server's "script finished" messages (harness.finished_run)."""
        if finished_run(payload):
            self.runs += 1
            self.ran.set()

    async def _ran_since(self, runs: int) -> None:
        """Wait until a run after ``runs`` has finished and the page shows it."""
        deadline = time.monotonic() + STEP_TIMEOUT_MS / 1000
        while self.runs <= runs:
            self.ran.clear()
            await asyncio.wait_for(self.ran.wait(), max(deadline - time.monotonic(), 0.001))
        await self.page.wait_for_selector(SETTLED, timeout=STEP_TIMEOUT_MS)

    # -- actions
    async def load(self) -> None:
        """A fresh page load of the home page: a new Streamlit session."""
        self.generation += 1
        runs = self.runs
        await self.page.goto(f"{self.base}/?lang={self.lang}")
        await self.page.wait_for_selector(CONNECTED)
        await self._ran_since(runs)

    async def rerun(self, *actions) -> None:
        """Do ``actions`` (the last one triggers a script run) and wait until the run has finished."""
        runs = self.runs
        for action in actions:
            await action()
        await self._ran_since(runs)

    async def where(self) -> str:
        """The page's address and state, for an error message."""
        try:
            state = await asyncio.wait_for(self.page.evaluate(STATE), 5)
        except Exception as error:
            state = repr(error)
        return f"{self.page.url} runs {self.runs}, {state}"

    async def check_page(self, step: Step) -> None:
        shown = self.page.locator("[data-testid=stException]")
        if await shown.count():
            self.record.error("exception shown", f"{step.label}: {await shown.first.inner_text()}")

    async def failure(self, step: Step, error: Exception) -> str:
        return f"{step.label}: {type(error).__name__}: {error} [{await self.where()}]"

    async def lesson(self, steps: list[Step], deadline: float, think: bool = True) -> bool:
        """One pass through ``steps``; False when the deadline came first."""
        return await lesson_pass(self, steps, deadline, self.think if think else 0)


# ---------------------------------------------------------------- the class

def percentile(values: list[float], q: int) -> float | None:
    if len(values) < 2:
        return values[0] if values else None
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def server_metric(base: str, name: str) -> float | None:
    """A value from Streamlit's /_stcore/metrics (Prometheus text), e.g. active_sessions."""
    try:
        text = urllib.request.urlopen(f"{base}/_stcore/metrics", timeout=5).read().decode()
    except OSError:
        return None
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else None


class CpuClock:
    """CPU seconds used by the app server(s), by the processes under them (the training pool's), by the load
    generator (this process, its browsers) and by the whole machine, between ``start()`` and ``stop()``.
    A training run that ends in between is counted whole (its parent, the pool's fork server, gets its time
    when it ends)."""

    def __init__(self, server_pids: list[int], other_pids: list[int]):
        self.server_pids, self.other_pids = server_pids, other_pids

    def _read(self) -> tuple[float, float, float, float, float]:
        servers = [p for pid in self.server_pids for p in proc.descendants(pid)]
        generator = [p for p in proc.descendants(os.getpid())
                     if p not in servers and p not in self.other_pids]
        children = [p for p in servers if p not in self.server_pids]
        return (time.monotonic(), proc.cpu_seconds(self.server_pids), proc.cpu_seconds(children),
                proc.cpu_seconds(generator), proc.machine_busy_seconds())

    def start(self) -> None:
        self.begin = self._read()

    def stop(self) -> dict:
        end = self._read()
        wall, server, training, generator, machine = (b - a for a, b in zip(self.begin, end))
        cores = len(os.sched_getaffinity(0))
        share = lambda seconds: round(100 * seconds / (wall * cores), 1)
        return {"wall_s": round(wall, 1), "cores": cores, "app_server_s": round(server, 1),
                "training_s": round(training, 1), "browsers_and_driver_s": round(generator, 1),
                "app_server_pct": share(server), "training_pct": share(training),
                "browsers_and_driver_pct": share(generator), "machine_busy_pct": share(machine),
                "everything_else_pct": share(max(machine - server - training - generator, 0))}


class TreeRss(proc.RssSampler):
    """The summed RSS of the app server(s) and of every process under them (the training pool's fork server
    and runs): pages a forked child shares with its parent are counted in both."""

    def now(self) -> float:
        return sum(proc.rss_mb(pid) for root in self.pids for pid in proc.descendants(root))


async def run_class(base: str, server_bases: list[str], server_pids: list[int], other_pids: list[int],
                    sessions: int, seconds: float, think: float, ramp: float, solo_passes: int,
                    session_ttl: float, browsers: int = 1, waves: int = 1, in_browsers: int = 4,
                    training: int = 0) -> dict:
    """Warm up, one session alone (a browser, then a socket student, then a training student), then the class
    (``waves`` times, one after the other); memory and CPU read around each phase. Memory after a second wave
    as after the first means no per-session leak."""
    from playwright.async_api import async_playwright

    steps, socket_steps, skipped = lesson_script()
    train_steps = training_script() if training else []
    solo, crowd, socket_solo, socket_crowd = Record(), Record(), Record(), Record()
    training_solo, training_crowd = Record(), Record()
    clock = CpuClock(server_pids, other_pids)
    async with async_playwright() as playwright:
        launched = [await playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
                    for _ in range(max(1, min(browsers, sessions)))]
        with proc.RssSampler(server_pids) as rss, TreeRss(server_pids) as tree:
            memory = {"boot_mb": rss.now()}
            for server_base in server_bases:     # each process compiles the pages, fills caches, loads the model
                async with Student(0, launched[0], server_base, Record(), think) as warm:
                    await warm.lesson(steps, time.monotonic() + 600, think=False)
            clock.start()
            async with Student(0, launched[0], base, solo, think) as alone:
                for _ in range(solo_passes):
                    await alone.lesson(steps, time.monotonic() + 600, think=False)
            cpu_solo = clock.stop()
            for number in range(solo_passes):
                async with SocketStudent(0, base, socket_solo, 0, LANGS[number % 2], STEP_TIMEOUT_MS / 1000) as alone:
                    alone.passes = number
                    await alone.lesson(socket_steps, time.monotonic() + 600)
            if train_steps:                           # one run, alone; it starts the pool's processes too
                async with SocketStudent(0, base, training_solo, 0, "en", STEP_TIMEOUT_MS / 1000) as alone:
                    alone.deadline = time.monotonic() + 600
                    await alone.lesson(train_steps, alone.deadline)
            await asyncio.sleep(1)
            rss.reset_peak()
            tree.reset_peak()
            memory["start_mb"] = rss.now()
            memory["start_with_children_mb"] = tree.now()

            cpu_class = {}
            for wave in range(1, waves + 1):
                clock.start()
                await the_class(launched, base, (crowd, socket_crowd, training_crowd),
                                (steps, socket_steps, train_steps), sessions, min(in_browsers, sessions), seconds,
                                think, ramp, training)
                cpu_class = cpu_class or clock.stop()                     # the first wave's
                memory["peak_mb"] = rss.peak
                memory["peak_with_children_mb"] = max(memory.get("peak_with_children_mb", 0), tree.peak)
                memory["end_of_class_mb"] = rss.now()
                # The class has left. Disconnected sessions live for the TTL; the server drops expired ones
                # when another session disconnects, so one short visit to each process after the TTL does that.
                await asyncio.sleep(session_ttl + 2)
                for server_base in server_bases:
                    async with Student(sessions, launched[0], server_base, Record(), think) as visit:
                        await visit.load()
                await asyncio.sleep(3)
                memory[f"after_wave_{wave}_mb"] = memory["after_mb"] = rss.now()
                memory["after_with_children_mb"] = tree.now()
        memory["active_sessions_after"] = sum(server_metric(b, "active_sessions") or 0 for b in server_bases)
        for browser in launched:
            await browser.close()
    return summarize({"browsers": (solo, crowd), "sockets": (socket_solo, socket_crowd),
                      "training": (training_solo, training_crowd)}, memory,
                     {"solo": cpu_solo, "class": cpu_class}, steps + socket_steps, skipped, training)


def spread(count: int, among: list[int]) -> set[int]:
    """``count`` of ``among``, spread evenly over it."""
    return {among[round(k * len(among) / count)] for k in range(count)} if count else set()


async def the_class(browsers: list, base: str, records: tuple[Record, Record, Record],
                    steps: tuple[list[Step], list[Step], list[Step]], sessions: int, in_browsers: int, seconds: float,
                    think: float, ramp: float, training: int = 0) -> None:
    """``sessions`` students arrive over ``ramp`` seconds and work through the lesson until the time is up:
    ``in_browsers`` of them in browsers and ``training`` socket students who train (each group spread over
    the arrivals), the others as socket students following the lesson. Each pass of the lesson starts with
    a new session, as a page load does."""
    deadline = time.monotonic() + ramp + seconds
    in_a_browser = spread(in_browsers, list(range(sessions)))
    training_students = spread(min(training, sessions - len(in_a_browser)),
                               [index for index in range(sessions) if index not in in_a_browser])
    record = records[0]            # where a student that did not finish is noted

    async def student(index: int) -> None:
        await asyncio.sleep(ramp * index / sessions)
        if index in in_a_browser:
            async with Student(index, browsers[index % len(browsers)], base, records[0], think) as s:
                for _ in range(MAX_PASSES):
                    if not await s.lesson(steps[0], deadline):
                        break
            return
        trains = index in training_students
        for number in range(MAX_PASSES):
            async with SocketStudent(index, base, records[2 if trains else 1], think, LANGS[index % 2],
                                     STEP_TIMEOUT_MS / 1000) as s:
                s.passes, s.deadline = number, deadline
                if not await s.lesson(steps[2 if trains else 1], deadline):
                    break

    tasks = [asyncio.ensure_future(student(index)) for index in range(sessions)]
    done, late = await asyncio.wait(tasks, timeout=ramp + seconds + 2 * STEP_TIMEOUT_MS / 1000 + 30)
    for task in late:
        task.cancel()
        record.error("student did not finish", "cancelled at the time limit")
    if late:
        await asyncio.wait(late, timeout=30)
    for task in done:
        if task.exception():
            record.error("student crashed", repr(task.exception()))


def stats(values: list[float]) -> dict:
    rounded = lambda value: None if value is None else round(value, 3)
    return {"n": len(values), "p50_s": rounded(percentile(values, 50)), "p95_s": rounded(percentile(values, 95))}


def training_figures(record: Record) -> dict:
    """What the training students (or the one alone) saw: each interaction, the runs they followed, how often
    the curve they were sent moved on (seen at each poll, so in steps of a poll's interval), and the runs'
    speed."""
    runs = record.runs
    refresh = [interval for run in runs for interval in run["refresh_s"]]
    speeds = [run["steps_per_s"] for run in runs if run["steps_per_s"]]
    ended: dict[str, int] = {}
    for run in runs:
        ended[run["ended"]] = ended.get(run["ended"], 0) + 1
    return {"interactions": {label: stats(values) for label, values in record.samples.items()},
            "polls": stats(record.samples.get(POLL.label, [])), "runs": len(runs), "ended": ended,
            "first_curve": stats([run["first_curve_s"] for run in runs if run["first_curve_s"] is not None]),
            "curve_moved_every": stats(refresh) | {"p90_s": None if not refresh else round(percentile(refresh, 90), 3)},
            "steps_per_s_median": round(statistics.median(speeds), 1) if speeds else None,
            "runs_detail": [{k: v for k, v in run.items() if k != "refresh_s"} for run in runs]}


def summarize(records: dict[str, tuple[Record, Record]], memory: dict, cpu: dict, steps: list[Step],
              skipped: list[str], training: int = 0) -> dict:
    """``records``: (alone, in the class) for the browsers, the socket students and the training students.
    The browsers' figures keep their old names (server_solo, server_class); the socket students' are
    sockets_solo, sockets_class; the training students' are under "training"."""
    (solo, crowd), (socket_solo, socket_crowd) = records["browsers"], records["sockets"]
    training_solo, training_crowd = records["training"]
    rows: dict[str, dict] = {}
    for step in steps:
        rows.setdefault(step.label, {"kind": step.kind, "solo": stats(solo.samples.get(step.label, [])),
                                     "class": stats(crowd.samples.get(step.label, [])),
                                     "sockets_solo": stats(socket_solo.samples.get(step.label, [])),
                                     "sockets_class": stats(socket_crowd.samples.get(step.label, []))})

    def server(record: Record) -> list[float]:
        return [v for label, values in record.samples.items() if record.kinds[label] == "server" for v in values]

    every = [record for pair in records.values() for record in pair]
    errors: dict[str, int] = {}
    for error in (e for record in every for e in record.errors):
        errors[error["kind"]] = errors.get(error["kind"], 0) + 1
    for phase, counted in (("solo", (solo,)), ("class", (crowd, socket_crowd, training_crowd))):
        count = sum(len(values) for record in counted for label, values in record.samples.items()
                    if record is not training_crowd or record.kinds[label] == "server") or 1
        cpu[phase]["app_server_ms_per_interaction"] = round(1000 * cpu[phase]["app_server_s"] / count)
        cpu[phase]["browsers_and_driver_ms_per_interaction"] = round(1000 * cpu[phase]["browsers_and_driver_s"] / count)
    return {"interactions": rows, "server_solo": stats(server(solo)), "server_class": stats(server(crowd)),
            "sockets_solo": stats(server(socket_solo)), "sockets_class": stats(server(socket_crowd)),
            "passes": {"solo": solo.passes, "class": crowd.passes, "sockets_solo": socket_solo.passes,
                       "sockets_class": socket_crowd.passes}, "errors": errors,
            "error_details": [e for record in every for e in record.errors][:50],
            "memory": {k: round(v, 1) for k, v in memory.items()}, "cpu": cpu, "skipped_lessons": skipped,
            "class_samples_s": {label: [round(v, 3) for v in values] for label, values in crowd.samples.items()},
            "sockets_class_samples_s": {label: [round(v, 3) for v in values]
                                        for label, values in socket_crowd.samples.items()},
            "training": {"students": training, "solo": training_figures(training_solo),
                         "class": training_figures(training_crowd)} if training else None}


# ---------------------------------------------------------------- running it

def run(sessions: int = 30, minutes: float = 5, think: float = 10.0, ramp: float | None = None,
        solo_passes: int = 3, session_ttl: float = 120, through_nginx: bool = False, replicas: int = 2,
        browsers: int = 1, port: int | None = None, waves: int = 1, in_browsers: int = 4,
        training: int = 0) -> dict:
    """Start the app (or replicas behind nginx), run the class, stop everything; the results as a dict."""
    from bench.common import machine
    from bench.replicas import replicas as nginx_replicas

    ramp = min(30.0, sessions * 1.0) if ramp is None else ramp
    ttl_args = ("--server.disconnectedSessionTTL", str(int(session_ttl)))
    with ExitStack() as stack:
        if through_nginx:
            deployment = stack.enter_context(nginx_replicas(replicas, port, args=ttl_args))
            base, servers = deployment.base, deployment.replicas
        else:
            server = stack.enter_context(running_server(port, args=ttl_args, log_name="classroom-server.log"))
            base, servers, deployment = server.base, [server], None
        server_pids = [s.process.pid for s in servers]
        other = [deployment.nginx.pid] if deployment else []
        result = asyncio.run(run_class(base, [s.base for s in servers], server_pids, other, sessions,
                                       minutes * 60, think, ramp, solo_passes, session_ttl, browsers, waves,
                                       in_browsers, training))
        if deployment:
            routes = deployment.requests_by_replica()
            mixed = [cookie for cookie, counts in routes.items() if len(counts) > 1]
            result["nginx"] = {"replicas": [s.base for s in servers], "browsers_seen": len(routes),
                               "browsers_per_replica": _per_replica(routes),
                               "browsers_split_across_replicas": len(mixed)}
            if mixed:
                result["errors"]["session not sticky"] = len(mixed)
    result["setup"] = {"sessions": sessions, "minutes": minutes, "think_s": think, "ramp_s": ramp,
                       "solo_passes": solo_passes, "session_ttl_s": session_ttl, "browsers": browsers, "waves": waves,
                       "in_browsers": min(in_browsers, sessions),
                       "training": min(training, sessions - min(in_browsers, sessions)),
                       "through_nginx": through_nginx, "replicas": replicas if through_nginx else 1}
    result["machine"] = machine()
    return result


def _per_replica(routes: dict) -> dict[str, int]:
    counts: dict[str, int] = {}
    for per_upstream in routes.values():
        upstream = per_upstream.most_common(1)[0][0]
        counts[upstream] = counts.get(upstream, 0) + 1
    return counts


def headline(result: dict) -> str:
    """The last line. The p95 is what the students in browsers waited for, in the class and alone."""
    seconds = lambda figures: "-" if figures["p95_s"] is None else f"{figures['p95_s']:.2f} s"
    setup = result["setup"]
    return (f"classroom: {setup['sessions']} sessions, p95 {seconds(result['server_class'])} "
            f"(1 session: {seconds(result['server_solo'])}), errors {sum(result['errors'].values())}, "
            f"peak RSS {result['memory']['peak_mb']:.0f} MB"
            + (f"; {setup['in_browsers']} in browsers, the others over the websocket: p95 "
               f"{seconds(result['sockets_class'])} (alone: {seconds(result['sockets_solo'])})"
               if setup["in_browsers"] < setup["sessions"] else "")
            + (f"; {setup['training']} training: poll p95 {seconds(training['class']['polls'])} "
               f"(alone: {seconds(training['solo']['polls'])}), curve moved on every "
               f"{median_s(training['class']['curve_moved_every'])} (alone: "
               f"{median_s(training['solo']['curve_moved_every'])}), peak RSS with the training processes "
               f"{result['memory']['peak_with_children_mb']:.0f} MB"
               if (training := result.get("training")) else ""))


def median_s(figures: dict) -> str:
    return "-" if figures["p50_s"] is None else f"{figures['p50_s']:.2f} s"


def targets(result: dict) -> dict[str, bool]:
    memory = result["memory"]

    def within_3x(crowd: dict, solo: dict) -> bool:
        return crowd["n"] == 0 or (None not in (crowd["p95_s"], solo["p95_s"]) and crowd["p95_s"] <= 3 * solo["p95_s"])

    return {"no errors": not result["errors"],
            "p95 <= 3x one session's": result["server_class"]["n"] > 0
            and within_3x(result["server_class"], result["server_solo"])
            and within_3x(result["sockets_class"], result["sockets_solo"]),
            "peak RSS < 2 GB": memory["peak_mb"] < 2048,
            **({"peak RSS, server + training processes < 2.5 GB": memory["peak_with_children_mb"] < 2560}
               if result.get("training") else {}),
            "memory back near start (<= +20%)": memory["after_mb"] <= 1.2 * memory["start_mb"]}


def span(figures: dict) -> str:
    """"p50 / p95 s" of a stats dict, or "-" without samples."""
    return "-" if not figures["n"] else f"{figures['p50_s']:.2f} / {figures['p95_s']:.2f} s"


def print_report(result: dict) -> None:
    n = result["setup"]["sessions"]
    rows = [("interaction", "kind", "browser alone p50 / p95", "browsers in class", "count",
             "socket alone", "sockets in class", "count")]
    for label, row in result["interactions"].items():
        rows.append((label, row["kind"], span(row["solo"]), span(row["class"]),
                     f"{row['solo']['n']} / {row['class']['n']}", span(row["sockets_solo"]),
                     span(row["sockets_class"]), f"{row['sockets_solo']['n']} / {row['sockets_class']['n']}"))
    rows.append(("all server interactions", "", span(result["server_solo"]), span(result["server_class"]),
                 f"{result['server_solo']['n']} / {result['server_class']['n']}", span(result["sockets_solo"]),
                 span(result["sockets_class"]), f"{result['sockets_solo']['n']} / {result['sockets_class']['n']}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if index in (0, len(rows) - 2):
            print("  ".join("-" * w for w in widths))
    memory, cpu = result["memory"], result["cpu"]["class"]
    print(f"\n{n} students: {result['setup']['in_browsers']} in browsers, {n - result['setup']['in_browsers']} "
          f"over the websocket (bench.socket_students)")
    print(f"lesson passes: alone {result['passes']['solo']} (browser) + {result['passes']['sockets_solo']} (socket), "
          f"in the class {result['passes']['class']} (browsers) + {result['passes']['sockets_class']} (sockets)"
          + (f"; lessons not registered yet (skipped): {', '.join(result['skipped_lessons'])}"
             if result["skipped_lessons"] else ""))
    print(f"server RSS: boot {memory['boot_mb']:.0f} MB, start {memory['start_mb']:.0f} MB, "
          f"peak {memory['peak_mb']:.0f} MB, end of class {memory['end_of_class_mb']:.0f} MB, "
          f"after the sessions expired {memory['after_mb']:.0f} MB"
          + "".join(f"; after wave {w}: {memory[f'after_wave_{w}_mb']:.0f} MB"
                    for w in range(1, result["setup"]["waves"] + 1) if result["setup"]["waves"] > 1))
    print(f"CPU during the class ({cpu['cores']} cores, {cpu['wall_s']} s): app server {cpu['app_server_pct']}%, "
          + (f"its training processes {cpu['training_pct']}%, " if result.get("training") else "")
          + f"browsers + driver {cpu['browsers_and_driver_pct']}%, everything else {cpu['everything_else_pct']}%")
    print(f"CPU per interaction: app server {cpu['app_server_ms_per_interaction']} ms, browsers + driver "
          f"{cpu['browsers_and_driver_ms_per_interaction']} ms (1 session: "
          f"{result['cpu']['solo']['app_server_ms_per_interaction']} ms, "
          f"{result['cpu']['solo']['browsers_and_driver_ms_per_interaction']} ms)")
    if result.get("training"):
        print_training(result)
    if "nginx" in result:
        print(f"nginx: {result['nginx']['browsers_seen']} browsers, per replica {result['nginx']['browsers_per_replica']},"
              f" split across replicas {result['nginx']['browsers_split_across_replicas']}")
    print(f"errors: {result['errors'] or 'none'}")
    for error in result["error_details"][:10]:
        print(f"  {error['kind']}: {error['detail']}")
    for name, ok in targets(result).items():
        print(f"target {name}: {'ok' if ok else 'MISSED'}")


def print_training(result: dict) -> None:
    training, memory = result["training"], result["memory"]
    alone, crowd = training["solo"], training["class"]
    print(f"\n{result['setup']['training']} of the socket students train (training lesson, Train it yourself)")
    rows = [("interaction", "alone p50 / p95", "in class", "count")]
    for label in dict.fromkeys([*alone["interactions"], *crowd["interactions"]]):
        empty = {"n": 0}
        one, many = alone["interactions"].get(label, empty), crowd["interactions"].get(label, empty)
        rows.append((label, span(one), span(many), f"{one['n']} / {many['n']}"))
    rows.append(("Train to first curve (queue included)", span(alone["first_curve"]), span(crowd["first_curve"]),
                 f"{alone['first_curve']['n']} / {crowd['first_curve']['n']}"))
    rows.append(("curve moved on every (seen at the polls)", span(alone["curve_moved_every"]),
                 span(crowd["curve_moved_every"]),
                 f"{alone['curve_moved_every']['n']} / {crowd['curve_moved_every']['n']}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if index == 0:
            print("  ".join("-" * w for w in widths))
    print(f"runs: alone {alone['runs']} {alone['ended']}, in the class {crowd['runs']} {crowd['ended']}; "
          f"steps/s (median of the runs): alone {alone['steps_per_s_median']}, in the class "
          f"{crowd['steps_per_s_median']}")
    print(f"RSS of the server with its training processes: start {memory['start_with_children_mb']:.0f} MB, "
          f"peak {memory['peak_with_children_mb']:.0f} MB, after {memory['after_with_children_mb']:.0f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sessions", type=int, default=30, help="students at once (default 30)")
    parser.add_argument("--minutes", type=float, default=5, help="how long the class works (default 5)")
    parser.add_argument("--think", type=float, default=10.0,
                        help="seconds a student reads and looks between two actions, on average (default 10)")
    parser.add_argument("--ramp", type=float, default=None, help="seconds over which students arrive (default 30)")
    parser.add_argument("--solo-passes", type=int, default=3, help="lesson passes of the one-session baseline")
    parser.add_argument("--session-ttl", type=float, default=120,
                        help="server.disconnectedSessionTTL for the run (Streamlit's default: 120)")
    parser.add_argument("--in-browsers", type=int, default=4,
                        help="students in real Chromium tabs; the rest speak the websocket protocol (default 4)")
    parser.add_argument("--training", type=int, default=0,
                        help="socket students who train live in the training lesson while the others follow "
                             "the lesson (default 0)")
    parser.add_argument("--browsers", type=int, default=1, help="Chromium processes sharing the browser tabs")
    parser.add_argument("--waves", type=int, default=1,
                        help="classes one after the other (memory after each; default 1)")
    parser.add_argument("--through-nginx", action="store_true", help="two replicas behind nginx, sticky sessions")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--port", type=int, default=None, help="loopback port of the app (or of nginx)")
    parser.add_argument("--json", type=Path, default=RESULTS)
    options = parser.parse_args(argv)
    if chromium_path() is None:
        parser.error("Chromium is not installed (Debian: apt-get install chromium)")
    result = run(options.sessions, options.minutes, options.think, options.ramp, options.solo_passes,
                 options.session_ttl, options.through_nginx, options.replicas, options.browsers, options.port,
                 options.waves, options.in_browsers, options.training)
    print_report(result)
    result["targets"] = targets(result)
    options.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"written: {options.json}")
    print(headline(result))
    return 0 if all(result["targets"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
