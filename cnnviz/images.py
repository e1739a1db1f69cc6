"""Safe intake of the images students upload, and the sample pictures every image lesson offers.

Uploads are untrusted bytes: they are decoded in memory (never written to
disk), checked against a byte limit and a pixel limit before any pixel is
decoded, with Pillow's decompression-bomb warning turned into a refusal.
Every mode Pillow can hand back becomes 8-bit RGB the way a person would
expect: transparency composited on white, 16-bit and float images scaled by
their real range rather than clipped, EXIF rotation applied. Anything that
goes wrong becomes an ``InvalidInput`` with a sentence in the user's language.
"""

from __future__ import annotations

import base64
import ctypes
import importlib.resources
import io
import threading
import warnings
from collections.abc import Callable

import numpy as np
from PIL import Image

from cnnviz.errors import InvalidInput
from cnnviz.formulas import markdown_literal
from cnnviz.grids import scene_image

WORKING_SIZES = (256, 512, 1024)
MAX_PIXELS = 40_000_000            # 40 megapixels: any camera photo, far below Pillow's default
# Pictures that cannot be decoded reduced and cost more than 4 bytes a pixel while decoding get fewer, so
# that every decode stays within its memory budget (docs/security.md; python -m bench images measures it):
MAX_PIXELS_WEBP = 12_000_000       # Pillow holds three full copies (~15 bytes a pixel); a 4000x3000 photo fits
MAX_PIXELS_PROGRESSIVE = 24_000_000   # libjpeg keeps every coefficient of a progressive JPEG (~8 bytes a pixel)
# Decodes running at once in the whole process, each within its budget (docs/security.md): the rest of a
# class uploading at the same second waits its turn, and is refused after DECODE_WAIT_S.
DECODES_AT_ONCE = 2
DECODE_BUDGET_MB = 250             # the most one decode may add to the process's memory (python -m bench images)
DECODE_WAIT_S = 60
STRIP_PIXELS = 2_000_000           # a big picture is converted and reduced this many pixels at a time
DRAWING_PREFIX = "data:image/png;base64,"
FORMATS = {"PNG", "JPEG", "MPO", "WEBP", "BMP", "GIF", "TIFF"}
# Photographs that ship inside scikit-image's wheel (its skimage/data folder), read as plain files:
# real pictures that work offline, without importing the library's image code.
PHOTOS = {"cat": "chelsea.png", "astronaut": "astronaut.png", "coffee": "coffee.png",
          "camera": "camera.png", "coins": "coins.png", "rocket": "rocket.jpg"}
# Pictures the project draws in code, each made for one thing to see (edges, corners, rings, text).
DRAWN = ("scene", "checkerboard", "shapes", "rings", "text", "gradient")
SAMPLES = (*PHOTOS, *DRAWN)
# EXIF orientation -> the turn that shows the picture upright (as Pillow's ImageOps.exif_transpose).
_UPRIGHT = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
            5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
            8: Image.Transpose.ROTATE_90}
_decoding = threading.BoundedSemaphore(DECODES_AT_ONCE)


