"""The lessons' cached results: built once per process, shared read-only by every session, each cache bounded.

They live here rather than in the page files because a page file runs again on
every rerun: a memo defined there would be a new, empty one each time. Pictures
are keyed by the SHA-256 of the image they come from (the underscore arguments
are not part of the key).
"""

from __future__ import annotations

import numpy as np

from cnnviz import (animation, animation_export, arithmetic, channels, figures, filtering, formulas, images,
                    layer_figures, model_figures, ops, pooling, steps)
from cnnviz.activations import activations, edge_patch, gradient_through_layers, sobel_response
from cnnviz.cases import CASES, transpose_as_convolution
from cnnviz.grids import scene_image, teaching_grid
from cnnviz.i18n import t
from cnnviz.kernels import named_kernel
from ui.caching import shared
from ui.common import CheckedFigure

PICTURE_SIDE = 256          # the pooling and activation lessons' picture
POOLED_PHOTO = "camera"     # the photograph the pooling lesson pools
PATCH = 6                   # the activation lesson's patch of numbers
GRADIENT_VIEWS = ("sobel_magnitude", "sobel_direction")


# ---------------------------------------------------------------- why CNNs

HOME_SIDES = [28, 64, 128, 224, 512, 1024]


@shared(max_entries=2)
def pipeline(lang: str) -> CheckedFigure:
    names = ("input", "conv", "pool", "flatten", "dense", "softmax", "class", "features", "classifier")
    return CheckedFigure(figures.pipeline_figure({name: t(f"home.pipeline_{name}", lang) for name in names}))


@shared(max_entries=64, ttl=3600)
def parameter_growth(side: int, channels: int, units: int, filters: int, kernel: int, lang: str) -> CheckedFigure:
    """The first layer's weights, dense against conv, over the image sides, with the chosen side marked."""
    conv = arithmetic.conv_params(kernel, channels, filters)
    labels = {"title": t("home.chart_title", lang), "x": t("home.chart_x", lang), "y": t("home.chart_y", lang),
              "dense": t("home.chart_dense", lang, units=units),
              "conv": t("home.chart_conv", lang, filters=filters, k=kernel)}
    dense = [arithmetic.dense_params_for_image(s, s, channels, units) for s in HOME_SIDES]
    return CheckedFigure(figures.parameter_growth_figure(HOME_SIDES, dense, [conv] * len(HOME_SIDES), labels,
                                                         highlight=side))


def _animation_labels(lang: str) -> dict[str, str]:
    names = ("play", "pause", "slow", "fast", "step", "formula", "kernel")
    return {name: t(f"convolution.{name}", lang) for name in names} | {
        "input": t("convolution.input_label", lang), "output": t("convolution.output_label", lang)}


# ---------------------------------------------------------------- the sliding window, the arithmetic

@shared(max_entries=256)
def grid(name: str, h: int, w: int, seed: int = 0) -> np.ndarray:
    """A teaching grid (cnnviz.grids), made once per setting; read-only."""
    values = teaching_grid(name, h, w, seed)
    values.setflags(write=False)
    return values


@shared(max_entries=64)
def conv_frames(x: np.ndarray, kernel: np.ndarray, bias: float, stride: int, padding, dilation: int, lang: str):
    """The trace and the animation's frames (for the browser and for slides), once per setting and language."""
    trace = steps.conv_trace(x, kernel, bias, stride, padding, dilation)
    return trace, animation.conv_frames(trace, _animation_labels(lang))


@shared(max_entries=64)
def conv_animation(x: np.ndarray, kernel: np.ndarray, bias: float, stride: int, padding, dilation: int, lang: str):
    """The trace and its animated figure, built once per setting and language."""
    trace, frames = conv_frames(x, kernel, bias, stride, padding, dilation, lang)
    return trace, CheckedFigure(animation.plotly_animation(frames, _animation_labels(lang)))


