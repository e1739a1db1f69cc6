"""Any picture becomes the 28x28 input the model was trained on: gray, bright on black, framed."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cnnviz.models import preprocess
from tests.models_support import disc

MNIST = {"side": 28, "box": 20, "centre_by_mass": True}
FASHION = {"side": 28, "box": 28, "centre_by_mass": False}


def centre_of_mass(image):
    ys, xs = np.indices(image.shape)
    return (ys * image).sum() / image.sum(), (xs * image).sum() / image.sum()


@settings(max_examples=60, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(1, 70), st.integers(1, 70), st.sampled_from([0, 3]))
              .map(lambda s: s[:2] if s[2] == 0 else s)),
       st.sampled_from([None, True, False]), st.sampled_from([None, True, False]))
def test_any_uint8_picture_gives_a_valid_input(image, invert, fit):
    for framing in (MNIST, FASHION):
        prepared = preprocess.prepare(image, invert=invert, fit=fit, **framing)
        assert prepared.image.shape == (28, 28) and prepared.image.dtype == np.float32
        assert 0 <= prepared.image.min() and prepared.image.max() <= 1
        assert prepared.blank == (prepared.image.max() < preprocess.BLANK_LEVEL)


def test_a_light_background_is_inverted_and_a_dark_one_kept():
    on_paper = preprocess.prepare(disc(light_background=True), **MNIST)
    on_black = preprocess.prepare(disc(light_background=False), **MNIST)
    assert on_paper.inverted and not on_black.inverted
    for prepared in (on_paper, on_black):
        assert prepared.image[0, 0] == 0 and prepared.image[14, 14] > 0.8
    forced = preprocess.prepare(disc(light_background=True), invert=False, **MNIST)
    assert not forced.inverted and forced.blank      # dark disc on white, kept: the "object" is the paper


@given(st.integers(12, 52), st.integers(12, 52))
@settings(max_examples=25, deadline=None)
def test_framing_does_not_care_where_the_object_was(row, col):
    moved = preprocess.prepare(disc(centre=(row, col)), **MNIST).image
    centred = preprocess.prepare(disc(), **MNIST).image
    np.testing.assert_allclose(moved, centred, atol=1e-5)


def test_mnist_framing_fits_a_20_pixel_box_centred_by_mass():
    wide = np.full((90, 160), 255, np.uint8)
    wide[30:60, 10:150] = 0                               # a dark bar, much wider than tall
    image = preprocess.prepare(wide, **MNIST).image
    rows, cols = np.nonzero(image > 0.5)
    assert cols.max() - cols.min() + 1 == 20
    assert np.allclose(centre_of_mass(image), (13.5, 13.5), atol=0.6)


def test_fashion_framing_fills_the_frame():
    image = preprocess.prepare(disc(size=100, radius=30), **FASHION).image
    rows, cols = np.nonzero(image > 0.5)
    assert rows.max() - rows.min() + 1 >= 27 and cols.max() - cols.min() + 1 >= 27


def test_scale_does_not_matter_much():
    small = preprocess.prepare(disc(size=64, radius=10, centre=(20, 30)), **MNIST).image
    large = preprocess.prepare(disc(size=256, radius=60, centre=(120, 100)), **MNIST).image
    assert np.abs(small - large).mean() < 0.03


def test_an_image_of_the_input_size_is_taken_as_framed():
    rng = np.random.default_rng(1)
    image = rng.integers(0, 256, (28, 28), dtype=np.uint8)
    prepared = preprocess.prepare(image, invert=False, **MNIST)
    assert not prepared.framed
    np.testing.assert_array_equal(prepared.image, image.astype(np.float32) / 255)
    assert preprocess.prepare(image, invert=False, fit=True, **MNIST).framed


def test_colour_uses_luminance():
    rgb = np.zeros((28, 28, 3), np.uint8)
    rgb[..., 1] = 255
    prepared = preprocess.prepare(rgb, invert=False, **MNIST)
    np.testing.assert_allclose(prepared.image, 0.587, atol=1e-6)


def test_a_blank_canvas_is_blank():
    for value in (0, 255, 128):
        prepared = preprocess.prepare(np.full((280, 280, 3), value, np.uint8), **MNIST)
        assert prepared.blank and not prepared.image.any()


def test_no_fit_only_squeezes_to_size():
    prepared = preprocess.prepare(disc(size=56, radius=28), fit=False, **FASHION)
    assert not prepared.framed and prepared.image.shape == (28, 28)
    assert prepared.image[14, 14] > 0.9 and prepared.image[0, 0] < 0.1
