"""Watch a CNN learn: recorded runs replayed, a run of one's own trained live, one step of backpropagation."""

import streamlit as st

from cnnviz.i18n import t
from cnnviz.learning import CHANCE_LOSS
from cnnviz.recordings import RUNS, load_recording
from ui.backprop_view import backprop_section
from ui.common import fragment
from ui.lesson_tabs import section_tabs
from ui.links import linked
from ui.live_training import live_section
from ui.practice_view import check_yourself
from ui.shell import ensure_app_shell
from ui.training_views import curve, show_curves, show_details

ensure_app_shell()

NONE = "none"             # the "no second run" choice
NEAR_CHANCE = 0.25        # a first loss this close to ln 10 is "an even guess"


@fragment
def replay_section() -> None:
    """A recorded run, scrubbed step by step, with a second one overlaid if the student wants: no computing."""
    names = {name: t(f"training.run_{name.replace('-', '_')}") for name in RUNS}
    left, right = st.columns(2, gap="medium")
    chosen = linked(left.selectbox, t("training.run"), list(RUNS), format_func=names.get, key="replay_run")
    others = {NONE: t("training.compare_none")} | {name: label for name, label in names.items() if name != chosen}
    other = linked(right.selectbox, t("training.compare"), list(others), format_func=others.get,
                   key=f"replay_compare_{chosen}", url="replay_compare")
    st.caption(t(f"training.about_{chosen.replace('-', '_')}"))
    recording = load_recording(chosen)
    snapshots = recording.snapshots
    steps = [s.step for s in snapshots]
    step = linked(st.select_slider, t("training.scrub"), steps, steps[-1], format_func=lambda s: f"{s:,}",
                  key=f"replay_step_{chosen}", url="replay_step")
    index = steps.index(step)
    curves = [curve(names[chosen], snapshots[:index + 1])]
    if other != NONE:
        curves.append(curve(names[other], load_recording(other).snapshots))
    show_curves(curves, recording.config.steps, key="replay_curves")
    first = snapshots[0]
    near = abs(first.test_loss - CHANCE_LOSS) < NEAR_CHANCE
    st.caption(t("training.start_loss", loss=f"{first.test_loss:.3f}", chance=f"{CHANCE_LOSS:.3f}",
                 where=t("training.start_near" if near else "training.start_above")))
    show_details(snapshots, index, recording.config.dataset, key="replay")


st.title(t("training.title"))
st.markdown(t("training.intro"))
section_tabs("training", "training.tab_", {"replay": replay_section, "live": live_section,
                                           "backprop": backprop_section})
check_yourself("training")
