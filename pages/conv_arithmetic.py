"""Every case of the convolution arithmetic, a calculator, a two-layer comparison and the receptive field."""

import pandas as pd
import streamlit as st

from cnnviz import arithmetic, formulas, ops
from cnnviz.cases import CASES
from cnnviz.i18n import get_language, t
from ui import cached
from ui.common import friendly_errors, show_figure
from ui.grid_editor import edit_table, editor_section
from ui.lesson_tabs import section_tabs
from ui.links import linked
from ui.practice_view import check_yourself
from ui.shell import ensure_app_shell

ensure_app_shell()


def cases_tab() -> None:
    names = {index: t(f"cases.{case.name}") for index, case in enumerate(CASES)}
    index = linked(st.selectbox, t("arithmetic.case"), list(names), format_func=names.get, key="case")
    case = CASES[index]
    can_transpose = case.dilation == 1
    transposed = linked(st.toggle, t("arithmetic.transposed"), key="transposed", disabled=not can_transpose,
                        help=t("arithmetic.transposed_help")) and can_transpose
    values = {"i": case.size, "k": case.kernel, "s": case.stride, "p": case.padding, "d": case.dilation}
    if transposed:
        a = case.output_padding
        st.markdown(t("arithmetic.transposed_intro", i=case.output, s=case.stride, p=case.padding,
                      gaps=case.stride - 1, border=case.kernel - 1 - case.padding,
                      extra=t("arithmetic.extra_padding", a=a) if a else ""))
        st.markdown(t("arithmetic.transposed_rule", s=case.stride, i=case.output, a=a, k=case.kernel,
                      p=case.padding, o=case.size))
    else:
        st.caption(t("arithmetic.settings", **values))
        st.markdown(f"**{t('arithmetic.rule')}:** " + t(f"cases.{case.name}_rule", **values, o=case.output))
        st.caption(t(f"cases.{case.name}_note"))
        if not can_transpose:
            st.caption(t("arithmetic.no_transposed"))
    show_figure(cached.case_animation(index, transposed, get_language()), key="case_animation")


def calculator_tab() -> None:
    st.caption(t("arithmetic.calculator_intro"))
    names = ("height", "kernel_h", "pad_h", "stride_h", "dilation_h", "width", "kernel_w", "pad_w", "stride_w",
             "dilation_w")
    defaults = (32, 5, 2, 2, 1, 24, 3, 1, 1, 1)
    limits = ((1, 1024), (1, 15), (0, 16), (1, 8), (1, 8)) * 2
    values = {}
    for column, chunk in zip(st.columns(5), range(5)):
        for offset in (0, 5):
            name = names[chunk + offset]
            low, high = limits[chunk + offset]
            values[name] = linked(column.number_input, t(f"arithmetic.{name}"), low, high, defaults[chunk + offset],
                                  key=f"calc_{name}")
    with friendly_errors():
        _, _, pads, (oh, ow) = ops.conv_geometry(
            (values["height"], values["width"]), (values["kernel_h"], values["kernel_w"]),
            (values["stride_h"], values["stride_w"]), (values["pad_h"], values["pad_w"]),
            (values["dilation_h"], values["dilation_w"]))
        st.markdown(t("arithmetic.output", oh=oh, ow=ow))
        for axis, size, kernel in zip("hw", ("H", "W"), ("K_h", "K_w")):
            n = values["height" if axis == "h" else "width"]
            pad = values[f"pad_{axis}"]
            st.latex(formulas.output_size_general(arithmetic.AxisArithmetic(
                n, values[f"kernel_{axis}"], values[f"stride_{axis}"], values[f"dilation_{axis}"], pad, pad),
                size, kernel))


