"""The transfer lesson's figures and tables, built once per setting and language, and its live run.

A live run trains in the process-wide training pool (``cnnviz.training_pool``) with the
job ``cnnviz.transfer:run``, sharing the training lesson's slots and queue; the page
polls it twice a second while it is queued or trains.
"""

from __future__ import annotations

import json
import time

import numpy as np
import streamlit as st

from cnnviz import imagenet, model_figures, transfer
from cnnviz.errors import InvalidInput
from cnnviz.figures import png_bytes
from cnnviz.formulas import markdown_table
from cnnviz.i18n import get_language, t
from cnnviz.models.specs import SOURCE_SPECS
from cnnviz.training_figures import curves_figure
from cnnviz.training_pool import QUEUED, RUNNING, shared_pool
from cnnviz.transfer import PAIRS, WAYS, TransferConfig, recordings
from cnnviz.transfer_figures import STATES, accuracy_figure, network_figure
from ui.caching import shared
from ui.common import CheckedFigure, fragment, friendly_errors, show_figure
from ui.links import linked
from ui.live_training import labelled, owner

RUN_KEY, STARTED_KEY = "transfer_run", "transfer_started"
JOB = "cnnviz.transfer:run"
POLL_S = 0.45
MAX_LABELS = 100_000      # what the labels box accepts; the config says what the data allows
TABLE_COLUMNS = ("way", "accuracy", "trainable", "time")
FEATURE_COLUMNS, FEATURE_PIXELS = 32, 12   # ResNet-18's 512 features drawn 16 x 32, each 12 px wide


def pair_name(source: str, target: str, lang: str) -> str:
    return t("transfer.pair", lang, source=t(f"transfer.task_{source}", lang), target=t(f"transfer.task_{target}", lang))


def way_names(lang: str) -> dict[str, str]:
    return {way: t(f"transfer.way_{way}", lang) for way in WAYS}


def _curve_labels(target: str, lang: str) -> dict[str, str]:
    return {"step": t("training.step", lang), "loss": t("training.loss", lang),
            "accuracy": t("training.accuracy", lang),
            "uniform": t("transfer.uniform", lang, classes=len(transfer.TARGETS[target].classes),
                         loss=f"{transfer.chance_loss(target):.3f}")}


@shared(max_entries=8)
def network(source: str, target: str, lang: str) -> CheckedFigure:
    """Each way's network with its frozen layers locked and its trainable count, read from the module."""
    rows = []
    for way, name in way_names(lang).items():
        boxes, trainable, frozen = transfer.layer_boxes(TransferConfig(source=source, target=target, way=way))
        rows.append((name, t("transfer.trainable_line", lang, trainable=trainable, total=trainable + frozen), boxes))
    words = {name: t(f"transfer.state_{name}", lang) for name in (*STATES, "base", "classifier")}
    return CheckedFigure(network_figure(rows, words))


@shared(max_entries=16)
def recorded_table(source: str, target: str, labels: int, lang: str) -> str:
    """The three ways at one setting as a Markdown table: accuracy over the seeds, trainable weights, time."""
    runs = {way: recordings()[(source, target, labels, way)] for way in WAYS}
    scratch_seconds = runs["scratch"].seconds
    rows = []
    for way, name in way_names(lang).items():
        mean, spread = runs[way].accuracy
        change = "" if way == "scratch" else f" ({runs[way].seconds / scratch_seconds - 1:+.0%})"
        rows.append([name, f"{mean:.1%} ± {100 * spread:.1f}", f"{runs[way].results[0].trainable_parameters:,}",
                     f"{runs[way].seconds:.1f} s{change}"])
    return markdown_table([t(f"transfer.column_{column}", lang) for column in TABLE_COLUMNS], rows)


@shared(max_entries=16)
def recorded_curves(source: str, target: str, labels: int, lang: str) -> CheckedFigure:
    """The first seed's run of each way at one setting, overlaid."""
    names = way_names(lang)
    curves = [transfer.curve(names[way], recordings()[(source, target, labels, way)].results[0].points)
              for way in WAYS]
    steps = recordings()[(source, target, labels, WAYS[0])].results[0].config.steps
    return CheckedFigure(curves_figure(curves, _curve_labels(target, lang), steps, transfer.chance_loss(target)))


@shared(max_entries=8)
def recorded_bars(pairs: tuple[tuple[str, str], ...], lang: str) -> CheckedFigure:
    """Each way's mean accuracy (spread as error bars): for one pair, grouped by labels; for several, by pair."""
    keys = [key for key in recordings() if (key[0], key[1]) in pairs and key[3] == WAYS[0]]
    groups = ([t("transfer.labels_group", lang, labels=key[2]) for key in keys] if len(pairs) == 1
              else [pair_name(key[0], key[1], lang) for key in keys])
    stats = [[recordings()[(*key[:3], way)].accuracy for key in keys] for way in WAYS]
    labels = {"group": t("transfer.labels_axis" if len(pairs) == 1 else "transfer.pair_axis", lang),
              "accuracy": t("training.accuracy", lang)}
    return CheckedFigure(accuracy_figure(groups, list(way_names(lang).values()), [[m for m, _ in row] for row in stats],
                                         [[s for _, s in row] for row in stats], labels))


@shared(max_entries=1)
def source_accuracy() -> float:
    """The pretrained network's test accuracy on digits 0-4, from its model card."""
    return json.loads(SOURCE_SPECS["lenet5-digits0-4"].card_path.read_text())["test_accuracy"]


