"""The architectures lesson in AppTest, in both languages: every network's numbers are its module's, a size it
cannot take is said in a sentence, the comparison and AlexNet's parts show what cnnviz computes."""

import base64
import json

import numpy as np
import pytest

from cnnviz import alexnet_parts
from cnnviz.i18n import LANGUAGES, t
from cnnviz.models.anatomy import anatomy
from cnnviz.models.architectures import NETWORKS
from tests.apptest import choose_tab, open_app
from ui.architecture_views import _garment_maps, _macs

PAGE = "pages/architectures.py"
SVG = "data:image/svg+xml;base64,"


def metrics(at) -> list[str]:
    return [metric.value for metric in at.metric]


def table(at, lang: str) -> list[list[str]]:
    """The layer table's rows, cell by cell, as the page prints them."""
    header = "| " + t("architectures.col_layer", lang)
    text = next(m.value for m in at.markdown if m.value.startswith(header))
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in text.splitlines()[2:]]


def drawn(at) -> str | None:
    """The block diagram's SVG (the lesson's one SVG image), or None when there is none."""
    urls = [image.url for element in at.get("image") for image in element.proto.imgs]
    svgs = [base64.b64decode(url.split(",", 1)[1]).decode() for url in urls if url.startswith(SVG)]
    return svgs[0] if svgs else None


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_each_network_is_drawn_and_counted_from_its_module(lang):
    at = open_app(lang, PAGE)
    assert not at.exception and not at.error
    for network in NETWORKS:
        at.selectbox(key="arch_network").set_value(network).run()
        found = anatomy(network)
        shown = metrics(at)
        assert shown[2] == str(sum(1 for layer in found.layers if layer.kind in ("conv", "linear")
                                   and layer.branch != "shortcut"))
        assert shown[0] in (f"{found.parameters:,}", f"{found.parameters / 1e6:,.2f} M")
        assert f'>{t("architectures.box_input", lang, shape="").splitlines()[0]}<' in drawn(at)
        assert f'>{" × ".join(map(str, found.input_shape))}<' in drawn(at)
        assert [row[3] for row in table(at, lang)] == [f"{layer.parameters:,}" for layer in found.layers]
        assert not at.exception and not at.error


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_the_input_size_changes_every_shape_or_says_why_not(lang):
    at = open_app(lang, PAGE)
    at.selectbox(key="arch_network").set_value("resnet18").run()
    at.number_input(key="arch_side_resnet18").set_value(64).run()
    assert table(at, lang)[0][2] == "64 × 32 × 32"                            # conv1 of a 64 x 64 picture
    assert metrics(at)[1] == _macs(anatomy('resnet18', 64).macs) != _macs(anatomy('resnet18').macs)
    at.selectbox(key="arch_network").set_value("alexnet").run()
    at.number_input(key="arch_side_alexnet").set_value(32).run()
    try:
        anatomy("alexnet", 32)
    except Exception as error:
        expected = error.localized(lang)
    assert [w.value for w in at.warning] == [expected]
    assert not at.exception and not at.error and drawn(at) is None


def test_opening_a_stage_draws_its_blocks_with_their_skips():
    at = open_app("en", PAGE)
    at.selectbox(key="arch_network").set_value("resnet50").run()
    closed = drawn(at)
    at.session_state["arch_expand_resnet50"] = ["layer3"]
    at.run()
    opened = drawn(at)
    assert "⊕" not in closed and opened.count("⊕") == 6                 # ResNet-50's third stage: six blocks
    assert opened.count('data-path="layer3.') == 6 * 4 + 1             # 3 convolutions and a sum each, a projection
    assert 'class="stage"' in opened and ">layer3<" in opened


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_side_by_side_counts_come_from_the_modules(lang):
    at = open_app(lang, PAGE)
    choose_tab(at, "architectures", t("architectures.tab_compare", lang))
    assert not at.exception and not at.error
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    parameters = figure["data"][0]["y"]
    assert parameters == [anatomy(network).parameters / 1e6 for network in NETWORKS]
    vgg = anatomy("vgg16")
    assert any(f"{vgg.layer('fc6').parameters / 1e6:.1f}" in info.value and "74" in info.value for info in at.info)


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_alexnets_parts_show_torchs_numbers(lang):
    at = open_app(lang, PAGE)
    choose_tab(at, "architectures", t("architectures.tab_alexnet", lang))
    assert not at.exception and not at.error
    at.select_slider(key="lrn_alpha").set_value(0.1).run()
    maps = _garment_maps(at.selectbox(key="lrn_picture").value)
    after = alexnet_parts.local_response_norm(maps, 5, 0.1, 0.75, 2.0)
    strongest = np.unravel_index(int(np.argmax(maps)), maps.shape)
    assert any(f"{after[strongest]:.4f}" in m.value and "0.1" in m.value for m in at.markdown)
    grids = lambda: json.loads([c for c in at.get("plotly_chart")][-1].proto.spec)["data"][1]["text"]
    before = grids()
    at.button(key="dropout_draw").click().run()
    assert grids() != before                                            # another draw, another set of zeros
    assert not at.exception and not at.error
