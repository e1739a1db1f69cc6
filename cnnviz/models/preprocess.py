"""Turn any picture into the 28x28 input a model was trained on.

MNIST and Fashion-MNIST show a bright object on a black background, framed
the same way every time: MNIST fits each digit in a 20x20 box and puts its
centre of mass at the centre of the 28x28 frame; Fashion-MNIST scales each
garment so its longer side fills the frame and centres its bounding box.
A photo or drawing is made to look like that: grayscale, inverted when its
background is light, cropped to the object, resized and centred.

An image that already has the model's input size is taken as framed (that is
how the datasets themselves arrive) and only made gray and, if asked, inverted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from cnnviz.errors import InvalidInput

MAX_PIXELS = 40_000_000      # per image; the upload path has its own, lower limits
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)   # ITU-R 601, as Pillow's "L" mode
OBJECT_LEVEL = 0.2           # pixels above this share of the brightest one belong to the object
BLANK_LEVEL = 0.05           # an image whose brightest pixel (after the background is removed) is below is blank


@dataclass(frozen=True)
class Prepared:
    """The model's view of one image: ``image`` (side x side, 0-1, bright object on black)."""
    image: np.ndarray
    inverted: bool     # the colours were flipped (a light background)
    framed: bool       # cropped, resized and centred like the dataset
    blank: bool        # nothing to see: an empty canvas or a flat picture


def check_image(image, batch: bool = False) -> np.ndarray:
    """A uint8 array, (H, W) or (H, W, 3), or a stack of them when ``batch``."""
    if not isinstance(image, np.ndarray):
        raise InvalidInput("errors.models.not_array", type=type(image).__name__)
    if image.dtype != np.uint8:
        raise InvalidInput("errors.models.not_uint8", dtype=str(image.dtype))
    lead = 1 if batch else 0
    if image.ndim not in (2 + lead, 3 + lead) or (image.ndim == 3 + lead and image.shape[-1] != 3):
        key = "errors.models.batch_shape" if batch else "errors.models.image_shape"
        raise InvalidInput(key, shape=" x ".join(map(str, image.shape)) or "()")
    height, width = image.shape[lead:lead + 2]
    if height == 0 or width == 0:
        raise InvalidInput("errors.models.empty_image")
    if height * width > MAX_PIXELS:
        raise InvalidInput("errors.models.too_many_pixels", pixels=f"{height * width:,}", limit=f"{MAX_PIXELS:,}")
    return image


def gray(image: np.ndarray) -> np.ndarray:
    """0-1 float32 luminance of a uint8 (H, W) or (H, W, 3) image."""
    values = image.astype(np.float32) / 255
    return values @ LUMA if values.ndim == 3 else values


def light_background(values: np.ndarray) -> bool:
    """True when the image's border is mostly light: a dark object on light paper."""
    return bool(np.median(_border(values)) > 0.5)


def _border(values: np.ndarray) -> np.ndarray:
    return np.concatenate([values[0], values[-1], values[:, 0], values[:, -1]])


def resize(values: np.ndarray, height: int, width: int) -> np.ndarray:
    """Bilinear resize with antialiasing (so shrinking a big photo averages, not skips, pixels)."""
    if values.shape == (height, width):
        return values
    tensor = torch.from_numpy(np.ascontiguousarray(values, dtype=np.float32))[None, None]
    return F.interpolate(tensor, size=(height, width), mode="bilinear", antialias=True,
                         align_corners=False)[0, 0].numpy()


def frame(values: np.ndarray, side: int, box: int, centre_by_mass: bool) -> np.ndarray:
    """Crop to the object, fit its longer side to ``box`` pixels and centre it in a side x side frame."""
    background = float(np.median(_border(values)))
    values = np.clip((values - background) / max(1.0 - background, 1e-6), 0, 1)
    peak = float(values.max())
    if peak < BLANK_LEVEL:
        return np.zeros((side, side), np.float32)
    rows, cols = np.nonzero(values > OBJECT_LEVEL * peak)
    crop = values[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    scale = box / max(crop.shape)
    height, width = (max(1, min(box, round(n * scale))) for n in crop.shape)
    small = np.clip(resize(crop, height, width), 0, 1)
    top, left = (side - height) // 2, (side - width) // 2
    if centre_by_mass and small.sum() > 0:
        ys, xs = np.indices(small.shape)
        mass = small.sum()
        # Move the centre of mass to the frame's centre, keeping the whole box inside the frame.
        top = int(np.clip(round((side - 1) / 2 - (ys * small).sum() / mass), 0, side - height))
        left = int(np.clip(round((side - 1) / 2 - (xs * small).sum() / mass), 0, side - width))
    out = np.zeros((side, side), np.float32)
    out[top:top + height, left:left + width] = small
    return out


def prepare(image: np.ndarray, side: int, box: int, centre_by_mass: bool,
            invert: bool | None = None, fit: bool | None = None) -> Prepared:
    """One uint8 image as the model sees it.

    ``invert``: None decides from the border (light -> invert), True/False forces it.
    ``fit``: None frames every image whose size is not the model's input size;
    False only resizes it to the input size.
    """
    check_image(image)
    values = gray(image)
    inverted = light_background(values) if invert is None else bool(invert)
    if inverted:
        values = 1.0 - values
    framed = values.shape != (side, side) if fit is None else bool(fit)
    if framed:
        values = frame(values, side, box, centre_by_mass)
    elif values.shape != (side, side):
        values = np.clip(resize(values, side, side), 0, 1)   # asked not to frame: only squeezed to size
    values = np.ascontiguousarray(values, dtype=np.float32)
    return Prepared(values, inverted, framed, blank=float(values.max(initial=0)) < BLANK_LEVEL)
