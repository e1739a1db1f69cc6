"""Feature maps of a trained CNN: a real network's layers on the student's own drawing or photo."""

import hashlib
import time

import numpy as np
import pandas as pd
import streamlit as st

from cnnviz import model_figures as mf
from cnnviz.i18n import get_language, t
from cnnviz.models import available
from ui.common import fragment, friendly_errors, result_or_stop, show_figure
from ui.lesson_tabs import section_tabs
from ui.links import linked
from ui.model_input import kernels_figure, load_model, pick_image, picture
from ui.shell import ensure_app_shell
from ui.sidebar import device_badge

ensure_app_shell()

SEEN_WIDTH = 168          # px: the 28x28 input, 6 screen pixels to one of its pixels


def percent(value: float) -> str:
    return f"{100 * value:.1f}%"


def shape_text(shape) -> str:
    return "×".join(map(str, shape))


def seen_section(model, name: str, image: np.ndarray):
    """What the network sees (the 28x28 picture it is given), with how it was prepared; None if impossible."""
    st.markdown(f"**{t('feature_maps.seen_title')}**")
    colour_labels = {mode: t(f"feature_maps.colours_{mode}") for mode in ("auto", "invert", "keep")}
    colours = linked(st.radio, t("feature_maps.colours"), list(colour_labels), format_func=colour_labels.get,
                     horizontal=True, key="colours")
    framed = linked(st.toggle, t("feature_maps.frame"), value=True, key="frame", help=t("feature_maps.frame_help"))
    invert = {"auto": None, "invert": True, "keep": False}[colours]
    with friendly_errors():
        prepared = model.prepare(image, invert=invert, fit=None if framed else False)
    if prepared is None:
        return None
    image_key = hashlib.sha256(prepared.image.tobytes()).hexdigest()       # 28x28: what the network sees
    st.image(picture("seen", name, image_key, (), lambda: mf.gray_image(prepared.image), SEEN_WIDTH), width=SEEN_WIDTH,
             output_format="PNG")
    notes = [t("feature_maps.auto_inverted" if prepared.inverted else "feature_maps.auto_kept")] \
        if colours == "auto" else []
    st.caption(" ".join(notes + [t("feature_maps.seen_caption", side=model.spec.side)]))
    return prepared, image_key


def prediction_section(model, class_names, probabilities, best: int, elapsed_ms: float) -> None:
    st.markdown(f"**{t('feature_maps.prediction_title')}**")
    st.metric(t("feature_maps.predicted"), class_names[best],
              t("feature_maps.probability", probability=percent(probabilities[best])), delta_color="off",
              delta_arrow="off")
    show_figure(mf.probabilities_figure(probabilities, class_names, t("feature_maps.probabilities_title")),
                key="probabilities")
    st.caption(t("feature_maps.timing", layers=len(model.module), ms=f"{elapsed_ms:.1f}"))
    device_badge()


def grad_cam_section(model, name: str, prepared, image_key: str, activations, class_names, probabilities,
                     best: int) -> None:
    predicted = -1          # an int like the classes, so the choice follows a language switch (ui.common)
    choices = {predicted: t("feature_maps.grad_cam_predicted", name=class_names[best])}
    choices.update(enumerate(class_names))
    cam_col, cam_text_col = st.columns([1, 2.2], gap="large")
    with cam_col:
        chosen = linked(st.selectbox, t("feature_maps.grad_cam_class"), list(choices), format_func=choices.get,
                        key=f"cam_class_{name}", url="cam_class")
        cam = model.grad_cam(prepared, None if chosen == predicted else chosen)
        st.image(picture("grad_cam", name, image_key, (cam.class_index,),
                         lambda: mf.grad_cam_overlay(prepared.image, cam.heatmap)), width=224,
                 caption=t("feature_maps.grad_cam_caption", name=class_names[cam.class_index],
                           probability=percent(probabilities[cam.class_index])), output_format="PNG")
    with cam_text_col:
        grid = next(a for a in activations if a.name == cam.layer).array.shape
        st.markdown(t("feature_maps.grad_cam_intro", layer=cam.layer))
        st.caption(t("feature_maps.grad_cam_coarse", layer=cam.layer, size=shape_text(grid[1:])))


def kernels_section(model, name: str) -> None:
    first, kernels = model.first_kernels()
    st.caption(t("feature_maps.kernels_intro", count=len(kernels), size=kernels.shape[-1], layer=first))
    show_figure(kernels_figure(name, get_language()), key="kernels")


def layers_section(model) -> None:
    st.caption(t("feature_maps.layers_intro"))
    rows = model.layers()
    st.dataframe(pd.DataFrame({
        t("feature_maps.col_layer"): [row["name"] for row in rows],
        t("feature_maps.col_kind"): [t(f"feature_maps.kind_{row['kind']}") for row in rows],
        t("feature_maps.col_shape"): [shape_text(row["shape"]) for row in rows],
        t("feature_maps.col_params"): [row["parameters"] for row in rows],
    }), hide_index=True, width="content", height=38 + 35 * len(rows),
        column_config={t("feature_maps.col_params"): st.column_config.NumberColumn(format="localized")})
    total = sum(row["parameters"] for row in rows)
    st.markdown(t("feature_maps.total", total=f"{total:,}", size=f"{total * 4 / 1024:.0f}"))

    with st.expander(t("feature_maps.imagenet_title"), icon=":material/public:"):
        st.markdown(t("feature_maps.imagenet_body"))


