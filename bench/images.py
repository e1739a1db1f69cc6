"""Image filters on a photo-sized picture, and what decoding an upload costs: the time for a photo, the peak
memory for each worst case the intake accepts (each in a fresh process), and a class uploading at once."""

from __future__ import annotations

import subprocess
import sys

from bench.common import Measurement, median_ms
from cnnviz import figures, filtering, images

# Run in a fresh process: decode the bytes on stdin (``threads`` times at once) and print the growth of the
# peak resident memory, in MB. Read from /proc: ru_maxrss would carry over the parent's peak.
_DECODE = """
import sys
from concurrent.futures import ThreadPoolExecutor
from cnnviz import images

def peak_kb():
    with open("/proc/self/status") as status:
        return int(next(line for line in status if line.startswith("VmHWM:")).split()[1])

data, threads = sys.stdin.buffer.read(), int(sys.argv[1])
before = peak_kb()
with ThreadPoolExecutor(threads) as pool:
    list(pool.map(lambda _: images.decode_image(data, 10 * 2**20, 512), range(threads)))
print((peak_kb() - before) / 1024)
"""
CLASS = 30


def peak_decode_mb(data: bytes, at_once: int = 1) -> float:
    """The peak memory ``at_once`` decodes of ``data`` add to a fresh process that has imported the intake."""
    done = subprocess.run([sys.executable, "-c", _DECODE, str(at_once)], input=data, capture_output=True,
                          check=True)
    return float(done.stdout)


def run() -> list[Measurement]:
    from tests.image_corpus import worst_cases

    results = []
    for size, target in ((512, 100), (1024, 250)):
        gray = images.to_gray(images.sample_image("scene", size))

        def sobel_to_png():
            return figures.png_bytes(filtering.display(filtering.gradient(gray).magnitude, "absolute"))

        results.append(Measurement("images", f"Sobel magnitude {size}x{size}, computed and PNG-encoded",
                                   median_ms(sobel_to_png, repeat=5), "ms", target))
    data = figures.png_bytes(images.sample_image("scene", 1024))
    results.append(Measurement("images", "decode a 1024x1024 PNG upload to the 512 working size",
                               median_ms(lambda: images.decode_image(data, 10 * 2**20, 512), repeat=5), "ms"))
    corpus = worst_cases()
    peaks = {name: peak_decode_mb(file) for name, file in corpus.items()}
    for name, peak in peaks.items():
        results.append(Measurement("images", f"peak memory of one decode: {name} ({len(corpus[name]) // 1024} KiB)",
                                   peak, "MB", images.DECODE_BUDGET_MB))
    worst = max(peaks, key=peaks.get)
    results.append(Measurement("images", f"peak memory of {CLASS} decodes at once of the worst case ({worst})",
                               peak_decode_mb(corpus[worst], CLASS), "MB",
                               images.DECODES_AT_ONCE * images.DECODE_BUDGET_MB,
                               f"{images.DECODES_AT_ONCE} at a time (cnnviz.images.DECODES_AT_ONCE)"))
    return results
