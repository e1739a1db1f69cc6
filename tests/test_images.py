"""The safe intake decodes every awkward good file correctly and refuses every bad one with a message."""

import importlib.resources
import io

import numpy as np
import pytest
from PIL import Image

from cnnviz import images
from cnnviz.errors import InvalidInput
from tests.image_corpus import bad_files, exif_rotated_jpeg, good_files

LIMIT = 10 * 2**20
GOOD, BAD = good_files(), bad_files()


@pytest.mark.parametrize("name", GOOD)
def test_good_files_decode_to_rgb(name):
    data, shape = GOOD[name]
    rgb = images.decode_image(data, LIMIT)
    assert rgb.dtype == np.uint8 and rgb.ndim == 3 and rgb.shape[2] == 3
    assert rgb.shape[:2] == shape


@pytest.mark.parametrize("name", BAD)
def test_bad_files_are_refused_in_both_languages(name):
    with pytest.raises(InvalidInput) as caught:
        images.decode_image(BAD[name], LIMIT)
    assert caught.value.key.startswith("errors.images.")
    assert caught.value.localized("ko") != caught.value.localized("en")


def test_bombs_are_small_files_refused_before_decoding():
    for name in ("bomb-10000.png", "bomb-20000.png"):
        assert len(BAD[name]) < 64 * 1024
        with pytest.raises(InvalidInput) as caught:
            images.decode_image(BAD[name], LIMIT)
        assert caught.value.key in ("errors.images.too_many_pixels", "errors.images.bomb")


def test_the_byte_limit_is_checked():
    with pytest.raises(InvalidInput, match="limit is 1 MB"):
        images.decode_image(b"x" * (2 * 2**20), 2**20)


def test_transparency_is_composited_on_white():
    rgb = images.decode_image(GOOD["palette-transparent.png"][0], LIMIT)
    assert (rgb == 255).all(axis=2).any()           # the transparent colour became white
    clear = Image.fromarray(np.dstack([np.zeros((8, 8), np.uint8)] * 2), "LA")   # black, fully transparent
    buffer = io.BytesIO()
    clear.save(buffer, format="PNG")
    assert (images.decode_image(buffer.getvalue(), LIMIT) == 255).all()


def test_sixteen_bit_and_float_images_use_their_whole_range():
    for name in ("sixteen-bit.png", "float.tiff"):
        rgb = images.decode_image(GOOD[name][0], LIMIT)
        assert rgb.min() == 0 and rgb.max() == 255, name


def test_exif_rotation_is_applied():
    rgb = images.decode_image(exif_rotated_jpeg(), LIMIT)
    assert rgb.shape[:2] == (60, 30)


def test_working_size_shrinks_the_longest_side():
    data = GOOD["large-4000x3000.jpg"][0]
    assert images.decode_image(data, LIMIT, 256).shape[:2] == (192, 256)
    assert images.decode_image(data, LIMIT, 1024).shape[:2] == (768, 1024)
    with pytest.raises(InvalidInput):
        images.decode_image(data, LIMIT, 300)


def test_cmyk_keeps_its_colours():
    rgb = images.decode_image(GOOD["cmyk.jpg"][0], LIMIT).astype(int)
    assert abs(rgb[-1, -1] - np.array([255, 255, 128])).max() < 40


def test_file_names_are_shown_as_plain_text():
    label = images.safe_label('<img src=x onerror="alert(1)">.png')
    assert "<" not in label and ">" not in label
    assert images.safe_label("a" * 200).endswith("…") and len(images.safe_label("a" * 200)) == 60
    assert images.safe_label("\x00\x1b[31m") == "31m"


@pytest.mark.parametrize("name", images.SAMPLES)
def test_samples(name):
    rgb = images.sample_image(name, 128)
    assert max(rgb.shape[:2]) == 128 and rgb.shape[2] == 3 and rgb.dtype == np.uint8 and rgb.std() > 10


@pytest.mark.parametrize("name", images.PHOTOS)
def test_photographs_come_from_the_installed_package_and_keep_their_proportions(name):
    """Read from scikit-image's wheel: no download, and a photo is shrunk, never stretched or enlarged."""
    with Image.open(importlib.resources.files("skimage") / "data" / images.PHOTOS[name]) as original:
        width, height = original.size
    small = images.sample_image(name, 256)
    assert abs(small.shape[1] / small.shape[0] - width / height) < 0.02
    assert images.sample_image(name, 1024).shape[:2] == (height, width)


def test_gray_is_pillows_luminance():
    rgb = images.sample_image("shapes", 64)
    np.testing.assert_allclose(images.to_gray(rgb), np.asarray(Image.fromarray(rgb).convert("L")), atol=1)


def _big_smooth(mode: str, width: int = 1600, height: int = 1200) -> bytes:
    y, x = np.mgrid[0:height, 0:width]
    wave = (np.sin(x / 150) * np.cos(y / 110) + 1) * 0.5
    if mode == "I;16":
        image = Image.fromarray((wave * 60000 + 1000).astype(np.uint16))
    else:
        rgb = np.stack([wave, x / width, y / height], axis=-1) * 255
        image = Image.fromarray(rgb.astype(np.uint8))
        image = image.quantize(64) if mode == "P" else image.convert(mode)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "P", "L", "I;16"])
def test_big_pictures_are_shrunk_before_converting_and_look_the_same(mode):
    """A big upload is reduced by a whole factor before its conversions (memory), with no visible change."""
    data = _big_smooth(mode)
    rgb = images.decode_image(data, LIMIT, 256)
    full_size = images._fit(images._to_rgb(Image.open(io.BytesIO(data))), 256)
    assert rgb.shape == full_size.shape == (192, 256, 3)
    assert np.abs(rgb.astype(int) - full_size).mean() < 2


def test_exif_rotation_is_applied_to_big_pictures_too():
    image = Image.open(io.BytesIO(_big_smooth("RGB", 1600, 800)))
    exif = image.getexif()
    exif[0x0112] = 6                       # "rotate 90° clockwise to view"
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", exif=exif)
    assert images.decode_image(buffer.getvalue(), LIMIT, 256).shape[:2] == (256, 128)


def test_float_images_with_nan_and_infinity_are_scaled_by_their_finite_range():
    values = np.linspace(0.0, 2.0, 64 * 48, dtype=np.float32).reshape(48, 64)
    values[0, :4] = (np.nan, np.inf, -np.inf, np.nan)
    buffer = io.BytesIO()
    Image.fromarray(values, mode="F").save(buffer, format="TIFF")
    rgb = images.decode_image(buffer.getvalue(), LIMIT)
    assert rgb[-1, -1, 0] == 255 and rgb[0, 0, 0] == 0 and rgb[1, 0, 0] < 10


def test_a_damaged_exif_block_does_not_refuse_the_photo():
    image = Image.fromarray(np.full((20, 40, 3), 90, np.uint8))
    exif = Image.Exif()
    exif[0x0112] = 99                                  # no such orientation
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    assert images.decode_image(buffer.getvalue(), LIMIT).shape == (20, 40, 3)


def test_every_sample_works_at_every_working_size():
    for size in images.WORKING_SIZES:
        for name in images.DRAWN:
            assert images.sample_image(name, size).shape == (size, size, 3)
        for name in images.PHOTOS:
            assert 0 < max(images.sample_image(name, size).shape[:2]) <= size
    with pytest.raises(InvalidInput):
        images.sample_image("nope")
