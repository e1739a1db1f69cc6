"""What a filter sees: Sobel edges and other classic kernels on a sample or your own photo."""

import hashlib

import numpy as np
import streamlit as st

from cnnviz import figures, filtering, formulas, images
from cnnviz.i18n import t
from cnnviz.kernels import FILTER_PRESETS, gaussian_kernel, named_kernel, normalise
from ui.common import friendly_errors, show_figure
from ui.grid_editor import edit_grid
from ui.image_input import image_input
from ui.shell import ensure_app_shell

ensure_app_shell()

GRADIENT_VIEWS = ("sobel_magnitude", "sobel_direction")


@st.cache_resource(max_entries=32, show_spinner=False)
def filtered(digest: str, _gray: np.ndarray, kernel: np.ndarray | None, view: str, how: str):
    """(picture bytes, raw values) of one filter on one image; keyed by the image's hash and the settings."""
    if view in GRADIENT_VIEWS:
        g = filtering.gradient(_gray)
        if view == "sobel_direction":
            return figures.png_bytes(filtering.direction_image(g)), g.magnitude
        values = g.magnitude
    else:
        values = filtering.response(_gray, kernel)
    return figures.png_bytes(filtering.display(values, how)), values


def choose_filter() -> tuple[str, np.ndarray | None]:
    names = {name: t(f"kernels.{name}") for name in FILTER_PRESETS}
    names |= {view: t(f"filters.{view}") for view in GRADIENT_VIEWS}
    names |= {"gaussian": t("filters.gaussian"), "custom": t("filters.custom")}
    view = st.selectbox(t("filters.filter"), list(names), format_func=names.get, key="filter_view")
    if view in GRADIENT_VIEWS:
        return view, None
    if view == "gaussian":
        return view, gaussian_kernel(st.slider(t("filters.sigma"), 0.5, 2.5, 1.0, 0.25, key="filter_sigma"))
    if view == "custom":
        size = st.slider(t("filters.custom_size"), 1, 7, 3, key="filter_custom_size")
        start = np.zeros((size, size))
        start[size // 2, size // 2] = 1
        with st.expander(t("filters.edit_kernel"), expanded=True):
            kernel = edit_grid(start, key=f"filter-kernel-{size}", step=0.1)
        return view, normalise(kernel) if st.checkbox(t("filters.normalise"), key="filter_normalise") else kernel
    return view, named_kernel(view)


def zoom_view(gray: np.ndarray, kernel: np.ndarray) -> None:
    st.subheader(t("filters.zoom_title"))
    st.caption(t("filters.zoom_intro"))
    height, width = gray.shape
    left, right = st.columns(2)
    row = left.slider(t("filters.row"), 0, height - 1, height // 2, key=f"zoom_row_{height}")
    col = right.slider(t("filters.col"), 0, width - 1, width // 2, key=f"zoom_col_{width}")
    view = filtering.zoom(np.round(gray), kernel, row, col)
    step = view.trace.steps[view.centre]
    window = np.zeros(view.region.shape, bool)
    window[np.ix_(step.rows, step.cols)] = True
    show_figure(figures.value_grids([
        figures.Panel(view.region, t("filters.neighbourhood"), figures.PALETTE["input"], window),
        figures.Panel(kernel, t("filters.kernel"), figures.PALETTE["kernel"]),
        figures.Panel(step.products, t("filters.products"))], cell=40))
    st.latex(formulas.step_formula(step, kernel, index=(row, col)))


st.title(t("filters.title"))
st.markdown(t("filters.intro"))
rgb, label = image_input("filters")
gray = images.to_gray(rgb)
st.caption(t("images.showing", name=label, width=rgb.shape[1], height=rgb.shape[0]))
controls, kernel_view = st.columns([2, 1])
with controls:
    view, kernel = choose_filter()
    displays = {how: t(f"filters.{how}") for how in filtering.DISPLAYS}
    how = st.radio(t("filters.show"), filtering.DISPLAYS, format_func=displays.get, key="filter_display",
                   disabled=view == "sobel_direction")
if kernel is not None:
    with kernel_view:
        show_figure(figures.value_grid(kernel, t("filters.kernel"), cell=36 if kernel.shape[0] > 5 else 44))

with friendly_errors():
    digest = hashlib.sha256(rgb.tobytes()).hexdigest()
    picture, values = filtered(digest, gray, kernel, view, how)
    left, right = st.columns(2)
    left.image(np.round(gray).astype(np.uint8), caption=t("filters.original", h=gray.shape[0], w=gray.shape[1]))
    right.image(picture, caption=t("filters.result"))
    if view == "sobel_direction":
        st.caption(t("filters.legend_direction"))
    else:
        peak = filtering.signed_limit(values) if how == "signed" else float(np.abs(values).max())
        st.caption(t(f"filters.legend_{how}", peak=figures.format_number(peak)))
    st.download_button(t("filters.download"), picture, file_name=f"cnnviz-{view}.png", mime="image/png",
                       icon=":material/download:")
    zoom_view(gray, kernel if kernel is not None else named_kernel("sobel_x"))