@shared(max_entries=256)
def conv_step(x: np.ndarray, kernel: np.ndarray, bias: float, stride: int, padding, dilation: int, number: int,
              lang: str) -> tuple[CheckedFigure, str]:
    """Step ``number`` (from 1) of that animation: its window, the kernel, their products and the output
    value as grids, and its formula."""
    trace, _ = conv_animation(x, kernel, bias, stride, padding, dilation, lang)
    step = trace.steps[number - 1]
    labels = {name: t(f"convolution.{name}", lang) for name in ("window", "kernel", "products", "value")}
    return CheckedFigure(figures.conv_step_grids(step, trace.kernel, labels)), formulas.step_formula(step, trace.kernel)


@shared(max_entries=32)
def case_animation(index: int, transposed: bool, lang: str) -> CheckedFigure:
    """A case of the guide animated: the forward convolution, or its transpose drawn as a convolution."""
    case = CASES[index]
    kernel = np.ones((case.kernel, case.kernel))
    if not transposed:
        x = teaching_grid("random", case.size, case.size, seed=index)
        trace = steps.conv_trace(x, kernel, 0, case.stride, case.padding, case.dilation)
        return CheckedFigure(animation.conv_animation(trace, _animation_labels(lang)))
    x = teaching_grid("random", case.output, case.output, seed=index)
    spread = transpose_as_convolution(x, kernel, case.stride, case.padding, case.output_padding)
    trace = steps.conv_trace(spread.grid, spread.kernel)
    return CheckedFigure(animation.conv_animation(trace, _animation_labels(lang), is_padding=spread.inserted))


@shared(max_entries=64)
def receptive_fields(layers: tuple[arithmetic.Layer, ...], lang: str) -> tuple[list[int], CheckedFigure | None]:
    """What one output cell sees after each layer, and the picture of it (none past 64 pixels, too big to draw)."""
    fields = arithmetic.receptive_fields(list(layers))
    if fields[-1] > 64:
        return fields, None
    labels = [t("arithmetic.layer_label", lang, n=n + 1, f=f) for n, f in enumerate(fields)]
    return fields, CheckedFigure(figures.receptive_field_figure(fields, labels))


# ---------------------------------------------------------------- pooling

def _pool_labels(padding: int, mode: str, lang: str) -> dict[str, str]:
    labels = {name: t(f"convolution.{name}", lang) for name in ("play", "pause", "slow", "fast", "step")}
    return labels | {"input": t("pooling.input_padded" if padding else "pooling.input", lang),
                     "output": t("pooling.output_label", lang), "formula": t(f"pooling.formula_{mode}", lang)}


@shared(max_entries=64)
def pool_frames(x: np.ndarray, window: int, stride: int, padding: int, mode: str, lang: str):
    """The trace and the animation's frames (for the browser and for slides), once per setting and language."""
    trace = steps.pool_trace(x, window, stride, padding, mode)
    return trace, animation.pool_frames(trace, _pool_labels(padding, mode, lang))


@shared(max_entries=64)
def pool_animation(x: np.ndarray, window: int, stride: int, padding: int, mode: str, lang: str):
    """The trace and its animated figure, built once per setting and language."""
    trace, frames = pool_frames(x, window, stride, padding, mode, lang)
    return trace, CheckedFigure(animation.plotly_animation(frames, _pool_labels(padding, mode, lang)))


@shared(max_entries=256)
def pool_window(patch: np.ndarray, winner: np.ndarray | None) -> CheckedFigure:
    """One step's window, the max's cell framed."""
    return CheckedFigure(layer_figures.window_figure(patch, winner))


@shared(max_entries=2)
def global_pooling(lang: str) -> tuple[tuple[int, ...], CheckedFigure, str]:
    """The three 5x5 maps' shape, their figure and the formulas of both global poolings: the same for all."""
    maps = np.stack([teaching_grid(name, 5, 5, seed=3) for name in ("random", "blob", "vertical_edge")])
    labels = {"channel": t("pooling.channel", lang), "gap": t("pooling.gap_short", lang),
              "gmp": t("pooling.gmp_short", lang)}
    return (maps.shape, CheckedFigure(layer_figures.global_pool_figure(maps, labels)),
            formulas.global_pool_formulas(maps, ops.global_avg_pool(maps), ops.global_max_pool(maps)))


