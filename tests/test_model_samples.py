"""The samples the project draws itself: what they are, and that the shipped models get them right."""

import numpy as np
import pytest

from cnnviz import models
from cnnviz.i18n import catalog
from cnnviz.models import samples


@pytest.mark.parametrize("name", ["lenet5-mnist", "tinyvgg-fashion-mnist"])
def test_every_sample_is_recognised(name):
    model = models.load(name, device="cpu")
    drawn = samples.samples_for(name)
    assert len(drawn) >= 7
    probabilities = model.predict(np.stack([s.image for s in drawn]))
    assert [model.labels[k] for k in probabilities.argmax(axis=1)] == [model.labels[s.label] for s in drawn]


def test_samples_are_drawn_pictures_with_names():
    for name in models.available():
        for sample in samples.samples_for(name):
            assert sample.image.shape == (samples.SIZE, samples.SIZE, 3) and sample.image.dtype == np.uint8
            assert sample.image[0, 0].tolist() == [255, 255, 255]          # white paper around
            assert (sample.image < 200).any()                               # and something drawn
            for lang in ("en", "ko"):
                assert f"feature_maps.sample_{sample.key}" in catalog(lang)
    assert samples.samples_for("no-such-model") == ()
    assert samples.digits()[3].image is samples.digits()[3].image          # drawn once
