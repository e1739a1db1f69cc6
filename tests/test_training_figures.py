"""The training lesson's figures draw the numbers they are given: curves with gaps where a run diverged,
the uniform guess at ln 10, gradient norms on readable log ticks, the confusion matrix's counts."""

import math

import numpy as np

from cnnviz.training_figures import UNIFORM_LOSS, Curve, confusion_figure, curves_figure, grad_norms_figure, log_ticks

LABELS = {"step": "step", "loss": "loss", "accuracy": "accuracy", "uniform": "uniform", "norm": "norm",
          "true": "true", "predicted": "predicted"}


def test_curves_draw_each_run_and_leave_gaps_where_the_loss_is_not_a_number():
    runs = [Curve("a", [0, 50, 100], [2.3, 0.5, float("nan")], [0, 100], [0.1, 0.1]),
            Curve("<b>b</b>", [0, 50], [2.3, float("inf")], [0, 50], [0.1, 0.1])]
    figure = curves_figure(runs, LABELS, last_step=200)
    losses = [trace for trace in figure["data"] if trace.get("yaxis") is None]
    assert [trace["y"] for trace in losses] == [[2.3, 0.5, None], [2.3, None]]
    assert losses[1]["name"] == "&lt;b&gt;b&lt;/b&gt;"                   # a name is text, not markup
    assert figure["layout"]["shapes"][0]["y0"] == UNIFORM_LOSS == math.log(10)
    assert figure["layout"]["xaxis2"]["range"] == [0, 200]


def test_gradient_norms_are_on_a_log_axis_with_numbers_for_ticks():
    figure = grad_norms_figure([50, 100], {"conv1": [1e-4, 2e-4], "fc3": [0.5, 3.0]}, LABELS)
    axis = figure["layout"]["yaxis"]
    assert axis["type"] == "log"
    assert axis["tickvals"] == log_ticks(1e-4, 3.0) and axis["tickvals"][0] <= 1e-4 and axis["tickvals"][-1] >= 1
    assert log_ticks(0.4, 3.2) == [0.5, 1.0, 2.0]                       # 1, 2, 5 within a decade or two


def test_the_confusion_matrix_shows_its_counts_by_true_and_predicted_class():
    matrix = np.array([[8, 2], [1, 9]])
    heatmap = confusion_figure(matrix, ["cat", "dog"], LABELS)["data"][0]
    assert heatmap["text"] == [[8, 2], [1, 9]]
    assert heatmap["z"] == [[0.8, 0.2], [0.1, 0.9]]                     # the colour: the share of the true class
