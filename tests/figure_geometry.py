"""Where a figure's grids and shapes sit, read back from a figure whose grids share one pair of pixel axes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Grid:
    """A heatmap's box in px (left, top: its corner) and its cell width and height."""
    left: float
    top: float
    dx: float
    dy: float
    rows: int
    cols: int

    @property
    def right(self) -> float:
        return self.left + self.cols * self.dx

    @property
    def bottom(self) -> float:
        return self.top + self.rows * self.dy

    def cells(self, shape: dict) -> tuple[int, int, int, int] | None:
        """The cells (r0, r1, c0, c1) a rectangle frames exactly on this grid; None if it is not on it."""
        if not (self.left <= shape["x0"] < shape["x1"] <= self.right
                and self.top <= shape["y0"] < shape["y1"] <= self.bottom):
            return None
        bounds = ((shape["y0"] - self.top) / self.dy, (shape["y1"] - self.top) / self.dy - 1,
                  (shape["x0"] - self.left) / self.dx, (shape["x1"] - self.left) / self.dx - 1)
        assert all(abs(b - round(b)) < 1e-9 for b in bounds), ("a shape off the cell lines", shape)
        return tuple(int(round(b)) for b in bounds)


def grids(figure: dict) -> list[Grid]:
    """Every heatmap of the figure, in trace order, after checking that the axes are the figure's pixels."""
    layout = figure["layout"]
    margin = layout["margin"]
    assert layout["xaxis"]["range"] == [0, layout["width"] - margin["l"] - margin["r"]]      # one unit a pixel
    assert layout["yaxis"]["range"] == [layout["height"] - margin["t"] - margin["b"], 0]     # row 0 at the top
    assert not any(key.startswith(("xaxis", "yaxis")) and key[5:] for key in layout)        # one pair of axes
    found = []
    for trace in figure["data"]:
        rows, cols = np.shape(trace["z"])
        grid = Grid(trace["x0"] - trace["dx"] / 2, trace["y0"] - trace["dy"] / 2, trace["dx"], trace["dy"], rows, cols)
        assert 0 <= grid.left and grid.right <= layout["xaxis"]["range"][1] + 1e-9, grid        # inside the plot
        assert 0 <= grid.top and grid.bottom <= layout["yaxis"]["range"][0] + 1e-9, grid
        found.append(grid)
    return found


def assert_apart(boxes: list[Grid]) -> None:
    """Grids side by side, left to right, none touching the next."""
    assert all(a.right < b.left for a, b in zip(boxes, boxes[1:]))
