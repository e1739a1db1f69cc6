"""The GIF for slides shows the browser animation's frames: the same count, the window where each frame's step puts
it, and the output filled in as far as that frame's; one step's PNG is that GIF frame."""

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageSequence

from cnnviz import animation, animation_export, channels, steps
from cnnviz.animation import SPEEDS, WINDOW_ALPHA, WINNER
from cnnviz.figures import PALETTE
from cnnviz.grids import teaching_grid
from cnnviz.i18n import t
from cnnviz.kernels import named_kernel

LABELS = {"input": "in", "kernel": "k", "output": "out", "play": "play", "pause": "pause", "slow": "slow",
          "fast": "fast", "step": "step", "formula": "out[{i}, {j}] = {total} + {bias} = {value}"}
POOL = {"max": "max({window}) = {value}", "avg": "{total} / {count} = {value}"}
CHANNELS = {"channel": "in {name}", "channel_names": "R, G, B", "kernel": "W {name}",
            "formula": "({i}, {j}) {sums} + {bias} = {value}", "output": "out"}


def rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i: i + 2], 16) for i in (1, 3, 5)], dtype=float)


def tinted(colour: str) -> np.ndarray:
    return WINDOW_ALPHA * rgb(PALETTE["window"]) + (1 - WINDOW_ALPHA) * rgb(colour)


def decoded(gif: bytes) -> list[np.ndarray]:
    with Image.open(io.BytesIO(gif)) as picture:
        return [np.asarray(frame.convert("RGB"), dtype=float) for frame in ImageSequence.Iterator(picture)]


def models():
    x = teaching_grid("random", 7, 7)
    x3, filters, biases = channels.worked_example()
    return {
        "conv valid": animation.conv_frames(steps.conv_trace(x, named_kernel("sobel_x")), LABELS),
        "conv padding 2, stride 2": animation.conv_frames(
            steps.conv_trace(x, named_kernel("sobel_x"), 1.5, 2, 2), LABELS),
        "conv dilation 2, same": animation.conv_frames(
            steps.conv_trace(x, np.ones((3, 3)), 0, 1, "same", 2), LABELS),
        "max pooling, padding 1": animation.pool_frames(
            steps.pool_trace(teaching_grid("random", 6, 6), 3, 2, 1, "max"), LABELS | {"formula": POOL["max"]}),
        "average pooling": animation.pool_frames(
            steps.pool_trace(teaching_grid("random", 6, 6), 2, 2, 0, "avg"), LABELS | {"formula": POOL["avg"]}),
        "channels": animation.channels_frames(steps.conv_trace(x3, filters[0], biases[0], 2, 1), CHANNELS),
    }


def background(frame: np.ndarray, box) -> np.ndarray:
    """A cell's colour away from its number and from any frame drawn on its lines: near its bottom-left corner."""
    x0, y0, x1, y1 = box
    return frame[y1 - 6, x0 + 6]


def has_text(frame: np.ndarray, box) -> bool:
    """Whether a cell holds a number: pixels of the text colour inside it, clear of the frames on its lines."""
    x0, y0, x1, y1 = box
    inside = frame[y0 + 6: y1 - 6, x0 + 6: x1 - 6]
    return bool((np.abs(inside - rgb(PALETTE["text"])).max(axis=-1) < 40).any())


@pytest.mark.parametrize("name", list(models()))
def test_each_gif_frame_is_the_browser_frame(name):
    model = models()[name]
    figure = animation.plotly_animation(model, LABELS)
    frames = decoded(animation_export.gif(model, "step"))
    assert len(frames) == len(figure["frames"]) == len(model.steps)
    d = animation_export.drawing(model, "step")
    output = len(d.panels) - 1
    for frame, browser, step in zip(frames, figure["frames"], model.steps):
        taps = {(int(r), int(c)) for r in step.rows for c in step.cols}
        for panel, (grid, is_padding, _) in enumerate(model.inputs):
            for r in range(grid.shape[0]):
                for c in range(grid.shape[1]):
                    plain = PALETTE["padding" if is_padding[r, c] else "input"]
                    expected = tinted(plain) if (r, c) in taps else rgb(plain)
                    assert np.abs(background(frame, d.cell_box(panel, r, c)) - expected).max() <= 3, (name, r, c)
        if step.winner is not None:             # max pooling frames the winner, on its cell's lines
            x0, y0, x1, y1 = d.cell_box(0, *step.winner)
            assert np.abs(frame[(y0 + y1) // 2, x0] - rgb(WINNER)).max() <= 3
        # The output: the numbers the browser's frame has, and only those.
        texts = browser["data"][0]["text"]
        shown = {(i, j) for i, row in enumerate(texts) for j, text in enumerate(row) if text}
        drawn = {(i, j) for i in range(model.output.shape[0]) for j in range(model.output.shape[1])
                 if has_text(frame, d.cell_box(output, i, j))}
        assert drawn == shown
        assert step.out_index in drawn


def test_a_7x7_input_with_a_3x3_kernel_makes_a_small_gif_that_plays_at_the_chosen_speed():
    labels = {name: t(f"convolution.{name}", "ko") for name in ("kernel", "formula", "step")} | {
        "input": t("convolution.input_label", "ko"), "output": t("convolution.output_label", "ko")}
    model = animation.conv_frames(steps.conv_trace(teaching_grid("random", 7, 7), named_kernel("sobel_x")), labels)
    for speed, hold in (("slow", False), ("fast", True)):
        gif = animation_export.gif(model, labels["step"], speed, hold)
        assert len(gif) <= 1024 * 1024
        with Image.open(io.BytesIO(gif)) as picture:
            assert picture.width >= animation_export.LEAST_WIDTH
            durations = [frame.info["duration"] for frame in ImageSequence.Iterator(picture)]
        assert durations[:-1] == [SPEEDS[speed]] * 24
        assert durations[-1] == (animation_export.HOLD_MS if hold else SPEEDS[speed])


def test_a_steps_png_is_its_gif_frame():
    model = models()["conv padding 2, stride 2"]
    frames = decoded(animation_export.gif(model, "step"))
    for index in (0, 4, len(model.steps) - 1):
        png = animation_export.png(model, "step", index)
        with Image.open(io.BytesIO(png)) as picture:
            assert picture.format == "PNG"
            assert np.array_equal(np.asarray(picture.convert("RGB"), dtype=float), frames[index])
    with pytest.raises(ValueError):
        animation_export.png(model, "step", len(model.steps))
    with pytest.raises(ValueError):
        animation_export.gif(model, "step", speed="warp")


def test_hangul_is_drawn_with_its_glyphs():
    """With Noto Sans CJK (CI installs fonts-noto-cjk) two syllables differ; without it both are the same box."""
    if not animation_export.has_cjk_font():
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    def drawn(text: str) -> np.ndarray:
        picture = Image.new("L", (40, 40))
        ImageDraw.Draw(picture).text((20, 20), text, fill=255, font=animation_export.font(20), anchor="mm")
        return np.asarray(picture)

    assert drawn("가").any() and not np.array_equal(drawn("가"), drawn("나"))
