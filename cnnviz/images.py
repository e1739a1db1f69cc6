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

import importlib.resources
import io
import re
import warnings

import numpy as np
from PIL import Image, ImageOps

from cnnviz.errors import InvalidInput
from cnnviz.grids import scene_image

WORKING_SIZES = (256, 512, 1024)
MAX_PIXELS = 40_000_000            # 40 megapixels: any camera photo, far below Pillow's default
FORMATS = {"PNG", "JPEG", "MPO", "WEBP", "BMP", "GIF", "TIFF"}
# Photographs that ship inside scikit-image's wheel (its skimage/data folder), read as plain files:
# real pictures that work offline, without importing the library's image code.
PHOTOS = {"cat": "chelsea.png", "astronaut": "astronaut.png", "coffee": "coffee.png",
          "camera": "camera.png", "coins": "coins.png", "rocket": "rocket.jpg"}
# Pictures the project draws in code, each made for one thing to see (edges, corners, rings, text).
DRAWN = ("scene", "checkerboard", "shapes", "rings", "text", "gradient")
SAMPLES = (*PHOTOS, *DRAWN)


def decode_image(data: bytes, max_bytes: int, working_size: int = 512) -> np.ndarray:
    """Untrusted file bytes -> a uint8 RGB array whose longest side is at most ``working_size``."""
    if not data:
        raise InvalidInput("errors.images.empty")
    if len(data) > max_bytes:
        raise InvalidInput("errors.images.too_big", size=f"{len(data) / 2**20:.1f}", limit=f"{max_bytes / 2**20:.0f}")
    if working_size not in WORKING_SIZES:
        raise InvalidInput("errors.images.working_size", sizes=", ".join(map(str, WORKING_SIZES)))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise InvalidInput("errors.images.format", format=image.format or "?")
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise InvalidInput("errors.images.too_many_pixels", width=width, height=height,
                                   limit=MAX_PIXELS // 1_000_000)
            if image.format in ("JPEG", "MPO"):
                image.draft("RGB", (working_size, working_size))     # decode big JPEGs at a fraction of the size
            image.seek(0)                                            # the first frame of an animation
            image.load()
            rgb = _to_rgb(_shrunk(_upright(image), working_size))
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInput("errors.images.bomb") from None
    except Image.UnidentifiedImageError:
        raise InvalidInput("errors.images.not_an_image") from None
    except Exception:                 # truncated or malformed files raise many kinds of errors
        raise InvalidInput("errors.images.broken") from None
    return _fit(rgb, working_size)


def _upright(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation, in place (no copy of a big picture); a photo whose EXIF block is
    damaged is kept as stored, not refused."""
    try:
        ImageOps.exif_transpose(image, in_place=True)
    except Exception:
        pass
    return image


def _shrunk(image: Image.Image, working_size: int) -> Image.Image:
    """A big picture shrunk by a whole factor (keeping at least twice the working size) before any
    conversion: converted at full size, a 40-megapixel 16-bit PNG of 0.1 MB took about 1 GB."""
    factor = max(image.size) // (2 * working_size)
    if factor < 2:
        return image
    if image.mode.startswith("I;16"):
        image = image.convert("I")
    elif image.mode in ("P", "1"):
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    return image.reduce(factor)


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
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    return np.asarray(image.convert("RGB"), dtype=np.uint8)


def _fit(rgb: np.ndarray, working_size: int) -> np.ndarray:
    """Shrink (never enlarge) so the longest side is at most ``working_size``."""
    height, width = rgb.shape[:2]
    scale = working_size / max(height, width)
    if scale >= 1:
        return rgb
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.LANCZOS))


def safe_label(name: str, limit: int = 60) -> str:
    """A file name fit to show as plain text: no control characters, no markup, not too long."""
    name = re.sub(r"[\x00-\x1f\x7f<>`*_\[\]()#|\\]", "", str(name)).strip()
    return (name[: limit - 1] + "…") if len(name) > limit else (name or "?")


def to_gray(rgb: np.ndarray) -> np.ndarray:
    """Luminance in 0..255 (ITU-R BT.601 weights, as Pillow's "L" mode)."""
    return np.asarray(rgb, dtype=np.float64)[..., :3] @ np.array([0.299, 0.587, 0.114])


def sample_image(name: str, size: int = 512) -> np.ndarray:
    """A uint8 RGB sample (see SAMPLES): a photograph shrunk, never enlarged, so its longest side
    is at most ``size``, or a picture drawn in code at ``size`` x ``size``."""
    if name in PHOTOS:
        with (importlib.resources.files("skimage") / "data" / PHOTOS[name]).open("rb") as file:
            return _fit(_to_rgb(Image.open(file)), size)
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
