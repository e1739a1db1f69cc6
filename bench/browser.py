"""Key press to settled page, in Chromium: each lesson's interactions over a trivial page's.

``python -m bench browser`` (with the other suites) or ``python -m bench.browser [--rounds N] [--only NAME]``.

It starts the app and a trivial page (bench/trivial_page.py: a title, one slider, one small Plotly chart) on
free loopback ports and opens both in headless Chromium at 1440x900. For each interaction it measures, round
by round, the trivial page's slider and then the lesson's control (ArrowRight, then ArrowLeft the next round,
so the page goes back and forth between two states that are cached after the first round, which is not
counted), and reports the lesson's median over the median of every trivial measurement in the run.

Settled: the server has reported the run finished (harness.finished_run, read from the websocket), the page
shows the script not running, and the main area's DOM has had no mutation for QUIET_MS. The time is taken in
the page with performance.now(): the last mutation of the main area (a MutationObserver installed just
before the key press) minus the keydown event's timestamp. Python's clock and the polling never enter it.
What happens after the last mutation (painting a canvas, decoding an image) is not in it.

Each measurement also splits its time by the websocket (the page's WebSocket is wrapped to timestamp every
frame): key press to the widget's message sent (the widget's own debounce), sent to the first frame back
(the server starts the run), first to last frame (the run, streamed), and last frame to settled (the
browser's work that nothing waits on the server for).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.common import Measurement, report
from cnnviz.i18n import t
from tests.e2e.harness import CHROMIUM_ARGS, SETTLED, RequestLog, chromium_path, finished_run, open_page, running_server

RESULTS = Path(__file__).with_name("results-browser.json")     # when run alone; python -m bench writes results.json
TRIVIAL_PAGE = Path(__file__).with_name("trivial_page.py")
VIEWPORT = {"width": 1440, "height": 900}
ROUNDS = 5
QUIET_MS = 300
TIMEOUT_MS = 60_000
LESSON_TARGET = 1.5
NETWORK_TARGET = 2.5

# Wraps the page's WebSocket to timestamp every frame, and measures one interaction (see the docstring).
PAGE_SCRIPT = """
(() => {
  const frames = window.__benchFrames = [];
  const size = data => data.byteLength ?? data.size ?? data.length ?? 0;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', e => frames.push(['in', performance.now(), size(e.data)]));
    }
    send(data) { frames.push(['out', performance.now(), size(data)]); return super.send(data); }
  };
  window.__bench = {
    arm() {
      const s = this.state = {start: null, last: null, frames: frames.length};
      this.observer?.disconnect();
      this.observer = new MutationObserver(() => { s.last = performance.now(); });
      this.observer.observe(document.querySelector('[data-testid=stMain]'),
                            {subtree: true, childList: true, attributes: true, characterData: true});
      window.addEventListener('keydown', e => { s.start ??= e.timeStamp; }, {capture: true, once: true});
    },
    settled(quiet) {
      const s = this.state, app = document.querySelector('[data-testid=stApp]');
      return s.start !== null && s.last !== null && s.last > s.start && performance.now() - s.last >= quiet
        && app.getAttribute('data-test-script-state') === 'notRunning';
    },
    result() {
      this.observer.disconnect();
      const s = this.state, after = frames.slice(s.frames).filter(f => f[1] >= s.start);
      const sent = after.find(f => f[0] === 'out'), replies = after.filter(f => f[0] === 'in');
      const at = f => f ? f[1] - s.start : null;
      return {settled: s.last - s.start, sent: at(sent), first: at(replies[0]), last: at(replies.at(-1)),
              bytes: replies.reduce((total, f) => total + f[2], 0), frames: replies.length};
    },
  };
})();
"""


class Tab:
    """One browser context and tab on one server, counting the runs the server reports finished."""

    def __init__(self, browser, base: str):
        self.context = browser.new_context(viewport=VIEWPORT, locale="en-US")
        self.requests = RequestLog(base)
        self.context.on("request", self.requests.record)
        self.context.add_init_script(PAGE_SCRIPT)
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.on("websocket", lambda socket: socket.on("framereceived", self._frame))
        self.main = self.page.locator("[data-testid=stMain]")
        self.base, self.runs = base, 0

    def _frame(self, payload) -> None:
        self.runs += finished_run(payload)

    def open(self, url_path: str) -> None:
        open_page(self.page, self.base, url_path, "en")

    def rerun(self, action: Callable[[], None]) -> None:
        """Do ``action`` and wait until the server has finished the run it starts."""
        runs = self.runs
        action()
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while self.runs <= runs:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.page.url}: no run finished within {TIMEOUT_MS / 1000:g} s")
            self.page.wait_for_timeout(10)          # lets Playwright deliver the websocket's frames

    def timed(self, prepare: Callable[[], Callable[[], None]]) -> dict:
        """``prepare()`` readies the control and returns the key press; its time from keydown to settled."""
        press = prepare()
        self.page.evaluate("window.__bench.arm()")
        self.rerun(press)
        self.page.wait_for_function("quiet => window.__bench.settled(quiet)", arg=QUIET_MS, polling=20)
        return self.page.evaluate("window.__bench.result()")

    def close(self) -> None:
        outside = self.requests.outside()
        self.context.close()
        if outside:
            raise RuntimeError(f"requests left the machine: {outside[:5]}")


# ---------------------------------------------------------------- the controls, driven by the keyboard

def arrow(round_index: int, forward: str, back: str) -> str:
    return forward if round_index % 2 == 0 else back


def slider(label: str):
    """Focus the slider's thumb; ArrowRight, then ArrowLeft the next round."""
    def prepare(tab: Tab, round_index: int):
        thumb = tab.main.get_by_role("slider", name=label).first
        thumb.focus()
        return lambda: thumb.press(arrow(round_index, "ArrowRight", "ArrowLeft"))
    return prepare


