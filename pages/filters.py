"""What a filter sees: Sobel edges and other classic kernels on a sample or your own photo."""

import numpy as np
import streamlit as st

from cnnviz import figures, filtering, formulas
from cnnviz.i18n import get_language, t
from cnnviz.kernels import FILTER_PRESETS, gaussian_kernel, named_kernel, normalise
from ui import cached
from ui.common import fragment, friendly_errors, show_figure
from ui.grid_editor import edit_grid, editor_section
from ui.image_input import image_input
from ui.lesson_tabs import section_tabs
from ui.links import linked
from ui.practice_view import check_yourself
from ui.shell import ensure_app_shell

ensure_app_shell()

ZOOM_RADIUS = 3
WHEEL = 110                 # px: the direction legend's disc


def choose_filter() -> tuple[str, str, np.ndarray | None]:
    """(view, its name, its kernel; None for the two Sobel views that combine x and y)."""
    names = {name: t(f"kernels.{name}") for name in FILTER_PRESETS}
    names |= {view: t(f"filters.{view}") for view in cached.GRADIENT_VIEWS}
    names |= {"gaussian": t("filters.gaussian"), "custom": t("filters.custom")}
    view = linked(st.selectbox, t("filters.filter"), list(names), format_func=names.get, key="filter_view")
    if view in cached.GRADIENT_VIEWS:
        return view, names[view], None
    if view == "gaussian":
        return view, names[view], gaussian_kernel(linked(st.slider, t("filters.sigma"), 0.5, 2.5, 1.0, 0.25,
                                                         key="filter_sigma"))
    if view == "custom":
        size = linked(st.slider, t("filters.custom_size"), 1, 7, 3, key="filter_custom_size")
        start = np.zeros((size, size))
        start[size // 2, size // 2] = 1
        with (section := editor_section(t("filters.edit_kernel"), key="filter_edit_kernel", expanded=True)):
            kernel = edit_grid(start, key=f"filter-kernel-{size}", editing=section.open, step=0.1,
                               url="filter_kernel")
        normalised = linked(st.checkbox, t("filters.normalise"), key="filter_normalise")
        return view, names[view], normalise(kernel) if normalised else kernel
    return view, names[view], named_kernel(view)


def show_kernels(view: str, kernel: np.ndarray | None) -> None:
    if kernel is not None:
        show_figure(cached.kernel_grid(kernel, get_language()))
    else:
        show_figure(cached.sobel_kernels(get_language()))
        st.caption(t("filters.both_kernels"))


def legend(view: str, how: str, peak: float) -> None:
    if view == "sobel_direction":
        left, right = st.columns([1, 6], vertical_alignment="center")
        left.image(cached.direction_wheel(WHEEL), width=WHEEL, output_format="PNG")
        right.caption(t("filters.legend_direction"))
        return
    show_figure(cached.scale_bar(how, peak, get_language()))
    st.caption(t(f"filters.legend_{how}", peak=figures.format_number(peak)))


def result_section(original: bytes, shape: tuple[int, int], picture: bytes, name: str, view: str, how: str,
                   peak: float) -> None:
    """The picture and what the filter made of it, side by side, with the legend and the download."""
    left, right = st.columns(2)
    left.image(original, caption=t("filters.original", h=shape[0], w=shape[1]), output_format="PNG")
    right.image(picture, caption=t("filters.result_named", name=name), output_format="PNG")
    legend(view, how, peak)
    # Handed over when clicked: bytes given directly are hashed into the media store on every rerun.
    st.download_button(t("filters.download"), lambda: picture, file_name=f"cnnviz-{view}.png", mime="image/png",
                       icon=":material/download:")


@fragment
def zoom_view(gray: np.ndarray, kernels: list[tuple[str, str | None, np.ndarray]], view: str, border: str,
              start: tuple[int, int], digest: str, key: str) -> None:
    """Only this part reruns when the pixel changes. ``kernels``: (the map's symbol, a title or None, the
    kernel) for one kernel, or for Sobel x and y, whose combination (edge strength or direction) ends it."""
    st.subheader(t("filters.zoom_title"))
    st.caption(t("filters.zoom_intro"))
    height, width = gray.shape
    with st.container(horizontal=True, gap="medium"):
        row = linked(st.slider, t("filters.row"), 0, height - 1, start[0], key=f"zoom_row_{key}", url="zoom_row")
        col = linked(st.slider, t("filters.col"), 0, width - 1, start[1], key=f"zoom_col_{key}", url="zoom_col")
    values = []
    radius = ZOOM_RADIUS if len(kernels) == 1 else ZOOM_RADIUS - 1     # Sobel y's products are wide: a smaller view
    for index, (symbol, title, kernel) in enumerate(kernels):
        figure, formula, value = cached.zoom(digest, gray, kernel, border, row, col, radius, get_language(), symbol)
        values.append(value)
        if title:
            st.markdown(f"**{title}**")
        where, numbers = st.columns([1, 3])
        if index == 0:
            half = radius + max(kernel.shape) // 2
            where.image(cached.locator(digest, gray, row, col, half), caption=t("filters.where", row=row, col=col),
                        output_format="PNG")
        with numbers:
            show_figure(figure)
        st.latex(formula)
    if view in cached.GRADIENT_VIEWS:
        st.latex(formulas.gradient_formula(*values, view, (row, col)))


st.title(t("filters.title"))
st.markdown(t("filters.intro"))
rgb, label, digest = image_input("filters")
gray, grey_png = cached.grey(digest, rgb)
st.caption(t("images.showing", name=label, width=rgb.shape[1], height=rgb.shape[0]))
controls, kernel_view = st.columns([2, 1])
with controls:
    view, name, kernel = choose_filter()
    displays = {how: t(f"filters.{how}") for how in filtering.DISPLAYS}
    borders = {border: t(f"filters.border_{border}") for border in filtering.BORDERS}
    with st.container(horizontal=True, gap="large"):
        how = linked(st.radio, t("filters.show"), filtering.DISPLAYS, format_func=displays.get, key="filter_display",
                     disabled=view == "sobel_direction")
        border = linked(st.radio, t("filters.border"), filtering.BORDERS, format_func=borders.get, key="filter_border",
                        help=t("filters.border_help"))
with kernel_view:
    show_kernels(view, kernel)

with friendly_errors():
    picture, peak, strongest = cached.filtered(digest, gray, kernel, view, how, border)
    zoom_kernels = [(r"\mathrm{out}", None, kernel)] if kernel is not None else \
        [(symbol, t(f"kernels.{name}"), named_kernel(name)) for symbol, name in (("G_x", "sobel_x"), ("G_y", "sobel_y"))]
    section_tabs("filters", "filters.tab_", {
        "result": lambda: result_section(grey_png, gray.shape, picture, name, view, how, peak),
        "zoom": lambda: zoom_view(gray, zoom_kernels, view, border, strongest, digest, f"{digest}_{view}")})
check_yourself("filters")
