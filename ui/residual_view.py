"""Why residual connections: plain and residual networks of 20 and 40 layers, replayed from their recordings.

``residual_section()`` is one section of a lesson (a tab of ``ui.lesson_tabs.section_tabs``). It trains
nothing: the four runs were recorded by ``python -m cnnviz.residual`` and every number on it comes from
those recordings. Its one widget, keyed ``residual_grads_at``, reruns only the section (a fragment).
"""

from __future__ import annotations

import streamlit as st

from cnnviz import residual
from cnnviz.i18n import t
from cnnviz.learning import CHANCE_LOSS
from cnnviz.training_figures import curves_figure, layer_norms_figure
from ui.common import fragment, show_figure
from ui.links import linked

GRADS_KEY = "residual_grads_at"
MOMENTS = ("start", "end")


def percent(value: float) -> str:
    return f"{value:.1%}"


def run_names() -> dict[str, str]:
    return {name: t(f"residual.run_{name}") for name in residual.NAMES}


def results_table(runs: list[residual.ResidualRun], names: dict[str, str]) -> str:
    """Each run's final figures as a Markdown table."""
    header = [t("residual.network"), t("residual.parameters"), t("residual.final_loss"),
              t("residual.train_accuracy"), t("residual.test_accuracy")]
    rows = [[names[run.name], f"{run.parameters:,}", f"{run.losses[-1]:.3f}", percent(run.train_accuracy[-1]),
             percent(run.snapshots[-1].test_accuracy)] for run in runs]
    lines = [header, ["---"] + ["---:"] * (len(header) - 1), *rows]
    return "\n".join(f"| {' | '.join(cells)} |" for cells in lines)


def measured(runs: dict[str, residual.ResidualRun]) -> str:
    """What our own runs show, with their numbers."""
    p20, r20, p40, r40 = (runs[name] for name in residual.NAMES)
    return t("residual.measured", p20=f"{p20.losses[-1]:.3f}", r20=f"{r20.losses[-1]:.3f}",
             p40=f"{p40.losses[-1]:.3f}", r40=f"{r40.losses[-1]:.3f}",
             p40_train=percent(p40.train_accuracy[-1]), p40_test=percent(p40.snapshots[-1].test_accuracy),
             r40_train=percent(r40.train_accuracy[-1]), r40_test=percent(r40.snapshots[-1].test_accuracy),
             steps=f"{p40.config.steps:,}")


def grads_caption(run: residual.ResidualRun) -> str:
    """The plain deep network's gradients at the start: the smallest and the largest, and where."""
    norms = list(run.start_grad_norms.values())
    low, high = min(norms), max(norms)
    return t("residual.grads_caption", low=f"{low:.3g}", low_layer=norms.index(low) + 1, high=f"{high:.3g}",
             high_layer=norms.index(high) + 1, first=f"{norms[0]:.3g}", last=f"{norms[-1]:.3g}",
             depth=run.depth)


@fragment
def residual_section() -> None:
    runs = residual.load_runs()
    by_name = {run.name: run for run in runs}
    names = run_names()
    config = runs[0].config
    st.markdown(t("residual.intro"))
    labels = {"step": t("training.step"), "loss": t("residual.train_loss"), "accuracy": t("training.accuracy"),
              "uniform": t("training.uniform", loss=f"{CHANCE_LOSS:.3f}")}
    show_figure(curves_figure(residual.curves(runs, names), labels, config.steps, residual.LOSS_TOP),
                key="residual_curves")
    above = [f"{names[run.name]}: {run.start_loss:.2f}" for run in runs if run.start_loss > residual.LOSS_TOP]
    st.caption(t("residual.curves_caption", every=config.eval_every, batch=config.batch_size, steps=config.steps,
                 lr=f"{config.lr:g}")
               + (" " + t("residual.off_top", runs="; ".join(above)) if above else ""))
    st.markdown(results_table(runs, names))
    st.caption(t("residual.table_caption", every=config.eval_every, slice=f"{runs[0].train_images:,}"))
    st.markdown(measured(by_name))
    st.markdown(f"**{t('residual.grads_title')}**")
    moments = {moment: t(f"residual.grads_{moment}") for moment in MOMENTS}
    moment = linked(st.segmented_control, t("residual.grads_at"), MOMENTS, default="start", format_func=moments.get,
                    key=GRADS_KEY) or "start"
    show_figure(layer_norms_figure(residual.grad_lines(runs, names, at_start=moment == "start"),
                                   {"layer": t("residual.layer"), "norm": t("training.norm")}), key="residual_grads")
    st.caption(grads_caption(by_name["plain40"]))
    st.markdown(t("residual.paper"))
    st.markdown(t("residual.block"))