def select(label: str):
    """Open the select box from the keyboard and move to the option after the chosen one (before it the next
    round); the key press measured is the Enter that picks it."""
    def prepare(tab: Tab, round_index: int):
        box = tab.main.locator("[data-testid=stSelectbox]").filter(has_text=label).first
        field = box.locator("input[role=combobox]")
        field.focus()
        field.press("ArrowDown")                # opens the list, the highlight on some option
        options = tab.page.get_by_role("option")
        options.first.wait_for()
        chosen = options.evaluate_all("all => all.findIndex(o => o.getAttribute('aria-selected') === 'true')")
        wanted = chosen + (1 if round_index % 2 == 0 else -1)
        if not 0 <= wanted < options.count():
            wanted = chosen - (wanted - chosen)
        while (highlighted := int(field.get_attribute("aria-activedescendant").rsplit("-", 1)[1])) != wanted:
            field.press("ArrowDown" if highlighted < wanted else "ArrowUp")
        return lambda: field.press("Enter")
    return prepare


def radio(label: str):
    """Focus the chosen option of a radio group; ArrowDown, then ArrowUp the next round."""
    def prepare(tab: Tab, round_index: int):
        group = tab.main.get_by_role("radiogroup", name=label).first
        chosen = group.locator("input:checked")
        chosen.focus()
        return lambda: chosen.press(arrow(round_index, "ArrowDown", "ArrowUp"))
    return prepare


@dataclass(frozen=True)
class Interaction:
    name: str
    lesson: str             # its URL path; "" for the home page
    control: Callable       # slider, select or radio, given the control's English label
    label_key: str
    tab_key: str | None = None      # a section tab to open first
    target: float = LESSON_TARGET

    def prepare(self, tab: Tab, round_index: int):
        return self.control(t(self.label_key, "en"))(tab, round_index)


INTERACTIONS = [
    Interaction("convolution: stride slider", "convolution", slider, "convolution.stride"),
    Interaction("pooling: side slider", "pooling", slider, "pooling.side"),
    Interaction("filters: filter select box", "filters", select, "filters.filter"),
    Interaction("feature_maps: network select box", "feature_maps", select, "feature_maps.model",
                target=NETWORK_TARGET),
    Interaction("conv_arithmetic: case select box", "conv_arithmetic", select, "arithmetic.case"),
    Interaction("activations: function radio", "activations", radio, "activations.function"),
    Interaction("channels: filter bank slider", "channels", slider, "channels.filters", "channels.tab_bank"),
    Interaction("home: image side slider", "", slider, "home.image_side"),
    Interaction("architectures: network select box", "architectures", select, "architectures.network"),
    Interaction("architectures: LRN alpha slider", "architectures", slider, "architectures.lrn_alpha",
                "architectures.tab_alexnet"),
]
TRIVIAL = slider("value")


