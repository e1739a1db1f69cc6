"""Streamlit glue for the trained-network lesson: the cached models and the input picker.

The picker returns a plain uint8 image (H x W or H x W x 3) from a sample, the
drawing canvas or an upload; everything after that is ``cnnviz.models``.
"""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from cnnviz import figures, images, model_figures, models
from cnnviz.errors import InvalidInput
from cnnviz.i18n import t
from cnnviz.models.samples import samples_for
from ui.caching import shared
from ui.canvas_toolbar import translate_canvas_toolbar
from ui.common import CheckedFigure
from ui.image_input import uploaded_picture
from ui.links import linked

CANVAS_SIDE = 224
SOURCES = ("sample", "draw", "upload")


@shared(max_entries=len(models.available()))
def load_model(name: str) -> models.LoadedModel:
    """One model object per process, shared read-only by every session.

    One torch thread per request: these networks are too small to gain from
    splitting one image's work across cores, and with a class of sessions at
    once, per-request thread pools would only fight over the same cores.
    """
    torch.set_num_threads(1)
    model = models.load(name)
    model.predict(np.zeros((1, model.spec.side, model.spec.side), np.uint8))   # warm up: the first call is slow
    return model


@shared(max_entries=512)
def picture(kind: str, model_name: str, image_key: str, detail: tuple, _draw, width: int | None = None) -> bytes:
    """One of the feature-maps lesson's pictures as PNG, drawn (``_draw()``: a uint8 array) and encoded once:
    ``kind`` and ``detail`` (a layer, a colour range, a class) say which picture of the input that
    ``image_key`` stands for. Given an array, st.image would encode it again on every rerun (2-3 ms
    each, a dozen per rerun)."""
    return figures.png_bytes(_draw(), width)


@shared(max_entries=8)
def kernels_figure(name: str, lang: str) -> CheckedFigure:
    """The first layer's kernels of a model, validated once per model and language."""
    layer, kernels = load_model(name).first_kernels()
    labels = [t("feature_maps.kernel_label", lang, index=index) for index in range(len(kernels))]
    return CheckedFigure(model_figures.kernels_figure(kernels, labels))


def pick_image(model_name: str) -> np.ndarray | None:
    """The image the student chose, or None while there is none yet (an empty canvas, no upload)."""
    labels = {source: t(f"feature_maps.source_{source}") for source in SOURCES}
    # Not kept in a link: a picture drawn or uploaded is not in it, and whoever opens it sees the samples.
    source = st.segmented_control(t("feature_maps.source"), SOURCES, format_func=labels.get, default="sample",
                                  key="source") or "sample"
    if source != "sample":
        st.caption(t("links.picture_not_in_link"))
    if source == "draw":
        return _drawing(model_name)
    if source == "upload":
        return _upload()
    samples = samples_for(model_name)
    names = {index: t(f"feature_maps.sample_{sample.key}") for index, sample in enumerate(samples)}
    index = linked(st.selectbox, t("feature_maps.sample"), list(names), format_func=names.get,
                   key=f"sample_{model_name}", url="sample")
    st.image(picture("sample", model_name, str(index), (), lambda: samples[index].image, CANVAS_SIDE // 2),
             width=CANVAS_SIDE // 2, output_format="PNG")
    return samples[index].image


def _drawing(model_name: str) -> np.ndarray | None:
    """The canvas's drawing, through the safe intake: what arrives is whatever the browser (or a client
    posing as one) sent as the canvas's state, so it is checked like an upload."""
    try:
        from streamlit_drawable_canvas import st_canvas
    except ImportError:
        st.info(t("feature_maps.canvas_missing"), icon=":material/draw:")
        return None
    st.caption(t("feature_maps.draw_digit" if model_name == "lenet5-mnist" else "feature_maps.draw_clothes"))
    with st.container(key="drawing_canvas"):       # ui/style.css leaves room above it for the canvas's toolbar
        try:
            result = st_canvas(stroke_width=18, stroke_color="#111111", background_color="#ffffff",
                               height=CANVAS_SIDE, width=CANVAS_SIDE, drawing_mode="freedraw",
                               return_image_data=True, key=f"canvas_{model_name}")
        except (AttributeError, KeyError, TypeError, ValueError):     # a state no browser sends: not a dict
            raise InvalidInput("errors.images.drawing", width=CANVAS_SIDE, height=CANVAS_SIDE) from None
        finally:
            translate_canvas_toolbar()
    # The data URL as it came, not result.image_data, which decodes any size and format without a check.
    data_url = result._image_data_url
    if data_url is None:
        st.caption(t("feature_maps.canvas_empty"))
        return None
    return images.decode_drawing(data_url, CANVAS_SIDE, CANVAS_SIDE)


def _upload() -> np.ndarray | None:
    """An uploaded photo through the shared safe intake (cnnviz.images); a refused one leaves the last good
    one in place. No type= filter: see ui/image_input.py."""
    upload = st.file_uploader(t("feature_maps.upload"), key="upload")
    st.caption(t("feature_maps.upload_hint"))
    uploaded = uploaded_picture(upload, "upload", 256)
    if uploaded is None:
        return None
    st.image(picture("upload", "", uploaded.key, (), lambda: uploaded.rgb, CANVAS_SIDE // 2), width=CANVAS_SIDE // 2,
             output_format="PNG")
    return uploaded.rgb
