"""Where a rerun's milliseconds go in the browser, from Chrome's own performance timeline.

``python -m bench.timeline [--rounds N] [--only NAME] [--keep DIR]``: for each of bench.browser's
interactions, after a round that warms the caches, it records Chrome's trace (devtools.timeline events and
the V8 sampling profiler) around N measured interactions and splits the time from the keydown to the
settled page (bench.browser's definition) on the page's main thread into:

- idle: the main thread waits (for the debounce, the server, the next frame);
- script, split by where the sampled JavaScript runs: Plotly (plotly.js and Streamlit's chart element, in the
  same chunk), message decoding (protobuf), JSON.parse, React and the rest of Streamlit's frontend;
- garbage collection, style and layout, paint and compositing, image decoding, other browser work.

It also counts, per kind of element (its data-testid; each Plotly chart on its own, numbered from the top, "kept" when it is the
same element as before the key press, "new" when React mounted it again), the DOM mutations the rerun caused in the main area:
an unchanged Plotly chart that Plotly draws again shows up there. Tracing slows the page down; read the
milliseconds as shares of the whole, and take the ratios from bench.browser.
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections import Counter, defaultdict
from pathlib import Path

from bench.browser import INTERACTIONS, TRIVIAL, Tab, browser_and_servers, open_lesson

CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute",
              "disabled-by-default-v8.cpu_profiler", "disabled-by-default-devtools.timeline.frame"]
STYLE_LAYOUT = {"UpdateLayoutTree", "Layout", "RecalculateStyles", "UpdateLayerTree", "HitTest", "IntersectionObserverController::computeIntersections"}
PAINT = {"Paint", "PrePaint", "Layerize", "Commit", "UpdateLayer", "CompositeLayers", "PaintImage", "RasterTask",
         "ScrollLayer"}
DECODE = {"Decode Image", "ImageDecodeTask", "Decode LazyPixelRef", "Draw LazyPixelRef"}
SCRIPT_EVENTS = {"FunctionCall", "EvaluateScript", "EventDispatch", "TimerFire", "FireAnimationFrame",
                 "RunMicrotasks", "v8.callFunction", "v8.run", "V8.Execute", "v8.compile", "v8.compileModule",
                 "CompileScript", "CompileCode", "ParseOnBackground", "XHRReadyStateChange", "FireIdleCallback"}

# Records, per element kind, the main area's mutations after the key press (armed with bench.browser's timer).
MUTATIONS = """() => {
  const counts = new Map(), before = [...document.querySelectorAll('[data-testid=stPlotlyChart]')];
  const observer = new MutationObserver(records => {
    for (const r of records) {
      const target = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      const owner = target?.closest('[data-testid^=st]:not([data-testid=stMain])') ?? 'main';
      counts.set(owner, (counts.get(owner) ?? 0) + 1);
    }
  });
  observer.observe(document.querySelector('[data-testid=stMain]'),
                   {subtree: true, childList: true, attributes: true, characterData: true});
  window.__stopMutations = () => {
    observer.disconnect();
    const after = [...document.querySelectorAll('[data-testid=stPlotlyChart]')], byKind = {};
    for (const [owner, n] of counts) {
      let kind = owner === 'main' ? 'main' : owner.getAttribute('data-testid');
      if (kind === 'stPlotlyChart')
        kind += before.includes(owner) ? ` #${after.indexOf(owner)} (kept)` : ` #${after.indexOf(owner)} (new)`;
      byKind[kind] = (byKind[kind] ?? 0) + n;
    }
    return byKind;
  };
}"""


def category(event: dict) -> str | None:
    name = event["name"]
    if "GC" in name or name.startswith("V8.GC"):
        return "garbage collection"
    if name in STYLE_LAYOUT:
        return "style and layout"
    if name in PAINT:
        return "paint and compositing"
    if name in DECODE:
        return "image decoding"
    if name in SCRIPT_EVENTS or name.lower().startswith("v8."):
        return "script"
    if name in ("ParseHTML", "ParseAuthorStyleSheet"):
        return "HTML and CSS parsing"
    return None


def main_thread_times(events: list[dict], pid: int, tid: int, start: float, end: float) -> dict[str, float]:
    """Self time (ms) of the main thread's events within [start, end] (µs), by category; "other" for the
    browser's own tasks, "idle" for the rest of the window."""
    spans = sorted((e for e in events if e.get("pid") == pid and e.get("tid") == tid and e.get("ph") == "X"
                    and e.get("dur") and e["ts"] < end and e["ts"] + e["dur"] > start),
                   key=lambda e: (e["ts"], -e["dur"]))
    times: dict[str, float] = defaultdict(float)
    stack: list[tuple[dict, float]] = []        # (event, its end)

    def clipped(e: dict) -> float:
        return max(0.0, min(e["ts"] + e["dur"], end) - max(e["ts"], start))

    owners: list[str] = []
    for event in spans:
        while stack and stack[-1][1] <= event["ts"]:
            stack.pop()
            owners.pop()
        kind = category(event) or (owners[-1] if owners else "other")
        times[kind] += clipped(event)
        if stack:
            times[owners[-1]] -= clipped(event)
        stack.append((event, event["ts"] + event["dur"]))
        owners.append(kind)
    busy = sum(times.values())
    times["idle"] = (end - start) - busy
    return {kind: ms / 1000 for kind, ms in times.items()}


