"""Live training in Chromium: how often the curves a student watches redraw while a run trains.

``python -m bench.training_browser [--seconds 20]`` (on its own: it trains; not part of ``python -m bench``).

It starts the app on a free loopback port and opens the training lesson in headless Chromium at 1440x900,
in English, on its "Train it yourself" tab, with the longest run the page offers (so the run outlasts the
measurement). A first run is started and reset as soon as its curves appear: that starts the training
pool's processes, as the first student of a class does, and its time to a first curve is reported apart.
Then Train again, and for ``--seconds`` after the curves first appear the page itself records every
visible change of the curves chart (the Plotly chart keyed ``live_curves``): a MutationObserver on the
main area, installed before the press, takes performance.now() whenever the chart's line paths (their
``d`` attributes, all traces together) differ from the last ones it saw, with the number of points and
the last step drawn. Reset ends the run.

Reported: the median and p90 of the intervals between two visible updates (the target: a curve that
moves at least twice a second, median <= 0.5 s), the steps per second the run made as the page saw it
(steps drawn over the time between the first and the last update), the points each update added, the
time from the press to the first curve, how often the page's fragment reruns finished (read from the
websocket), and where the machine's CPU went meanwhile: the app server, its training processes, the
browser (with Playwright's driver), and everything else on the machine (other people's work included).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from contextlib import ExitStack
from pathlib import Path

from bench import proc
from bench.common import Measurement, report
from cnnviz.i18n import t
from tests.e2e.harness import (CHROMIUM_ARGS, RequestLog, chromium_path, exceptions_shown, finished_run, open_page,
                               running_server, wait_settled)

RESULTS = Path(__file__).with_name("results-training-browser.json")
VIEWPORT = {"width": 1440, "height": 900}
SECONDS = 20.0
TARGET_S = 0.5
FIRST_CURVE_MS = 120_000     # the first run of a process starts the pool's fork server
CHART_KEY = "live_curves"

# Records each visible change of the chart keyed ``key``: window.__curves.changes holds
# [performance.now(), points in the first trace, last step drawn] per change. Installed again, it starts over.
CURVE_OBSERVER = """
key => {
  window.__curves?.observer.disconnect();
  const record = window.__curves = {changes: [], last: null, observer: null};
  const look = () => {
    const box = document.querySelector(`.st-key-${key}`);
    if (!box) return;
    const paths = [...box.querySelectorAll('.scatterlayer path.js-line')].map(p => p.getAttribute('d')).join('|');
    if (!paths || paths === record.last) return;
    record.last = paths;
    const trace = box.querySelector('.js-plotly-plot')?.data?.[0];
    const xs = trace?.x ?? [];
    record.changes.push([performance.now(), xs.length, xs.length ? xs[xs.length - 1] : null]);
  };
  record.observer = new MutationObserver(look);
  record.observer.observe(document.querySelector('[data-testid=stMain]'),
                          {subtree: true, childList: true, attributes: true, attributeFilter: ['d']});
  look();
}
"""
CHANGES = "() => window.__curves.changes"
CHANGED = "n => window.__curves.changes.length >= n"


def install_observer(page) -> None:
    page.evaluate(CURVE_OBSERVER, CHART_KEY)


def open_live_tab(page, base: str, lang: str = "en") -> None:
    """The training lesson in ``lang``, on its "Train it yourself" tab."""
    open_page(page, base, "training", lang)
    page.locator("[data-testid=stMain]").get_by_role("tab", name=t("training.tab_live", lang)).click()
    wait_settled(page)
    page.get_by_role("button", name=t("training.train", lang), exact=True).wait_for()


def press(page, label_key: str, lang: str = "en") -> float:
    """Click the button labelled ``label_key``; the page's clock (ms) just before."""
    started = page.evaluate("performance.now()")
    page.get_by_role("button", name=t(label_key, lang), exact=True).click()
    return started


def longest_run(page, lang: str = "en") -> int:
    """Move the steps slider to its top (the longest run on offer); the steps it shows."""
    thumb = page.locator("[data-testid=stMain]").get_by_role("slider", name=t("training.steps", lang))
    thumb.focus()
    thumb.press("End")
    wait_settled(page)
    return int(thumb.get_attribute("aria-valuetext").replace(",", ""))


class CpuSplit:
    """CPU seconds of the app server, its child processes (the training pool's), this bench's browser and
    driver, and the whole machine, between ``start()`` and ``stop()``; as shares of all the cores."""

    def __init__(self, server_pid: int):
        self.server_pid = server_pid

    def _read(self) -> tuple[float, ...]:
        server = proc.descendants(self.server_pid)
        browser = [pid for pid in proc.descendants(os.getpid()) if pid not in server and pid != os.getpid()]
        return (time.monotonic(), proc.cpu_seconds([self.server_pid]), proc.cpu_seconds(server[1:]),
                proc.cpu_seconds(browser), proc.machine_busy_seconds())

    def start(self) -> None:
        self.begin = self._read()

    def stop(self) -> dict:
        wall, server, children, browser, machine = (b - a for a, b in zip(self.begin, self._read()))
        share = lambda seconds: round(100 * seconds / (wall * len(os.sched_getaffinity(0))), 1)
        return {"app_server_pct": share(server), "training_pct": share(children), "browser_pct": share(browser),
                "everything_else_pct": share(max(machine - server - children - browser, 0)),
                "machine_busy_pct": share(machine)}


def percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def measure(seconds: float = SECONDS) -> dict:
    executable = chromium_path()
    if executable is None:
        raise RuntimeError("Chromium is not installed (Debian: apt-get install chromium); this bench needs it")
    from playwright.sync_api import sync_playwright

    with ExitStack() as stack:
        server = stack.enter_context(running_server(log_name="bench-training-browser.log"))
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        context = browser.new_context(viewport=VIEWPORT, locale="en-US")
        requests = RequestLog(server.base)
        context.on("request", requests.record)
        page = context.new_page()
        page.set_default_timeout(60_000)
        finished: list[float] = []
        page.on("websocket", lambda socket: socket.on(
            "framereceived", lambda frame: finished_run(frame) and finished.append(time.monotonic())))

        open_live_tab(page, server.base)
        steps = longest_run(page)
        # The first run of the process: starts the pool's processes; reset once its curves appear.
        install_observer(page)
        pressed = press(page, "training.train")
        page.wait_for_function(CHANGED, arg=1, timeout=FIRST_CURVE_MS, polling=50)
        cold = page.evaluate(CHANGES)[0][0] - pressed
        press(page, "training.reset")
        wait_settled(page)

        install_observer(page)
        pressed = press(page, "training.train")
        page.wait_for_function(CHANGED, arg=1, timeout=FIRST_CURVE_MS, polling=50)
        first = page.evaluate(CHANGES)[0][0]
        watched = time.monotonic()
        cpu = CpuSplit(server.process.pid)
        cpu.start()
        page.wait_for_timeout(seconds * 1000)
        wall = time.monotonic() - watched
        cpu_shares = cpu.stop()
        changes = [change for change in page.evaluate(CHANGES) if change[0] <= first + seconds * 1000]
        shown = exceptions_shown(page)
        press(page, "training.reset")
        wait_settled(page)
        context.close()
        outside = requests.outside()
    if outside:
        raise RuntimeError(f"requests left the machine: {outside[:5]}")
    if shown:
        raise RuntimeError(f"the page showed an exception: {shown[0][:300]}")
    polls = [b - a for a, b in zip(finished, finished[1:]) if a >= watched and b <= watched + wall]
    return {"steps_set": steps, "seconds": seconds, "cold_first_curve_ms": cold, "first_curve_ms": first - pressed,
            "changes": changes, "poll_intervals_s": polls,
            "cpu": cpu_shares, "cores": len(os.sched_getaffinity(0))}


def figures(result: dict) -> dict:
    changes = result["changes"]
    times = [change[0] / 1000 for change in changes]
    intervals = [b - a for a, b in zip(times, times[1:])]
    added = [b[1] - a[1] for a, b in zip(changes, changes[1:])]
    stepped = (changes[-1][2] - changes[0][2]) if len(changes) > 1 and changes[0][2] is not None else 0
    span = times[-1] - times[0] if len(times) > 1 else float("nan")
    polls = result["poll_intervals_s"]
    return {"updates": len(changes), "median_s": percentile(intervals, 50) if intervals else float("nan"),
            "p90_s": percentile(intervals, 90) if intervals else float("nan"),
            "steps_per_s": stepped / span if span else float("nan"), "steps_drawn": stepped,
            "points_per_update": statistics.median(added) if added else float("nan"),
            "fragment_reruns_median_s": statistics.median(polls) if polls else float("nan"),
            "intervals_s": [round(i, 3) for i in intervals]}


def run(seconds: float = SECONDS) -> list[Measurement]:
    result = measure(seconds)
    f = figures(result)
    cpu = result["cpu"]
    load = (f"CPU of {result['cores']} cores meanwhile: app server {cpu['app_server_pct']:.0f}%, its training "
            f"processes {cpu['training_pct']:.0f}%, browser {cpu['browser_pct']:.0f}%, everything else "
            f"{cpu['everything_else_pct']:.0f}% (busy {cpu['machine_busy_pct']:.0f}%)")
    return [
        Measurement("training_browser", "live curves: median interval between visible updates", f["median_s"], "s",
                    TARGET_S, f"{f['updates']} updates in {result['seconds']:g} s, p90 {f['p90_s']:.2f} s, "
                    f"{f['points_per_update']:g} point(s) each; the page's fragment reran every "
                    f"{f['fragment_reruns_median_s']:.2f} s (median); {load}; intervals: {f['intervals_s']}"),
        Measurement("training_browser", "live curves: p90 interval between visible updates", f["p90_s"], "s"),
        Measurement("training_browser", "steps/s the run made while the page followed it", f["steps_per_s"],
                    "steps/s", detail=f"{f['steps_drawn']} steps drawn between the first and last update "
                    f"(LeNet-5, batch 64, a {result['steps_set']:,}-step run, one torch thread at nice 10)"),
        Measurement("training_browser", "Train to first curve", result["first_curve_ms"] / 1000, "s",
                    detail=f"the pool's processes already started; the first run of the process: "
                    f"{result['cold_first_curve_ms'] / 1000:.1f} s"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=SECONDS, help="how long the updates are recorded")
    options = parser.parse_args(argv)
    return 0 if report(run(options.seconds), RESULTS) else 1


if __name__ == "__main__":
    raise SystemExit(main())
