"""Pooling: max vs average, animated; global pooling; shift tolerance; pooling vs a strided convolution."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from cnnviz import animation, figures, formulas, ops, pooling, steps
from cnnviz.grids import GRID_PRESETS, scene_image, teaching_grid
from cnnviz.i18n import get_language, t
from ui.common import friendly_errors, show_figure
from ui.shell import ensure_app_shell

ensure_app_shell()


@st.cache_resource(max_entries=64, show_spinner=False)
def build(x: np.ndarray, window: int, stride: int, padding: int, mode: str, lang: str):
    """The trace and its animated figure, built once per setting and language."""
    trace = steps.pool_trace(x, window, stride, padding, mode)
    labels = {name: t(f"convolution.{name}", lang) for name in ("play", "pause", "slow", "fast", "step")}
    labels |= {"input": t("convolution.input_label", lang), "output": t("pooling.output_label", lang),
               "formula": t(f"pooling.formula_{mode}", lang)}
    return trace, go.Figure(animation.pool_animation(trace, labels))


@st.cache_resource(max_entries=8, show_spinner=False)
def pooled_scene(times: int) -> dict[str, bytes]:
    """The picture and its max- and average-pooled versions, enlarged back to 256 px, as PNG bytes."""
    image = scene_image(256).astype(float)
    results = {"max": image, "avg": image}
    for _ in range(times):
        results = {mode: pooling.pool(results[mode], 2, mode=mode) for mode in results}
    pictures = {mode: figures.enlarge(np.clip(r, 0, 255).astype(np.uint8), 2 ** times) for mode, r in results.items()}
    pictures["original"] = image.astype(np.uint8)
    return {name: figures.png_bytes(picture) for name, picture in pictures.items()}


def controls():
    names = {name: t(f"grids.{name}") for name in GRID_PRESETS}
    modes = {"max": t("pooling.max"), "avg": t("pooling.avg")}
    left, right = st.columns(2, gap="large")
    with left:
        preset = st.selectbox(t("pooling.input_preset"), GRID_PRESETS, format_func=names.get, key="pool_preset")
        side = st.slider(t("pooling.side"), 3, 12, 8, key="pool_side")
        mode = st.radio(t("pooling.mode"), list(modes), format_func=modes.get, horizontal=True, key="pool_mode")
    with right:
        window = st.slider(t("pooling.window"), 1, 4, 2, key="pool_window")
        same = st.checkbox(t("pooling.stride_equals_window"), True, key="pool_stride_same")
        stride = window if same else st.slider(t("pooling.stride"), 1, 4, 1, key="pool_stride")
        padding = st.slider(t("pooling.padding"), 0, window // 2, 0, key=f"pool_padding_{window}") \
            if window > 1 else 0
    return teaching_grid(preset, side, side), window, stride, padding, mode


@st.fragment
def step_arithmetic(trace: steps.PoolTrace, mode: str) -> None:
    st.subheader(t("pooling.arithmetic_title"))
    count = len(trace.steps)
    number = st.slider(t("pooling.step_pick"), 1, count, 1, key=f"pool_step-{count}") if count > 1 else 1
    step = trace.steps[number - 1]
    left, right = st.columns([1, 2])
    winner = None
    if step.winner is not None:
        winner = (step.rows[:, None] == step.winner[0]) & (step.cols[None, :] == step.winner[1])
    with left:
        show_figure(figures.value_grid(step.patch, colour=figures.PALETTE["input"], outline=winner))
    right.latex(formulas.pool_step_formula(step, mode))


def global_pooling() -> None:
    st.subheader(t("pooling.global_title"))
    st.caption(t("pooling.global_intro"))
    maps = np.stack([teaching_grid(name, 5, 5, seed=3) for name in ("random", "blob", "vertical_edge")])
    inputs, outputs = figures.PALETTE["input"], figures.PALETTE["output"]
    panels = [figures.Panel(m, t("pooling.channel", n=n + 1), inputs) for n, m in enumerate(maps)]
    panels += [figures.Panel(ops.global_avg_pool(maps)[:, None], "GAP", outputs),
               figures.Panel(ops.global_max_pool(maps)[:, None], "GMP", outputs)]
    show_figure(figures.value_grids(panels, cell=40))
    st.caption(t("pooling.global_legend"))


def shift_tolerance() -> None:
    st.subheader(t("pooling.shift_title"))
    st.caption(t("pooling.shift_intro"))
    shift = st.slider(t("pooling.shift"), 0, 3, 1, key="pool_shift")
    comparison = pooling.shift_comparison(teaching_grid("dots", 8, 8), shift)
    inputs, outputs = figures.PALETTE["input"], figures.PALETTE["output"]
    show_figure(figures.value_grids([
        figures.Panel(comparison.original, t("pooling.input"), inputs),
        figures.Panel(comparison.shifted, t("pooling.input"), inputs),
        figures.Panel(comparison.pooled, t("pooling.before"), outputs),
        figures.Panel(comparison.pooled_shifted, t("pooling.after"), outputs, comparison.changed)], cell=32))
    st.info(t("pooling.unchanged", share=comparison.unchanged_share), icon=":material/swap_horiz:")


def pooling_vs_stride() -> None:
    st.subheader(t("pooling.vs_title"))
    st.caption(t("pooling.vs_intro"))
    left, right = st.columns(2)
    side = left.slider(t("pooling.vs_side"), 4, 224, 56, key="vs_side")
    channels = right.slider(t("pooling.channels"), 1, 512, 64, key="vs_channels")
    pooled, conv = pooling.pooling_vs_strided_conv(side, channels)
    for column, title, result in zip(st.columns(2), ("column_pool", "column_conv"), (pooled, conv)):
        column.markdown(f"**{t(f'pooling.{title}')}**")
        column.metric(t("pooling.output_size"), f"{result.output} × {result.output} × {channels}")
        column.metric(t("pooling.parameters"), f"{result.parameters:,}")
        column.metric(t("pooling.multiplications"), f"{result.multiplications:,}")
    st.caption(t("pooling.vs_note"))


def real_image() -> None:
    st.subheader(t("pooling.image_title"))
    times = st.slider(t("pooling.times"), 1, 3, 2, key="pool_times")
    st.caption(t("pooling.image_intro", times=times))
    results, factor = pooled_scene(times), 2 ** times
    columns = st.columns(3)
    columns[0].image(results["original"], caption=t("pooling.original", h=256, w=256))
    for column, mode in zip(columns[1:], ("max", "avg")):
        side = 256 // factor
        column.image(results[mode], caption=t(f"pooling.pooled_{mode}", h=side, w=side))


st.title(t("pooling.title"))
st.markdown(t("pooling.intro"))
x, window, stride, padding, mode = controls()
with friendly_errors():
    trace, figure = build(x, window, stride, padding, mode, get_language())
    st.subheader(t("pooling.animation_title"))
    st.caption(t("pooling.animation_help"))
    show_figure(figure, key="pool_animation")
    step_arithmetic(trace, mode)
global_pooling()
shift_tolerance()
pooling_vs_stride()
real_image()