@shared(max_entries=64)
def shift_test(preset: str, shift: int, mode: str, lang: str):
    """The 8x8 input pooled before and after the shift, its figure, and how much survives each shift of 0-3 pixels."""
    x = teaching_grid(preset, 8, 8)
    comparison = pooling.shift_comparison(x, shift, mode=mode)
    labels = {"original": t("pooling.input", lang), "shifted": t("pooling.shifted", lang, n=shift),
              "pooled": t("pooling.before", lang), "pooled_shifted": t("pooling.after", lang)}
    return (comparison, CheckedFigure(layer_figures.shift_figure(comparison, labels)),
            pooling.shift_profile(x, range(4), mode=mode))


@shared(max_entries=64)
def strided_comparison(x: np.ndarray, kernel: str, lang: str) -> CheckedFigure:
    """The input beside its 2x2 max pooling and its stride-2 convolution with a named kernel."""
    labels = {key: t(f"pooling.vs_{key}", lang) for key in ("input", "pooled", "kernel", "convolved")}
    return CheckedFigure(layer_figures.side_by_side_figure(pooling.pool_and_strided_conv(x, named_kernel(kernel)),
                                                           labels))


@shared(max_entries=8)
def pooled_scene(times: int) -> dict[str, bytes]:
    """The cameraman photograph (thin tripod legs, sharp edges) and its pooled versions, enlarged back block by
    block to its size, as PNG bytes."""
    image = images.sample_image(POOLED_PHOTO, PICTURE_SIDE)[..., 0]      # a grey photograph: its channels are equal
    pictures = {mode: figures.enlarge(p, 2 ** times) for mode, p in pooling.pooled_pictures(image, times).items()}
    return {name: figures.png_bytes(p) for name, p in (pictures | {"original": image}).items()}


# ---------------------------------------------------------------- activation functions

@shared(max_entries=1)
def sobel_map() -> tuple[np.ndarray, tuple[int, int]]:
    """The Sobel x response of the picture, and the corner of the patch whose numbers are shown."""
    response = sobel_response(scene_image(PICTURE_SIDE))
    response.flags.writeable = False
    return response, edge_patch(response, PATCH)


@shared(max_entries=128)
def activated_maps(name: str, slope: float, lang: str) -> dict:
    """The map before and after as PNGs on the diverging scale (the patch framed) with each one's colour bar
    (its end at half the peak), and the figure of the patch's numbers before and after."""
    before, (row, col) = sobel_map()
    after = activations(slope)[name].function(before)
    titles = {"before": t("activations.before", lang),
              "after": t("activations.after", lang, name=t(f"activations.{name}", lang))}
    result, panels = {}, []
    for key, values in (("before", before), ("after", after)):
        limit = float(np.abs(values).max()) / 2      # half the peak: thin edges stay visible
        picture = figures.frame_region(figures.diverging_image(values, limit), row, col, PATCH)
        bar = CheckedFigure(figures.colour_bar(limit, t("activations.colour_bar", lang)))
        result[key] = (figures.png_bytes(picture), bar)
        panels.append(figures.Panel(values[row: row + PATCH, col: col + PATCH], titles[key]))
    result["patch"] = CheckedFigure(figures.value_grids(panels, cell=50))
    return result


@shared(max_entries=64)
def activation_curves(names: tuple[str, ...], lang: str) -> CheckedFigure:
    words = {name: t(f"activations.{name}", lang) for name in names}
    words |= {"function": t("activations.function_curve", lang), "derivative": t("activations.derivative_curve", lang),
              "x": t("activations.x_axis", lang), "y": t("activations.y_axis", lang)}
    return CheckedFigure(layer_figures.activation_curves(list(names), 0.1, words))


@shared(max_entries=128)
def probability_bars(names: tuple[str, ...], probabilities: tuple[float, ...], lang: str) -> CheckedFigure:
    return CheckedFigure(model_figures.probabilities_figure(probabilities, list(names),
                                                            value_title=t("activations.probability", lang)))


