"""The augmentation lesson in AppTest, in both languages: the preview and its code, impossible settings said
in a sentence, the recorded runs measured, a live run through the pool, the test set left alone, flipped sixes.
The numbers shown are checked against the core that computes them (cnnviz.augment, cnnviz.recordings, the
shipped network)."""

import io
import json
import re
import time
from dataclasses import replace

import numpy as np
import pytest
import torch
from PIL import Image

from cnnviz import augment, augment_effects, images, models
from cnnviz.augment import Augmentation
from cnnviz.datasets import load_subset
from cnnviz.i18n import LANGUAGES, t
from cnnviz.learning import TrainConfig
from cnnviz.recordings import RUNS, load_recording
from tests.apptest import choose_tab, open_app
from ui.augmentation_views import AUGMENTED, FLIPPED, LESSON_AUGMENTATION, PLAIN, PREVIEW_SIDE, lesson_run
from ui.live_training import RUN_KEY

PAGE = "pages/augmentation.py"


def shown_code(at) -> dict:
    """Run the code the page shows; its variables."""
    scope: dict = {}
    exec(compile(at.code[0].value, "shown", "exec"), scope)          # noqa: S102 - the page's own text
    return scope


def grid_url(at) -> str:
    return at.get("image")[0].proto.imgs[0].url


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_the_preview_draws_what_its_code_draws_and_redraws(lang):
    at = open_app(lang, PAGE)
    assert not at.exception and not at.error and not at.warning
    at.slider(key="aug_rotation").set_value(20).run()
    at.toggle(key="aug_hflip").set_value(True).run()
    at.slider(key="aug_cutout").set_value(6).run()
    scope = shown_code(at)
    assert scope["transforms"] == Augmentation(rotation=20.0, hflip=True, shift=LESSON_AUGMENTATION.shift,
                                               zoom=LESSON_AUGMENTATION.zoom, cutout=6)
    assert scope["draws"].shape == (16, 28, 28) and scope["picture"].shape == (28, 28)
    assert t("augmentation.grid_caption", lang, count=16, shape="28×28", seed=0) in [c.value for c in at.caption]
    before = grid_url(at)
    at.button(key="aug_redraw").click().run()
    assert at.number_input(key="aug_seed").value == 1 and "seed=1)" in at.code[0].value
    assert grid_url(at) != before                                     # another draw, another picture
    assert not np.array_equal(shown_code(at)["draws"], scope["draws"])
    at.segmented_control(key="aug_source").set_value("garment").run()
    assert shown_code(at)["picture"].shape == (28, 28) and "fashion-mnist" in at.code[0].value
    assert not at.exception and not at.error


def test_impossible_settings_are_said_in_the_users_language():
    at = open_app("ko", PAGE)
    at.number_input(key="aug_zoom").set_value(0.0).run()
    assert [w.value for w in at.warning] == [t("errors.augment.zoom", "ko", value=0.0, low="0.25", high="4")]
    at.number_input(key="aug_zoom").set_value(1.0).run()
    at.slider(key="aug_cutout").set_value(30).run()                  # on a 28x28 digit
    assert [w.value for w in at.warning] == [t("errors.augment.cutout_too_big", "ko", cutout=30, height=28, width=28)]
    at.slider(key="aug_cutout").set_value(0).run()
    at.slider(key="aug_shift").set_value(28).run()
    assert [w.value for w in at.warning] == [t("errors.augment.shift_too_far", "ko", shift=28, height=28, width=28,
                                                high=27)]
    at.segmented_control(key="aug_source").set_value("picture").run()  # a photo takes that shift
    assert not at.warning and not at.exception and at.get("image")


def test_an_uploaded_photo_goes_through_the_intake_and_its_code_runs(tmp_path, monkeypatch):
    at = open_app("en", PAGE)
    at.segmented_control(key="aug_source").set_value("picture").run()
    photo = images.sample_image("coffee", 512)
    buffer = io.BytesIO()
    Image.fromarray(photo).save(buffer, format="PNG")
    at.file_uploader(key="aug_upload").set_value(("my photo.png", buffer.getvalue(), "image/png")).run()
    assert not at.exception and not at.error
    (tmp_path / "my photo.png").write_bytes(buffer.getvalue())
    monkeypatch.chdir(tmp_path)
    scope = shown_code(at)
    assert max(scope["picture"].shape[:2]) == PREVIEW_SIDE and scope["draws"].shape == (16, *scope["picture"].shape)
    at.file_uploader(key="aug_upload").set_value(("notes.png", b"not a picture", "image/png")).run()
    assert at.error and not at.exception                              # refused with a sentence, the last photo kept


