"""Colour channels: the per-channel sum equals the 3-channel convolution; the page and its worked example."""

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cnnviz import channels, images, ops, steps
from cnnviz.figures import format_number
from cnnviz.i18n import LANGUAGES, t
from tests.apptest import choose_tab, open_app

X3 = channels.split(images.sample_image("scene", 48))


@pytest.mark.parametrize("name", channels.CHANNEL_FILTERS)
def test_channel_sum_is_the_convolution(name):
    kernel3 = channels.channel_filter(name)
    result = channels.channel_sum(X3, kernel3, 0.25)
    np.testing.assert_allclose(result.total, ops.conv2d(X3, kernel3, 0.25, padding="same"), atol=1e-12)
    expected = F.conv2d(torch.from_numpy(X3)[None], torch.from_numpy(kernel3)[None], torch.tensor([0.25], dtype=torch.float64),
                        padding=1)[0, 0].numpy()
    np.testing.assert_allclose(result.total, expected, atol=1e-12)


def test_only_red_sees_only_red():
    result = channels.channel_sum(X3, channels.channel_filter("only_red"))
    np.testing.assert_allclose(result.total, X3[0])


def test_bank_shapes():
    assert channels.filter_bank(8).shape == (8, 3, 3, 3)
    assert ops.conv2d(X3, channels.filter_bank(8), padding="same").shape == (8, 48, 48)


def test_worked_example_matches_torch():
    x, w, b = channels.worked_example()
    ours = ops.conv2d(x, w, b, stride=2, padding=1)
    theirs = F.conv2d(torch.from_numpy(x)[None], torch.from_numpy(w), torch.from_numpy(b), stride=2, padding=1)
    np.testing.assert_allclose(ours, theirs[0].numpy())
    assert ours.shape == (2, 3, 3)


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_channels_page(lang):
    at = open_app(lang, "pages/channels.py")
    assert [tab.label for tab in at.tabs] == [t(f"channels.tab_{name}", lang)
                                              for name in ("split", "filter", "bank", "example")]
    assert len(at.get("image")) == 3                          # the red, green and blue channels
    choose_tab(at, "channels", t("channels.tab_filter", lang))
    for preset in channels.CHANNEL_FILTERS:
        at.selectbox(key="channel_filter").set_value(preset).run()
        assert not at.exception, preset
    choose_tab(at, "channels", t("channels.tab_bank", lang))
    at.slider(key="bank_count").set_value(16).run()
    assert "448" in " ".join(m.value for m in at.markdown)
    height, width = images.sample_image(images.SAMPLES[0], 256).shape[:2]       # the default picture
    assert f"{height}×{width}×16" in " ".join(m.value for m in at.markdown)
    at.button(key="bank_shuffle").click().run()
    assert at.session_state["bank_seed"] == 1 and not at.exception
    x, w, b = channels.worked_example()
    choose_tab(at, "channels", t("channels.tab_example", lang))
    for index in (0, 1):
        at.radio(key="example_filter").set_value(index).run()
        spec = next(s for s in (json.loads(c.proto.spec) for c in at.get("plotly_chart")) if s.get("frames"))
        expected = ops.conv2d(x, w[index], b[index], stride=2, padding=1)
        assert len(spec["frames"]) == 9
        assert spec["frames"][-1]["data"][0]["text"] == [[format_number(v) for v in row] for row in expected]
        sums = steps.conv_trace(x, w[index], b[index], stride=2, padding=1).steps[0].channel_sums
        assert " + ".join(format_number(float(v)) for v in sums) in spec["frames"][0]["layout"]["title"]["text"]
    assert not at.exception


def test_the_bank_starts_with_the_classics_then_draws_random_filters():
    bank = channels.filter_bank(8, seed=0)
    np.testing.assert_array_equal(bank[0], np.stack([channels.named_kernel("sobel_x")] * 3))
    assert not np.array_equal(bank[7], channels.filter_bank(8, seed=1)[7])
    np.testing.assert_array_equal(bank[:6], channels.filter_bank(8, seed=1)[:6])
