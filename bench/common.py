"""Timing and reporting shared by the benchmark suites."""

from __future__ import annotations

import json
import platform
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS = Path(__file__).with_name("results.json")


@dataclass
class Measurement:
    suite: str
    name: str
    value: float
    unit: str            # "x" for a ratio, "ms", "KiB", ...
    target: float | None = None   # the value must stay at or below this
    detail: str = ""

    @property
    def ok(self) -> bool | None:
        return None if self.target is None else self.value <= self.target


def median_ms(fn, repeat: int = 7, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` in milliseconds."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def machine() -> dict:
    import os

    import torch
    return {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
            "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
            "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None}


def markdown(measurements: list[Measurement]) -> str:
    """The table as Markdown: measurement, value, target, met."""
    lines = ["| suite | measurement | value | target | |", "| --- | --- | --- | --- | --- |"]
    for m in measurements:
        target = "" if m.target is None else f"≤ {m.target:g} {m.unit}"
        lines.append(f"| {m.suite} | {m.name} | {m.value:,.2f} {m.unit} | {target} | "
                     f"{ {True: 'ok', False: 'missed', None: ''}[m.ok]} |")
    return "\n".join(lines)


def report(measurements: list[Measurement], path: Path = RESULTS) -> bool:
    """Print the table, write JSON; True when every target is met."""
    rows = [("suite", "measurement", "value", "target", "")]
    for m in measurements:
        value = f"{m.value:,.2f} {m.unit}"
        target = "" if m.target is None else f"<= {m.target:g} {m.unit}"
        rows.append((m.suite, m.name, value, target, {True: "ok", False: "MISSED", None: ""}[m.ok]))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if index == 0:
            print("  ".join("-" * w for w in widths))
    details = [f"  {m.name}: {m.detail}" for m in measurements if m.detail]
    if details:
        print("\n" + "\n".join(details))
    info = machine()
    print(f"\nmachine: {info}")
    print("\nas Markdown, for the README:\n")
    print(markdown(measurements))
    path.write_text(json.dumps({"machine": info, "measurements": [asdict(m) | {"ok": m.ok} for m in measurements]},
                               indent=2, ensure_ascii=False))
    print(f"written: {path}")
    return all(m.ok is not False for m in measurements)