def curves_figure(at) -> dict:
    return next(spec for spec in (json.loads(c.proto.spec) for c in at.get("plotly_chart"))
                if spec["layout"].get("xaxis2"))


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_the_recorded_runs_show_the_gap_and_the_gain(lang):
    at = choose_tab(open_app(lang, PAGE), "augmentation", t("augmentation.tab_measured", lang))
    assert not at.exception and not at.error
    figure = curves_figure(at)
    for name, axis in ((PLAIN, "x"), (AUGMENTED, "x2")):
        tested = load_recording(name).snapshots
        drawn = [trace for trace in figure["data"] if trace.get("xaxis") == axis]
        assert [trace["y"] for trace in drawn] == [[s.train_set_accuracy for s in tested],
                                                    [s.test_accuracy for s in tested]]
    plain, augmented = (load_recording(name).snapshots[-1] for name in (PLAIN, AUGMENTED))
    gain = f"{100 * (augmented.test_accuracy - plain.test_accuracy):.1f}"
    assert any(t("augmentation.gain", lang, points=gain, images=500) == m.value for m in at.markdown)
    assert augmented.test_accuracy - plain.test_accuracy >= 0.03


def test_lesson_runs_are_told_from_other_runs():
    assert lesson_run(RUNS[AUGMENTED][0]) == AUGMENTED
    assert lesson_run(replace(RUNS[PLAIN][0], seed=7, eval_every=100, refresh_seconds=0.3)) == PLAIN
    assert lesson_run(TrainConfig()) is None and lesson_run(TrainConfig(train_images=500)) is None


def test_a_live_run_trains_this_lessons_config_and_is_drawn_dashed():
    at = choose_tab(open_app("en", PAGE), "augmentation", t("augmentation.tab_measured", "en"))
    at.number_input(key="aug_live_seed").set_value(3).run()
    at.button(key="train_start").click().run()
    handle = at.session_state[RUN_KEY]
    try:
        end = time.monotonic() + 60
        while time.monotonic() < end and len([s for s in handle.status().snapshots if s.tested]) < 2:
            time.sleep(0.3)
            at.run()
        assert lesson_run(handle.config) == AUGMENTED and handle.config.seed == 3
        assert handle.config.augment == LESSON_AUGMENTATION
        at.run()
        dashed = [trace for trace in curves_figure(at)["data"] if trace.get("line", {}).get("dash") == "dash"]
        assert len(dashed) == 2 and all(trace["xaxis"] == "x2" for trace in dashed)
        assert not at.exception and not at.error
    finally:
        at.button(key="train_reset").click().run()
    assert RUN_KEY not in at.session_state


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_the_test_set_is_scored_as_it_is_and_augmented_copies_vary(lang):
    at = choose_tab(open_app(lang, PAGE), "augmentation", t("augmentation.tab_test_set", lang))
    assert not at.exception and not at.error
    model = models.load("lenet5-mnist", "cpu")
    _, _, x_test, y_test = load_subset("mnist")
    clean = augment_effects.accuracy(model, augment.to_batch(x_test), y_test)
    header, _, as_is, *augmented = next(m.value for m in at.markdown if m.value.startswith("|")).splitlines()
    assert f"{clean:.2%} {t('augmentation.test_always', lang)}" in as_is
    assert len(augmented) == 2
    for row in augmented:
        scores = re.findall(r"(\d+\.\d+)%(?!p)", row.split("|")[2])      # not the spread, in %p
        assert len(scores) == 5 and len(set(scores)) > 1               # every draw gives another score


def test_a_flipped_six_is_read_as_the_network_reads_it():
    at = choose_tab(open_app("en", PAGE), "augmentation", t("augmentation.tab_flips", "en"))
    at.slider(key="aug_six").set_value(4).run()
    assert not at.exception and not at.error
    _, _, x_test, y_test = load_subset("mnist")
    six = x_test[y_test == 6][3]
    model = models.load("lenet5-mnist", "cpu")
    half_turn = torch.from_numpy(np.ascontiguousarray(six[::-1, ::-1])).float()[None, None] / 255
    read = augment_effects.probabilities(model, half_turn)[0]
    captions = [image.proto.imgs[0].caption for image in at.get("image")]
    assert t("augmentation.read_as", "en", way=t("augmentation.flip_half_turn", "en"), digit=int(read.argmax()),
             share=float(read.max())) in captions
    augmented, flipped = (load_recording(name).snapshots[-1].test_accuracy for name in (AUGMENTED, FLIPPED))
    assert t("augmentation.flipped_measured", "en", augmented=f"{augmented:.1%}", flipped=f"{flipped:.1%}") \
        in [m.value for m in at.markdown]