def script_split(events: list[dict], pid: int, tid: int, start: float, end: float) -> Counter:
    """The sampled JavaScript within [start, end] by where it runs (ms)."""
    nodes: dict[int, dict] = {}
    split: Counter = Counter()
    for event in events:
        if event.get("name") != "ProfileChunk" or event.get("pid") != pid:
            continue
        data = event["args"]["data"]
        profile = data.get("cpuProfile", {})
        for node in profile.get("nodes", []):
            nodes[node["id"]] = node
        clock = event.get("_clock")
        samples, deltas = profile.get("samples", []), data.get("timeDeltas", [])
        if clock is None:
            continue
        for sample, delta in zip(samples, deltas):
            clock += delta
            if start <= clock <= end:
                split[where(nodes, sample)] += delta / 1000
    return split


def where(nodes: dict[int, dict], node_id: int) -> str:
    leaf = nodes.get(node_id, {}).get("callFrame", {})
    if leaf.get("functionName") in ("(idle)", "(program)"):
        return "(browser, outside JS)" if leaf.get("functionName") == "(program)" else "(idle)"
    if leaf.get("functionName") == "(garbage collector)":
        return "garbage collection (in JS)"
    names, node = [], nodes.get(node_id)
    while node is not None:
        frame = node["callFrame"]
        url = frame.get("url", "")
        if "PlotlyChart" in url:
            return "Plotly"
        if "protobuf" in url:
            return "message decoding"
        if url and not names:
            names.append(url)
        if frame.get("functionName") == "parse" and not url and not names:
            return "JSON.parse"
        node = nodes.get(node.get("parent"))
    return "React and Streamlit" if names else "other script"


def sample_clocks(events: list[dict]) -> None:
    """Give each ProfileChunk the time of its first sample: the Profile event's startTime carried forward."""
    starts = {e["id"]: e["args"]["data"]["startTime"] for e in events if e.get("name") == "Profile"}
    clock: dict[str, float] = {}
    for event in sorted((e for e in events if e.get("name") == "ProfileChunk"), key=lambda e: e["ts"]):
        key = event["id"]
        if key not in clock and key in starts:
            clock[key] = starts[key]
        if key in clock:
            event["_clock"] = clock[key]
            clock[key] += sum(event["args"]["data"].get("timeDeltas", []))


def analyse(trace: dict, settled_ms: float) -> dict:
    """Main-thread time and sampled script of the measured interaction: from its keydown to settled."""
    events = trace["traceEvents"]
    keydowns = [e for e in events if e.get("name") == "EventDispatch" and
                e.get("args", {}).get("data", {}).get("type") == "keydown"]
    key = keydowns[-1]
    start, end = key["ts"], key["ts"] + settled_ms * 1000
    sample_clocks(events)
    return {"main thread": main_thread_times(events, key["pid"], key["tid"], start, end),
            "script": dict(script_split(events, key["pid"], key["tid"], start, end))}


def traced(browser, tab: Tab, prepare, keep: Path | None, name: str) -> dict:
    """One interaction measured under Chrome's tracing, analysed."""
    tab.page.evaluate(MUTATIONS)
    browser.start_tracing(page=tab.page, categories=CATEGORIES)
    try:
        sample = tab.timed(prepare)
    finally:
        raw = browser.stop_tracing()
    if keep:
        (keep / f"{name}.json").write_bytes(raw)
    result = analyse(json.loads(raw), sample["settled"])
    return result | {"sample": sample, "mutations": tab.page.evaluate("window.__stopMutations()")}


def summarise(name: str, results: list[dict]) -> None:
    def med(values):
        return statistics.median(values) if values else 0.0
    settled = med([r["sample"]["settled"] for r in results])
    print(f"\n{name}: settled {settled:.0f} ms under tracing, "
          f"{med([r['sample']['bytes'] for r in results]) / 1024:.1f} KiB received")
    kinds = sorted({k for r in results for k in r["main thread"]}, key=lambda k: -med(
        [r["main thread"].get(k, 0) for r in results]))
    print("  main thread: " + ", ".join(f"{k} {med([r['main thread'].get(k, 0) for r in results]):.0f}"
                                        for k in kinds) + " ms")
    parts = sorted({k for r in results for k in r["script"]}, key=lambda k: -med([r["script"].get(k, 0)
                                                                                   for r in results]))
    print("  sampled JS:  " + ", ".join(f"{k} {med([r['script'].get(k, 0) for r in results]):.0f}"
                                        for k in parts) + " ms")
    mutations = Counter()
    for r in results:
        mutations.update(r["mutations"])
    print("  mutations:   " + ", ".join(f"{k} {v / len(results):.0f}" for k, v in mutations.most_common(12)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", action="append", default=[], help="interactions whose name contains this")
    parser.add_argument("--trivial", action="store_true", help="the trivial page too")
    parser.add_argument("--keep", type=Path, default=None, help="a folder to keep the raw traces in")
    options = parser.parse_args(argv)
    if options.keep:
        options.keep.mkdir(parents=True, exist_ok=True)
    chosen = [i for i in INTERACTIONS if not options.only or any(part in i.name for part in options.only)]
    with browser_and_servers() as (browser, app_base, trivial_base):
        tabs = [Tab(browser, trivial_base), Tab(browser, app_base)]
        try:
            trivial, lesson = tabs
            if options.trivial:
                trivial.open("")
                trivial.timed(lambda: TRIVIAL(trivial, 0))
                summarise("trivial page", [traced(browser, trivial, lambda: TRIVIAL(trivial, n + 1), options.keep,
                                                  f"trivial-{n}") for n in range(options.rounds)])
            for interaction in chosen:
                open_lesson(lesson, interaction)
                lesson.timed(lambda: interaction.prepare(lesson, 0))
                summarise(interaction.name, [
                    traced(browser, lesson, lambda: interaction.prepare(lesson, n + 1), options.keep,
                           f"{interaction.lesson or 'home'}-{n}") for n in range(options.rounds)])
        finally:
            for tab in tabs:
                tab.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
