"""Transfer learning, measured: the lesson's experiment run again here, every way at every number of labels, each
with the seeds the lesson records (mean ± half the range), and the time each run takes. One torch thread on the
CPU, as the training pool runs a live run. ``python -m bench transfer``."""

from __future__ import annotations

import numpy as np

from bench.common import Measurement
from cnnviz import transfer
from cnnviz.device import torch_threads
from cnnviz.transfer import PAIRS, WAYS

MIN_GAIN = 4             # points both transfer ways must beat training from scratch by, with few labels
FEW_LABELS = (50, 200)
LIVE_LIMIT_S = 10        # a live run, alone: data, network, 500 steps and its tests


def run() -> list[Measurement]:
    with torch_threads(1):
        return _run()


def _run() -> list[Measurement]:
    results: dict[tuple, list[transfer.Result]] = {}
    for config in transfer.experiment_configs():
        result = transfer.run(config)
        results.setdefault((config.source, config.target, config.labels, config.way), []).append(result)
        print(f"  {config.source} → {config.target}, {config.labels:,} labels, {config.way}, seed {config.seed}: "
              f"{100 * result.test_accuracy:.1f}%, {result.seconds:.1f} s training, {result.wall_seconds:.1f} s "
              f"in all", flush=True)
    mean = {key: 100 * float(np.mean([r.test_accuracy for r in runs])) for key, runs in results.items()}
    measurements = []
    for key, runs in results.items():
        source, target, labels, way = key
        accuracy = [100 * r.test_accuracy for r in runs]
        measurements.append(Measurement(
            "transfer", f"{source} → {target}, {labels:,} labels, {way}: test accuracy", mean[key], "%",
            detail=f"± {(max(accuracy) - min(accuracy)) / 2:.1f} over seeds {', '.join(str(r.config.seed) for r in runs)}"
                   f" ({', '.join(f'{a:.1f}' for a in accuracy)}); {runs[0].trainable_parameters:,} trainable "
                   f"parameters; each run {', '.join(f'{r.seconds:.1f}' for r in runs)} s training, "
                   f"{', '.join(f'{r.wall_seconds:.1f}' for r in runs)} s in all"))
    digits = PAIRS[0]
    for labels in FEW_LABELS:
        for way in WAYS[1:]:
            measurements.append(Measurement(
                "transfer", f"{labels} labels: scratch minus {way}", mean[(*digits, labels, "scratch")]
                - mean[(*digits, labels, way)], "points", -MIN_GAIN))
    for pair in PAIRS[1:]:
        labels = transfer.EXPERIMENTS[pair][0]
        for way in WAYS[1:]:
            measurements.append(Measurement(
                "transfer", f"{pair[0]} → {pair[1]}, {labels} labels: {way} minus scratch",
                mean[(*pair, labels, way)] - mean[(*pair, labels, "scratch")], "points"))
    seconds = {way: float(np.mean([r.seconds for key, runs in results.items() if key[:2] == digits and key[3] == way
                             for r in runs])) for way in WAYS}
    for way in WAYS[1:]:
        measurements.append(Measurement("transfer", f"digits: {way}'s training time over scratch's",
                                        seconds[way] / seconds["scratch"], "x",
                                        detail=f"{seconds[way]:.2f} s against {seconds['scratch']:.2f} s a run"))
    live = max(r.wall_seconds for key, runs in results.items() if key[:2] == digits for r in runs)
    measurements.append(Measurement("transfer", "digits: the longest run, everything included (what a live run takes)",
                                    live, "s", LIVE_LIMIT_S))
    return measurements
