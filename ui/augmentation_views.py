"""The augmentation lesson's sections: the preview of random draws, the measured gain (recorded and live),
why the test set is never augmented, and what does not help (flipped digits)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import streamlit as st
import torch

from cnnviz import augment, augment_effects, augment_figures, figures, images, model_figures
from cnnviz.augment import Augmentation
from cnnviz.datasets import load_subset
from cnnviz.i18n import get_language, t
from cnnviz.learning import DATA_SPECS, TrainConfig, probe_indices
from cnnviz.recordings import RUNS, load_recording
from cnnviz.training_pool import RunStatus
from ui.caching import shared
from ui.common import figure_and_controls, friendly_errors, show_figure
from ui.image_input import uploaded_picture
from ui.links import linked
from ui.live_training import EVAL_EVERY, REFRESH_S, RUN_KEY, buttons, follow_or_show, show_status
from ui.model_input import load_model

PLAIN, AUGMENTED = "small-data", "small-data-augmented"       # the recorded pair the lesson measures
FLIPPED = "small-data-flipped"                               # the augmented run with upside-down flips too
LESSON_AUGMENTATION = RUNS[AUGMENTED][0].augment             # what the measured run trains with
SOURCES = {"digit": "mnist", "garment": "fashion-mnist", "picture": None}
PREVIEW_SIDE = 112          # px: a photograph's longer side in the preview, as a digit's (16 draws at about the
                            # size they are shown)
DIGIT_FACTOR = 4            # a 28x28 digit shown four screen pixels to one of its own
DRAWS = 16
MAX_SEED = 9999
TEST_DRAWS = 5              # augmented copies of the test set, each scored
STRONG = Augmentation(rotation=30, shift=3, noise=0.2, cutout=10)
SIX, NINE = 6, 9
FLIP_WIDTH = 112            # px: a 28x28 digit, four screen pixels to one of its pixels


# ---------------------------------------------------------------- the preview

def pick_picture() -> tuple[np.ndarray, str, list[str]] | None:
    """(the picture, what stands for its pixels, the code that loads it); None while an upload is refused."""
    labels = {source: t(f"augmentation.source_{source}") for source in SOURCES}
    source = linked(st.segmented_control, t("augmentation.source"), list(SOURCES), format_func=labels.get,
                    default="digit", key="aug_source") or "digit"
    dataset = SOURCES[source]
    if dataset is not None:
        names = dict(enumerate(DATA_SPECS[dataset].class_names(get_language())))
        chosen = linked(st.selectbox, t(f"augmentation.which_{source}"), list(names), format_func=names.get, index=7,
                        key=f"aug_class_{source}", url="aug_class")
        x_train, y_train, _, _ = load_subset(dataset)
        index = int(probe_indices(y_train)[chosen])
        return x_train[index], f"{dataset}:{index}", [
            "from cnnviz import augment", "from cnnviz.datasets import load_subset", "",
            f'x_train = load_subset("{dataset}")[0]', f"picture = x_train[{index}]"]
    samples = {name: t(f"images.sample_{name}") for name in images.SAMPLES}
    sample = linked(st.selectbox, t("images.sample"), list(samples), format_func=samples.get, key="aug_sample")
    upload = st.file_uploader(t("images.upload"), key="aug_upload",
                              help=t("images.upload_help", limit=int(st.get_option("server.maxUploadSize"))))
    uploaded = uploaded_picture(upload, "aug_upload", images.WORKING_SIZES[0])
    if uploaded is not None:
        st.caption(t("links.picture_not_in_link"))
        return fitted(uploaded.key, uploaded.rgb), f"{uploaded.key}:{PREVIEW_SIDE}", [
            "from pathlib import Path", "from cnnviz import augment, images", "",
            f"data = Path({upload.name!r}).read_bytes()",
            f"photo = images.decode_image(\n    data, 2**26, {images.WORKING_SIZES[0]})",
            f"picture = images.fit(photo, {PREVIEW_SIDE})"]
    if upload is not None:
        return None
    return sample_picture(sample), f"sample:{sample}:{PREVIEW_SIDE}", [
        "from cnnviz import augment, images", "", f'picture = images.sample_image("{sample}", {PREVIEW_SIDE})']


@shared(max_entries=16)
def sample_picture(name: str) -> np.ndarray:
    return images.sample_image(name, PREVIEW_SIDE)


@shared(max_entries=32, ttl=3600)
def fitted(key: str, _rgb: np.ndarray) -> np.ndarray:
    return images.fit(_rgb, PREVIEW_SIDE)


def transform_controls() -> Augmentation | None:
    """The settings of every transform, starting from the measured run's; None (said why) when impossible."""
    start = LESSON_AUGMENTATION
    rotation = linked(st.slider, t("augmentation.rotation"), 0, 180, int(start.rotation), 5, key="aug_rotation",
                      help=t("augmentation.rotation_help"))
    with st.container(horizontal=True):
        hflip = linked(st.toggle, t("augmentation.hflip"), start.hflip, key="aug_hflip",
                       help=t("augmentation.hflip_help"))
        vflip = linked(st.toggle, t("augmentation.vflip"), start.vflip, key="aug_vflip",
                       help=t("augmentation.vflip_help"))
    shift = linked(st.slider, t("augmentation.shift"), 0, 40, start.shift, key="aug_shift",
                   help=t("augmentation.shift_help"))
    zoom = linked(st.number_input, t("augmentation.zoom"), 0.0, augment.ZOOM_RANGE[1], float(start.zoom), 0.05,
                  format="%.2f", key="aug_zoom", help=t("augmentation.zoom_help"))
    brightness = linked(st.slider, t("augmentation.brightness"), 0.0, 1.0, float(start.brightness), 0.05,
                        key="aug_brightness", help=t("augmentation.brightness_help"))
    contrast = linked(st.slider, t("augmentation.contrast"), 0.0, 1.0, float(start.contrast), 0.05, key="aug_contrast",
                      help=t("augmentation.contrast_help"))
    noise = linked(st.slider, t("augmentation.noise"), 0.0, 0.5, float(start.noise), 0.01, key="aug_noise",
                   help=t("augmentation.noise_help"))
    cutout = linked(st.slider, t("augmentation.cutout"), 0, 64, start.cutout, key="aug_cutout",
                    help=t("augmentation.cutout_help"))
    with friendly_errors():
        return Augmentation(rotation=float(rotation), hflip=hflip, vflip=vflip, shift=shift, zoom=float(zoom),
                            brightness=float(brightness), contrast=float(contrast), noise=float(noise), cutout=cutout)
    return None