@shared(max_entries=64)
def gradient_depth(depth: int, lang: str) -> tuple[float, CheckedFigure, str]:
    """What survives ``depth`` sigmoid layers, the figure beside ReLU's, and both products written out."""
    sigmoid, relu = gradient_through_layers("sigmoid", depth), gradient_through_layers("relu", depth)
    words = {"sigmoid": t("activations.sigmoid_product", lang), "relu": t("activations.relu_product", lang),
             "x": t("activations.depth_x", lang), "y": t("activations.depth_y", lang)}
    return (sigmoid, CheckedFigure(layer_figures.gradient_depth_figure(depth, words)),
            formulas.gradient_product(depth, sigmoid, relu))


# ---------------------------------------------------------------- what a filter sees

@shared(max_entries=32, ttl=3600)
def filtered(digest: str, _gray: np.ndarray, kernel: np.ndarray | None, view: str, how: str, border: str):
    """(picture bytes, the value its strongest colour stands for, the strongest pixel) of one filter on one
    image; keyed by the image's hash and the settings."""
    if view in GRADIENT_VIEWS:
        g = filtering.gradient(_gray, border=border)
        values = g.magnitude
        if view == "sobel_direction":
            return figures.png_bytes(filtering.direction_image(g)), 0.0, filtering.strongest_pixel(values)
    else:
        values = filtering.response(_gray, kernel, border)
    return (figures.png_bytes(filtering.display(values, how)), filtering.display_peak(values, how),
            filtering.strongest_pixel(values))


@shared(max_entries=32, ttl=3600)
def grey(digest: str, _rgb: np.ndarray) -> tuple[np.ndarray, bytes]:
    """Whole grey levels 0..255 (the numbers the zoom shows) and their PNG, once per picture."""
    gray = np.round(images.to_gray(_rgb))
    gray.flags.writeable = False
    return gray, figures.png_bytes(gray)


@shared(max_entries=64, ttl=3600)
def locator(digest: str, _gray: np.ndarray, row: int, col: int, half: int) -> bytes:
    return figures.png_bytes(filtering.mark_region(_gray, row, col, half))


@shared(max_entries=256, ttl=3600)
def zoom(digest: str, _gray: np.ndarray, kernel: np.ndarray, border: str, row: int, col: int, radius: int,
         lang: str, name: str = r"\mathrm{out}") -> tuple[CheckedFigure, str, float]:
    """One output pixel worked out: its neighbourhood (the window framed), the kernel and the products as a
    figure, the formula with the numbers (the map called ``name``), and the pixel's value."""
    view = filtering.zoom(_gray, kernel, row, col, radius, border)
    step = view.trace.steps[view.centre]
    window = np.zeros(view.region.shape, bool)
    window[np.ix_(step.rows, step.cols)] = True
    figure = figures.value_grids([
        figures.Panel(view.region, t("filters.neighbourhood", lang), figures.PALETTE["input"], window),
        figures.Panel(kernel, t("filters.kernel", lang)),
        figures.Panel(step.products, t("filters.products", lang))], cell=40 if view.region.shape[1] < 12 else 30)
    return CheckedFigure(figure), formulas.step_formula(step, kernel, index=(row, col), name=name), step.value


@shared(max_entries=64)
def kernel_grid(kernel: np.ndarray, lang: str) -> CheckedFigure:
    """A kernel drawn as a grid of its numbers."""
    return CheckedFigure(figures.value_grid(kernel, t("filters.kernel", lang), cell=36 if kernel.shape[0] > 5 else 44))


@shared(max_entries=2)
def sobel_kernels(lang: str) -> CheckedFigure:
    """Both Sobel kernels, which the two gradient views combine."""
    return CheckedFigure(figures.value_grids([figures.Panel(named_kernel(name), t(f"kernels.{name}", lang).split(" (")[0])
                                              for name in ("sobel_x", "sobel_y")], cell=40))


@shared(max_entries=64, ttl=3600)
def scale_bar(how: str, peak: float, lang: str) -> CheckedFigure:
    """What a filtered picture's colours stand for, for one way of showing it and its peak value."""
    if how == "signed":
        ends = (t("filters.scale_negative", lang), t("filters.scale_positive", lang))
        return CheckedFigure(figures.scale_bar(-peak, peak, figures.DIVERGING, ends))
    if how == "absolute":
        ends = (t("filters.scale_flat", lang), t("filters.scale_strong", lang))
        return CheckedFigure(figures.scale_bar(0, peak or 1.0, figures.GREYS, ends))
    ends = (t("filters.scale_black", lang), t("filters.scale_white", lang))
    return CheckedFigure(figures.scale_bar(0, 255, figures.GREYS, ends))


