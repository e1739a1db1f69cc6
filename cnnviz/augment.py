"""Data augmentation: random transforms of a batch of pictures, each drawn from a run's own generator.

One implementation for every use: the augmentation lesson previews these transforms, the training
lesson's runs (``cnnviz.learning``) and the training command (``cnnviz.train``) train with them, so
what a student sees in the preview is what the network trains on.

``Augmentation`` holds the settings; each one left at its neutral value (0, off, a zoom of 1) does
nothing and draws no random number. ``apply(batch, augmentation, generator)`` transforms a float
batch N x C x H x W, every picture with its own random draw, in this order: left-right flip,
upside-down flip, rotation and zoom, shift, brightness, contrast, Gaussian noise, cutout.
``draw(picture, augmentation, count, seed)`` makes ``count`` draws of one uint8 picture.
The steps themselves (``flip``, ``rotate_zoom``, ``translate``, ``scale_brightness``,
``scale_contrast``, ``erase``) take their parameters explicitly, for the tests and for anyone
who wants one transform without the dice.

Pixel values are on the 0-1 scale: brightness, contrast and noise clip to it. The geometric
transforms (flips, rotation, zoom, shift) and the cutout work on any scale; what they uncover or
erase gets ``fill`` (0: black, the background of MNIST's digits).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np
import torch
import torch.nn.functional as F

from cnnviz.errors import InvalidInput

MAX_ROTATION = 180.0        # degrees
MAX_SHIFT = 512             # pixels; a picture also limits it: see check()
ZOOM_RANGE = (0.25, 4.0)
MAX_CUTOUT = 1024           # pixels; a picture also limits it: see check()
GREY_WEIGHTS = (0.299, 0.587, 0.114)     # ITU-R BT.601, as cnnviz.images.to_gray


def _number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _whole(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


@dataclass(frozen=True)
class Augmentation:
    """The random transforms and their strength; impossible settings raise ``InvalidInput`` when it is made."""
    rotation: float = 0.0     # degrees: each picture turns by an angle drawn from [-rotation, rotation]
    hflip: bool = False       # each picture mirrored left to right, with probability 1/2
    vflip: bool = False       # each picture turned upside down (mirrored top to bottom), with probability 1/2
    shift: int = 0            # pixels: moved by whole pixels drawn from [-shift, shift], across and down
    zoom: float = 1.0         # a factor drawn between 1 and zoom: above 1 enlarges (a crop), below 1 shrinks
    brightness: float = 0.0   # every pixel multiplied by a factor drawn from [1 - brightness, 1 + brightness]
    contrast: float = 0.0     # the distance from the picture's mean grey scaled by a factor from [1 - c, 1 + c]
    noise: float = 0.0        # the standard deviation of Gaussian noise added to every pixel (0-1 scale)
    cutout: int = 0           # pixels: the side of a square erased at a random place inside the picture

    def __post_init__(self):
        if not _number(self.rotation) or not 0 <= self.rotation <= MAX_ROTATION:
            raise InvalidInput("errors.augment.rotation", value=self.rotation, high=f"{MAX_ROTATION:g}")
        for name in ("hflip", "vflip"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise InvalidInput("errors.augment.flip", value=getattr(self, name))
        if not _whole(self.shift) or not 0 <= self.shift <= MAX_SHIFT:
            raise InvalidInput("errors.augment.shift", value=self.shift, high=MAX_SHIFT)
        low, high = ZOOM_RANGE
        if not _number(self.zoom) or not low <= self.zoom <= high:          # NaN fails the comparison too
            raise InvalidInput("errors.augment.zoom", value=self.zoom, low=f"{low:g}", high=f"{high:g}")
        for name in ("brightness", "contrast", "noise"):
            value = getattr(self, name)
            if not _number(value) or not 0 <= value <= 1:
                raise InvalidInput(f"errors.augment.{name}", value=value)
        if not _whole(self.cutout) or not 0 <= self.cutout <= MAX_CUTOUT:
            raise InvalidInput("errors.augment.cutout_size", value=self.cutout, high=MAX_CUTOUT)

    def check(self, height: int, width: int) -> None:
        """Refuse what a picture of ``height`` x ``width`` cannot take: a shift that would push it out of its
        frame, a cutout larger than the picture."""
        side = min(height, width)
        if self.shift >= side:
            raise InvalidInput("errors.augment.shift_too_far", shift=self.shift, height=height, width=width,
                               high=side - 1)
        if self.cutout > side:
            raise InvalidInput("errors.augment.cutout_too_big", cutout=self.cutout, height=height, width=width)

    @property
    def neutral(self) -> bool:
        """Whether every setting leaves the picture as it is."""
        return self == Augmentation()

    def changed(self) -> dict:
        """The settings that differ from the neutral ones, in the order of the fields."""
        neutral = Augmentation()
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) != getattr(neutral, f.name)}

    def to_dict(self) -> dict:
        return asdict(self)


def flip(batch: torch.Tensor, which: torch.Tensor, dim: int) -> torch.Tensor:
    """The pictures ``which`` (a bool per picture) mirrored along ``dim`` (-1: left to right, -2: top to bottom)."""
    return torch.where(which[:, None, None, None], batch.flip(dim), batch)


def rotate_zoom(batch: torch.Tensor, degrees: torch.Tensor, zooms: torch.Tensor, fill: float = 0.0) -> torch.Tensor:
    """Each picture turned anticlockwise by its angle in ``degrees`` and enlarged by its factor in ``zooms``
    about its centre, read between pixels by bilinear interpolation; what comes in from outside is ``fill``."""
    count, _, height, width = batch.shape
    angles = torch.deg2rad(degrees.to(torch.float64))
    cos, sin = torch.cos(angles) / zooms, torch.sin(angles) / zooms
    # An output pixel at (u, v) from the centre (v downwards) reads the input at R(-angle)(u, v) / zoom; in
    # grid_sample's coordinates (-1 to 1 across each side) the pixels are width/2 and height/2 units wide.
    theta = torch.zeros(count, 2, 3, dtype=torch.float64)
    theta[:, 0, 0], theta[:, 0, 1] = cos, -sin * height / width
    theta[:, 1, 0], theta[:, 1, 1] = sin * width / height, cos
    grid = F.affine_grid(theta.to(batch.dtype), list(batch.shape), align_corners=False)
    return F.grid_sample(batch - fill, grid, mode="bilinear", padding_mode="zeros", align_corners=False) + fill


def translate(batch: torch.Tensor, offsets: list[tuple[int, int]], most: int, fill: float = 0.0) -> torch.Tensor:
    """Each picture moved by whole pixels, ``offsets[i] = (down, right)`` with each in [-most, most]; what
    comes in from outside is ``fill``. Exact: no pixel is interpolated."""
    height, width = batch.shape[-2:]
    padded = F.pad(batch, (most,) * 4, value=fill)
    return torch.stack([padded[i, :, most - down:most - down + height, most - right:most - right + width]
                        for i, (down, right) in enumerate(offsets)])


def scale_brightness(batch: torch.Tensor, factors: torch.Tensor) -> torch.Tensor:
    """Every pixel of picture i multiplied by ``factors[i]``, clipped to 0-1."""
    return (batch * factors[:, None, None, None]).clamp(0, 1)


def mean_grey(batch: torch.Tensor) -> torch.Tensor:
    """Each picture's mean grey (N x 1 x 1 x 1): its channels weighed as luminance when it has three."""
    if batch.shape[1] == 3:
        batch = torch.tensordot(torch.tensor(GREY_WEIGHTS, dtype=batch.dtype), batch, dims=([0], [1]))[:, None]
    return batch.mean(dim=(1, 2, 3), keepdim=True)


