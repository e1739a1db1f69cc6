"""Activation functions: what they do to a feature map, their derivatives, vanishing gradients, softmax."""

import numpy as np
import pandas as pd
import streamlit as st

from cnnviz import figures, ops
from cnnviz.activations import activations, gradient_through_layers, softmax_with_temperature
from cnnviz.grids import scene_image
from cnnviz.i18n import t
from cnnviz.kernels import named_kernel
from ui.common import friendly_errors, show_figure
from ui.shell import ensure_app_shell

ensure_app_shell()

NAMES = ("relu", "leaky_relu", "sigmoid", "tanh")
CURVE_X = np.linspace(-6, 6, 241)


@st.cache_data(max_entries=1, show_spinner=False)
def sobel_response() -> np.ndarray:
    return ops.conv2d(scene_image(256).astype(float) / 255, named_kernel("sobel_x"), padding="same")


@st.cache_resource(max_entries=32, show_spinner=False)
def activated_maps(name: str, slope: float) -> tuple[bytes, bytes, float, float]:
    """The map before and after, as PNGs on the diverging scale, with the value each scale's end stands for."""
    before = sobel_response()
    after = activations(slope)[name].function(before)
    limits = [float(np.abs(m).max()) / 2 for m in (before, after)]   # half the peak: thin edges stay visible
    return (figures.png_bytes(figures.diverging_image(before, limits[0])),
            figures.png_bytes(figures.diverging_image(after, limits[1])), *limits)


def feature_map_section(labels: dict[str, str]) -> None:
    st.subheader(t("activations.map_title"))
    st.caption(t("activations.map_intro"))
    left, right = st.columns([1, 2])
    with left:
        name = st.radio(t("activations.function"), NAMES, format_func=labels.get, key="act_function")
        slope = st.slider(t("activations.slope"), 0.01, 0.5, 0.1, 0.01, key="act_slope") \
            if name == "leaky_relu" else 0.01
        st.info(t(f"activations.{name}_note"), icon=":material/lightbulb:")
    before, after, before_max, after_max = activated_maps(name, slope)
    with right:
        columns = st.columns(2)
        columns[0].image(before, caption=t("activations.before"))
        columns[1].image(after, caption=t("activations.after", name=labels[name]))
        st.caption(t("activations.legend", before=figures.format_number(before_max),
                     after=figures.format_number(after_max)))


def curves_section(labels: dict[str, str]) -> None:
    st.subheader(t("activations.curves_title"))
    st.caption(t("activations.curves_intro"))
    chosen = st.multiselect(t("activations.function"), NAMES, default=["relu", "sigmoid"], format_func=labels.get,
                            key="act_curves")
    series = []
    for name in chosen:
        activation = activations(0.1)[name]
        series += [(t("activations.function_curve", name=labels[name]), activation.function(CURVE_X), False),
                   (t("activations.derivative_curve", name=labels[name]), activation.derivative(CURVE_X), True)]
    if series:
        show_figure(figures.lines_figure(CURVE_X.round(3), series, t("activations.curves_title"),
                                         t("activations.x_axis"), t("activations.y_axis")))


def depth_section() -> None:
    st.subheader(t("activations.depth_title"))
    depth = st.slider(t("activations.depth"), 1, 30, 10, key="act_depth")
    st.markdown(t("activations.depth_intro", n=depth))
    left, right = st.columns(2)
    left.metric(t("activations.sigmoid_product", n=depth), f"{gradient_through_layers('sigmoid', depth):.3g}")
    right.metric(t("activations.relu_product", n=depth), f"{gradient_through_layers('relu', depth):.3g}")
    layers = list(range(1, depth + 1))
    show_figure(figures.lines_figure(layers, [
        (t("activations.sigmoid_product", n="n"), [gradient_through_layers("sigmoid", n) for n in layers], False),
        (t("activations.relu_product", n="n"), [gradient_through_layers("relu", n) for n in layers], False)],
        t("activations.depth_chart_title"), t("activations.depth_x"), t("activations.depth_y"), log_y=True))


def softmax_section() -> None:
    st.subheader(t("activations.softmax_title"))
    st.caption(t("activations.softmax_intro"))
    classes = [name.strip() for name in t("activations.default_classes").split(",")]
    left, right = st.columns([1, 2])
    with left:
        table = st.data_editor(pd.DataFrame({t("activations.class_name"): classes,
                                             t("activations.logit"): [2.0, 1.0, 0.1, -1.0]}),
                               key=f"logits-{len(classes)}-{classes[0]}", num_rows="dynamic", hide_index=True)
        temperature = st.slider(t("activations.temperature"), 0.1, 5.0, 1.0, 0.1, key="act_temperature")
    names = [str(name) for name in table.iloc[:, 0].fillna("?")]
    logits = pd.to_numeric(table.iloc[:, 1], errors="coerce").fillna(0.0).to_numpy()
    with right, friendly_errors():
        probabilities = softmax_with_temperature(logits, temperature)
        show_figure(figures.bars_figure(names, probabilities, t("activations.softmax_title"),
                                        t("activations.probability")))
        best = int(np.argmax(probabilities))
        st.markdown(t("activations.sum", total=figures.format_number(float(probabilities.sum())), best=names[best],
                      share=float(probabilities[best])))


st.title(t("activations.title"))
st.markdown(t("activations.intro"))
function_labels = {name: t(f"activations.{name}") for name in NAMES}
feature_map_section(function_labels)
curves_section(function_labels)
depth_section()
softmax_section()
