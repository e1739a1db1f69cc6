"""The safe intake decodes every awkward good file correctly and refuses every bad one with a message."""

import base64
import importlib.resources
import io
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from PIL import Image

from cnnviz import formulas, images
from cnnviz.errors import InvalidInput
from tests.image_corpus import HOSTILE_NAMES, bad_files, exif_rotated_jpeg, good_files, png_bomb, worst_cases

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


@pytest.mark.parametrize("name", [*HOSTILE_NAMES, '<img src=x onerror="alert(1)">.png'])
def test_file_names_are_escaped_to_show_as_typed(name):
    """Markdown punctuation escaped, and colons, dots and at signs kept from making shortcodes and links."""
    label = images.safe_label(name)
    assert re.sub(r"\\(.)", r"\1", label.replace(formulas.WORD_JOINER, "")) == name
    punctuation = r"[!-/:-@\[-`{-~]"
    assert re.fullmatch(rf"(\\{punctuation}|(?!{punctuation}).)*", label, re.DOTALL)    # every mark escaped
    joiner = formulas.WORD_JOINER
    assert not re.search(rf"\\:(?!{joiner})|(?<!{joiner})\\[.@]", label)


def test_long_names_are_shortened_and_control_characters_shown_as_spaces():
    assert images.safe_label("a" * 200).endswith("…") and len(images.safe_label("a" * 200)) == 60
    assert images.safe_label("a\x00\x1bb") == "a  b"


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
    full_size = images.fit(images._to_rgb(Image.open(io.BytesIO(data))), 256)
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


# ---- the drawing canvas's picture, as a client may send it

def _data_url(data: bytes, kind: str = "image/png") -> str:
    return f"data:{kind};base64," + base64.b64encode(data).decode()


def test_a_drawing_is_strokes_on_white_paper():
    strokes = np.zeros((224, 224, 4), np.uint8)
    strokes[100:120, 50:150] = (17, 17, 17, 255)
    buffer = io.BytesIO()
    Image.fromarray(strokes).save(buffer, format="PNG")
    rgb = images.decode_drawing(_data_url(buffer.getvalue()), 224, 224)
    assert rgb.shape == (224, 224, 3) and (rgb[0, 0] == 255).all() and (rgb[110, 100] == 17).all()


@pytest.mark.parametrize("value", [
    _data_url(png_bomb(7072)),                                      # 50 megapixels in 6 KB
    _data_url(GOOD["float.tiff"][0]), _data_url(GOOD["float.tiff"][0], "image/tiff"),
    _data_url(GOOD["photo.webp"][0]), _data_url(GOOD["rgb.png"][0] + bytes(300_000)),          # more bytes than any canvas sends
    None, 42, ["data:"], "", "data:image/png;base64,", "data:image/png;base64,%%%", "javascript:alert(1)"])
def test_a_drawing_that_no_canvas_sends_is_refused_before_decoding(monkeypatch, value):
    monkeypatch.setattr(images, "_pixels", lambda *a: pytest.fail("decoded"))
    with pytest.raises(InvalidInput) as caught:
        images.decode_drawing(value, 224, 224)
    assert caught.value.key == "errors.images.drawing"
    assert "224×224" in caught.value.localized("ko") != caught.value.localized("en")


@pytest.mark.parametrize("name", ["truncated.png", "text.png"])
def test_a_damaged_drawing_is_a_sentence(name):
    with pytest.raises(InvalidInput) as caught:
        images.decode_drawing(_data_url(BAD[name]), 224, 224)
    assert caught.value.key.startswith("errors.images.")


# ---- memory: the worst cases the intake accepts, and a class decoding at once

WORST = worst_cases()


@pytest.mark.parametrize("name", WORST)
def test_the_worst_cases_decode_shrunk_and_still_show_their_picture(name):
    rgb = images.decode_image(WORST[name], LIMIT, 256)
    assert max(rgb.shape[:2]) == 256 and rgb.dtype == np.uint8
    assert np.ptp(rgb[rgb.shape[0] // 2].astype(int), axis=0).max() > 50, "the ramps are gone"


def test_the_worst_cases_decode_within_the_memory_budget():
    """Peak memory in a fresh process for each (python -m bench images prints them); the budget has margin."""
    from bench.images import peak_decode_mb

    over = {name: peak for name, data in WORST.items() if (peak := peak_decode_mb(data)) > images.DECODE_BUDGET_MB}
    assert over == {}


def test_transparent_pixels_add_no_colour_when_a_big_picture_is_shrunk():
    """Opaque white beside transparent black: averaged as they are stored, the white would turn grey."""
    stripes = np.zeros((1200, 1600, 4), np.uint8)
    stripes[:, ::2] = 255
    buffer = io.BytesIO()
    Image.fromarray(stripes).save(buffer, format="PNG")
    assert images.decode_image(buffer.getvalue(), LIMIT, 256).min() >= 250


def test_no_more_decodes_run_at_once_than_allowed(monkeypatch):
    running, most, lock = [0], [0], threading.Lock()
    real = images._pixels

    def counted(*args):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.02)                         # long enough for the others to arrive
        try:
            return real(*args)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(images, "_pixels", counted)
    with ThreadPoolExecutor(8) as pool:
        shapes = list(pool.map(lambda _: images.decode_image(GOOD["rgb.png"][0], LIMIT).shape, range(16)))
    assert shapes == [(48, 64, 3)] * 16 and 1 <= most[0] <= images.DECODES_AT_ONCE


def test_a_decode_that_waits_too_long_is_refused_kindly(monkeypatch):
    monkeypatch.setattr(images, "DECODE_WAIT_S", 0.01)
    for _ in range(images.DECODES_AT_ONCE):
        images._decoding.acquire()
    try:
        with pytest.raises(InvalidInput) as caught:
            images.decode_image(GOOD["rgb.png"][0], LIMIT)
    finally:
        for _ in range(images.DECODES_AT_ONCE):
            images._decoding.release()
    assert caught.value.key == "errors.images.busy"
