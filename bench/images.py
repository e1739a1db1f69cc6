"""Image filters on a photo-sized picture: compute the Sobel edge strength and render it to PNG."""

from __future__ import annotations

from bench.common import Measurement, median_ms
from cnnviz import figures, filtering, images


def run() -> list[Measurement]:
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
    return results
