"""Pooling: max vs average, animated; global pooling; shift tolerance; pooling vs a strided convolution."""

import numpy as np
import streamlit as st

from cnnviz import formulas, pooling, steps
from cnnviz.grids import GRID_PRESETS
from cnnviz.i18n import get_language, t
from cnnviz.kernels import CONVOLUTION_PRESETS
from ui import cached
from ui.common import figure_and_controls, fragment, friendly_errors, show_figure
from ui.export_view import slides_download, step_png
from ui.lesson_tabs import section_tabs
from ui.links import linked
from ui.practice_view import check_yourself
from ui.shell import ensure_app_shell

ensure_app_shell()

PICTURE_WIDTH = 300         # px: the photo and its two pooled versions side by side, blocks kept visible


def controls():
    names = {name: t(f"grids.{name}") for name in GRID_PRESETS}
    modes = {"max": t("pooling.max"), "avg": t("pooling.avg")}
    mode = linked(st.radio, t("pooling.mode"), list(modes), format_func=modes.get, horizontal=True, key="pool_mode")
    preset = linked(st.selectbox, t("pooling.input_preset"), GRID_PRESETS, format_func=names.get, key="pool_preset")
    side = linked(st.slider, t("pooling.side"), 3, 12, 8, key="pool_side")
    window = linked(st.slider, t("pooling.window"), 1, 4, 2, key="pool_window")
    stride = linked(st.slider, t("pooling.stride"), 1, 4, window, key=f"pool_stride_{window}", url="pool_stride",
                    help=t("pooling.stride_help"))
    padding = linked(st.slider, t("pooling.padding"), 0, window // 2, 0, key=f"pool_padding_{window}",
                     url="pool_padding", help=t("pooling.padding_help")) if window > 1 else 0
    return cached.grid(preset, side, side), window, stride, padding, mode


@fragment
def step_arithmetic(trace: steps.PoolTrace, mode: str, settings: tuple) -> None:
    st.subheader(t("pooling.arithmetic_title"))
    count = len(trace.steps)
    number = linked(st.slider, t("pooling.step_pick"), 1, count, 1, key=f"pool_step-{count}",
                    url="pool_step") if count > 1 else 1
    step = trace.steps[number - 1]
    winner = None
    if step.winner is not None:
        winner = (step.rows[:, None] == step.winner[0]) & (step.cols[None, :] == step.winner[1])
    left, right = st.columns([1, 3], vertical_alignment="center")
    with left:
        show_figure(cached.pool_window(step.patch, winner))
    with right:
        st.latex(formulas.pool_step_formula(step, mode, cell=True))
        st.caption(t("pooling.window_place", r0=int(step.rows[0]), r1=int(step.rows[-1]), c0=int(step.cols[0]),
                     c1=int(step.cols[-1])) + " " + t(f"pooling.step_note_{mode}"))
        step_png("pooling", settings, number)


def global_pooling() -> None:
    st.subheader(t("pooling.global_title"))
    st.markdown(t("pooling.global_intro"))
    (channels, h, w), figure, formula = cached.global_pooling(get_language())
    show_figure(figure)
    st.caption(t("pooling.global_legend", channels=channels, h=h, w=w))
    st.latex(formula)


@fragment
def shift_tolerance() -> None:
    st.subheader(t("pooling.shift_title"))
    st.markdown(t("pooling.shift_intro"))
    presets = ["dots", "vertical_edge", "scene", "random"]
    names = {name: t(f"grids.{name}") for name in presets}
    modes = {"max": t("pooling.max"), "avg": t("pooling.avg")}
    with st.container(horizontal=True, gap="medium"):
        preset = linked(st.selectbox, t("pooling.input_preset"), presets, format_func=names.get, key="shift_preset")
        mode = linked(st.radio, t("pooling.mode"), list(modes), format_func=modes.get, key="shift_mode")
        shift = linked(st.slider, t("pooling.shift"), 0, 3, 1, key="pool_shift")
    comparison, figure, survived = cached.shift_test(preset, shift, mode, get_language())
    show_figure(figure)
    st.caption(t("pooling.shift_legend"))
    profile = " · ".join(t("pooling.profile_item", n=n, share=share)
                         for n, share in survived.items())
    st.info(t("pooling.unchanged", share=comparison.unchanged_share, profile=profile), icon=":material/swap_horiz:")


