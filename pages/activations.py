"""Activation functions: what they do to a feature map, their derivatives, vanishing gradients, softmax."""

import numpy as np
import pandas as pd
import streamlit as st

from cnnviz import figures, formulas
from cnnviz.activations import softmax_steps
from cnnviz.i18n import get_language, t
from ui import cached
from ui.common import fragment, friendly_errors, show_figure
from ui.grid_editor import edit_table, editor_section
from ui.lesson_tabs import section_tabs
from ui.links import linked
from ui.practice_view import check_yourself
from ui.shell import ensure_app_shell

ensure_app_shell()

NAMES = ("relu", "leaky_relu", "sigmoid", "tanh")
LOGITS = (2.0, 1.0, 0.1, -1.0, 0.5, -0.5, 1.5, -2.0, 0.0, -1.5)     # one per class of activations.default_classes


@fragment
def feature_map_section(labels: dict[str, str]) -> None:
    st.subheader(t("activations.map_title"))
    st.markdown(t("activations.map_intro"))
    left, right = st.columns([1, 2], gap="medium")
    with left:
        name = linked(st.radio, t("activations.function"), NAMES, format_func=labels.get, key="act_function")
        slope = linked(st.slider, t("activations.slope"), 0.01, 0.5, 0.1, 0.01, key="act_slope") \
            if name == "leaky_relu" else 0.01
        st.latex(formulas.activation_formula(name, slope))
        st.info(t(f"activations.{name}_note"), icon=":material/lightbulb:")
    maps = cached.activated_maps(name, slope, get_language())
    with right:
        for column, key, caption in zip(st.columns(2), ("before", "after"),
                                        (t("activations.before"), t("activations.after", name=labels[name]))):
            picture, bar = maps[key]
            column.image(picture, caption=caption, width="stretch", output_format="PNG")
            with column:
                show_figure(bar, key=f"colour_bar_{key}")
        st.caption(t("activations.legend"))
    st.markdown(f"**{t('activations.patch_title', n=cached.PATCH)}**")
    show_figure(maps["patch"])


def curves_section(labels: dict[str, str]) -> None:
    st.subheader(t("activations.curves_title"))
    st.markdown(t("activations.curves_intro"))
    chosen = linked(st.multiselect, t("activations.function"), NAMES, default=["relu", "sigmoid"],
                    format_func=labels.get, key="act_curves")
    if chosen:
        show_figure(cached.activation_curves(tuple(chosen), get_language()))


@fragment
def depth_section() -> None:
    st.subheader(t("activations.depth_title"))
    st.markdown(t("activations.depth_lead"))
    depth = linked(st.slider, t("activations.depth"), 1, 30, 10, key="act_depth")
    sigmoid, figure, product = cached.gradient_depth(depth, get_language())
    st.markdown(t("activations.depth_intro", n=depth))
    st.latex(product)
    show_figure(figure)
    st.info(t("activations.depth_meaning", share=formulas.power_of_ten(sigmoid)), icon=":material/trending_down:")


@fragment
def softmax_section() -> None:
    st.subheader(t("activations.softmax_title"))
    st.markdown(t("activations.softmax_intro"))
    classes = [name.strip() for name in t("activations.default_classes").split(",")]
    class_column, logit_column = t("activations.class_name"), t("activations.logit")
    left, right = st.columns([2, 3], gap="medium")
    with left:
        count = linked(st.slider, t("activations.classes"), 2, len(LOGITS), 4, key="softmax_classes")
        start = pd.DataFrame({class_column: classes[:count], logit_column: LOGITS[:count]})
        with (section := editor_section(t("activations.edit_logits"), key="softmax_edit")):
            table = edit_table(start, f"logits-{count}-{classes[0]}", section.open, url="logits",
                               numbers=[logit_column], hide_index=True, width="stretch")
        temperature = linked(st.slider, t("activations.temperature"), 0.1, 5.0, 1.0, 0.1, key="act_temperature")
        st.latex(formulas.SOFTMAX)
    names = [str(name).strip() or f"#{i + 1}" if pd.notna(name) else f"#{i + 1}"
             for i, name in enumerate(table[class_column])]
    logits = pd.to_numeric(table[logit_column], errors="coerce").fillna(0.0).to_numpy()
    with right, friendly_errors():
        result = softmax_steps(logits, temperature)
        show_figure(cached.probability_bars(tuple(names), tuple(result.probabilities), get_language()))
        best = int(np.argmax(result.probabilities))
        st.markdown(t("activations.sum", total=figures.format_number(float(result.probabilities.sum())),
                      best=formulas.markdown_literal(names[best]), share=float(result.probabilities[best])))
        st.markdown(softmax_table(names, result, class_column))
        st.caption(t("activations.table_note", total=figures.format_number(result.total)))
    st.info(t("activations.softmax_why"), icon=":material/school:")


def softmax_table(names: list[str], result, class_column: str) -> str:
    """Each class's logit, the logit over T, its exponential and its probability, as one Markdown table."""
    header = [class_column] + [t(f"activations.{name}") for name in ("z_column", "scaled_column", "exp_column",
                                                                       "probability")]
    return formulas.markdown_table(header, [
        [formulas.markdown_literal(name), f"{z:.3f}", f"{scaled:.3f}", f"{exponential:.3f}", f"{probability:.1%}"]
        for name, z, scaled, exponential, probability in zip(names, result.logits, result.scaled,
                                                              result.exponentials, result.probabilities)])


st.title(t("activations.title"))
st.markdown(t("activations.intro"))
function_labels = {name: t(f"activations.{name}") for name in NAMES}
section_tabs("activations", "activations.tab_", {"map": lambda: feature_map_section(function_labels),
                                                "curves": lambda: curves_section(function_labels),
                                                "depth": depth_section, "softmax": softmax_section})
check_yourself("activations")