def scale_contrast(batch: torch.Tensor, factors: torch.Tensor) -> torch.Tensor:
    """Each pixel's distance from its picture's mean grey multiplied by the picture's factor, clipped to 0-1."""
    mean = mean_grey(batch)
    return (mean + factors[:, None, None, None] * (batch - mean)).clamp(0, 1)


def erase(batch: torch.Tensor, corners: list[tuple[int, int]], side: int, fill: float = 0.0) -> torch.Tensor:
    """In picture i, the ``side`` x ``side`` square whose top-left pixel is ``corners[i] = (row, col)`` set to ``fill``."""
    height, width = batch.shape[-2:]
    tops, lefts = torch.tensor(corners, dtype=torch.int64).reshape(-1, 2).unbind(1)
    rows, cols = torch.arange(height), torch.arange(width)
    inside_rows = (rows >= tops[:, None]) & (rows < tops[:, None] + side)
    inside_cols = (cols >= lefts[:, None]) & (cols < lefts[:, None] + side)
    square = inside_rows[:, None, :, None] & inside_cols[:, None, None, :]
    return batch.masked_fill(square, fill)


def _spread(count: int, low: float, high: float, generator: torch.Generator) -> torch.Tensor:
    """``count`` numbers drawn uniformly from [low, high]."""
    return low + (high - low) * torch.rand(count, generator=generator, dtype=torch.float64)


