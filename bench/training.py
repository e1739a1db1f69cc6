"""The training lesson's claims, measured: how fast LeNet-5 learns MNIST, and what a bad activation or a bad
initialization does to it (what augmentation does with too little data: ``python -m bench augmentation``).
One torch thread on the CPU, as the lesson's pool runs a run; the shipped MNIST subset (12,000 training and
2,000 test images). ``python -m bench training``."""

from __future__ import annotations

import time
from dataclasses import replace

import torch

from bench.common import Measurement
from cnnviz import learning
from cnnviz.learning import TrainConfig

GOOD = TrainConfig(activation="relu", pooling="max", init="he", optimizer="adam", lr=1e-3, batch_size=64,
                   steps=3000, eval_every=50)
TARGET_ACCURACY = 0.98
STEP_BUDGET = 1500
INITS = ("he", "default", "normal_0.01", "normal_1", "zeros")


def final_accuracy(config: TrainConfig) -> float:
    return learning.run(config, lambda snapshot: None, device="cpu").test_accuracy


def time_to_target() -> tuple[int | None, float, float, float]:
    """Steps and wall seconds until the test accuracy, tested every 50 steps, reaches the target (setting up
    and testing included), the seconds of those spent testing, and the best accuracy within the step budget."""
    started = time.perf_counter()
    trainer, testing, reached, best = learning.Trainer(GOOD, "cpu"), 0.0, None, 0.0
    while trainer.steps_done < GOOD.steps and not (reached and trainer.steps_done >= STEP_BUDGET):
        trainer.step()
        if trainer.steps_done % GOOD.eval_every == 0:
            begun = time.perf_counter()
            accuracy = trainer.evaluate().test_accuracy
            testing += time.perf_counter() - begun
            if trainer.steps_done <= STEP_BUDGET:
                best = max(best, accuracy)
            if accuracy >= TARGET_ACCURACY and reached is None:
                reached = trainer.steps_done, time.perf_counter() - started, testing
    steps, seconds, testing = reached or (None, time.perf_counter() - started, testing)
    return steps, seconds, testing, best


def run() -> list[Measurement]:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _run()
    finally:
        torch.set_num_threads(threads)


def _run() -> list[Measurement]:
    results = []
    steps, seconds, testing, best = time_to_target()
    results += [
        Measurement("training", "LeNet-5 (ReLU, max pooling, He, Adam 1e-3, batch 64): steps to 98% test accuracy",
                    steps if steps is not None else float("inf"), "steps", STEP_BUDGET,
                    f"not reached in {GOOD.steps:,} steps" if steps is None else "tested every 50 steps"),
        Measurement("training", "LeNet-5: wall time to 98% test accuracy", seconds, "s", 30,
                    f"{testing:.1f} s of it testing the 2,000 images every 50 steps"),
        Measurement("training", f"LeNet-5: best test accuracy within {STEP_BUDGET:,} steps", 100 * best, "%"),
    ]
    stall = replace(GOOD, activation="sigmoid", pooling="avg", init="default", optimizer="sgd", lr=0.1, steps=2000)
    results += [
        Measurement("training", "sigmoid, average pooling, SGD 0.1, default init: test accuracy after 2,000 steps",
                    100 * final_accuracy(stall), "%", 15),
        Measurement("training", "the same with He init", 100 * final_accuracy(replace(stall, init="he")), "%"),
    ]

    accuracy = {init: 100 * final_accuracy(replace(GOOD, init=init, train_images=5000, steps=300))
                for init in INITS}
    results += [Measurement("training", f"init {init}: test accuracy after 300 Adam steps on 5,000 images",
                            value, "%") for init, value in accuracy.items()]
    order = [min(accuracy["he"], accuracy["default"]), accuracy["normal_0.01"], accuracy["normal_1"], accuracy["zeros"]]
    results += [
        Measurement("training", "init: |He - default|", abs(accuracy["he"] - accuracy["default"]), "points", 3),
        Measurement("training", "init: order He, default > N(0, 0.01²) > N(0, 1) > zeros broken at",
                    sum(a <= b for a, b in zip(order, order[1:])), "places", 0),
        Measurement("training", "init zeros: distance from chance (10%)", abs(accuracy["zeros"] - 10), "points", 1),
    ]
    return results
