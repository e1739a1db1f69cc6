"""A class uploading at once: ``python -m bench.uploads [--sessions 30]``.

Thirty socket students (bench.socket_students: the browser's own upload route,
XSRF token and all) open the filters lesson, then all upload in the same second
a worst-case picture: the PNG of the intake's worst-case corpus that costs the
most memory to decode, each student's copy made unique (a text chunk of its own),
so that no decode is shared through the cache. The figure is the server's peak
resident memory (the kernel's high-water mark, VmHWM) against the 1.5 GB bound
of docs/security.md; every student must then see its own picture.
"""

from __future__ import annotations

import argparse
import asyncio
import struct
import time
import zlib
from pathlib import Path

from bench.classroom import Record
from bench.common import Measurement, report
from bench.images import peak_decode_mb
from bench.proc import _status_kb, rss_mb
from bench.socket_students import SocketStudent
from cnnviz import formulas
from tests.e2e.harness import running_server

BOUND_MB = 1536
RESULTS = "results-uploads.json"


def unique_copy(png: bytes, index: int) -> bytes:
    """``png`` with a text chunk naming ``index`` after its header: other bytes, the same pixels."""
    payload = b"Comment\x00student %d" % index
    chunk = struct.pack(">I", len(payload)) + b"tEXt" + payload + struct.pack(">I", zlib.crc32(b"tEXt" + payload))
    return png[:33] + chunk + png[33:]          # signature (8) + IHDR (25)


def worst_png() -> tuple[str, bytes, float]:
    """The corpus's PNG with the largest decode peak, measured each in a fresh process: (name, bytes, MB)."""
    from tests.image_corpus import worst_cases

    pngs = {name: data for name, data in worst_cases().items() if name.endswith(".png")}
    peaks = {name: peak_decode_mb(data) for name, data in pngs.items()}
    name = max(peaks, key=peaks.get)
    return name, pngs[name], peaks[name]


async def _class_uploads(base: str, pid: int, sessions: int, png: bytes) -> dict:
    record = Record()
    students = [SocketStudent(n, base, record, 0, "en", 600) for n in range(sessions)]
    for student in students:
        await student.__aenter__()
    try:
        await asyncio.gather(*(s.open("filters") for s in students))
        before = rss_mb(pid)
        start = time.perf_counter()
        await asyncio.gather(*(s.upload("images.upload", f"student-{s.index}.png", unique_copy(png, s.index))
                               for s in students))
        seconds = time.perf_counter() - start
        shown = sum(any(f"student-{s.index}" in text.replace(formulas.WORD_JOINER, "").replace("\\", "")
                        for text in s.texts) and not s.alerts and not s.exceptions for s in students)
        return {"before": before, "peak": _status_kb(pid, "VmHWM") / 1024, "after": rss_mb(pid),
                "seconds": seconds, "shown": shown, "errors": record.errors}
    finally:
        for student in students:
            await student.__aexit__(None, None, None)


def run(sessions: int = 30) -> list[Measurement]:
    name, png, decode_peak = worst_png()
    with running_server(log_name="bench-uploads.log") as server:
        result = asyncio.run(_class_uploads(server.base, server.process.pid, sessions, png))
    detail = (f"{sessions} students upload {name} ({len(png) // 1024} KiB, {decode_peak:.0f} MB to decode alone) "
              f"in the same second; RSS {result['before']:.0f} MB before, {result['after']:.0f} MB after; "
              f"{result['shown']}/{sessions} see their own picture, the last after {result['seconds']:.1f} s; "
              f"{len(result['errors'])} errors")
    return [Measurement("uploads", f"server peak RSS, {sessions} worst-case uploads at once", result["peak"], "MB",
                        BOUND_MB, detail),
            Measurement("uploads", "students who see their own picture", result["shown"], "students")]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sessions", type=int, default=30)
    report(run(parser.parse_args().sessions), Path(__file__).with_name(RESULTS))