def apply(batch: torch.Tensor, augmentation: Augmentation, generator: torch.Generator,
          fill: float = 0.0) -> torch.Tensor:
    """A random draw of ``augmentation`` for every picture of the float batch N x C x H x W (a new tensor;
    the batch is left as it is). Only the transforms that are switched on draw random numbers, always in the
    same order, so a run with the same seed and settings makes the same draws."""
    a, count = augmentation, len(batch)
    a.check(*batch.shape[-2:])
    if a.hflip:
        batch = flip(batch, torch.rand(count, generator=generator) < 0.5, -1)
    if a.vflip:
        batch = flip(batch, torch.rand(count, generator=generator) < 0.5, -2)
    if a.rotation or a.zoom != 1:
        degrees = _spread(count, -a.rotation, a.rotation, generator) if a.rotation else torch.zeros(count)
        zooms = _spread(count, min(1.0, a.zoom), max(1.0, a.zoom), generator) if a.zoom != 1 else torch.ones(count)
        batch = rotate_zoom(batch, degrees, zooms.to(torch.float64), fill)
    if a.shift:
        drawn = torch.randint(0, 2 * a.shift + 1, (count, 2), generator=generator).tolist()
        batch = translate(batch, [(a.shift - down, a.shift - right) for down, right in drawn], a.shift, fill)
    if a.brightness:
        batch = scale_brightness(batch, _spread(count, 1 - a.brightness, 1 + a.brightness, generator).to(batch.dtype))
    if a.contrast:
        batch = scale_contrast(batch, _spread(count, 1 - a.contrast, 1 + a.contrast, generator).to(batch.dtype))
    if a.noise:
        batch = (batch + a.noise * torch.randn(batch.shape, generator=generator, dtype=batch.dtype)).clamp(0, 1)
    if a.cutout:
        height, width = batch.shape[-2:]
        rows = torch.randint(0, height - a.cutout + 1, (count,), generator=generator)
        cols = torch.randint(0, width - a.cutout + 1, (count,), generator=generator)
        batch = erase(batch, list(zip(rows.tolist(), cols.tolist())), a.cutout, fill)
    return batch


def to_batch(pictures: np.ndarray) -> torch.Tensor:
    """uint8 pictures N x H x W (grey) or N x H x W x 3 as a float batch N x C x H x W on the 0-1 scale."""
    batch = torch.tensor(np.asarray(pictures), dtype=torch.float32) / 255
    return batch[:, None] if batch.ndim == 3 else batch.permute(0, 3, 1, 2)


def to_pictures(batch: torch.Tensor, grey: bool) -> np.ndarray:
    """A 0-1 float batch back as uint8 pictures (N x H x W when ``grey``, else N x H x W x 3)."""
    pictures = (batch.clamp(0, 1) * 255).round().to(torch.uint8)
    return (pictures[:, 0] if grey else pictures.permute(0, 2, 3, 1)).numpy()


def draw(picture: np.ndarray, augmentation: Augmentation, count: int = 16, seed: int = 0) -> np.ndarray:
    """``count`` random draws of one uint8 picture (H x W grey, or H x W x 3), from ``seed``: uint8, count x
    the picture's shape. The same picture, settings and seed give the same draws."""
    picture = np.asarray(picture)
    if picture.dtype != np.uint8 or picture.ndim not in (2, 3) or (picture.ndim == 3 and picture.shape[2] != 3):
        raise InvalidInput("errors.augment.picture", shape="×".join(map(str, picture.shape)), dtype=str(picture.dtype))
    if not _whole(count) or not 1 <= count <= 64:
        raise InvalidInput("errors.augment.count", value=count)
    if not _whole(seed) or not 0 <= seed < 2**63:
        raise InvalidInput("errors.training.seed", value=seed, high=2**63 - 1)
    batch = to_batch(picture[None])
    return _draws(batch.expand(count, *batch.shape[1:]), augmentation, seed, grey=picture.ndim == 2)


def draw_each(pictures: np.ndarray, augmentation: Augmentation, seed: int = 0) -> np.ndarray:
    """One random draw of each uint8 picture (N x H x W grey, or N x H x W x 3), from ``seed``."""
    pictures = np.asarray(pictures)
    return _draws(to_batch(pictures), augmentation, seed, grey=pictures.ndim == 3)


def _draws(batch: torch.Tensor, augmentation: Augmentation, seed: int, grey: bool) -> np.ndarray:
    return to_pictures(apply(batch, augmentation, torch.Generator().manual_seed(int(seed))), grey)


def code_value(value) -> str:
    """A setting as it is written in Python: 10 rather than 10.0, True, 1.25."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def code(picture_lines: list[str], augmentation: Augmentation, count: int, seed: int) -> str:
    """The Python that makes these draws with cnnviz: ``picture_lines`` import and set ``picture``."""
    changed = augmentation.changed()
    settings = "".join(f"\n    {name}={code_value(value)}," for name, value in changed.items())
    lines = [*picture_lines, "",
             f"transforms = augment.Augmentation({settings}\n)" if changed else "transforms = augment.Augmentation()",
             f"draws = augment.draw(\n    picture, transforms, count={count}, seed={seed})"]
    return "\n".join(lines)

