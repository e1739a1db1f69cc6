"""Transfer learning: a pretrained network's convolutional base moved to a new task, three ways, measured."""

import streamlit as st

from cnnviz import imagenet, model_figures
from cnnviz.i18n import get_language, t
from cnnviz.transfer import EXPERIMENTS, PAIRS, WAYS
from ui.common import fragment, result_or_stop, show_figure
from ui.image_input import image_input
from ui.lesson_tabs import section_tabs
from ui.links import linked
from ui.shell import ensure_app_shell
from ui.transfer_views import (gain, live_section, network, pair_name, photo_features, recorded_bars,
                               recorded_curves, recorded_table, source_accuracy)

ensure_app_shell()

DIGITS = PAIRS[0]
OTHERS = PAIRS[1:]


@fragment
def experiment_section() -> None:
    lang = get_language()
    st.markdown(t("transfer.experiment_intro", accuracy=source_accuracy()))
    show_figure(network(*DIGITS, lang), key="transfer_network")
    st.caption(t("transfer.network_caption"))
    counts = {n: t("transfer.labels_group", labels=n) for n in EXPERIMENTS[DIGITS]}
    labels = linked(st.segmented_control, t("transfer.labels"), list(counts), default=EXPERIMENTS[DIGITS][0],
                    format_func=counts.get, key="transfer_labels") or EXPERIMENTS[DIGITS][0]
    st.markdown(recorded_table(*DIGITS, labels, lang))
    st.caption(t("transfer.table_caption", labels=labels, extraction=gain(*DIGITS, labels, "extraction"),
                 finetune=gain(*DIGITS, labels, "finetune")))
    curves, bars = st.columns(2, gap="medium")
    with curves:
        st.markdown(f"**{t('transfer.curves_title', labels=labels)}**")
        show_figure(recorded_curves(*DIGITS, labels, lang), key="transfer_curves")
    with bars:
        st.markdown(f"**{t('transfer.bars_title')}**")
        show_figure(recorded_bars((DIGITS,), lang), key="transfer_bars")
    st.caption(t("transfer.bars_caption"))


def source_section() -> None:
    lang = get_language()
    st.markdown(t("transfer.source_intro"))
    show_figure(recorded_bars(OTHERS, lang), key="transfer_source_bars")
    for source, target in OTHERS:
        labels = EXPERIMENTS[(source, target)][0]
        st.markdown(f"**{pair_name(source, target, lang)}**")
        st.markdown(recorded_table(source, target, labels, lang))
        best = max(gain(source, target, labels, way) for way in WAYS[1:])
        st.caption(t("transfer.source_gain" if best >= 1 else "transfer.source_no_gain", points=best, labels=labels))
    st.markdown(t("transfer.source_why"))


def imagenet_section() -> None:
    st.markdown(t("transfer.imagenet_intro", images=imagenet.IMAGENET_IMAGES, synsets=imagenet.IMAGENET_CLASSES,
                  train=imagenet.ILSVRC_TRAIN_IMAGES, val=imagenet.ILSVRC_VAL_IMAGES, classes=imagenet.ILSVRC_CLASSES))
    header = [t(f"transfer.bases_{column}") for column in ("family", "keras", "torchvision", "parameters", "top1")]
    rows = ["| " + " | ".join(header) + " |", "| --- | --- | --- | ---: | ---: |"]
    for base in imagenet.BASES:
        torchvision = f"`{base.torchvision}`" if base.torchvision else t("transfer.not_in_torchvision", name=base.timm)
        rows.append(f"| {base.family} | `{base.keras}` | {torchvision} | {base.parameters} | {base.top1} |")
    st.markdown("\n".join(rows))
    st.caption(t("transfer.bases_caption"))
    st.markdown(f"**{t('transfer.resnet_title')}**")
    status, path = imagenet.resnet18_status()
    if status != imagenet.READY:
        st.info(t(f"transfer.resnet_{status}", path=path, call=imagenet.RESNET18_CALL), icon=":material/cloud_off:")
        return
    picture = image_input("transfer_photo", default_size=256, narrow=True)
    features, seen, grid = result_or_stop(photo_features, picture.key, picture.rgb)
    photo, numbers = st.columns([1, 2], gap="medium")
    photo.image(seen, caption=t("transfer.resnet_seen"), width=imagenet.CROP, output_format="PNG")
    with numbers:
        st.image(grid, caption=t("transfer.resnet_features", count=features.vector.size), output_format="PNG")
        show_figure(model_figures.probabilities_figure([p for _, p in features.top], [n for n, _ in features.top]),
                    key="transfer_resnet_top")
        st.caption(t("transfer.resnet_top"))

st.title(t("transfer.title"))
st.markdown(t("transfer.intro"))
section_tabs("transfer", "transfer.tab_", {"experiment": experiment_section, "live": live_section,
                                           "source": source_section, "imagenet": imagenet_section})
