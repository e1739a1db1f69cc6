"""Two parts of AlexNet shown working on real numbers: local response normalisation and dropout.

Local response normalisation (Krizhevsky et al., 2012, section 3.3) divides each activation by
a power of the summed squares of the same pixel in the n neighbouring channels:
b = a / (k + alpha * sum a^2)^beta. PyTorch's ``local_response_norm`` divides its alpha by n,
so the paper's alpha is passed to it times n. Dropout zeroes each activation with probability
p while training and scales the survivors by 1/(1 - p), so the expected value is unchanged; in
evaluation mode it does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from cnnviz.errors import InvalidInput

PAPER_LRN = {"size": 5, "alpha": 1e-4, "beta": 0.75, "k": 2.0}


def local_response_norm(maps: np.ndarray, size: int, alpha: float, beta: float, k: float) -> np.ndarray:
    """A (C, H, W) stack normalised across channels with the paper's alpha (torch computes it)."""
    if size < 1 or size % 2 == 0:
        raise InvalidInput("architectures.lrn_size_odd", size=size)
    x = torch.from_numpy(np.asarray(maps, np.float64))[None]
    return F.local_response_norm(x, size, alpha=alpha * size, beta=beta, k=k)[0].numpy()


@dataclass(frozen=True)
class LrnStep:
    """One activation's normalisation written out: the neighbours' squares, the divisor, the result."""
    channel: int
    neighbours: tuple[int, ...]
    values: tuple[float, ...]
    squares_sum: float
    divisor: float
    before: float
    after: float


def lrn_step(maps: np.ndarray, channel: int, row: int, col: int, size: int, alpha: float, beta: float,
             k: float) -> LrnStep:
    """The paper's formula for one activation, by hand (the page shows it beside torch's result)."""
    count = len(maps)
    low, high = max(0, channel - size // 2), min(count - 1, channel + size // 2)
    neighbours = tuple(range(low, high + 1))
    values = tuple(float(maps[c, row, col]) for c in neighbours)
    squares = float(sum(v * v for v in values))
    divisor = (k + alpha * squares) ** beta
    before = float(maps[channel, row, col])
    return LrnStep(channel, neighbours, values, squares, divisor, before, before / divisor)


def dropout(x: np.ndarray, p: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Training-mode dropout with its own generator: (the output, the mask of survivors).

    ``torch.nn.Dropout`` draws from the process's global generator, which every session of the
    app shares; this draws the same kind of mask from a seeded one, so a student's draw is theirs
    and repeatable. The tests check it against ``nn.Dropout``'s rule.
    """
    if not 0 <= p < 1:
        raise InvalidInput("architectures.dropout_p", p=p)
    values = torch.from_numpy(np.asarray(x, np.float64))
    generator = torch.Generator().manual_seed(seed)
    keep = torch.bernoulli(torch.full_like(values, 1 - p), generator=generator)
    return (values * keep / (1 - p)).numpy(), keep.numpy().astype(bool)


def dropout_means(x: np.ndarray, p: float, draws: int, seed: int) -> np.ndarray:
    """The mean of each of ``draws`` training-mode outputs: they scatter around the input's mean."""
    return np.array([dropout(x, p, seed + i)[0].mean() for i in range(draws)])
