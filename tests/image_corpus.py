"""Upload test files made in memory: good images in every awkward mode, and files that must be refused.

Nothing here is committed as a binary; each file is built when a test asks for it.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image

from cnnviz import images


def _save(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _gradient(size=(64, 48)) -> np.ndarray:
    w, h = size
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([x * 255 // (w - 1), y * 255 // (h - 1), np.full_like(x, 128)], axis=-1).astype(np.uint8)


def png_bomb(side: int) -> bytes:
    """A valid 1-bit PNG of side x side black pixels: a few KB on disk, side² pixels once decoded."""
    row = b"\x00" + b"\x00" * ((side + 7) // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def exif_rotated_jpeg() -> bytes:
    """A 60x30 (wide) JPEG whose EXIF says 'rotate 90°': shown upright it is 30 wide and 60 tall."""
    image = Image.fromarray(_gradient((60, 30)))
    exif = Image.Exif()
    exif[0x0112] = 6
    return _save(image, "JPEG", exif=exif.tobytes())


def good_files() -> dict[str, tuple[bytes, tuple[int, int]]]:
    """name -> (file bytes, expected (height, width) after decoding at working size 512)."""
    rgb = _gradient()
    palette = Image.fromarray(rgb).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    palette.info["transparency"] = 0
    sixteen = Image.fromarray((np.linspace(0, 4000, 64 * 48).reshape(48, 64)).astype(np.uint16))
    frames = [Image.fromarray(rgb), Image.fromarray(255 - rgb)]
    gif = io.BytesIO()
    frames[0].save(gif, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    floats = Image.fromarray(np.linspace(-1.0, 1.0, 64 * 48, dtype=np.float32).reshape(48, 64), mode="F")
    large = Image.fromarray(np.random.default_rng(0).integers(0, 255, (3000, 4000, 3), dtype=np.uint8))
    return {
        "rgb.png": (_save(Image.fromarray(rgb), "PNG"), (48, 64)),
        "rgba.png": (_save(Image.fromarray(np.dstack([rgb, np.full(rgb.shape[:2], 100, np.uint8)])), "PNG"),
                     (48, 64)),
        "la.png": (_save(Image.fromarray(rgb[..., 0]).convert("LA"), "PNG"), (48, 64)),
        "palette-transparent.png": (_save(palette, "PNG"), (48, 64)),
        "one-bit.png": (_save(Image.fromarray(rgb[..., 0] > 128), "PNG"), (48, 64)),
        "sixteen-bit.png": (_save(sixteen, "PNG"), (48, 64)),
        "cmyk.jpg": (_save(Image.fromarray(rgb).convert("CMYK"), "JPEG"), (48, 64)),
        "animated.gif": (gif.getvalue(), (48, 64)),
        "float.tiff": (_save(floats, "TIFF"), (48, 64)),
        "photo.webp": (_save(Image.fromarray(rgb), "WEBP"), (48, 64)),
        "picture.bmp": (_save(Image.fromarray(rgb), "BMP"), (48, 64)),
        "exif-rotated.jpg": (exif_rotated_jpeg(), (60, 30)),
        "large-4000x3000.jpg": (_save(large, "JPEG", quality=70), (384, 512)),
        '<img src=x onerror="alert(1)">.png': (_save(Image.fromarray(rgb), "PNG"), (48, 64)),
    }


def bad_files() -> dict[str, bytes]:
    """name -> file bytes that must be refused with a message."""
    good_png = _save(Image.fromarray(_gradient()), "PNG")
    return {
        "empty.png": b"",
        "truncated.png": good_png[: len(good_png) // 2],
        "text.png": b"this is not an image, just some text\n" * 10,
        "page.png": b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
        "drawing.svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10"/></svg>',
        "bomb-10000.png": png_bomb(10_000),
        "bomb-20000.png": png_bomb(20_000),
    }


# ---- the worst cases for memory: small legal files that are as big as the intake allows once decoded

def _png(width: int, height: int, colour_type: int, bit_depth: int, row: bytes,
         extra_chunks: tuple[tuple[bytes, bytes], ...] = ()) -> bytes:
    """A PNG made chunk by chunk, its rows compressed one at a time: no full-size image in memory."""
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(b"\x00" + row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + b"".join(chunk(kind, payload) for kind, payload in extra_chunks)
            + chunk(b"IDAT", body) + chunk(b"IEND", b""))


def _ramp(width: int, channels: int, levels: int = 256) -> np.ndarray:
    """One row: ramps 1000 pixels wide in every channel, so a shrunk picture is not flat and the file stays
    small (a row repeats within the compressor's window)."""
    return np.repeat((np.arange(width) % 1000 * levels // 1000)[:, None], channels, axis=1)


def worst_cases() -> dict[str, bytes]:
    """name -> a small file (well under the byte limit) just under the intake's pixel limit for its kind, in the
    modes and formats that cost the most memory to decode: alpha, 16 bits, palettes with transparency, WebP,
    TIFF, progressive JPEG."""
    width = 8000
    rows = lambda limit: (limit - 100_000) // width
    height = rows(images.MAX_PIXELS)
    ramp8 = lambda channels: _ramp(width, channels).astype(np.uint8).tobytes()
    ramp16 = _ramp(width, 1, 65536).astype(">u2").tobytes()
    palette = bytes(np.repeat(np.arange(256, dtype=np.uint8), 3))
    files = {
        "rgba.png": _png(width, height, 6, 8, ramp8(4)),
        "la.png": _png(width, height, 4, 8, ramp8(2)),
        "rgb.png": _png(width, height, 2, 8, ramp8(3)),
        "palette-transparent.png": _png(width, height, 3, 8, ramp8(1),
                                        ((b"PLTE", palette), (b"tRNS", bytes(range(256))))),
        "sixteen-bit.png": _png(width, height, 0, 16, ramp16),
        "sixteen-bit-rgba.png": _png(width, height, 6, 16, _ramp(width, 4, 65536).astype(">u2").tobytes()),
        "one-bit.png": _png(width, height, 0, 1, np.packbits(np.arange(width) % 16 < 8).tobytes()),
    }
    # Formats Pillow cannot write row by row: made from a full-size picture, once, in this process.
    row = Image.fromarray(_ramp(width, 4).astype(np.uint8)[None], "RGBA")
    rgba = row.resize((width, height), Image.Resampling.NEAREST)
    webp = rgba.crop((0, 0, width, rows(images.MAX_PIXELS_WEBP)))
    files["rgba.webp"] = _save(webp, "WEBP", lossless=True, quality=0, method=0)
    files["rgb.webp"] = _save(webp.convert("RGB"), "WEBP", quality=10, method=0)
    files["rgba.tiff"] = _save(rgba, "TIFF", compression="tiff_adobe_deflate")
    files["float.tiff"] = _save(rgba.getchannel(0).convert("F"), "TIFF", compression="tiff_adobe_deflate")
    progressive = rgba.crop((0, 0, width, rows(images.MAX_PIXELS_PROGRESSIVE)))
    files["progressive.jpg"] = _save(progressive.convert("RGB"), "JPEG", quality=5, progressive=True, subsampling=0)
    files["cmyk-progressive.jpg"] = _save(progressive.convert("CMYK"), "JPEG", quality=5, progressive=True)
    files["cmyk.jpg"] = _save(rgba.convert("CMYK"), "JPEG", quality=5)
    files["palette.gif"] = _save(rgba.convert("RGB").quantize(16), "GIF")
    return files


# Names a student could give a file or a class that Markdown, KaTeX, Streamlit or Plotly would act on.
HOSTILE_NAMES = (
    "http://evil.example.png",
    "www.evil.example.png",
    "mail@evil.example.png",
    "$x^2$.png",
    "$$\\frac{1}{0}$$",
    ":material/home:.png",
    ":smile: :red[red] :blue-background[x]",
    "[click](http://evil.example).png",
    "![](http://evil.example/i.png)",
    "*bold* _it_ `code` ~~gone~~ # title",
    "<a href='http://evil.example'>x</a> &amp; <b>b</b>",
    "a | b \\ c",
)
