"""What a training run looks like, drawn the same way for a recorded run and a live one.

A run is a list of ``cnnviz.learning.Snapshot``; these functions draw the
curves up to a snapshot, and the first layer's kernels, the gradient norms,
the confusion matrix and the prediction for one picture at that snapshot.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnnviz import model_figures
from cnnviz.figures import png_bytes
from cnnviz.datasets import load_subset
from cnnviz.i18n import get_language, t
from cnnviz.learning import CHANCE_LOSS, DATA_SPECS, probe_indices
from cnnviz.training_figures import Curve, confusion_figure, curves_figure, grad_norms_figure
from ui.caching import shared
from ui.common import show_figure
from ui.links import linked

PROBE_WIDTH = 112        # px: a 28x28 picture, four screen pixels to one of its pixels


def curve(name: str, snapshots) -> Curve:
    """The run's curve: the first snapshot (step 0) has no training loss yet, so it shows the test loss."""
    tested = [s for s in snapshots if s.tested]
    return Curve(name, [s.step for s in snapshots], [s.test_loss if s.loss is None else s.loss for s in snapshots],
                 [s.step for s in tested], [s.test_accuracy for s in tested])


def curve_labels() -> dict[str, str]:
    return {"step": t("training.step"), "loss": t("training.loss"), "accuracy": t("training.accuracy"),
            "uniform": t("training.uniform", loss=f"{CHANCE_LOSS:.3f}")}


def class_names(dataset: str, lang: str) -> list[str]:
    return DATA_SPECS[dataset].class_names(lang)


def show_curves(curves: list[Curve], last_step: int, key: str) -> None:
    show_figure(curves_figure(curves, curve_labels(), last_step), key=key)


def show_details(snapshots, index: int, dataset: str, key: str) -> None:
    """The kernels, gradient norms, confusion matrix and the prediction for one picture, at snapshot ``index``."""
    snapshot = snapshots[index]
    lang = get_language()
    st.markdown(f"**{t('training.kernels_title', step=snapshot.step)}**")
    labels = [t("feature_maps.kernel_label", index=k) for k in range(len(snapshot.kernels))]
    show_figure(model_figures.kernels_figure(np.asarray(snapshot.kernels)[:, None], labels), key=f"{key}_kernels")
    st.caption(t("training.kernels_caption", count=len(snapshot.kernels)))
    grads_column, confusion_column = st.columns(2, gap="medium")
    with grads_column:
        st.markdown(f"**{t('training.grads_title')}**")
        seen = [s for s in snapshots[:index + 1] if s.grad_norms]
        if seen:
            layers = list(seen[-1].grad_norms)
            norms = {layer: [s.grad_norms.get(layer) for s in seen] for layer in layers}
            show_figure(grad_norms_figure([s.step for s in seen], norms,
                                          {"step": t("training.step"), "norm": t("training.norm")}),
                        key=f"{key}_grads")
        st.caption(t("training.grads_caption"))
    names = class_names(dataset, lang)
    with confusion_column:
        st.markdown(f"**{t('training.confusion_title', accuracy=snapshot.test_accuracy)}**")
        show_figure(confusion_figure(snapshot.confusion, names, {"true": t("training.true"),
                                                                 "predicted": t("training.predicted")}),
                    key=f"{key}_confusion")
        st.caption(t("training.confusion_caption"))
    probe_section(snapshot, dataset, names, key)


def probe_section(snapshot, dataset: str, names: list[str], key: str) -> None:
    """The network's reading of one test picture, one per class, as it learns."""
    st.markdown(f"**{t('training.probe_title')}**")
    if snapshot.probe is None:
        st.caption(t("training.probe_missing"))
        return
    labels = dict(enumerate(names))
    chosen = linked(st.pills, t("training.probe_pick"), list(labels), format_func=labels.get, default=0,
                    key=f"{key}_probe") or 0
    picture_column, bars_column = st.columns([1, 3], gap="medium")
    with picture_column:
        st.image(probe_picture(dataset, chosen), width=PROBE_WIDTH, output_format="PNG")
    with bars_column:
        show_figure(model_figures.probabilities_figure(snapshot.probe[chosen], names, highlight=chosen),
                    key=f"{key}_probe_bars")
        best = int(np.argmax(snapshot.probe[chosen]))
        st.caption(t("training.probe_caption", name=names[chosen], best=names[best],
                     share=float(snapshot.probe[chosen][best])))


@shared(max_entries=32)
def probe_picture(dataset: str, index: int) -> bytes:
    _, _, x_test, y_test = load_subset(dataset)
    return png_bytes(model_figures.gray_image(x_test[probe_indices(y_test)[index]] / 255.0, 4))