def layer_column(title: str, key: str, defaults: dict, side: int, channels: int) -> list[str] | None:
    """One layer's controls; its results (output size, parameters, multiplications) as table cells, or None
    when the layer does not fit the input (the warning says why)."""
    st.markdown(f"**{title}**")
    kinds = {"conv": t("arithmetic.kind_conv"), "max": t("arithmetic.kind_max_pool"),
             "avg": t("arithmetic.kind_avg_pool")}
    kind = linked(st.radio, t("arithmetic.layer_kind"), list(kinds), format_func=kinds.get, horizontal=True,
                  key=f"{key}_kind", index=list(kinds).index(defaults["kind"]))
    k = linked(st.slider, t("arithmetic.kernel_size"), 1, 7, defaults["k"], key=f"{key}_k")
    stride = linked(st.slider, t("arithmetic.stride"), 1, 4, defaults["s"], key=f"{key}_s")
    padding = linked(st.slider, t("arithmetic.padding"), 0, 3, defaults["p"], key=f"{key}_p")
    with friendly_errors():
        if kind == "conv":
            filters = linked(st.number_input, t("arithmetic.out_channels"), 1, 512, channels, key=f"{key}_c")
            out = ops.output_size(side, k, stride, padding)
            params, mults, depth = arithmetic.conv_params(k, channels, filters), \
                arithmetic.conv_multiplications(out, out, k, channels, filters), filters
        else:
            out = ops.pool_geometry((side, side), k, stride, padding)[3][0]
            params, mults, depth = 0, 0, channels
        return [f"{out} × {out} × {depth}", f"{params:,}", f"{mults:,}"]
    return None


def compare_tab() -> None:
    st.caption(t("arithmetic.compare_intro"))
    with st.container(horizontal=True, gap="medium"):
        side = linked(st.slider, t("arithmetic.input_side"), 4, 224, 32, key="cmp_side")
        channels = linked(st.number_input, t("arithmetic.in_channels"), 1, 512, 16, key="cmp_channels")
    left, right = st.columns(2, gap="large")
    titles = t("arithmetic.layer_a"), t("arithmetic.layer_b")
    with left:
        a = layer_column(titles[0], "a", {"kind": "conv", "k": 3, "s": 2, "p": 1}, side, channels)
    with right:
        b = layer_column(titles[1], "b", {"kind": "max", "k": 2, "s": 2, "p": 0}, side, channels)
    # One table, so the two layers' results sit side by side on the same rows whatever their controls.
    results = {title: cells for title, cells in zip(titles, (a, b)) if cells is not None}
    if results:
        measures = [t("arithmetic.out_size"), t("arithmetic.parameters"), t("arithmetic.multiplications")]
        st.markdown(formulas.markdown_table(["", *results], [
            [f"**{measure}**", *(cells[row] for cells in results.values())] for row, measure in enumerate(measures)]))


def receptive_tab() -> None:
    st.caption(t("arithmetic.receptive_intro"))
    count = linked(st.slider, t("arithmetic.layers"), 1, 6, 2, key="rf_layers")
    columns = [t("arithmetic.kernel_size"), t("arithmetic.stride"), t("arithmetic.dilation")]
    start = pd.DataFrame(dict(zip(columns, [[3] * count, [1] * count, [1] * count])),
                         index=[f"{t('arithmetic.layer')} {n + 1}" for n in range(count)])
    with (section := editor_section(t("arithmetic.layer_table"), key="rf_edit")):
        table = edit_table(start, f"rf_table_{count}_{get_language()}", section.open, url="rf_layers_table",
                           numbers=columns)
    with friendly_errors():
        layers = tuple(arithmetic.Layer(int(k), int(s), int(d)) for k, s, d in table.fillna(1).to_numpy())
        st.caption(t("arithmetic.layers_summary", layers=" → ".join(
            t("arithmetic.layer_summary", k=layer.kernel, s=layer.stride, d=layer.dilation) for layer in layers)))
        fields, figure = cached.receptive_fields(layers, get_language())
        st.metric(t("arithmetic.field_metric"), t("arithmetic.field_value", f=fields[-1]))
        if figure is not None:
            show_figure(figure)
    st.info(t("arithmetic.two_3x3"), icon=":material/layers:")


st.title(t("arithmetic.title"))
st.markdown(t("arithmetic.intro"))
# Only the open tab runs: the other three hold some thirty widgets and a data editor, which would otherwise
# cost every rerun of the cases' animation.
section_tabs("conv_arithmetic", "arithmetic.tab_", {"cases": cases_tab, "calculator": calculator_tab,
                                                    "compare": compare_tab, "receptive": receptive_tab})
check_yourself("conv_arithmetic")