@shared(max_entries=64, ttl=3600)
def draws_picture(key: str, _picture: np.ndarray, augmentation: Augmentation, seed: int) -> bytes:
    """The grid of draws as PNG, made once per picture, settings and seed; raises InvalidInput if impossible.
    On one torch thread, as the app runs its networks (ui.model_input.load_model): a class's requests at once
    would only make per-request thread pools fight over the cores (16 draws of a photo: 7-20 ms on one thread,
    up to 170 ms on two beside other work)."""
    torch.set_num_threads(1)
    draws = augment.draw(_picture, augmentation, DRAWS, seed)
    factor = DIGIT_FACTOR if _picture.ndim == 2 else 1
    return figures.png_bytes(augment_figures.tiles(draws, factor=factor), compress_level=1)


def redraw() -> None:
    st.session_state["aug_seed"] = (int(st.session_state.get("aug_seed", 0)) + 1) % (MAX_SEED + 1)


def preview_section() -> None:
    """The grid of draws with its code beside it, the controls in the lesson's side column (ui.common)."""
    figure, controls, _ = figure_and_controls()
    with controls:
        picked = pick_picture()
        augmentation = transform_controls()
    grid, code = figure.columns([1, 1.15], gap="medium")
    with grid:
        with st.container(horizontal=True, vertical_alignment="bottom"):
            seed = linked(st.number_input, t("augmentation.seed"), 0, MAX_SEED, key="aug_seed",
                          help=t("augmentation.seed_help"))
            st.button(t("augmentation.redraw"), icon=":material/casino:", key="aug_redraw", on_click=redraw)
        if picked is None or augmentation is None:
            return
        picture, key, picture_code = picked
        shape = "×".join(map(str, picture.shape[:2]))
        with friendly_errors():
            st.image(draws_picture(key, picture, augmentation, int(seed)), output_format="PNG")
            st.caption(t("augmentation.grid_caption", count=DRAWS, shape=shape, seed=int(seed)))
    with code:
        st.markdown(f"**{t('augmentation.code_title')}**")
        st.code(augment.code(picture_code, augmentation, DRAWS, int(seed)), language="python", wrap_lines=True)
        st.caption(t("augmentation.code_caption"))


# ---------------------------------------------------------------- the measured gain

