"""One training example, step by step: cross-entropy, y − T, one kernel's gradient as a sliding window, one
SGD update, every number from ``cnnviz.backprop`` (which the tests check against autograd)."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from cnnviz import backprop, figures, formulas
from cnnviz.datasets import load_subset
from cnnviz.figures import Panel, value_grids
from cnnviz.i18n import get_language, t
from cnnviz.learning import DATA_SPECS, TrainConfig, build_model, to_tensor
from ui.caching import shared
from ui.common import fragment, show_figure
from ui.links import linked
from ui.model_input import load_model
from ui.training_views import class_names

EXAMPLES = 100           # the first training images of the MNIST subset to choose from
PICTURE = 168            # px: a 28x28 map, six screen pixels to one of its pixels
NETWORKS = ("untrained", "trained")


@shared(max_entries=2)
def network(kind: str) -> torch.nn.Sequential:
    """LeNet-5 freshly initialised (PyTorch's default, seed 0: it guesses nearly evenly) or as shipped, trained
    on MNIST; shared read-only."""
    if kind == "trained":
        return load_model("lenet5-mnist").module
    return build_model(TrainConfig(init="default"), torch.Generator().manual_seed(0)).eval()


@shared(max_entries=64)
def example(kind: str, index: int, kernel: int, rate: float) -> backprop.BackpropExample:
    x_train, y_train, _, _ = load_subset("mnist")
    image = to_tensor(x_train[index:index + 1], DATA_SPECS["mnist"])
    model = network(kind)
    device = next(model.parameters()).device
    return backprop.backprop_example(model, image.to(device), int(y_train[index]), kernel, rate)


def diverging_png(values: np.ndarray) -> bytes:
    return figures.png_bytes(figures.enlarge(figures.diverging_image(values), PICTURE // values.shape[-1]))


@fragment
def backprop_section() -> None:
    st.markdown(t("training.bp_intro"))
    labels = {kind: t(f"training.bp_{kind}") for kind in NETWORKS}
    controls = st.columns([3, 2, 1, 1.3], gap="medium")
    kind = linked(controls[0].segmented_control, t("training.bp_network"), NETWORKS, default="untrained",
                  format_func=labels.get, key="bp_network") or "untrained"
    index = linked(controls[1].slider, t("training.bp_image"), 1, EXAMPLES, 1, key="bp_image") - 1
    kernel = linked(controls[2].number_input, t("training.bp_kernel"), 1, 6, 1, key="bp_kernel") - 1
    rate = linked(controls[3].select_slider, t("training.lr"), (0.001, 0.01, 0.1, 1.0), 0.1,
                  format_func=lambda r: f"{r:g}", key="bp_lr")
    result = example(kind, index, int(kernel), float(rate))
    names = class_names("mnist", get_language())
    loss_part(result, names, index)
    kernel_part(result)
    update_part(result)


def loss_part(result: backprop.BackpropExample, names: list[str], index: int) -> None:
    st.subheader(t("training.bp_loss_title"))
    ce, label = result.cross_entropy, result.label
    x_train, _, _, _ = load_subset("mnist")
    picture, table = st.columns([1, 3], gap="medium")
    with picture:
        st.image(figures.png_bytes(figures.enlarge(x_train[index], 6)), width=PICTURE, output_format="PNG",
                 caption=t("training.bp_label", label=names[label]))
    with table:
        header = [t("training.bp_class"), "z", "y = softmax(z)", "T", "−T·log y", "y − T"]
        st.markdown(formulas.markdown_table(header, [
            [f"**{names[k]}**" if k == label else names[k], f"{ce.logits[k]:.3f}", f"{ce.probabilities[k]:.4f}",
             f"{ce.target[k]:g}", f"{ce.terms[k]:.4f}", f"{ce.logit_gradient[k]:+.4f}"] for k in range(len(names))]))
    st.latex(formulas.cross_entropy_formula(label, ce.probabilities[label], ce.loss))
    st.caption(t("training.bp_loss_note", uniform=f"{np.log(len(names)):.3f}"))


def kernel_part(result: backprop.BackpropExample) -> None:
    gradient = result.kernel
    st.subheader(t("training.bp_kernel_title", kernel=gradient.index + 1))
    st.markdown(t("training.bp_kernel_intro"))
    kh, kw = gradient.weight_gradient.shape
    columns = st.columns(2)
    i = linked(columns[0].slider, t("training.bp_tap_row"), 0, kh - 1, kh // 2, key="bp_tap_row")
    j = linked(columns[1].slider, t("training.bp_tap_col"), 0, kw - 1, kw // 2, key="bp_tap_col")
    tap = gradient.tap(i, j)
    pictures = st.columns(3, gap="small")
    pictures[0].image(diverging_png(tap.patch), width=PICTURE, output_format="PNG",
                      caption=t("training.bp_window", i=i, j=j))
    pictures[1].image(diverging_png(gradient.output_gradient), width=PICTURE, output_format="PNG",
                      caption=t("training.bp_dz", kernel=gradient.index + 1))
    pictures[2].image(diverging_png(tap.products), width=PICTURE, output_format="PNG",
                      caption=t("training.bp_products"))
    st.latex(formulas.weight_gradient_formula(i, j, tap.value))
    outline = np.zeros((kh, kw), dtype=bool)
    outline[i, j] = True
    show_figure(value_grids([Panel(np.round(gradient.weight_gradient, 4), t("training.bp_grad_grid"),
                                   outline=outline)], cell=64), key="bp_gradient_grid")
    st.caption(t("training.bp_kernel_note", bias=f"{gradient.bias_gradient:.5f}"))


def update_part(result: backprop.BackpropExample) -> None:
    update = result.update
    st.subheader(t("training.bp_update_title"))
    show_figure(value_grids([Panel(np.round(update.weight_before, 3), t("training.bp_before")),
                             Panel(np.round(update.weight_gradient, 4), t("training.bp_gradient")),
                             Panel(np.round(update.weight_after, 3), t("training.bp_after"))], cell=56),
                key="bp_update")
    st.latex(formulas.sgd_update_formula(update.learning_rate, update.bias_before, update.bias_gradient,
                                         update.bias_after))
    st.caption(t("training.bp_checked"))