@fragment
def pooling_vs_stride(x: np.ndarray) -> None:
    st.subheader(t("pooling.vs_title"))
    st.markdown(t("pooling.vs_intro"))
    kernels = [name for name in CONVOLUTION_PRESETS if name != "identity"]
    names = {name: t(f"kernels.{name}") for name in kernels}
    kernel = linked(st.selectbox, t("pooling.vs_kernel_pick"), kernels, kernels.index("box_blur"),
                    format_func=names.get, key="vs_kernel")
    show_figure(cached.strided_comparison(x, kernel, get_language()))
    st.caption(t("pooling.vs_same_input"))

    st.markdown(f"**{t('pooling.vs_costs')}**")
    with st.container(horizontal=True, gap="medium"):
        side = linked(st.slider, t("pooling.vs_side"), 4, 224, 56, key="vs_side")
        channels = linked(st.slider, t("pooling.channels"), 1, 512, 64, key="vs_channels")
    pooled, conv = pooling.pooling_vs_strided_conv(side, channels)
    st.markdown(cost_table({"column_pool": pooled, "column_conv": conv}, channels))
    st.latex(formulas.conv_parameters(3, channels, conv.parameters))
    st.latex(formulas.conv_multiplications(3, channels, conv.output, conv.multiplications))
    st.info(t("pooling.vs_note"), icon=":material/history_edu:")


def cost_table(layers: dict, channels: int) -> str:
    """The two layers' costs as one Markdown table (one element, where metrics in columns took twenty)."""
    header = ["", t("pooling.output_size"), t("pooling.parameters"), t("pooling.multiplications")]
    return formulas.markdown_table(header, [
        [f"**{t(f'pooling.{name}')}**", f"{cost.output} × {cost.output} × {channels}", f"{cost.parameters:,}",
         f"{cost.multiplications:,}"] for name, cost in layers.items()])


@fragment
def real_image() -> None:
    st.subheader(t("pooling.image_title"))
    times = linked(st.slider, t("pooling.times"), 1, 3, 2, key="pool_times")
    side = cached.PICTURE_SIDE // 2 ** times
    st.markdown(t("pooling.image_intro", times=times, side=cached.PICTURE_SIDE, pooled=side))
    results = cached.pooled_scene(times)
    with st.container(horizontal=True):
        st.image(results["original"], caption=t("pooling.original", h=cached.PICTURE_SIDE, w=cached.PICTURE_SIDE),
                 width=PICTURE_WIDTH, output_format="PNG")
        for mode in ("max", "avg"):
            st.image(results[mode], caption=t(f"pooling.pooled_{mode}", h=side, w=side), width=PICTURE_WIDTH,
                     output_format="PNG")
    st.caption(t("pooling.image_note"))


st.title(t("pooling.title"))
st.markdown(t("pooling.intro"))
figure_column, controls_column, _ = figure_and_controls()
with controls_column:
    x, window, stride, padding, mode = controls()
sections = {"global": global_pooling, "shift": shift_tolerance, "vs_stride": lambda: pooling_vs_stride(x),
            "image": real_image}
with figure_column, friendly_errors():
    trace, figure = cached.pool_animation(x, window, stride, padding, mode, get_language())
    st.subheader(t("pooling.animation_title"))
    st.caption(t("pooling.animation_help"))
    show_figure(figure, key="pool_animation")
    slides_download("pooling", settings := (x, window, stride, padding, mode))
    sections = {"step": lambda: step_arithmetic(trace, mode, settings)} | sections
section_tabs("pooling", "pooling.tab_", sections)
check_yourself("pooling")
