"""Figures and tables of the architectures lesson, from anatomies and published figures.

Callers pass the translated words in ``labels``; numbers come from ``Anatomy`` objects (the
modules' own counts) and from ``cnnviz.models.papers`` (what only a paper can tell).
"""

from __future__ import annotations

import numpy as np

from cnnviz.architecture_diagram import layer_text, shape_text
from cnnviz.figures import PALETTE, SERIES_COLOURS, base_layout, log_axis
from cnnviz.i18n import t
from cnnviz.models.anatomy import Anatomy
from cnnviz.models.architectures import VGG16_BLOCKS
from cnnviz.models.papers import ENSEMBLES, PAPERS
from cnnviz.training_figures import GRID


def layer_rows(anatomy: Anatomy, whole_input: str) -> list[dict]:
    """The layer table: one row per layer, every number read from the anatomy."""
    total = anatomy.parameters
    return [{"layer": layer.path, "what": layer_text(layer), "shape": shape_text(layer.shape),
             "parameters": layer.parameters, "macs": layer.macs,
             "receptive_field": whole_input if layer.receptive_field is None else
             f"{layer.receptive_field} × {layer.receptive_field}",
             "share": 100 * layer.parameters / total if total else 0.0}
            for layer in anatomy.layers]


def weight_layers(anatomy: Anatomy) -> int:
    """The depth a network's name counts: convolutions and dense layers, without shortcut projections."""
    return sum(1 for layer in anatomy.layers if layer.kind in ("conv", "linear") and layer.branch != "shortcut")


def comparison_figure(anatomies: dict[str, Anatomy], labels: dict[str, str]) -> dict:
    """Parameters, multiply-accumulates and ImageNet top-5 error against the year, one panel each."""
    papers = [paper for paper in PAPERS if paper.network in anatomies]
    years = [paper.year for paper in papers]
    names = [paper.name for paper in papers]
    colours = [SERIES_COLOURS[i % len(SERIES_COLOURS)] for i in range(len(papers))]
    panels = [
        ([anatomies[p.network].parameters / 1e6 for p in papers], labels["parameters"], True),
        ([anatomies[p.network].macs / 1e9 for p in papers], labels["macs"], True),
    ]
    traces = []
    for index, (values, _, _) in enumerate(panels, start=1):
        traces.append({"type": "scatter", "mode": "markers+text", "x": years, "y": values, "text": names,
                       "textposition": "top center", "marker": {"size": 12, "color": colours},
                       "cliponaxis": False, "hovertemplate": "%{text}: %{y:,.3~g}<extra></extra>",
                       "xaxis": f"x{index}", "yaxis": f"y{index}", "showlegend": False})
    single = [(p.year, p.top5_error, p.name) for p in papers if p.top5_error is not None]
    several = [(p.year, ENSEMBLES[p.network][0], p.name) for p in papers if p.network in ENSEMBLES]
    for points, name, symbol, side in ((single, labels["single"], "circle", "middle right"),
                                       (several, labels["ensemble"], "diamond", "middle left")):
        traces.append({"type": "scatter", "mode": "markers+text", "name": name,
                       "x": [y for y, _, _ in points], "y": [e for _, e, _ in points],
                       "text": [f"{e:g}%" for _, e, _ in points], "textposition": side,
                       "marker": {"size": 12, "symbol": symbol, "color": PALETTE["window"] if symbol == "diamond"
                                  else PALETTE["conv"]},
                       "cliponaxis": False, "xaxis": "x3", "yaxis": "y3",
                       "hovertemplate": "%{x}: %{y}%<extra>" + name + "</extra>"})
    gap, width = 0.1, (1 - 0.2) / 3
    layout = base_layout(height=440, width=960, margin={"l": 10, "r": 40, "t": 70, "b": 40},
                         legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"})
    measured = [y for y, _, _ in single + several]
    spans = [[min(years) - 2, max(years) + 3]] * 2 + [[min(measured) - 1.5, max(measured) + 1.5]]
    for index, title in enumerate([panels[0][1], panels[1][1], labels["error"]], start=1):
        left = (index - 1) * (width + gap)
        layout[f"xaxis{index}"] = {"domain": [left, left + width], "range": spans[index - 1], "fixedrange": True,
                                   "dtick": 4 if index < 3 else 1, "title": {"text": labels["year"]}, **GRID}
        axis = log_axis(title, dtick=1) if index < 3 else {"title": {"text": title}, "rangemode": "tozero"}
        layout[f"yaxis{index}"] = {**axis, "anchor": f"x{index}", "fixedrange": True, **GRID}
    return {"data": traces, "layout": layout}


def lrn_profile_figure(channels: list[int], before: np.ndarray, after: np.ndarray, labels: dict[str, str]) -> dict:
    """One pixel's activation in every channel, before and after local response normalisation."""
    bars = [{"type": "bar", "x": channels, "y": values.tolist(), "name": name, "marker": {"color": colour}}
            for values, name, colour in ((before, labels["before"], PALETTE["conv"]),
                                         (after, labels["after"], PALETTE["window"]))]
    return {"data": bars, "layout": base_layout(
        height=300, barmode="group", margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.12},
        xaxis={"title": {"text": labels["channel"]}, "dtick": 1, "fixedrange": True, "automargin": True},
        yaxis={"title": {"text": labels["value"]}, "fixedrange": True, "automargin": True, **GRID})}


def network_notes(found: Anatomy) -> list[str]:
    """What this network's own numbers teach, each sentence filled from the anatomy."""
    network, total = found.network, found.parameters
    notes = [t(f"architectures.note_{network}")]
    if network == "vgg16":
        fc6 = found.layer("fc6").parameters
        convs = sum(layer.parameters for layer in found.layers if layer.kind == "conv")
        notes.append(t("architectures.note_vgg_dense", fc6=f"{fc6:,}", total=f"{total:,}",
                       share=f"{100 * fc6 / total:.1f}", convs=f"{convs:,}", conv_share=f"{100 * convs / total:.1f}"))
        width = found.layer("conv3_1").shape[0]
        notes.append(t("architectures.note_vgg_stack", rf1=found.layer("conv1_1").receptive_field,
                       rf2=found.layer("conv1_2").receptive_field, c=width, two=f"{2 * 9 * width ** 2:,}",
                       five=f"{25 * width ** 2:,}", three=f"{3 * 9 * width ** 2:,}", seven=f"{49 * width ** 2:,}"))
        notes.append(t("architectures.note_vgg_channels",
                       channels=" → ".join(str(width) for width, _ in VGG16_BLOCKS)))
    return notes
