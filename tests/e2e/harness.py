"""Drive the real app in Debian's Chromium: start the server, open pages, check them.

Every lesson's browser test uses these helpers, so a new lesson only adds its
own interactions. No request may leave the machine: each browser context
records every request and the tests fail on any host but the app's.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SETTLED = "[data-testid=stApp][data-test-script-state=notRunning]"
CONNECTED = "[data-testid=stApp][data-test-connection-state=CONNECTED]"


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def require(tool: str, found) -> None:
    """Skip the test when ``tool`` is not ``found`` on a developer's machine; fail under CI, where a skipped
    test would hide a broken app."""
    if found is None:
        import pytest

        message = f"{tool} is not installed"
        if os.environ.get("CI"):
            pytest.fail(message + ": CI must run this test")
        pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running ``streamlit run app.py``: its base URL and its process (for RSS and CPU readings)."""
    base: str
    process: subprocess.Popen


@contextmanager
def running_server(port: int | None = None, env: dict | None = None, args: tuple[str, ...] = (),
                   log_name: str = "server.log", script: str = "app.py"):
    """``streamlit run app.py`` (or another ``script``) on a free loopback port, with extra ``--option value``
    ``args``; yields a Server."""
    port = port or free_port()
    command = [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1",
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *args]
    with serving(command, port, env, log_name) as server:
        yield server


@contextmanager
def serving(command: list[str], port: int, env: dict | None = None, log_name: str = "server.log"):
    """Run ``command`` (a server that listens on 127.0.0.1:``port``) from the repository's root, its output
    in test-artifacts/``log_name``; yields a Server once it is healthy, and stops it afterwards."""
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / log_name, "ab")
    server = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                              env={**os.environ, **(env or {})})
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, server, log.name)
        yield Server(base, server)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@contextmanager
def running_app(port: int | None = None, env: dict | None = None):
    """``streamlit run app.py`` on a free loopback port; yields its base URL."""
    with running_server(port, env) as server:
        yield server.base


def wait_healthy(base: str, process: subprocess.Popen | None = None, log: str = "its log",
                 timeout: float = 60) -> None:
    """Poll ``/_stcore/health`` until it answers ``ok``; fail early if ``process`` exits."""
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the app exited with code {process.returncode}; see {log}")
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{base} did not answer /_stcore/health within {timeout:g} s")
        time.sleep(0.25)


class RequestLog:
    """Every URL a browser context asked for, to prove nothing leaves the machine."""

    def __init__(self, base: str):
        self.allowed = urlparse(base).netloc
        self.urls: list[str] = []

    def record(self, request) -> None:
        self.urls.append(request.url)

    def outside(self) -> list[str]:
        return [u for u in self.urls
                if urlparse(u).scheme not in ("data", "blob", "about") and urlparse(u).netloc != self.allowed]


def finished_run(frame) -> bool:
    """Whether a websocket frame from the server reports a script run (or fragment run) finished, not cut short
    by a newer one. The page's running/notRunning attribute can skip a fast run when the browser is busy and
    draws both states in one go, so these messages are the reliable signal."""
    if not isinstance(frame, bytes) or len(frame) >= 512:       # small frames; a fragment run's carries its ids
        return False
    try:
        message = ForwardMsg.FromString(frame)
    except Exception:
        return False
    return message.WhichOneof("type") == "script_finished" and \
        message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN


def wait_settled(page, timeout: float = 60_000) -> None:
    """Wait until the websocket is up and the script has finished its run."""
    page.wait_for_selector(CONNECTED, timeout=timeout)
    page.wait_for_timeout(200)          # widget debounce before the rerun starts
    page.wait_for_selector(SETTLED, timeout=timeout)


def open_page(page, base: str, url_path: str, lang: str) -> None:
    """Open a lesson (``url_path`` "" is the home page) in ``lang`` and wait for its first run to finish.

    Right after a page load the app reads "not running" before its first run has even started, so
    the lesson's title (every page has one) is awaited before the run is.
    """
    page.goto(f"{base}/{url_path}?lang={lang}")
    wait_settled(page)
    page.locator("[data-testid=stMain] h1").first.wait_for(timeout=60_000)
    wait_settled(page)


def exceptions_shown(page) -> list[str]:
    return [e.inner_text() for e in page.query_selector_all("[data-testid=stException]")]


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


CURRENT_STEP = ".slider-group > .slider-label"     # Plotly's "Step n" above an animation's scrubber


def current_step(page) -> int:
    text = page.locator(CURRENT_STEP).first.text_content()
    return int(re.search(r"(\d+)\s*$", text).group(1))


def play_and_check(page, play_label: str) -> None:
    """Click the first animation's Play button and wait until it has moved on by itself, in the browser."""
    assert current_step(page) == 1
    page.locator(".updatemenu-button").filter(has_text=play_label).first.click()
    page.wait_for_function("s => /([3-9]|\\d\\d)\\s*$/.test(document.querySelector(s).textContent)",
                           arg=CURRENT_STEP, timeout=15_000)
    assert current_step(page) >= 3
    assert exceptions_shown(page) == []


def open_drawing_canvas(page, base: str, lang: str):
    """The feature-maps lesson in ``lang`` with its input set to drawing; returns the canvas to draw on."""
    from cnnviz.i18n import t

    open_page(page, base, "feature_maps", lang)
    page.get_by_role("radio", name=t("feature_maps.source_draw", lang)).click()
    wait_settled(page)
    canvas = page.locator("canvas.upper-canvas").first
    canvas.wait_for()
    return canvas
