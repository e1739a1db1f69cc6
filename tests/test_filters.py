"""Filters: numbers against ops and torch; the page against every file of the upload corpus."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cnnviz import figures, filtering, images, ops
from cnnviz.errors import InvalidInput
from cnnviz.i18n import LANGUAGES, t
from cnnviz.kernels import FILTER_PRESETS, gaussian_kernel, named_kernel, normalise
from tests.apptest import choose_tab, open_app
from tests.image_corpus import bad_files, good_files

GRAY = images.to_gray(images.sample_image("scene", 96))


@pytest.mark.parametrize("name", FILTER_PRESETS)
def test_filter_responses_match_ops_and_torch(name):
    kernel = named_kernel(name)
    result = filtering.response(GRAY, kernel)
    np.testing.assert_allclose(result, ops.conv2d(GRAY, kernel, padding="same"))
    expected = F.conv2d(torch.from_numpy(GRAY)[None, None], torch.from_numpy(kernel)[None, None], padding="same")
    np.testing.assert_allclose(result, expected[0, 0].numpy(), atol=1e-9)


def test_gradient_magnitude_and_direction():
    g = filtering.gradient(GRAY)
    np.testing.assert_allclose(g.magnitude ** 2, g.x ** 2 + g.y ** 2)
    assert filtering.direction_image(g).shape == GRAY.shape + (3,)


def test_gaussian_and_normalise():
    assert gaussian_kernel(1.0).shape == (7, 7) and gaussian_kernel(1.0).sum() == pytest.approx(1)
    assert normalise(np.ones((3, 3))).sum() == pytest.approx(1)
    np.testing.assert_array_equal(normalise(named_kernel("sobel_x")), named_kernel("sobel_x"))


@pytest.mark.parametrize("how", filtering.DISPLAYS)
def test_displays_are_pictures(how):
    picture = filtering.display(filtering.response(GRAY, named_kernel("sobel_x")), how)
    assert picture.dtype == np.uint8 and picture.shape[:2] == GRAY.shape


def test_display_peak_is_what_the_strongest_colour_stands_for():
    values = filtering.response(GRAY, named_kernel("sobel_x"))
    assert filtering.display_peak(values, "signed") == filtering.signed_limit(values)
    assert filtering.display_peak(values, "absolute") == np.abs(values).max()
    assert filtering.display(values, "absolute").max() == 255
    assert filtering.display_peak(values, "clipped") == 255


@pytest.mark.parametrize("row, col", [(0, 0), (40, 50), (95, 95), (95, 0)])
def test_zoom_explains_the_real_output_pixel(row, col):
    for kernel in (named_kernel("sobel_y"), gaussian_kernel(0.8), np.ones((2, 4))):
        view = filtering.zoom(GRAY, kernel, row, col)
        assert view.trace.steps[view.centre].value == pytest.approx(filtering.response(GRAY, kernel)[row, col])


def picture_caption(at, name: str) -> str:
    """The caption that names the uploaded picture ``name`` (a StopIteration, failing the test, when none does)."""
    return next(caption.value for caption in at.caption if images.safe_label(name) in caption.value)


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("page", ["filters", "channels"])
def test_every_corpus_file_through_the_page(page, lang):
    at = open_app(lang, f"pages/{page}.py")
    uploader = f"{page}_upload"
    for name, (data, (height, width)) in good_files().items():
        if page == "channels" and max(height, width) > 256:       # this page works at 256 px by default
            height, width = round(height * 256 / max(height, width)), round(width * 256 / max(height, width))
        at.file_uploader(key=uploader).set_value((name, data, "image/png")).run()
        assert not at.exception and not at.error, name
        assert f"{height}×{width}" in picture_caption(at, name)
    last_good = images.safe_label(name)
    for name, data in bad_files().items():
        at.file_uploader(key=uploader).set_value((name, data, "image/png")).run()
        assert not at.exception, name
        assert at.error, name
        assert t("images.using_last", lang, name=last_good) in " ".join(c.value for c in at.caption)
    at.file_uploader(key=uploader).set_value(("ok.png", good_files()["rgb.png"][0], "image/png")).run()
    assert not at.error and not at.exception


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_a_bad_first_upload_falls_back_to_the_sample(lang):
    at = open_app(lang, "pages/filters.py")
    at.file_uploader(key="filters_upload").set_value(("page.png", bad_files()["page.png"], "image/png")).run()
    assert not at.exception and at.error
    assert t("errors.images.not_an_image", lang) in at.error[0].value
    assert t("images.using_sample", lang) in " ".join(c.value for c in at.caption)
    assert any(t(f"images.sample_{images.SAMPLES[0]}", lang) in c.value for c in at.caption)


def test_page_follows_its_widgets():
    at = open_app("en", "pages/filters.py")
    for view in ("sobel_magnitude", "sobel_direction", "gaussian", "custom", "laplacian"):
        at.selectbox(key="filter_view").set_value(view).run()
        assert not at.exception, view
        if view == "custom":
            at.checkbox(key="filter_normalise").set_value(True).run()
    for how in filtering.DISPLAYS:
        at.radio(key="filter_display").set_value(how).run()
        assert not at.exception
    for border in filtering.BORDERS:
        at.radio(key="filter_border").set_value(border).run()
        assert not at.exception
    assert [tab.label for tab in at.tabs] == [t("filters.tab_result", "en"), t("filters.tab_zoom", "en")]
    assert not at.latex                                     # the step-by-step pixel is in the other tab
    choose_tab(at, "filters", t("filters.tab_zoom", "en"))
    assert at.latex and r"\mathbf" in at.latex[0].value
    row = next(slider for slider in at.slider if slider.label == t("filters.row", "en"))
    before = at.latex[0].value
    row.set_value(0 if row.value else 1).run()
    assert at.latex[0].value != before and not at.exception


@pytest.mark.parametrize("name", ["sobel_x", "laplacian", "emboss"])
def test_edge_border_matches_torch_replicate_padding(name):
    kernel = named_kernel(name)
    x = torch.from_numpy(GRAY)[None, None]
    expected = F.conv2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), torch.from_numpy(kernel)[None, None])
    np.testing.assert_allclose(filtering.response(GRAY, kernel, "edge"), expected[0, 0].numpy(), atol=1e-9)
    flat = np.full((20, 20), 200.0)
    np.testing.assert_allclose(filtering.response(flat, kernel - kernel.mean(), "edge"), 0, atol=1e-9)   # no false frame
    with pytest.raises(InvalidInput):
        filtering.response(GRAY, kernel, "mirror")


@pytest.mark.parametrize("border", filtering.BORDERS)
def test_zoom_follows_the_border(border):
    kernel = named_kernel("outline")
    for row, col in [(0, 0), (95, 95), (0, 50)]:
        view = filtering.zoom(GRAY, kernel, row, col, border=border)
        expected = filtering.response(GRAY, kernel, border)[row, col]
        assert view.trace.steps[view.centre].value == pytest.approx(expected)
    with pytest.raises(InvalidInput):
        filtering.zoom(GRAY, kernel, 96, 0)


def test_strongest_pixel_region_marker_wheel_and_scale_bar():
    values = np.zeros((30, 40))
    values[7, 33] = -9
    assert filtering.strongest_pixel(values) == (7, 33)
    marked = filtering.mark_region(np.full((100, 100), 50.0), 50, 50, 4)
    assert marked.shape == (100, 100, 3) and (marked == [228, 87, 46]).all(axis=2).any()
    wheel = filtering.direction_wheel(51)
    assert wheel.shape == (51, 51, 3) and len(np.unique(wheel.reshape(-1, 3), axis=0)) > 100
    bar = figures.scale_bar(-3.0, 3.0, figures.DIVERGING, ("neg", "pos"))
    assert bar["layout"]["xaxis"]["ticktext"] == ["-3", "0", "3"]
    assert [a["text"] for a in bar["layout"]["annotations"]] == ["neg", "pos"]


def test_an_upload_is_hashed_once_not_on_every_rerun(monkeypatch):
    import ui.image_input as intake

    data = good_files()["rgb.png"][0]
    hashed = []
    real = intake.hashlib.sha256
    monkeypatch.setattr(intake.hashlib, "sha256", lambda content=b"": hashed.append(content == data) or real(content))
    at = open_app("en", "pages/filters.py")
    at.file_uploader(key="filters_upload").set_value(("mine.png", data, "image/png")).run()
    for _ in range(3):
        at.run()
    assert hashed.count(True) == 1 and not at.exception
    assert picture_caption(at, "mine.png")


@pytest.mark.parametrize("view", ["sobel_magnitude", "sobel_direction"])
def test_the_gradient_views_zoom_shows_both_sums_and_how_they_combine(view):
    """Edge strength and direction come from two kernels: the step-by-step pixel shows G_x's and G_y's sums,
    each equal to torch's convolution there, and the strength or angle made of them."""
    at = open_app("en", "pages/filters.py")
    at.selectbox(key="filter_view").set_value(view).run()
    choose_tab(at, "filters", t("filters.tab_zoom", "en"))
    assert not at.exception
    formulas_shown = [latex.value.strip("$\n").removeprefix(r"\begin{aligned} ") for latex in at.latex]
    assert len(formulas_shown) == 3 and formulas_shown[0].startswith("G_x[") and formulas_shown[1].startswith("G_y[")
    row, col = (int(v) for v in formulas_shown[0].split("[", 1)[1].split("]")[0].split(","))
    gray = torch.from_numpy(np.round(images.to_gray(images.sample_image("cat", 512))))[None, None]   # whole grey levels
    padded = F.pad(gray, (1, 1, 1, 1), mode="replicate")       # the default border: edge pixels repeated
    gx, gy = (float(F.conv2d(padded, torch.from_numpy(named_kernel(name))[None, None])[0, 0, row, col])
              for name in ("sobel_x", "sobel_y"))
    for shown, value in zip(formulas_shown, (gx, gy)):
        assert shown.endswith(rf"\mathbf{{{figures.format_number(value)}}} \end{{aligned}}")
    combined = filtering.Gradient(np.array(gx), np.array(gy))
    expected = combined.magnitude if view == "sobel_magnitude" else np.degrees(combined.direction)
    assert rf"\mathbf{{{figures.format_number(float(expected))}" in formulas_shown[2]