def _return_big_buffers_to_the_system() -> None:
    """Have glibc give every buffer of 1 MB or more straight back to the system when it is freed.

    By default it raises that threshold after freeing a big buffer, so later pixel buffers come from
    per-thread arenas that keep their peak: 30 sessions decoding one after the other held 2.6 GB, not the
    ~0.4 GB that two decodes at a time need (python -m bench images). Elsewhere than glibc, nothing changes."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    libc.mallopt(_M_MMAP_THRESHOLD, 2**20)


_M_MMAP_THRESHOLD = -3             # glibc's malloc.h
_return_big_buffers_to_the_system()


def decode_image(data: bytes, max_bytes: int, working_size: int = 512) -> np.ndarray:
    """Untrusted file bytes -> a uint8 RGB array whose longest side is at most ``working_size``."""
    if not data:
        raise InvalidInput("errors.images.empty")
    if len(data) > max_bytes:
        raise InvalidInput("errors.images.too_big", size=f"{len(data) / 2**20:.1f}", limit=f"{max_bytes / 2**20:.0f}")
    if working_size not in WORKING_SIZES:
        raise InvalidInput("errors.images.working_size", sizes=", ".join(map(str, WORKING_SIZES)))
    return _decode(data, working_size, _check_upload)


def decode_drawing(data_url: object, width: int, height: int) -> np.ndarray:
    """The drawing canvas's picture as the browser sends it -> uint8 RGB, the strokes on white paper.

    The browser sends a PNG data URL of exactly the canvas's size, but a client can send any value:
    anything that is not a PNG of at most ``height`` x ``width`` pixels is refused from its header,
    before a pixel is decoded."""
    encoded = data_url.removeprefix(DRAWING_PREFIX) if isinstance(data_url, str) else ""
    # A PNG is never much bigger than its raw pixels (4 bytes each, 1 per row, chunk headers).
    max_bytes = 4 * width * height + height + 2**16
    if not encoded or encoded == data_url or len(encoded) > 4 * (max_bytes // 3 + 1):
        raise InvalidInput("errors.images.drawing", width=width, height=height)
    try:
        data = base64.b64decode(encoded, validate=True)
    except ValueError:                              # binascii.Error: not base64
        raise InvalidInput("errors.images.drawing", width=width, height=height) from None

    def check(image: Image.Image) -> None:
        if image.format != "PNG" or image.width > width or image.height > height:
            raise InvalidInput("errors.images.drawing", width=width, height=height)

    return _decode(data, max(WORKING_SIZES), check)         # never enlarged: the canvas's own size


def _check_upload(image: Image.Image) -> None:
    """An upload's header: a known format, and no more pixels than its kind may decode to."""
    if image.format not in FORMATS:
        raise InvalidInput("errors.images.format", format=image.format or "?")
    limit = _pixel_limit(image)
    width, height = image.size
    if width * height > limit:
        raise InvalidInput("errors.images.too_many_pixels", width=width, height=height, limit=limit // 1_000_000)


def _pixel_limit(image: Image.Image) -> int:
    if image.format == "WEBP":
        return MAX_PIXELS_WEBP
    if image.format in ("JPEG", "MPO") and image.info.get("progressive"):
        return MAX_PIXELS_PROGRESSIVE
    return MAX_PIXELS


def _decode(data: bytes, working_size: int, check_header: Callable[[Image.Image], None]) -> np.ndarray:
    """Open ``data``, let ``check_header`` refuse it from its header alone, then decode it within the memory
    budget: one decode at a time per core in the whole process (DECODES_AT_ONCE)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            check_header(image)
            if not _decoding.acquire(timeout=DECODE_WAIT_S):
                raise InvalidInput("errors.images.busy")
            try:
                rgb = _pixels(image, working_size)
            finally:
                _decoding.release()
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInput("errors.images.bomb") from None
    except Image.UnidentifiedImageError:
        raise InvalidInput("errors.images.not_an_image") from None
    except Exception:                 # truncated or malformed files raise many kinds of errors
        raise InvalidInput("errors.images.broken") from None
    return rgb


def _pixels(image: Image.Image, working_size: int) -> np.ndarray:
    """Decode (a big JPEG directly at a fraction of its size), shrink by a whole factor, convert to RGB, turn
    upright, fit: only the decoded picture itself is ever held at full size (see _reduced)."""
    if image.format in ("JPEG", "MPO"):
        image.draft("RGB", (working_size, working_size))
    image.seek(0)                                                # the first frame of an animation
    image.load()
    factor = max(image.size) // (2 * working_size)               # keeps at least twice the working size
    small = _reduced(image, factor) if factor >= 2 else image
    return fit(_upright(_to_rgb(small), _orientation(image)), working_size)


def _reduced(image: Image.Image, factor: int) -> Image.Image:
    """``image`` shrunk by a whole ``factor``, a strip of rows at a time: each strip is converted to a mode
    that averages correctly (colours weighted by their alpha, 16 bits widened, palettes looked up), reduced
    and pasted into the small picture. Converted whole, a 40-megapixel RGBA PNG took twice its own size
    again; in strips the extra is a few megabytes."""
    mode = _averaging_mode(image)
    width, height = image.size
    small = Image.new(mode, (-(-width // factor), -(-height // factor)))
    rows = factor * max(1, STRIP_PIXELS // (width * factor))
    for top in range(0, height, rows):
        strip = image.crop((0, top, width, min(top + rows, height)))
        if strip.mode == "P":                        # palette lookups first: "PA" or "P" convert via RGBA
            strip = strip.convert("RGBA")
        small.paste(strip.convert(mode).reduce(factor), (0, top // factor))
    return small


def _averaging_mode(image: Image.Image) -> str:
    """The mode a picture's pixels can be averaged in: alpha premultiplied (a transparent pixel adds no
    colour), 16 bits as 32-bit integers, palettes and 1 bit as the colours they stand for."""
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (image.mode == "P" and "transparency" in image.info):
        return "La" if image.mode in ("LA", "La") else "RGBa"
    if image.mode.startswith("I;16"):
        return "I"
    return {"P": "RGB", "1": "L"}.get(image.mode, image.mode)


def _orientation(image: Image.Image) -> Image.Transpose | None:
    """How to turn the picture upright, from its EXIF block; a damaged block keeps the picture as stored."""
    try:
        return _UPRIGHT.get(image.getexif().get(0x0112))
    except Exception:
        return None


def _upright(rgb: np.ndarray, orientation: Image.Transpose | None) -> np.ndarray:
    """Turned after shrinking: turning a full-size picture would copy it."""
    return rgb if orientation is None else np.asarray(Image.fromarray(rgb).transpose(orientation))


def _to_rgb(image: Image.Image) -> np.ndarray:
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        values = np.asarray(image, dtype=np.float64)
        finite = np.isfinite(values)
        values = np.where(finite, values, np.nan)
        low, high = (float(np.nanmin(values)), float(np.nanmax(values))) if finite.any() else (0.0, 0.0)
        grey = (values - low) / (high - low) * 255 if high > low else np.full(values.shape, 128.0)
        grey = np.nan_to_num(grey, nan=0.0)                       # NaN and ±inf pixels show as black
        return np.repeat(grey.round().astype(np.uint8)[..., None], 3, axis=2)
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBa", "La"):                           # premultiplied by _reduced
        image = image.convert(image.mode.upper())
    if image.mode in ("RGBA", "LA", "PA"):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    return np.asarray(image.convert("RGB"), dtype=np.uint8)


def fit(rgb: np.ndarray, working_size: int) -> np.ndarray:
    """Shrink (never enlarge) so the longest side is at most ``working_size``."""
    height, width = rgb.shape[:2]
    scale = working_size / max(height, width)
    if scale >= 1:
        return rgb
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.LANCZOS))


def safe_label(name: str, limit: int = 60) -> str:
    """A file name to show in Markdown exactly as it is called (formulas.markdown_literal): never a link, a
    formula, an icon or markup; control characters as spaces; shortened past ``limit`` characters."""
    name = str(name).strip()
    return markdown_literal((name[: limit - 1] + "…") if len(name) > limit else (name or "?"))


def to_gray(rgb: np.ndarray) -> np.ndarray:
    """Luminance in 0..255 (ITU-R BT.601 weights, as Pillow's "L" mode)."""
    return np.asarray(rgb, dtype=np.float64)[..., :3] @ np.array([0.299, 0.587, 0.114])


def sample_image(name: str, size: int = 512) -> np.ndarray:
    """A uint8 RGB sample (see SAMPLES): a photograph shrunk, never enlarged, so its longest side
    is at most ``size``, or a picture drawn in code at ``size`` x ``size``."""
    if name in PHOTOS:
        with (importlib.resources.files("skimage") / "data" / PHOTOS[name]).open("rb") as file:
            return fit(_to_rgb(Image.open(file)), size)
    return _drawn(name, size)


def _drawn(name: str, size: int) -> np.ndarray:
    y, x = np.mgrid[0:1:complex(0, size), 0:1:complex(0, size)]
    if name == "scene":
        grey = scene_image(size).astype(float)
        sky = (y < 0.8) & (grey >= 150) & (grey < 235)
        rgb = np.stack([grey, grey, grey], axis=-1)
        rgb[sky] = np.stack([grey[sky] * 0.55, grey[sky] * 0.75, np.full(sky.sum(), 240.0)], axis=-1)
        rgb[grey >= 245] = (255, 220, 60)                                        # a yellow sun
        rgb[(grey == 40)] = (170, 40, 30)                                        # a red roof
        house = (x > 0.15) & (x < 0.55) & (y > 0.5) & (y <= 0.8) & (grey == 200)
        rgb[house] = (228, 205, 165)                                             # a sandy wall
        rgb[y > 0.8] *= np.array([0.6, 1.1, 0.5])                                # green ground
        return np.clip(rgb, 0, 255).astype(np.uint8)
    if name == "checkerboard":
        board = (((y * 8).astype(int) + (x * 8).astype(int)) % 2) * 200 + 30
        return np.repeat(board.astype(np.uint8)[..., None], 3, axis=2)
    if name == "shapes":
        rgb = np.full((size, size, 3), 245.0)
        rgb[(x - 0.3) ** 2 + (y - 0.3) ** 2 < 0.04] = (220, 50, 50)
        rgb[(x > 0.55) & (x < 0.9) & (y > 0.15) & (y < 0.45)] = (40, 90, 220)
        rgb[(y > 0.55) & (y < 0.9) & (np.abs(x - 0.5) < (y - 0.55))] = (40, 170, 80)
        return rgb.astype(np.uint8)
    if name == "rings":
        radius = np.hypot(x - 0.5, y - 0.5)
        rgb = np.full((size, size, 3), 240.0)
        rgb[(radius * 10).astype(int) % 2 == 1] = (30, 60, 140)                    # concentric rings
        rgb[radius > 0.45] = 240
        rgb[radius < 0.05] = (200, 40, 40)
        return rgb.astype(np.uint8)
    if name == "text":
        return _text_lines(size)
    if name == "gradient":
        return np.stack([x * 255, y * 255, (1 - x) * 255], axis=-1).astype(np.uint8)
    raise InvalidInput("errors.images.unknown_sample", name=name)


def _text_lines(size: int) -> np.ndarray:
    """A page of "text": lines of dark word-like blocks of varied length, with thin letter gaps."""
    rng = np.random.default_rng(5)
    page = np.full((size, size), 250.0)
    line, gap = max(size // 24, 3), max(size // 16, 5)
    top = gap
    while top + line < size - gap:
        left = gap
        while left < size - gap:
            word = int(rng.integers(2, 8)) * line
            right = min(left + word, size - gap)
            block = page[top: top + line, left:right]
            block[:, (np.arange(right - left) // max(line // 2, 1)) % 3 != 2] = 25      # letters and gaps
            left = right + line
        top += line + gap
    return np.repeat(page.astype(np.uint8)[..., None], 3, axis=2)
