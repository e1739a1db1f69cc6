"""Live training in a lesson: the settings, Train / Pause / One step / Reset, and a view that follows the run.

The run trains in the process-wide pool (``cnnviz.training_pool``), never in the
script thread. The session keeps only its run's handle; the view polls it twice
a second while the run trains, which also tells the pool somebody still
watches (a closed tab's run stops within 10 s).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import streamlit as st

from cnnviz.datasets import SUBSETS
from cnnviz.errors import InvalidInput
from cnnviz.i18n import t
from cnnviz.learning import SHIFTS, TrainConfig
from cnnviz.training_pool import QUEUED, RUNNING, RunStatus, shared_pool
from ui.common import fragment, friendly_errors
from ui.links import linked
from ui.training_views import curve, show_curves, show_details

RUN_KEY, STARTED_KEY, OWNER_KEY = "training_run", "training_started", "training_owner"
NETWORKS = {"lenet5": "mnist", "tinyvgg": "fashion-mnist"}
ACTIVATIONS = ("relu", "sigmoid", "tanh")
POOLINGS = ("max", "avg")
INITS = ("he", "default", "normal_0.01", "normal_1", "zeros")
OPTIMIZERS = ("adam", "momentum", "sgd")
RATES = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0)
BATCHES = (8, 16, 32, 64, 128, 256)
IMAGES = (100, 250, 500, 1000, 2000, 5000)   # and the whole subset
STEPS = (100, 250, 500, 1000, 1500, 2000, 3000)
EVAL_EVERY = 100         # steps between two tests of the 2,000 test images (~1.5 s of a LeNet-5 run)
REFRESH_S = 0.3          # and a quick snapshot (loss, kernels, gradients) at least this often in between
POLL_S = 0.45            # how often the page asks: a little more than twice a second, so each ask finds news


def labelled(options, key) -> dict[str, str]:
    """Each option's label, made now (a format function called later could miss the page's language)."""
    return {option: t(key(option)) for option in options}


def settings() -> TrainConfig | None:
    """The run the student set up; None (with the reason said) when the settings are impossible."""
    names = labelled(NETWORKS, lambda n: f"training.network_{n}")
    activations = labelled(ACTIVATIONS, lambda a: f"activations.{a}")
    poolings = labelled(POOLINGS, lambda p: f"training.pooling_{p}")
    inits = labelled(INITS, lambda i: f"training.init_{i.replace('.', '')}")
    optimizers = labelled(OPTIMIZERS, lambda o: f"training.optimizer_{o}")
    first, second, third = st.columns(3, gap="medium")
    with first:
        network = linked(st.selectbox, t("training.network"), list(NETWORKS), format_func=names.get,
                         key="train_network")
        activation = linked(st.segmented_control, t("training.activation"), ACTIVATIONS, default="relu",
                            format_func=activations.get, key="train_activation")
        pooling = linked(st.segmented_control, t("training.pooling"), POOLINGS, default="max",
                         format_func=poolings.get, key="train_pooling")
        init = linked(st.selectbox, t("training.init"), INITS, format_func=inits.get, key="train_init",
                      help=t("training.init_help"))
    with second:
        optimizer = linked(st.segmented_control, t("training.optimizer"), OPTIMIZERS, default="adam",
                           format_func=optimizers.get, key="train_optimizer")
        lr = linked(st.select_slider, t("training.lr"), RATES, 1e-3, format_func=lambda r: f"{r:g}", key="train_lr",
                    help=t("training.lr_help"))
        batch = linked(st.select_slider, t("training.batch"), BATCHES, 64, key="train_batch")
    with third:
        available = SUBSETS[NETWORKS[network]][1]
        counts = [n for n in IMAGES if n < available] + [available]
        images = linked(st.select_slider, t("training.images"), counts, available, format_func=lambda n: f"{n:,}",
                        key=f"train_images_{network}", url="train_images")
        steps = linked(st.select_slider, t("training.steps"), STEPS, 1000, format_func=lambda n: f"{n:,}",
                       key="train_steps")
        augment = linked(st.toggle, t("training.augment"), False, key="train_augment", help=t("training.augment_help"))
        seed = linked(st.number_input, t("training.seed"), 0, 9999, 0, key="train_seed")
    with friendly_errors():
        return TrainConfig(model=network, dataset=NETWORKS[network], activation=activation or "relu",
                           pooling=pooling or "max", init=init, optimizer=optimizer or "adam", lr=lr,
                           batch_size=batch, train_images=images, augment=SHIFTS if augment else None, seed=int(seed), steps=steps,
                           eval_every=EVAL_EVERY, refresh_seconds=REFRESH_S)
    return None


def owner() -> str:
    """This session's name in the pool: one run per session."""
    return st.session_state.setdefault(OWNER_KEY, uuid.uuid4().hex)


