"""The training lesson in AppTest, in both languages: replays, a live run through the pool, one step of
backpropagation. The numbers shown are checked against the core that computes them (cnnviz.recordings,
cnnviz.backprop), which its own tests check against autograd."""

import json
import time

import pytest

from cnnviz import formulas
from cnnviz.i18n import LANGUAGES, t
from cnnviz.recordings import RUNS, load_recording
from tests import apptest
from tests.apptest import choose_tab, open_app
from ui.backprop_view import example
from ui.live_training import RUN_KEY

PAGE = "pages/training.py"


def specs(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def curves(at) -> dict:
    return next(spec for spec in specs(at) if spec["layout"].get("yaxis2"))


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_a_recorded_run_replays_step_by_step_and_overlays_another(lang):
    at = open_app(lang, PAGE)
    assert not at.exception and not at.error
    good = load_recording("good").snapshots
    assert curves(at)["data"][0]["x"] == [s.step for s in good]
    assert any(f"{good[0].test_loss:.3f}" in caption.value for caption in at.caption)    # where it starts
    middle = good[len(good) // 2]
    at.select_slider(key="replay_step_good").set_value(middle.step).run()
    assert curves(at)["data"][0]["x"][-1] == middle.step                                  # drawn up to the step
    assert any(t("training.kernels_title", lang, step=middle.step) in m.value for m in at.markdown)
    at.selectbox(key="replay_compare_good").set_value("stall").run()
    stall = load_recording("stall").snapshots
    drawn = curves(at)["data"]
    assert [trace["x"][-1] for trace in drawn if trace.get("showlegend", True)] == [middle.step, stall[-1].step]
    at.selectbox(key="replay_run").set_value("zero-init").run()                             # another run, from its end
    zero = load_recording("zero-init").snapshots
    assert any(t("training.confusion_title", lang, accuracy=zero[-1].test_accuracy) in m.value for m in at.markdown)
    assert not at.exception and not at.error


def test_every_recorded_run_replays():
    at = open_app("en", PAGE)
    for name in RUNS:
        at.selectbox(key="replay_run").set_value(name).run()
        assert not at.exception and not at.error, name
        assert any(t(f"training.about_{name.replace('-', '_')}", "en") in c.value for c in at.caption)


def wait_for_run(at, condition, timeout: float = 60.0):
    return apptest.wait_for_run(at, RUN_KEY, condition, timeout)


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_train_pause_one_step_and_reset(lang):
    """A real run in the pool: Train starts it, a second press starts no other, Pause holds it where it
    stands, One step takes exactly one step, Reset ends it."""
    at = choose_tab(open_app(lang, PAGE), "training", t("training.tab_live", lang))
    assert [i.value for i in at.info] == [t("training.idle", lang)]
    at.button(key="train_start").click().run()
    handle = at.session_state[RUN_KEY]
    try:
        wait_for_run(at, lambda s: len(s.snapshots) >= 2)
        assert at.button(key="train_start").disabled                   # no second run for this session
        at.button(key="train_pause").click().run()
        wait_for_run(at, lambda s: s.paused)
        time.sleep(1.5)                      # the step it was taking, and its report, come within a poll
        at.run()
        held = handle.status().snapshots[-1].step
        time.sleep(1.0)
        at.run()
        assert handle.status().snapshots[-1].step == held and handle.status().snapshots[-1].tested
        assert any(t("training.paused", lang, step=held) in i.value for i in at.info)
        at.button(key="train_step").click().run()
        wait_for_run(at, lambda s: s.snapshots[-1].step == held + 1)       # one step, reported, then paused
        assert at.session_state[RUN_KEY] is handle
        assert not at.exception and not at.error
    finally:
        at.button(key="train_reset").click().run()
    assert RUN_KEY not in at.session_state and handle.status().state == "stopped"
    assert [i.value for i in at.info] == [t("training.idle", lang)]


def test_impossible_settings_are_said_and_train_is_off():
    at = choose_tab(open_app("en", PAGE), "training", t("training.tab_live", "en"))
    at.select_slider(key="train_images_lenet5").set_value(100).run()
    at.select_slider(key="train_batch").set_value(256).run()
    assert [w.value for w in at.warning] == [t("errors.training.batch_size", "en", value=256, high=100)]
    assert at.button(key="train_start").disabled


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_one_step_of_backpropagation_shows_the_numbers_the_core_computes(lang):
    at = choose_tab(open_app(lang, PAGE), "training", t("training.tab_backprop", lang))
    assert not at.exception and not at.error
    result = example("untrained", 0, 0, 0.1)
    ce = result.cross_entropy
    shown = latex(at)
    assert formulas.cross_entropy_formula(result.label, ce.probabilities[result.label], ce.loss) in shown
    assert abs(ce.loss - 2.303) < 0.3                                      # an untrained network guesses evenly
    assert formulas.weight_gradient_formula(2, 2, result.kernel.tap(2, 2).value) in shown
    at.slider(key="bp_tap_row").set_value(0).run()
    at.slider(key="bp_tap_col").set_value(4).run()
    assert formulas.weight_gradient_formula(0, 4, result.kernel.tap(0, 4).value) in latex(at)
    at.segmented_control(key="bp_network").set_value("trained").run()
    at.slider(key="bp_image").set_value(5).run()
    trained = example("trained", 4, 0, 0.1)
    assert trained.cross_entropy.loss < 0.5                              # the shipped network reads it right
    shown = latex(at)
    assert formulas.sgd_update_formula(0.1, trained.update.bias_before, trained.update.bias_gradient,
                                       trained.update.bias_after) in shown
    assert not at.exception and not at.error


def latex(at) -> list[str]:
    return [e.value.strip("$\n") for e in at.latex]


def test_a_diverging_run_stops_with_a_sentence_and_a_language_switch_keeps_the_run():
    at = choose_tab(open_app("en", PAGE), "training", t("training.tab_live", "en"))
    at.select_slider(key="train_lr").set_value(10.0).run()
    at.selectbox(key="train_init").set_value("normal_1").run()
    at.segmented_control(key="train_optimizer").set_value("sgd").run()
    at.button(key="train_start").click().run()
    handle = at.session_state[RUN_KEY]
    try:
        at.query_params["lang"] = "ko"                                  # mid-run: the same run, in Korean
        at.run()
        assert at.session_state[RUN_KEY] is handle
        status = wait_for_run(at, lambda s: s.state == "done")
        last = status.snapshots[-1]
        assert last.diverged and last.step < 1000
        assert [e.value for e in at.error] == [t("training.diverged", "ko", step=last.step)]
        assert not at.exception
    finally:
        handle.cancel()


def test_tiny_vgg_trains_on_clothing_with_its_class_names():
    at = choose_tab(open_app("ko", PAGE), "training", t("training.tab_live", "ko"))
    at.selectbox(key="train_network").set_value("tinyvgg").run()
    at.button(key="train_start").click().run()
    handle = at.session_state[RUN_KEY]
    try:
        wait_for_run(at, lambda s: len(s.snapshots) >= 2)
        assert handle.config.model == "tinyvgg" and handle.config.dataset == "fashion-mnist"
        confusion = next(spec for spec in specs(at) if spec["data"][0]["type"] == "heatmap" and
                         len(spec["data"][0].get("x", ())) == 10)
        assert confusion["data"][0]["x"][1] == t("feature_maps.class_trouser", "ko")
        assert not at.exception and not at.error
    finally:
        handle.cancel()