@fragment
def feature_map_grids(activations, image_key: str) -> None:
    """The maps of every layer, the colour-range choice and one map enlarged; reruns on its own."""
    st.subheader(t("feature_maps.maps_title"))
    st.caption(t("feature_maps.maps_intro"))
    spatial = [a for a in activations[1:] if a.array.ndim == 3]
    scale_labels = {scale: t(f"feature_maps.scale_{scale}") for scale in mf.SCALES}
    controls = st.columns([1.3, 1, 1])
    scale = linked(controls[0].radio, t("feature_maps.scale"), mf.SCALES, format_func=scale_labels.get, index=1,
                   horizontal=True, help=t("feature_maps.scale_help"), key="scale")
    layer_names = [a.name for a in spatial]
    zoom_layer = linked(controls[1].selectbox, t("feature_maps.zoom_layer"), layer_names, key=f"zoom_layer_{name}",
                        url="zoom_layer")
    zoom = spatial[layer_names.index(zoom_layer)]
    zoom_index = linked(controls[2].number_input, t("feature_maps.zoom_map"), 0, len(zoom.array) - 1, 0,
                        key=f"zoom_map_{name}_{zoom_layer}", url="zoom_map")
    network = mf.network_limit([a.array for a in spatial])
    grids, detail = st.columns([2.4, 1], gap="large")
    with grids:
        for activation in activations[1:-1]:
            kind = t(f"feature_maps.kind_{activation.kind}")
            if activation.array.ndim == 3:
                st.markdown(t("feature_maps.layer_caption", name=activation.name, kind=kind,
                              shape=shape_text(activation.array.shape)))
                selected = zoom_index if activation is zoom else None
                st.image(picture("maps", name, image_key, (activation.name, scale, selected),
                                 lambda: mf.mosaic(activation.array, mf.limits(activation.array, scale, network),
                                                   selected=selected)), output_format="PNG")
            elif activation.kind == "flatten":
                st.markdown(t("feature_maps.flatten_caption", name=activation.name, kind=kind,
                              maps=len(spatial[-1].array), count=len(activation.array)))
            else:
                st.markdown(t("feature_maps.dense_caption", name=activation.name, kind=kind,
                              count=len(activation.array)))
                st.image(picture("vector", name, image_key, (activation.name,),
                                 lambda: mf.vector_strip(activation.array)), output_format="PNG")
    with detail:
        st.markdown(f"**{t('feature_maps.zoom_title')}**")
        values = zoom.array[zoom_index]
        limit = float(mf.limits(zoom.array, scale, network)[zoom_index])
        st.caption(t("feature_maps.zoom_figure", layer=zoom.name, index=zoom_index))
        show_figure(mf.feature_map_figure(values, limit, t("feature_maps.zoom_hover")), key="zoom")
        st.markdown(t("feature_maps.zoom_range", low=f"{values.min():.3f}", high=f"{values.max():.3f}"))
        if scale == "map":
            st.caption(t("feature_maps.scale_legend_map"))
        else:
            st.image(picture("colour_bar", name, image_key, (limit,), lambda: mf.colour_bar(limit)),
                     caption=t("feature_maps.scale_legend", limit=f"{limit:.2f}"), output_format="PNG")


st.title(t("feature_maps.title"))
st.markdown(t("feature_maps.intro"))

model_names = {name: t(f"feature_maps.model_{name}") for name in available()}
name = linked(st.selectbox, t("feature_maps.model"), list(model_names), format_func=model_names.get, key="model")
model = result_or_stop(load_model, name)          # broken weights or card: the message says which file
card = model.card
if card:
    st.caption(t("feature_maps.model_card", dataset=card["dataset"], epochs=card["epochs"],
                 accuracy=percent(card["test_accuracy"]), test_images=f"{card['test_images']:,}",
                 parameters=f"{card['parameters']:,}"))
class_names = model.class_names()

# The input, what the network makes of it and its answer in a narrow column; the maps beside them.
inputs, maps = st.columns([1, 2.6], gap="large")
with inputs:
    image = None            # stays None on a refused upload (the message says why)
    with friendly_errors():
        image = pick_image(name)
    if image is None:
        st.info(t("feature_maps.nothing_yet"), icon=":material/draw:")
        st.stop()
    seen = seen_section(model, name, image)
    if seen is None:
        st.stop()
prepared, image_key = seen
if prepared.blank:
    st.warning(t("feature_maps.blank"), icon=":material/visibility_off:")
    st.stop()

started = time.perf_counter()
activations = result_or_stop(model.feature_maps, prepared)
elapsed_ms = (time.perf_counter() - started) * 1000
probabilities = activations[-1].array
best = int(np.argmax(probabilities))
with inputs:
    prediction_section(model, class_names, probabilities, best, elapsed_ms)
with maps:
    feature_map_grids(activations, image_key)

section_tabs("feature_maps", "feature_maps.tab_", {
    "grad_cam": lambda: grad_cam_section(model, name, prepared, image_key, activations, class_names, probabilities,
                                         best),
    "kernels": lambda: kernels_section(model, name),
    "layers": lambda: layers_section(model)})
