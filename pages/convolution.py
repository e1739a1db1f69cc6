"""The sliding window: a kernel over a small grid, animated, with each step's arithmetic and the output size."""

import numpy as np
import streamlit as st

from cnnviz import arithmetic, formulas, ops
from cnnviz.grids import GRID_PRESETS, MAX_SIDE, MIN_SIDE, grid_from_picture
from cnnviz.i18n import get_language, t
from cnnviz.kernels import CONVOLUTION_PRESETS, named_kernel
from ui import cached
from ui.common import figure_and_controls, fragment, result_or_stop, show_figure
from ui.export_view import slides_download, step_png
from ui.grid_editor import edit_grid, editor_section
from ui.image_input import image_input
from ui.lesson_tabs import section_tabs
from ui.links import SEED, linked, linked_value
from ui.practice_view import check_yourself
from ui.shell import ensure_app_shell

ensure_app_shell()


def new_numbers() -> None:
    st.session_state["grid_seed"] += 1


def choose_input(more) -> np.ndarray:
    """The input grid; its extras (new numbers, the editor) go in the ``more`` container, below the main controls."""
    names = {name: t(f"grids.{name}") for name in GRID_PRESETS} | {"picture": t("convolution.your_picture")}
    preset = linked(st.selectbox, t("convolution.input_preset"), list(names), format_func=names.get, key="grid_preset")
    rows = linked(st.slider, t("convolution.rows"), MIN_SIDE, MAX_SIDE, 7, key="rows")
    cols = linked(st.slider, t("convolution.cols"), MIN_SIDE, MAX_SIDE, 7, key="cols")
    seed = linked_value("grid_seed", SEED, 0, t("links.seed"))
    if preset == "random":
        more.button(t("convolution.new_numbers"), icon=":material/casino:", on_click=new_numbers)
    if preset == "picture":
        with st.expander(t("convolution.picture_source"), expanded=True):
            rgb, label, picture = image_input("convolution", default_size=256, narrow=True)
            st.caption(t("convolution.picture_note", name=label, rows=rows, cols=cols))
        start, seed = grid_from_picture(rgb, rows, cols), picture
    else:
        start = cached.grid(preset, rows, cols, seed)
    with more, (section := editor_section(t("convolution.edit_input"), key="edit_input")):
        return edit_grid(start, key=f"grid-{preset}-{rows}-{cols}-{seed}", editing=section.open, url="grid")