@shared(max_entries=1)
def direction_wheel(width: int) -> bytes:
    return figures.png_bytes(filtering.direction_wheel(), width)


# ---------------------------------------------------------------- colour channels

@shared(max_entries=16, ttl=3600)
def split(digest: str, _rgb: np.ndarray) -> tuple[np.ndarray, list[bytes]]:
    """The (3, H, W) channels and each one tinted in its colour as PNG, once per picture."""
    x3 = channels.split(_rgb)
    x3.flags.writeable = False
    return x3, [figures.png_bytes(channels.tint(x3[index], index)) for index in range(3)]


@shared(max_entries=64)
def channel_kernels(kernel3: np.ndarray, lang: str) -> CheckedFigure:
    """One filter's three kernels, one per colour channel."""
    return CheckedFigure(figures.value_grids([figures.Panel(k, t(f"channels.{name}", lang))
                                              for k, name in zip(kernel3, channels.COLOURS)], cell=40))


@shared(max_entries=16, ttl=3600)
def channel_maps(digest: str, _x3: np.ndarray, kernel3: np.ndarray, bias: float, width: int):
    """PNGs ``width`` pixels wide of each channel's response, and of the feature map, with the check against
    ops.conv2d."""
    result = channels.channel_sum(_x3, kernel3, bias)
    exact = np.allclose(result.total, ops.conv2d(_x3, kernel3, bias, padding="same"))
    pictures = [figures.png_bytes(figures.diverging_image(m, filtering.signed_limit(m)), width)
                for m in (*result.per_channel, result.total)]
    return pictures[:3], pictures[3], exact


@shared(max_entries=16, ttl=3600)
def bank_maps(digest: str, _x3: np.ndarray, count: int, seed: int, width: int) -> list[bytes]:
    """The maps of a bank of ``count`` filters, as PNGs ``width`` pixels wide."""
    bank = channels.filter_bank(count, seed)
    return [figures.png_bytes(figures.diverging_image(m, filtering.signed_limit(m)), width)
            for m in ops.conv2d(_x3, bank, padding="same")]


def _example_labels(lang: str) -> dict[str, str]:
    names = ("channel", "channel_names", "kernel", "formula", "output")
    labels = {name: t(f"channels.{name}", lang) for name in names}
    return labels | {name: t(f"convolution.{name}", lang) for name in ("play", "pause", "slow", "fast", "step")}


@shared(max_entries=4)
def example_frames(index: int, lang: str):
    """The cs231n example's trace with filter ``index`` and its animation's frames."""
    x, w, b = channels.worked_example()
    trace = steps.conv_trace(x, w[index], b[index], stride=2, padding=1)
    return trace, animation.channels_frames(trace, _example_labels(lang))


@shared(max_entries=4)
def worked_example(index: int, lang: str) -> CheckedFigure:
    return CheckedFigure(animation.plotly_animation(example_frames(index, lang)[1], _example_labels(lang)))


# ---------------------------------------------------------------- for slides

FRAMES = {"convolution": conv_frames, "pooling": pool_frames, "channels": example_frames}


@shared(max_entries=16, ttl=3600)
def slides_gif(lesson: str, settings: tuple, speed: str, hold: bool, lang: str) -> bytes:
    """The lesson's animation with ``settings`` (the arguments of its entry in ``FRAMES``) as a GIF."""
    _, frames = FRAMES[lesson](*settings, lang)
    return animation_export.gif(frames, t("convolution.step", lang), speed, hold)


@shared(max_entries=64, ttl=3600)
def slides_png(lesson: str, settings: tuple, number: int, lang: str) -> bytes:
    """Step ``number`` (from 1) of that GIF as a PNG."""
    _, frames = FRAMES[lesson](*settings, lang)
    return animation_export.png(frames, t("convolution.step", lang), number - 1)