def describe(augmentation: Augmentation | None) -> str:
    """The settings in words: "shifts of up to 2 px, rotations of up to 10°"."""
    if augmentation is None:
        return t("augmentation.none")
    return ", ".join(t(f"augmentation.describe_{name}", value=augment.code_value(value))
                     for name, value in augmentation.changed().items())


def gap_labels() -> dict[str, str]:
    return {"step": t("training.step"), "accuracy": t("augmentation.accuracy"), "train": t("augmentation.train_images"),
            "test": t("augmentation.test_images"), "gap": t("augmentation.gap")}


def lesson_run(config: TrainConfig) -> str | None:
    """Which of the two measured runs ``config`` trains again (any seed), or None for another run."""
    for name in (PLAIN, AUGMENTED):
        recorded = RUNS[name][0]
        if replace(config, seed=recorded.seed, eval_every=recorded.eval_every, refresh_seconds=None) == recorded:
            return name
    return None


@shared(max_entries=8)
def recorded_panels(names: tuple[str, ...], lang: str) -> list[augment_figures.Panel]:
    return [augment_figures.Panel(panel_title(name, lang),
                                  [augment_figures.accuracy_curve(t("augmentation.recorded", lang),
                                                                  load_recording(name).snapshots)])
            for name in names]


def show_gap(names: tuple[str, ...], key: str, live: augment_figures.AccuracyCurve | None = None,
             live_run: str | None = None) -> None:
    """The recorded runs ``names`` side by side; ``live``, a run training now, drawn over its kind's panel."""
    panels = recorded_panels(names, get_language())
    if live is not None:
        panels = [replace(panel, curves=[*panel.curves, live]) if name == live_run else panel
                  for name, panel in zip(names, panels)]
    show_figure(augment_figures.gap_figure(panels, gap_labels(), RUNS[names[0]][0].steps), key=key)


def panel_title(name: str, lang: str | None = None) -> str:
    return t(f"augmentation.panel_{name.replace('-', '_')}", lang)


def results_table() -> None:
    rows = [f"| | {t('augmentation.train_images')} | {t('augmentation.test_images')} | {t('augmentation.gap_head')} |",
            "| --- | ---: | ---: | ---: |"]
    finals = {}
    for name in (PLAIN, AUGMENTED):
        last = load_recording(name).snapshots[-1]
        finals[name] = last.test_accuracy
        rows.append(f"| {panel_title(name)} | {last.train_set_accuracy:.1%} | {last.test_accuracy:.1%} "
                    f"| {100 * (last.train_set_accuracy - last.test_accuracy):.1f} |")
    st.markdown("\n".join(rows))
    st.markdown(t("augmentation.gain", points=f"{100 * (finals[AUGMENTED] - finals[PLAIN]):.1f}",
                  images=RUNS[AUGMENTED][0].train_images))


def measured_section() -> None:
    config = RUNS[AUGMENTED][0]
    st.markdown(t("augmentation.measured_intro", images=config.train_images, steps=f"{config.steps:,}",
                  every=config.eval_every, augmentation=describe(config.augment)))
    figure = st.container()
    results_table()
    st.markdown(f"**{t('augmentation.live_title')}**")
    choices = {AUGMENTED: t("augmentation.live_with"), PLAIN: t("augmentation.live_without")}
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    chosen = linked(left.segmented_control, t("augmentation.live_which"), list(choices), format_func=choices.get,
                    default=AUGMENTED, key="aug_live_run") or AUGMENTED
    seed = linked(right.number_input, t("training.seed"), 0, MAX_SEED, 1, key="aug_live_seed",
                  help=t("augmentation.live_seed_help"))
    recorded = RUNS[chosen][0]
    buttons(replace(recorded, seed=int(seed), eval_every=EVAL_EVERY, refresh_seconds=REFRESH_S))
    with figure:
        if RUN_KEY in st.session_state:
            follow_or_show(show_live)
        else:
            show_gap((PLAIN, AUGMENTED), "aug_gap")


def show_live(status: RunStatus) -> None:
    config = st.session_state[RUN_KEY].config
    name = lesson_run(config)
    if name is None:
        st.info(t("augmentation.other_run"), icon=":material/model_training:")
        show_gap((PLAIN, AUGMENTED), "aug_gap")
        return
    drawn = show_status(status)
    live = augment_figures.accuracy_curve(t("augmentation.your_run", seed=config.seed), status.snapshots, live=True) \
        if drawn else None
    show_gap((PLAIN, AUGMENTED), "aug_gap", live if live and live.steps else None, name)
    st.caption(t("augmentation.live_caption"))


