"""The augmentation lesson's claims, measured: ``python -m bench augmentation``.

* The preview's rerun with a 512x512 photo uploaded (the intake reduces it; 16 draws at 112 px), over a
  trivial page's, as ``bench.pages`` measures the lessons (AppTest, each script compiled once): a plain
  rerun, which shows the cached grid, and a re-draw, which draws 16 new pictures and encodes them.
* The gain: LeNet-5 on the first 500 images of the MNIST subset, with and without the lesson's augmentation,
  and with upside-down flips added (the recorded runs' configs), for three seeds, one torch thread each, as
  the lesson's pool runs them.
"""

from __future__ import annotations

import io
import statistics
from dataclasses import replace

import torch
from PIL import Image

from bench.common import Measurement, median_ms
from bench.pages import ROUNDS, rerun_ms, server_like_reruns, trivial_page
from cnnviz import images, learning
from cnnviz.recordings import RUNS
from tests.apptest import open_app
from ui.augmentation_views import AUGMENTED, FLIPPED, PLAIN

PAGE = "pages/augmentation.py"
SIDE = 512
SEEDS = (0, 1, 2)
GAIN_TARGET = 3.0           # points of test accuracy


def photo_png() -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(images.sample_image("astronaut", SIDE)).save(buffer, format="PNG")
    return buffer.getvalue()


def preview_measurements() -> list[Measurement]:
    floors, reruns, redraws = [], [], []
    with server_like_reruns(), trivial_page() as trivial:
        at = open_app("en", PAGE)
        at.segmented_control(key="aug_source").set_value("picture").run()
        at.file_uploader(key="aug_upload").set_value(("photo.png", photo_png(), "image/png")).run()
        assert not at.exception and not at.error and at.image, "the preview did not draw the uploaded photo"
        for _ in range(ROUNDS):
            floors.append(rerun_ms(trivial))
            reruns.append(rerun_ms(at))
            redraws.append(median_ms(lambda: at.button(key="aug_redraw").click().run(), repeat=9, warmup=1))
    floor, rerun, redraw = statistics.median(floors), statistics.median(reruns), statistics.median(redraws)
    return [
        Measurement("augmentation", "trivial page rerun", floor, "ms"),
        Measurement("augmentation", "preview rerun, 512² photo uploaded", rerun, "ms", 50,
                    f"{rerun / floor:.1f}x the trivial page"),
        Measurement("augmentation", "preview rerun / trivial", rerun / floor, "x", 5.0),
        Measurement("augmentation", "preview re-draw (16 new draws, encoded), 512² photo", redraw, "ms", 50,
                    f"{redraw / floor:.1f}x the trivial page"),
    ]


def final_accuracy(config: learning.TrainConfig) -> float:
    return learning.run(config, lambda snapshot: None, device="cpu").test_accuracy


def gain_measurements() -> list[Measurement]:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        plain, augmented, flipped = ([100 * final_accuracy(replace(RUNS[name][0], seed=seed)) for seed in SEEDS]
                                     for name in (PLAIN, AUGMENTED, FLIPPED))
    finally:
        torch.set_num_threads(threads)
    config = RUNS[AUGMENTED][0]
    setting = ", ".join(f"{name} {value}" for name, value in config.augment.changed().items())
    gains = [a - p for a, p in zip(augmented, plain)]
    seeds = ", ".join(map(str, SEEDS))
    return [
        Measurement("augmentation", f"500 images, {RUNS[PLAIN][0].steps:,} steps, no augmentation: test accuracy "
                    f"(mean of seeds {seeds})", statistics.mean(plain), "%", detail=_each(plain)),
        Measurement("augmentation", f"500 images, {config.steps:,} steps, {setting}: test accuracy "
                    f"(mean of seeds {seeds})", statistics.mean(augmented), "%", detail=_each(augmented)),
        Measurement("augmentation", f"500 images: no augmentation minus augmentation (mean of seeds {seeds})",
                    -statistics.mean(gains), "points", -GAIN_TARGET,
                    f"the gain, {_each(gains)} points; the recorded runs are seed {config.seed}"),
        Measurement("augmentation", f"500 images, the same with upside-down flips too: test accuracy (mean of seeds "
                    f"{seeds})", statistics.mean(flipped), "%", detail=_each(flipped)),
    ]


def _each(values: list[float]) -> str:
    return ", ".join(f"seed {seed}: {value:.2f}" for seed, value in zip(SEEDS, values))


def run() -> list[Measurement]:
    return preview_measurements() + gain_measurements()