# ---------------------------------------------------------------- the run

@contextmanager
def browser_and_servers():
    """The app, the trivial page and a headless Chromium, all stopped afterwards; yields (browser, app base,
    trivial base)."""
    executable = chromium_path()
    if executable is None:
        raise RuntimeError("Chromium is not installed (Debian: apt-get install chromium); the browser bench needs it")
    from playwright.sync_api import sync_playwright

    with ExitStack() as stack:
        app = stack.enter_context(running_server(log_name="bench-browser-app.log"))
        trivial = stack.enter_context(running_server(script=str(TRIVIAL_PAGE.relative_to(TRIVIAL_PAGE.parents[1])),
                                                     log_name="bench-browser-trivial.log"))
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        yield browser, app.base, trivial.base


def open_lesson(tab: Tab, interaction: Interaction) -> None:
    """Open the interaction's lesson, and its section tab if it has one, and wait for the run to finish."""
    tab.open(interaction.lesson)
    if interaction.tab_key:
        tab.rerun(tab.main.get_by_role("tab", name=t(interaction.tab_key, "en")).click)
        tab.page.wait_for_selector(SETTLED)


def interleaved(trivial: Tab, lesson: Tab, interaction: Interaction, rounds: int, floors: list[dict]) -> list[dict]:
    """``rounds`` measurements of the interaction, each after one of the trivial page (added to ``floors``);
    a first round of each warms the caches and is not counted."""
    samples = []
    for round_index in range(rounds + 1):
        floor = trivial.timed(lambda: TRIVIAL(trivial, round_index))
        sample = lesson.timed(lambda: interaction.prepare(lesson, round_index))
        if round_index:
            floors.append(floor)
            samples.append(sample)
    return samples


def measure(interactions: list[Interaction], rounds: int) -> tuple[list[dict], dict[str, list[dict]]]:
    """The trivial page's samples and each interaction's."""
    floors, samples = [], {}
    with browser_and_servers() as (browser, app_base, trivial_base):
        trivial, lesson = Tab(browser, trivial_base), Tab(browser, app_base)
        try:
            trivial.open("")
            for interaction in interactions:
                open_lesson(lesson, interaction)
                samples[interaction.name] = interleaved(trivial, lesson, interaction, rounds, floors)
        finally:
            trivial.close()
            lesson.close()
    return floors, samples


def median(samples: list[dict], field: str) -> float:
    values = [s[field] for s in samples if s[field] is not None]
    return statistics.median(values) if values else float("nan")


def breakdown(samples: list[dict]) -> str:
    """The medians of where the time went, by the websocket (see the docstring)."""
    sent, first, last, settled = (median(samples, field) for field in ("sent", "first", "last", "settled"))
    return (f"key->sent {sent:.0f}, sent->first frame {first - sent:.0f}, first->last frame {last - first:.0f}, "
            f"last frame->settled {settled - last:.0f} ms; {median(samples, 'bytes') / 1024:.1f} KiB in "
            f"{median(samples, 'frames'):.0f} frames")


def run(rounds: int = ROUNDS, interactions: list[Interaction] = INTERACTIONS) -> list[Measurement]:
    floors, samples = measure(interactions, rounds)
    floor = median(floors, "settled")
    results = [Measurement("browser", "trivial page: key press to settled", floor, "ms",
                           detail=f"median of {len(floors)}; {breakdown(floors)}")]
    for interaction in interactions:
        lesson = median(samples[interaction.name], "settled")
        results.append(Measurement("browser", f"{interaction.name} / trivial", lesson / floor, "x",
                                   interaction.target,
                                   f"{lesson:.0f} ms vs {floor:.0f} ms; {breakdown(samples[interaction.name])}"))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--only", action="append", default=[], help="interactions whose name contains this")
    options = parser.parse_args(argv)
    chosen = [i for i in INTERACTIONS if not options.only or any(part in i.name for part in options.only)]
    return 0 if report(run(options.rounds, chosen), RESULTS) else 1


if __name__ == "__main__":
    raise SystemExit(main())
