"""The architectures lesson's sections: one network drawn and tabulated from its module, the networks side
by side, and AlexNet's local response normalisation and dropout at work."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnnviz import alexnet_parts, figures, model_figures
from cnnviz import architecture_figures as af
from cnnviz.architecture_diagram import diagram
from cnnviz.errors import InvalidInput
from cnnviz.i18n import get_language, t
from cnnviz.models.anatomy import Anatomy, anatomy
from cnnviz.models.architectures import NETWORKS
from cnnviz.models.papers import ENSEMBLES, PAPERS
from cnnviz.models.samples import samples_for
from ui.caching import shared
from ui.common import CheckedFigure, fragment, link_params, show_figure
from ui.links import SEED, linked, linked_value
from ui.model_input import load_model
from ui.shell import lesson_page

NAMES = {paper.network: paper.name for paper in PAPERS}
SIDES = (8, 512)
TINY_VGG = "tinyvgg-fashion-mnist"


@shared(max_entries=64)
def network_anatomy(network: str, side: int) -> Anatomy:
    """Walked once per network and size, for every session."""
    return anatomy(network, side)


COLUMNS = ("layer", "what", "shape", "parameters", "macs", "rf", "share")


@shared(max_entries=64)
def _table(network: str, side: int, lang: str) -> str:
    """The layer table as Markdown, worded once per network, size and language (ResNet-50's 175 rows take 30 ms
    to word). A plain table is drawn by the browser in a fraction of an interactive grid's time, which matters
    when the student flips between networks; ui/style.css keeps each row on one line."""
    rows = af.layer_rows(network_anatomy(network, side), t("architectures.whole_input", lang))
    lines = ["| " + " | ".join(t(f"architectures.col_{column}", lang) for column in COLUMNS) + " |",
             "| --- | --- | --- | ---: | ---: | ---: | ---: |"]
    lines += [f"| {row['layer']} | {row['what']} | {row['shape']} | {row['parameters']:,} | {row['macs']:,} | "
              f"{row['receptive_field']} | {row['share']:.1f}% |" for row in rows]
    return "\n".join(lines)


@shared(max_entries=128)
def _diagram_svg(network: str, side: int, expanded: tuple[str, ...], lang: str) -> str:
    return diagram(network_anatomy(network, side), frozenset(expanded))


def _count(value: int) -> str:
    return f"{value / 1e6:,.2f} M" if value >= 1e6 else f"{value:,}"


def _macs(value: int) -> str:
    return f"{value / 1e9:,.2f} G" if value >= 1e8 else f"{value / 1e6:,.2f} M"


@fragment
def network_section() -> None:
    """Pick a network and an input size; its diagram and layer table follow, or why it cannot take the size."""
    left, middle, right = st.columns([2, 1, 2], gap="medium")
    network = linked(left.selectbox, t("architectures.network"), list(NAMES), format_func=NAMES.get, key="arch_network")
    channels, native = NETWORKS[network][1], NETWORKS[network][2]
    side = linked(middle.number_input, t("architectures.side"), *SIDES, native, key=f"arch_side_{network}",
                  url="arch_side", help=t("architectures.side_help", channels=channels, native=native))
    stages = list(dict.fromkeys(layer.stage for layer in network_anatomy(network, native).layers if layer.block))
    expanded = linked(right.pills, t("architectures.expand"), stages, selection_mode="multi",
                      key=f"arch_expand_{network}", url="arch_expand",
                      help=t("architectures.expand_hint")) if stages else []
    try:
        found = network_anatomy(network, int(side))
    except InvalidInput as error:
        st.warning(error.localized(), icon=":material/block:")
        return
    _headline(found)
    drawing, table = st.columns([6, 5], gap="medium")
    with drawing:
        with st.container(key="architecture_diagram"):         # ui/style.css: its own size, scrolled sideways
            st.image(_diagram_svg(network, int(side), tuple(sorted(expanded)), get_language()), width="content")
    with table:
        _layer_table(found)
    for note in af.network_notes(found):
        st.info(note, icon=":material/lightbulb:")


def _headline(found: Anatomy) -> None:
    """Four numbers in a row that wraps (two by two on a phone) rather than stacking as columns do."""
    row = st.container(horizontal=True, gap="large")
    for label, value in ((t("architectures.parameters"), _count(found.parameters)),
                         (t("architectures.macs"), _macs(found.macs)),
                         (t("architectures.weight_layers"), af.weight_layers(found)),
                         (t("architectures.output"), " × ".join(map(str, found.output_shape)))):
        row.metric(label, value, width="content")


def _layer_table(found: Anatomy) -> None:
    """The table in a box that scrolls, its caption below."""
    with st.container(height=560, key="architecture_table"):
        st.markdown(_table(found.network, found.input_shape[-1], get_language()))
    st.caption(t("architectures.table_caption") + " " + t("architectures.col_rf_help"))


@shared(max_entries=4)
def _comparison(lang: str):
    anatomies = {network: network_anatomy(network, NETWORKS[network][2]) for network in NAMES}
    labels = {key: t(f"architectures.compare_{key}", lang)
              for key in ("parameters", "macs", "error", "year", "single", "ensemble")}
    return anatomies, af.comparison_figure(anatomies, labels)


def compare_section() -> None:
    """The five networks side by side: counts from the modules, error rates as their papers report them."""
    anatomies, figure = _comparison(get_language())
    show_figure(figure, key="arch_compare")
    rows = []
    for paper in PAPERS:
        found = anatomies[paper.network]
        error = t("architectures.error_none") if paper.top5_error is None else f"{paper.top5_error:g}%"
        ensemble = ENSEMBLES.get(paper.network)
        rows.append({"network": paper.name, "year": str(paper.year), "parameters": found.parameters,
                     "macs": _macs(found.macs), "error": error, "how": t(f"architectures.measured_{paper.measured}"),
                     "ensemble": t("architectures.ensemble_entry", error=f"{ensemble[0]:g}", nets=ensemble[1])
                     if ensemble else "—", "paper": paper.citation})
    columns = ("network", "year", "parameters", "macs", "error", "how", "ensemble", "paper")
    st.dataframe(rows, hide_index=True, key="arch_compare_table", column_config={
        name: (st.column_config.NumberColumn(t(f"architectures.ccol_{name}"), format="localized")
               if name == "parameters" else st.column_config.TextColumn(t(f"architectures.ccol_{name}")))
        for name in columns})
    vgg = anatomies["vgg16"]
    st.info(t("architectures.compare_dense", fc6=f"{vgg.layer('fc6').parameters / 1e6:.1f}",
              total=f"{vgg.parameters / 1e6:.1f}", share=f"{100 * vgg.layer('fc6').parameters / vgg.parameters:.0f}"),
            icon=":material/lightbulb:")
    st.caption(t("architectures.compare_caption"))


@shared(max_entries=16)
def _garment_maps(key: str) -> np.ndarray:
    """The shipped Tiny VGG's first ReLU maps (16 x 28 x 28) for one of its drawn samples: real feature maps."""
    sample = next(s for s in samples_for(TINY_VGG) if s.key == key)
    return next(a.array for a in load_model(TINY_VGG).feature_maps(sample.image) if a.name == "relu_1_1")