# ---------------------------------------------------------------- train only

@shared(max_entries=4)
def test_time(name: str) -> tuple[float, list[float]]:
    """The shipped LeNet-5's accuracy on the test images as they are, and on TEST_DRAWS augmented copies."""
    _, _, x_test, y_test = load_subset("mnist")
    augmentation = LESSON_AUGMENTATION if name == "lesson" else STRONG
    return augment_effects.test_time_scores(load_model("lenet5-mnist"), x_test, y_test, augmentation, range(TEST_DRAWS))


@shared(max_entries=2)
def test_examples() -> bytes:
    """Eight test digits as they are (top row) and one strong augmented draw of them (bottom row)."""
    x_test = load_subset("mnist")[2][:8]
    drawn = augment.draw_each(x_test, STRONG, seed=0)
    return figures.png_bytes(augment_figures.tiles(np.concatenate([x_test, drawn]), columns=8, factor=3))


def test_set_section() -> None:
    st.markdown(t("augmentation.test_intro"))
    with st.spinner(t("augmentation.test_computing")):
        scores = {name: test_time(name) for name in ("lesson", "strong")}
    clean = scores["lesson"][0]
    rows = [f"| {t('augmentation.test_images_head')} | {t('augmentation.test_accuracy_head')} |", "| --- | --- |",
            f"| {t('augmentation.test_as_is')} | {clean:.2%} {t('augmentation.test_always')} |"]
    for name, augmentation in (("lesson", LESSON_AUGMENTATION), ("strong", STRONG)):
        draws = scores[name][1]
        rows.append(f"| {t('augmentation.test_augmented', augmentation=describe(augmentation), count=len(draws))} | "
                    f"{', '.join(f'{s:.2%}' for s in draws)} "
                    f"{t('augmentation.test_spread', points=f'{100 * (max(draws) - min(draws)):.2f}')} |")
    st.markdown("\n".join(rows))
    st.image(test_examples(), caption=t("augmentation.test_examples", augmentation=describe(STRONG)),
             output_format="PNG")
    st.markdown(t("augmentation.test_why"))


# ---------------------------------------------------------------- what does not help

@shared(max_entries=2)
def flipped_sixes() -> augment_effects.Flipped:
    _, _, x_test, y_test = load_subset("mnist")
    return augment_effects.flipped(load_model("lenet5-mnist"), x_test[y_test == SIX])


@shared(max_entries=2)
def flipped_all() -> dict[str, float]:
    """The share of all test digits, flipped each way, that the network still reads as their own digit."""
    _, _, x_test, y_test = load_subset("mnist")
    result = augment_effects.flipped(load_model("lenet5-mnist"), x_test)
    return {way: float(np.mean(result.classes[way] == y_test)) for way in augment_effects.FLIPS}


@shared(max_entries=256)
def digit_picture(way: str, index: int) -> bytes:
    return figures.png_bytes(model_figures.upscale(flipped_sixes().pictures[way][index], FLIP_WIDTH // 28))


def flips_section() -> None:
    st.markdown(t("augmentation.flips_intro"))
    sixes = flipped_sixes()
    count = len(sixes.classes["as_is"])
    index = linked(st.columns([1, 2])[0].slider, t("augmentation.which_six", count=count), 1, count, 1,
                   key="aug_six") - 1
    with st.container(horizontal=True, gap="medium"):
        for way in augment_effects.FLIPS:
            st.image(digit_picture(way, index), width=FLIP_WIDTH, output_format="PNG",
                     caption=t("augmentation.read_as", way=t(f"augmentation.flip_{way}"),
                               digit=int(sixes.classes[way][index]), share=float(sixes.confidence[way][index])))
    kept = flipped_all()
    st.markdown(t("augmentation.flips_measured", count=count, half=f"{sixes.share('half_turn', NINE):.0%}",
                  upside=f"{sixes.share('upside_down', NINE):.1%}", kept_upside=f"{kept['upside_down']:.0%}",
                  kept_mirrored=f"{kept['mirrored']:.0%}", kept_as_is=f"{kept['as_is']:.1%}"))
    st.markdown(t("augmentation.flips_note"))
    augmented, flipped = (load_recording(name).snapshots[-1].test_accuracy for name in (AUGMENTED, FLIPPED))
    st.markdown(t("augmentation.flipped_measured", augmented=f"{augmented:.1%}", flipped=f"{flipped:.1%}"))
    show_gap((AUGMENTED, FLIPPED), "aug_flipped_gap")
