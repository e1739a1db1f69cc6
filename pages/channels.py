"""Colour images: three channels, one kernel per channel, the sum plus the bias; banks of filters."""

import numpy as np
import streamlit as st

from cnnviz import arithmetic, channels, figures
from cnnviz.i18n import get_language, t
from ui import cached
from ui.common import friendly_errors, show_figure
from ui.export_view import slides_download
from ui.grid_editor import edit_grid, editor_section
from ui.image_input import image_input
from ui.lesson_tabs import section_tabs
from ui.links import SEED, linked, linked_value
from ui.practice_view import check_yourself
from ui.shell import ensure_app_shell

ensure_app_shell()

EQUATION_PICTURE = 150      # px: four maps, the signs and the bias fit one row of the wide layout
BANK_PICTURE = 220          # px: four maps to a row of the wide layout


def split_section(tints: list[bytes], height: int, width: int) -> None:
    st.subheader(t("channels.split_title"))
    st.markdown(t("channels.split_note", h=height, w=width))
    with st.container(horizontal=True):
        for picture, name in zip(tints, channels.COLOURS):
            st.image(picture, caption=t(f"channels.{name}"), output_format="PNG")


def filter_section(x3: np.ndarray, digest: str) -> None:
    st.subheader(t("channels.filter_title"))
    presets = {name: t(f"channels.{name}") for name in channels.CHANNEL_FILTERS}
    with st.container(horizontal=True):
        preset = linked(st.selectbox, t("channels.preset"), list(presets), format_func=presets.get,
                        key="channel_filter")
        bias = linked(st.number_input, t("channels.bias"), -2.0, 2.0, 0.0, 0.1, key="channel_bias", width=220)
    start = channels.channel_filter(preset)
    section = editor_section(t("channels.edit"), key="channel_edit")
    with section:
        columns = st.columns(3) if section.open else [None] * 3
        kernel3 = np.stack([column_grid(column, start[i], t("channels.kernel_for", name=t(f"channels.{name}")),
                                        f"channel-kernel-{preset}-{i}", f"channel_kernel_{name}")
                            for i, (column, name) in enumerate(zip(columns, channels.COLOURS))])
    show_figure(cached.channel_kernels(kernel3, get_language()))
    st.subheader(t("channels.equation_title"))
    maps, total, exact = cached.channel_maps(digest, x3, kernel3, bias, EQUATION_PICTURE)
    # One row that flows like an equation; a horizontal container costs a rerun one block, nine columns ten.
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        for picture, name in zip(maps, channels.COLOURS):
            st.image(picture, caption=t("channels.response", name=t(f"channels.{name}")), width=EQUATION_PICTURE,
                     output_format="PNG")
            st.markdown("## +", width="content")
        st.markdown(f"**{t('channels.bias')}**  \n## {figures.format_number(bias)} =", width="content")
        st.image(total, caption=t("channels.feature_map"), width=EQUATION_PICTURE, output_format="PNG")
    st.caption(t("channels.equation_note", check=t("channels.check_ok") if exact else "≠"))


def column_grid(column, start: np.ndarray, title: str, key: str, url: str) -> np.ndarray:
    """One channel's kernel, edited in ``column`` while the editors are open (``column`` is None when not)."""
    if column is None:
        return edit_grid(start, key=key, editing=False, url=url)
    with column:
        st.caption(title)
        return edit_grid(start, key=key, editing=True, step=0.1, url=url)


def bank_section(x3: np.ndarray, digest: str) -> None:
    st.subheader(t("channels.bank_title"))
    st.caption(t("channels.bank_intro"))
    with st.container(horizontal=True, vertical_alignment="bottom"):
        count = linked(st.slider, t("channels.filters"), 1, 16, 8, key="bank_count")
        st.button(t("channels.shuffle"), icon=":material/casino:", key="bank_shuffle", on_click=_shuffle,
                  disabled=count <= len(channels.BANK_CLASSICS), help=t("channels.shuffle_help"))
    height, width = x3.shape[1:]
    st.markdown(t("channels.shapes", h=height, w=width, n=count))
    st.markdown(t("channels.params", k=3, c=3, n=count, total=arithmetic.conv_params(3, 3, count)))
    seed = linked_value("bank_seed", SEED, 0, t("links.seed"))
    pictures = cached.bank_maps(digest, x3, count, seed, BANK_PICTURE)
    names = [t(f"kernels.{name}").split(" (")[0] for name in channels.BANK_CLASSICS]
    with st.container(horizontal=True):              # four to a row on a wide screen, fewer on a narrow one
        for n in range(count):
            kind = names[n] if n < len(names) else t("channels.random")
            st.image(pictures[n], caption=t("channels.map_label", n=n + 1, name=kind), width=BANK_PICTURE,
                     output_format="PNG")


def _shuffle() -> None:
    st.session_state["bank_seed"] += 1


def example_section() -> None:
    st.subheader(t("channels.example_title"))
    st.caption(t("channels.example_intro"))
    index = linked(st.radio, t("channels.which_filter"), [0, 1], format_func=lambda i: f"W{i}", horizontal=True,
                   key="example_filter")
    show_figure(cached.worked_example(index, get_language()), key="example_animation")
    slides_download("channels", (index,), steps=len(cached.example_frames(index, get_language())[1].steps))


st.title(t("channels.title"))
st.markdown(t("channels.intro"))
rgb, label, digest = image_input("channels", default_size=256)
st.caption(t("images.showing", name=label, width=rgb.shape[1], height=rgb.shape[0]))
x3, tints = cached.split(digest, rgb)
with friendly_errors():
    section_tabs("channels", "channels.tab_", {"split": lambda: split_section(tints, *x3.shape[1:]),
                                              "filter": lambda: filter_section(x3, digest),
                                              "bank": lambda: bank_section(x3, digest), "example": example_section})
check_yourself("channels")