def start(config: TrainConfig) -> None:
    st.session_state[RUN_KEY] = shared_pool().submit(owner(), config)
    st.session_state[STARTED_KEY] = time.monotonic()


def reset(handle) -> None:
    """Stop the run and forget it. Idempotent: a press can reach the server with a fragment's own rerun as
    well as the page's, and then its callback runs twice."""
    handle.cancel()
    st.session_state.pop(RUN_KEY, None)


def buttons(config: TrainConfig | None) -> None:
    """Train starts a run (a second press, or new settings mid-run, never starts another); Pause, One step
    and Reset act on the session's run. They act in callbacks, before the page runs, so the page that
    follows already shows the new state."""
    handle = st.session_state.get(RUN_KEY)
    status = handle.status() if handle else None
    active = status is not None and status.state in (QUEUED, RUNNING)
    paused = active and status.paused
    columns = st.columns(4)
    columns[0].button(t("training.train"), type="primary", icon=":material/play_arrow:", key="train_start",
                      disabled=config is None or active, width="stretch", on_click=start, args=(config,))
    columns[1].button(t("training.resume" if paused else "training.pause"), key="train_pause",
                      icon=":material/play_arrow:" if paused else ":material/pause:", disabled=not active,
                      width="stretch", on_click=(handle.resume if paused else handle.pause) if active else None)
    columns[2].button(t("training.one_step"), icon=":material/skip_next:", disabled=not active, width="stretch",
                      key="train_step", help=t("training.one_step_help"), on_click=handle.step if active else None)
    columns[3].button(t("training.reset"), icon=":material/restart_alt:", disabled=handle is None, width="stretch",
                      key="train_reset", on_click=reset if handle else None, args=(handle,) if handle else None)


def live_section() -> None:
    st.markdown(t("training.live_intro"))
    config = settings()
    buttons(config)
    handle = st.session_state.get(RUN_KEY)
    if handle is None:
        st.info(t("training.idle"), icon=":material/model_training:")
        return
    follow_or_show(show_run)


def follow_or_show(show: Callable[[RunStatus], None]) -> None:
    """``show(status)`` for the session's run: polled while it is queued or trains, once when it has ended."""
    handle = st.session_state[RUN_KEY]
    if handle.status().state in (QUEUED, RUNNING):
        follow_run(show)
    else:
        show(handle.status())


@fragment(run_every=POLL_S)
def follow_run(show: Callable[[RunStatus], None]) -> None:
    """Redrawn every POLL_S while the run is queued or trains; a full rerun once it has ended, so the
    buttons and the view settle."""
    handle = st.session_state.get(RUN_KEY)
    if handle is None:
        return
    status = handle.status()
    if status.state not in (QUEUED, RUNNING):
        st.rerun()
    show(status)


def show_run(status: RunStatus) -> None:
    """Where the run stands (queue, progress, pause, end) and its figures so far."""
    if not show_status(status):
        return
    config = st.session_state[RUN_KEY].config
    show_curves([curve(t("training.your_run"), status.snapshots)], config.steps, key="live_curves")
    show_details(status.snapshots, len(status.snapshots) - 1, config.dataset, key="live")


def show_status(status: RunStatus) -> bool:
    """Where the session's run stands: its place in the queue, its progress and time left, paused, or how it
    ended. Whether it has snapshots to draw."""
    config = st.session_state[RUN_KEY].config
    snapshots = status.snapshots
    if status.state == QUEUED:
        running, waiting = shared_pool().counts()
        st.info(t("training.queued", position=status.position, running=running), icon=":material/hourglass_top:")
        return False
    last = snapshots[-1] if snapshots else None
    done = last.step if last else 0
    if status.error is not None:
        st.error(status.error.localized() if isinstance(status.error, InvalidInput) else t("errors.unexpected"),
                 icon=":material/error:")
    elif last is not None and last.diverged:
        st.error(t("training.diverged", step=last.step), icon=":material/warning:")
    elif status.paused:
        st.info(t("training.paused", step=done), icon=":material/pause:")
    elif status.state == RUNNING:
        elapsed = time.monotonic() - st.session_state.get(STARTED_KEY, time.monotonic())
        left = elapsed / done * (config.steps - done) if done else None
        st.progress(done / config.steps, text=t("training.progress", step=done, steps=config.steps)
                    + (" " + t("training.time_left", seconds=round(left)) if left is not None else ""))
    else:
        st.success(t(f"training.ended_{status.state}", step=done,
                     accuracy=last.test_accuracy if last else 0.0), icon=":material/flag:")
    return bool(snapshots)