@shared(max_entries=64)
def _lrn_view(key: str, alpha: float, size: int, lang: str) -> dict:
    """Everything the LRN part shows for one picture and setting, computed once for every session."""
    settings = {**alexnet_parts.PAPER_LRN, "alpha": alpha, "size": size}
    maps = _garment_maps(key)
    after = alexnet_parts.local_response_norm(maps, **settings)
    limits = np.full(len(maps), float(np.abs(maps).max()) or 1.0)      # one scale: the damping shows
    channel, row, col = (int(i) for i in np.unravel_index(int(np.argmax(maps)), maps.shape))
    labels = {name: t(f"architectures.lrn_{name}", lang) for name in ("channel", "value")} | {
        name: t(f"architectures.lrn_{name}_bars", lang) for name in ("before", "after")}
    step = alexnet_parts.lrn_step(maps, channel, row, col, **settings)
    return {"before": figures.png_bytes(model_figures.mosaic(maps, limits, columns=8)),
            "after": figures.png_bytes(model_figures.mosaic(after, limits, columns=8)),
            "profile": CheckedFigure(af.lrn_profile_figure(list(range(1, len(maps) + 1)), maps[:, row, col],
                                                           after[:, row, col], labels)),
            "step": t("architectures.lrn_step", lang, channel=channel + 1, row=row, col=col, a=f"{step.before:.4f}",
                      k=f"{settings['k']:g}", alpha=f"{alpha:g}", n=size, squares=f"{step.squares_sum:.4f}",
                      beta=f"{settings['beta']:g}", divisor=f"{step.divisor:.4f}", b=f"{step.after:.4f}",
                      torch=f"{after[channel, row, col]:.4f}",
                      neighbours=", ".join(str(c + 1) for c in step.neighbours)),
            "scale": f"{settings['k'] ** settings['beta']:.3f}", "window": _around(maps[channel], row, col)}


