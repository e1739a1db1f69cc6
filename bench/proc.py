"""Memory and CPU of running processes, read from /proc (Linux), with no extra dependency."""

from __future__ import annotations

import os
import threading
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def rss_mb(pid: int) -> float:
    """Resident set size now, in MB (MiB)."""
    return _status_kb(pid, "VmRSS") / 1024


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text[text.rindex(")") + 2:].split()      # fields from "state" on; the name may hold spaces


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def cpu_seconds(pids) -> float:
    """CPU time (user + system) used by ``pids``, and by their children already waited for."""
    total = 0
    for pid in pids:
        fields = _stat(pid)
        if fields is not None:
            total += sum(int(value) for value in fields[11:15])     # utime, stime, cutime, cstime
    return total / TICKS


def machine_busy_seconds() -> float:
    """CPU time every core of the machine has spent busy since boot (all processes, anyone's)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)          # idle + iowait
    return (sum(values[:8]) - idle) / TICKS


class RssSampler:
    """Samples the summed RSS of some processes in a thread; ``peak`` is the largest sum seen."""

    def __init__(self, pids: list[int], interval: float = 0.2):
        self.pids, self.interval = pids, interval
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def now(self) -> float:
        return sum(rss_mb(pid) for pid in self.pids)

    def reset_peak(self) -> None:
        self.peak = self.now()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self.now())

    def __enter__(self) -> RssSampler:
        self.peak = self.now()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
