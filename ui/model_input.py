"""Streamlit glue for the trained-network lesson: the cached models and the input picker.

The picker returns a plain uint8 image (H x W or H x W x 3) from a sample, the
drawing canvas or an upload; everything after that is ``cnnviz.models``.
"""

from __future__ import annotations

import hashlib
import io
import warnings

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch

from cnnviz import model_figures, models
from cnnviz.errors import InvalidInput
from cnnviz.i18n import t
from cnnviz.models.samples import samples_for

CANVAS_SIDE = 224
UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp", "bmp", "gif"]
MAX_UPLOAD_MB = 10
SOURCES = ("sample", "draw", "upload")


@st.cache_resource(show_spinner=False)
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


@st.cache_resource(max_entries=8, show_spinner=False)
def kernels_figure(name: str, lang: str) -> go.Figure:
    """The first layer's kernels of a model, validated once per model and language."""
    layer, kernels = load_model(name).first_kernels()
    labels = [t("feature_maps.kernel_label", lang, index=index) for index in range(len(kernels))]
    return go.Figure(model_figures.kernels_figure(kernels, labels))


def pick_image(model_name: str) -> np.ndarray | None:
    """The image the student chose, or None while there is none yet (an empty canvas, no upload)."""
    labels = {source: t(f"feature_maps.source_{source}") for source in SOURCES}
    source = st.segmented_control(t("feature_maps.source"), SOURCES, format_func=labels.get,
                                  default="sample", key="source") or "sample"
    if source == "draw":
        return _drawing(model_name)
    if source == "upload":
        return _upload()
    samples = samples_for(model_name)
    names = {index: t(f"feature_maps.sample_{sample.key}") for index, sample in enumerate(samples)}
    index = st.selectbox(t("feature_maps.sample"), list(names), format_func=names.get, key=f"sample_{model_name}")
    st.image(samples[index].image, width=CANVAS_SIDE // 2)
    return samples[index].image


def _drawing(model_name: str) -> np.ndarray | None:
    try:
        from streamlit_drawable_canvas import st_canvas
    except ImportError:
        st.info(t("feature_maps.canvas_missing"), icon=":material/draw:")
        return None
    st.caption(t("feature_maps.draw_digit" if model_name == "lenet5-mnist" else "feature_maps.draw_clothes"))
    result = st_canvas(stroke_width=18, stroke_color="#111111", background_color="#ffffff",
                       height=CANVAS_SIDE, width=CANVAS_SIDE, drawing_mode="freedraw",
                       return_image_data=True, key=f"canvas_{model_name}")
    rgba = None if result is None else result.image_data
    if rgba is None or rgba.ndim != 3 or rgba.shape[-1] != 4:
        st.caption(t("feature_maps.canvas_empty"))
        return None
    alpha = rgba[..., 3:].astype(np.float32) / 255          # strokes over white paper
    rgb = rgba[..., :3].astype(np.float32) * alpha + 255 * (1 - alpha)
    return np.rint(rgb).astype(np.uint8)


def _upload() -> np.ndarray | None:
    upload = st.file_uploader(t("feature_maps.upload"), type=UPLOAD_TYPES, key="upload",
                              max_upload_size=MAX_UPLOAD_MB)
    st.caption(t("feature_maps.upload_hint"))
    if upload is None:
        return None
    if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
        raise InvalidInput("errors.models.upload_too_large", size=f"{upload.size / 2**20:.1f}", limit=MAX_UPLOAD_MB)
    data = upload.getvalue()
    image = _decoded(hashlib.sha256(data).hexdigest(), data)
    st.image(image, width=CANVAS_SIDE // 2)
    return image


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False, hash_funcs={bytes: lambda _: None})
def _decoded(digest: str, data: bytes) -> np.ndarray:
    """Decoded uploads, keyed on the SHA-256 of their bytes (not on a sample of them)."""
    return _decode_upload(data)


# ---- Stand-in for the shared safe image intake (cnnviz.images); replace this one function with it. ----
MAX_PIXELS = 25_000_000
MAX_SIDE = 1024   # big photos are shrunk on decode: a 28x28 model needs no more


def _decode_upload(data: bytes) -> np.ndarray:
    """Bytes of an image file -> uint8 RGB (H, W, 3), or InvalidInput for anything unreadable.

    Minimal and defensive: the header is checked before any pixel is decoded,
    decompression bombs are errors, EXIF rotation is applied, transparency is
    laid on white paper, and big images are decoded shrunk.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise InvalidInput("errors.models.too_many_pixels", pixels=f"{width * height:,}",
                                       limit=f"{MAX_PIXELS:,}")
                image.draft("RGB", (MAX_SIDE, MAX_SIDE))
                image = ImageOps.exif_transpose(image)
                image.thumbnail((MAX_SIDE, MAX_SIDE))
                if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info:
                    image = image.convert("RGBA")
                    paper = Image.new("RGBA", image.size, "white")
                    image = Image.alpha_composite(paper, image)
                return np.asarray(image.convert("RGB"), dtype=np.uint8).copy()
    except InvalidInput:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning,
            OSError, ValueError, SyntaxError, EOFError):
        raise InvalidInput("errors.models.bad_image") from None