def choose_kernel(more) -> tuple[np.ndarray, float, bool]:
    """The kernel, the bias and whether it is flipped; the editor, the bias and the operation go in ``more``."""
    names = {name: t(f"kernels.{name}") for name in CONVOLUTION_PRESETS} | {"custom": t("convolution.custom")}
    preset = linked(st.selectbox, t("convolution.kernel_preset"), list(names), index=1, format_func=names.get,
                    key="kernel_preset")
    if preset == "custom":
        kh = linked(st.slider, t("convolution.kernel_rows"), 1, 7, 3, key="kernel_rows")
        kw = linked(st.slider, t("convolution.kernel_cols"), 1, 7, 3, key="kernel_cols")
        start = np.zeros((kh, kw))
        start[kh // 2, kw // 2] = 1
    else:
        start = named_kernel(preset)
    with more:
        with (section := editor_section(t("convolution.edit_kernel"), key=f"edit_kernel_{preset}",
                                        expanded=preset == "custom")):
            kernel = edit_grid(np.round(start, 3), key=f"kernel-{preset}-{start.shape}", editing=section.open,
                               step=0.1, url="kernel")
        bias = linked(st.number_input, t("convolution.bias"), -20.0, 20.0, 0.0, step=0.5, key="bias")
        kinds = {"correlation": t("convolution.correlation"), "convolution": t("convolution.true_convolution")}
        flip = linked(st.radio, t("convolution.operation"), list(kinds), format_func=kinds.get, key="operation",
                      help=t("convolution.operation_note")) == "convolution"
    return kernel, bias, flip


def choose_geometry():
    modes = {"valid": "valid", "same": "same", "full": "full", "custom": t("convolution.padding_custom")}
    mode = linked(st.radio, t("convolution.padding"), list(modes), format_func=modes.get, horizontal=True,
                  key="padding")
    padding = linked(st.number_input, t("convolution.padding_pixels"), 0, 6, 1, key="padding_pixels") \
        if mode == "custom" else mode
    stride = linked(st.slider, t("convolution.stride"), 1, 4, 1, key="stride")
    dilation = linked(st.slider, t("convolution.dilation"), 1, 3, 1, key="dilation",
                      help=t("convolution.dilation_help"))
    return padding, stride, dilation


@fragment
def step_arithmetic(settings: tuple, count: int) -> None:
    """Only this part reruns when the student picks another step."""
    st.subheader(t("convolution.arithmetic_title"))
    number = linked(st.slider, t("convolution.step_pick"), 1, count, 1, key=f"step-{count}",
                    url="step") if count > 1 else 1
    figure, formula = cached.conv_step(*settings, number, get_language())
    show_figure(figure)
    st.latex(formula)
    step_png("convolution", settings, number)


def axis_arithmetic(axis: arithmetic.AxisArithmetic, title: str, size: str, symbol: str, padding) -> None:
    """One axis's output size: the general formula, the tutorials' simpler form when it applies, and what
    the numbers mean. The formulas go in one Markdown element (KaTeX between $$), the notes in one caption."""
    text = f"**{title}**\n\n$$\n{formulas.output_size_general(axis, size, symbol)}\n$$"
    simple = formulas.output_size_simple(axis, size, symbol)
    if simple:
        text += f"\n\n{t('convolution.simple_form')}\n\n$$\n{simple}\n$$"
    st.markdown(text)
    if not axis.divides:
        st.info(t("convolution.not_divides", numerator=axis.numerator, stride=axis.stride, unreached=axis.unreached),
                icon=":material/content_cut:")
    notes = [t("convolution.divides")] if axis.divides else []
    if padding == "same":
        if axis.stride > 1:
            notes.append(t("convolution.same_stride", stride=axis.stride, out=axis.out))
        elif axis.kernel % 2:
            notes.append(t("convolution.same_odd", k=axis.kernel, p=axis.pad_before))
        else:
            notes.append(t("convolution.same_even", k=axis.kernel, total=axis.pad_before + axis.pad_after,
                           before=axis.pad_before, after=axis.pad_after))
    elif padding == "full":
        notes.append(t("convolution.full_note", p=axis.pad_before))
    if notes:
        st.caption(" ".join(notes))


def output_size(x: np.ndarray, kernel: np.ndarray, padding, stride: int, dilation: int) -> None:
    st.subheader(t("convolution.size_title"))
    _, _, pads, (oh, ow) = ops.conv_geometry(x.shape, kernel.shape, stride, padding, dilation)
    pads_text = f"({pads[0][0]}, {pads[0][1]}) × ({pads[1][0]}, {pads[1][1]})"
    st.caption(t("convolution.size_intro", pads=pads_text, stride=stride, dilation=dilation))
    for column, title, n, k, (before, after), size, symbol in zip(
            st.columns(2), (t("convolution.size_rows"), t("convolution.size_cols")), x.shape, kernel.shape, pads,
            ("H", "W"), ("K_h", "K_w")):
        axis = arithmetic.AxisArithmetic(n, k, stride, dilation, before, after)
        with column:
            axis_arithmetic(axis, title, size, symbol, padding)
    st.success(t("convolution.multiplications", count=arithmetic.conv_multiplications(oh, ow, kernel.shape, 1, 1),
                 oh=oh, ow=ow, taps=kernel.size), icon=":material/calculate:")


st.title(t("convolution.title"))
st.markdown(t("convolution.intro"))
figure_column, main_controls, more = figure_and_controls()
with main_controls:
    x = choose_input(more)
    kernel, bias, flip = choose_kernel(more)
    padding, stride, dilation = choose_geometry()

settings = (x, kernel[::-1, ::-1].copy() if flip else kernel, bias, stride, padding, dilation)
with figure_column:
    trace, figure = result_or_stop(cached.conv_animation, *settings, get_language())   # impossible: says why
    st.subheader(t("convolution.animation_title"))
    st.caption(t("convolution.animation_help") + (" " + t("convolution.flipped_note") if flip else ""))
    show_figure(figure, key="animation")
    slides_download("convolution", settings)
section_tabs("convolution", "convolution.tab_", {
    "step": lambda: step_arithmetic(settings, len(trace.steps)),
    "size": lambda: output_size(x, kernel, padding, stride, dilation)})
check_yourself("convolution")