@shared(max_entries=16, ttl=3600)
def photo_features(key: str, _rgb: np.ndarray) -> tuple[imagenet.Features, bytes, bytes]:
    """A real ResNet-18's features of a picture (keyed by the picture's key, ``ui.image_input``), with the
    224 x 224 it read and its 512 features, 32 to a row, as PNGs."""
    features = imagenet.resnet18_features(_rgb)
    grid = features.vector.reshape(-1, FEATURE_COLUMNS)
    grid = model_figures.gray_image(grid / max(float(grid.max()), 1e-6), FEATURE_PIXELS)
    return features, png_bytes(features.picture), png_bytes(grid)


def gain(source: str, target: str, labels: int, way: str) -> float:
    """How many points a transfer way's mean accuracy is above training from scratch."""
    runs = recordings()
    return 100 * (runs[(source, target, labels, way)].accuracy[0] - runs[(source, target, labels, "scratch")].accuracy[0])


# ---------------------------------------------------------------- a run of one's own

def live_settings() -> TransferConfig | None:
    """The run the student set up (the digits experiment); None, with the reason said, when it is impossible."""
    ways = labelled(WAYS, lambda way: f"transfer.way_{way}")
    left, middle, right = st.columns([1, 2, 1], gap="medium")
    labels = linked(left.number_input, t("transfer.labels"), min_value=0, max_value=MAX_LABELS, value=50, step=50,
                    key="transfer_live_labels", help=t("transfer.labels_help"))
    way = linked(middle.segmented_control, t("transfer.way"), WAYS, default="extraction", format_func=ways.get,
                 key="transfer_live_way")
    seed = linked(right.number_input, t("training.seed"), 0, 9999, 0, key="transfer_live_seed")
    with friendly_errors():
        return TransferConfig(*PAIRS[0], labels=int(labels), way=way or "extraction", seed=int(seed))
    return None


def start(config: TransferConfig) -> None:
    st.session_state[RUN_KEY] = shared_pool().submit(f"{owner()}:transfer", config, JOB)
    st.session_state[STARTED_KEY] = time.monotonic()


def reset(handle) -> None:
    """Stop the run and forget it (idempotent, as the training lesson's Reset)."""
    handle.cancel()
    st.session_state.pop(RUN_KEY, None)


def live_section() -> None:
    st.markdown(t("transfer.live_intro"))
    config = live_settings()
    handle = st.session_state.get(RUN_KEY)
    active = handle is not None and handle.status().state in (QUEUED, RUNNING)
    train, clear = st.columns(2)
    train.button(t("training.train"), type="primary", icon=":material/play_arrow:", key="transfer_train",
                 disabled=config is None or active, width="stretch", on_click=start, args=(config,))
    clear.button(t("training.reset"), icon=":material/restart_alt:", disabled=handle is None, width="stretch",
                 key="transfer_reset", on_click=reset if handle else None, args=(handle,) if handle else None)
    if handle is None:
        st.info(t("transfer.idle"), icon=":material/model_training:")
    elif active:
        follow_run()
    else:
        show_run(handle)


@fragment(run_every=POLL_S)
def follow_run() -> None:
    """Redrawn every POLL_S while the run is queued or trains; a full rerun once it has ended."""
    handle = st.session_state.get(RUN_KEY)
    if handle is None:
        return
    if handle.status().state not in (QUEUED, RUNNING):
        st.rerun()
    show_run(handle)


def show_run(handle) -> None:
    status, config = handle.status(), handle.config
    if status.state == QUEUED:
        running, _ = shared_pool().counts()
        st.info(t("training.queued", position=status.position, running=running), icon=":material/hourglass_top:")
        return
    points = status.snapshots
    last = points[-1] if points else None
    if status.error is not None:
        st.error(status.error.localized() if isinstance(status.error, InvalidInput) else t("errors.unexpected"),
                 icon=":material/error:")
    elif status.state == RUNNING:
        done = last.step if last else 0
        elapsed = time.monotonic() - st.session_state.get(STARTED_KEY, time.monotonic())
        left = elapsed / done * (config.steps - done) if done else None
        st.progress(done / config.steps, text=t("training.progress", step=done, steps=config.steps)
                    + (" " + t("training.time_left", seconds=round(left)) if left is not None else ""))
    elif last is not None:
        _, trainable, _ = transfer.layer_boxes(config)
        st.success(t(f"transfer.ended_{status.state}", step=last.step, accuracy=last.test_accuracy,
                     trainable=trainable, seconds=last.seconds), icon=":material/flag:")
        recorded = recordings().get((config.source, config.target, config.labels, config.way))
        same = [r for r in recorded.results if r.config == config] if recorded else []
        if same and status.state == "done":
            st.caption(t("transfer.live_recorded", accuracy=same[0].test_accuracy))
    if points:
        curves = [transfer.curve(t("training.your_run"), points)]
        baseline = recordings().get((config.source, config.target, config.labels, "scratch"))
        if baseline is not None and config.way != "scratch":      # beside it, the same labels from scratch
            curves.append(transfer.curve(t("transfer.recorded_scratch"), baseline.results[0].points))
        figure = curves_figure(curves, _curve_labels(config.target, get_language()), config.steps,
                               transfer.chance_loss(config.target))
        show_figure(figure, key="transfer_live_curves")