@fragment
def alexnet_section() -> None:
    st.markdown(t("architectures.alexnet_intro"))
    st.page_link(lesson_page("activations"), label=t("architectures.relu_link"), icon=":material/show_chart:",
                 query_params=link_params())
    st.subheader(t("architectures.lrn_title"))
    st.markdown(t("architectures.lrn_intro"))
    garments = {s.key: name for s, name in zip(samples_for(TINY_VGG), load_model(TINY_VGG).class_names())}
    left, middle, right = st.columns(3, gap="medium")
    key = linked(left.selectbox, t("architectures.lrn_picture"), list(garments), format_func=garments.get,
                 key="lrn_picture")
    alpha = linked(middle.select_slider, t("architectures.lrn_alpha"), [1e-4, 1e-3, 1e-2, 0.1, 1.0], 1e-4,
                   format_func=lambda a: f"{a:g}", key="lrn_alpha")
    size = linked(right.select_slider, t("architectures.lrn_size"), [3, 5, 7, 9], 5, key="lrn_size")
    view = _lrn_view(key, alpha, size, get_language())
    before, after = st.columns(2, gap="medium")
    before.image(view["before"], caption=t("architectures.lrn_before"), output_format="PNG")
    after.image(view["after"], caption=t("architectures.lrn_after"), output_format="PNG")
    show_figure(view["profile"], key="lrn_profile")
    st.markdown(view["step"])
    st.caption(t("architectures.lrn_caption", scale=view["scale"]))
    dropout_part(view["window"])


@shared(max_entries=256)
def _dropout_view(_centre: np.ndarray, digest: str, p: float, seed: int, lang: str) -> tuple[CheckedFigure, str]:
    """The grids and the sentence for one draw; the 1,000 draws behind the average are the costly part."""
    trained, keep = alexnet_parts.dropout(_centre, p, seed)
    figure = figures.value_grids([figures.Panel(_centre, t("architectures.dropout_eval", lang)),
                                  figures.Panel(np.round(trained, 2), t("architectures.dropout_train", lang),
                                                outline=~keep)])
    means = alexnet_parts.dropout_means(_centre, p, 1000, seed)
    sentence = t("architectures.dropout_numbers", lang, dropped=int((~keep).sum()), cells=keep.size,
                 scale=f"{1 / (1 - p):.3g}", mean=f"{_centre.mean():.3f}", draw=f"{trained.mean():.3f}",
                 average=f"{means.mean():.3f}", spread=f"{means.std():.3f}")
    return CheckedFigure(figure), sentence


def _around(feature_map: np.ndarray, row: int, col: int, side: int = 6) -> np.ndarray:
    """The side x side values around (row, col), moved inside the map, rounded as the grid prints them."""
    top = min(max(row - side // 2, 0), feature_map.shape[0] - side)
    left = min(max(col - side // 2, 0), feature_map.shape[1] - side)
    return np.round(feature_map[top:top + side, left:left + side], 2)


def _next_draw() -> None:
    st.session_state["dropout_seed"] += 1


def dropout_part(centre: np.ndarray) -> None:
    st.subheader(t("architectures.dropout_title"))
    st.markdown(t("architectures.dropout_intro"))
    left, right = st.columns([3, 1], gap="medium", vertical_alignment="bottom")
    p = linked(left.slider, t("architectures.dropout_p_label"), 0.0, 0.9, 0.5, 0.1, key="dropout_p")
    right.button(t("architectures.dropout_draw"), key="dropout_draw", icon=":material/casino:", on_click=_next_draw)
    seed = linked_value("dropout_seed", SEED, 0, t("links.seed"))
    figure, sentence = _dropout_view(centre, centre.tobytes().hex(), p, seed, get_language())
    show_figure(figure, key="dropout_grids")
    st.markdown(sentence)
    st.caption(t("architectures.dropout_caption"))
