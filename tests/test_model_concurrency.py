"""One shared model, eight threads, eight images: each gets its own answer, the serial one."""

import threading

import numpy as np
import pytest

from cnnviz import models
from cnnviz.models.samples import samples_for

THREADS = 8
ROUNDS = 5


@pytest.mark.parametrize("name", ["lenet5-mnist", "tinyvgg-fashion-mnist"])
def test_concurrent_calls_match_the_serial_answers(name):
    model = models.load(name, device="cpu")
    drawn = [s.image for s in samples_for(name)]
    rng = np.random.default_rng(7)
    images = [drawn[i % len(drawn)] if i < len(drawn) else rng.integers(0, 256, (40 + i, 50, 3), dtype=np.uint8)
              for i in range(THREADS)]

    def answer(image):
        activations = model.feature_maps(image)
        cam = model.grad_cam(image)
        return [a.array for a in activations], model.predict(image[None])[0], cam.heatmap, cam.class_index

    serial = [answer(image) for image in images]
    assert len({int(s[1].argmax()) for s in serial}) > 1          # the images really differ
    results, errors = {}, []
    barrier = threading.Barrier(THREADS)

    def worker(index):
        try:
            barrier.wait()
            results[index] = [answer(images[index]) for _ in range(ROUNDS)]
        except Exception as error:   # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for index, expected in enumerate(serial):
        for got in results[index]:
            for a, b in zip(got[0], expected[0]):
                np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(got[1], expected[1], rtol=1e-5, atol=1e-7)
            np.testing.assert_allclose(got[2], expected[2], rtol=1e-4, atol=1e-5)
            assert got[3] == expected[3]
