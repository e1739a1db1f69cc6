"""The architectures lesson in Chromium: pick each network, change the input size, open a ResNet stage."""

import base64

import pytest

from cnnviz.i18n import LANGUAGES, t
from cnnviz.models.anatomy import anatomy
from cnnviz.models.architectures import NETWORKS
from cnnviz.models.papers import PAPERS
from tests.e2e.harness import exceptions_shown, open_page, screenshot, wait_settled
from tests.e2e.test_feature_maps import choose
from ui.architecture_views import _count, _macs

METRICS = "[data-testid=stMetricValue]"
DIAGRAM = ".st-key-architecture_diagram img"


def drawn(page) -> str:
    """The block diagram's SVG as the browser got it ("" when none is shown)."""
    if page.locator(DIAGRAM).count() == 0:
        return ""
    url = page.locator(DIAGRAM).first.get_attribute("src")
    return base64.b64decode(url.split(",", 1)[1]).decode()


def boxes(page) -> int:
    return drawn(page).count('<g class="node"')


def shown_metrics(page) -> list[str]:
    return [element.inner_text().strip() for element in page.query_selector_all(METRICS)]


def set_side(page, lang: str, side: int) -> None:
    box = page.get_by_label(t("architectures.side", lang), exact=True)
    box.fill(str(side))
    box.press("Enter")
    wait_settled(page)


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_each_network_then_another_size_then_a_stage_opened(page, app_url, lang):
    open_page(page, app_url, "architectures", lang)
    names = {paper.network: paper.name for paper in PAPERS}
    for network in NETWORKS:
        choose(page, t("architectures.network", lang), names[network])
        found = anatomy(network)
        page.wait_for_function("([s, v]) => document.querySelector(s)?.innerText.trim() === v",
                               arg=[METRICS, _count(found.parameters)])
        assert shown_metrics(page)[1] == _macs(found.macs)
        assert boxes(page) >= 4 and page.locator(DIAGRAM).first.evaluate("img => img.naturalWidth") > 200
    choose(page, t("architectures.network", lang), "ResNet-18")
    closed = boxes(page)
    assert 'class="skip"' not in drawn(page)
    set_side(page, lang, 64)
    page.wait_for_function("([s, v]) => document.querySelectorAll(s)[1]?.innerText.trim() === v",
                           arg=[METRICS, _macs(anatomy("resnet18", 64).macs)])
    page.get_by_role("button", name="layer2", exact=True).click()
    wait_settled(page)
    page.wait_for_function("n => { const img = document.querySelector('.st-key-architecture_diagram img');"
                           " return img && atob(img.src.split(',')[1]).split('<g class=\"node\"').length - 1 > n; }",
                           arg=closed)
    svg = drawn(page)
    assert svg.count('class="skip"') == 3                    # two blocks' shortcuts, one through a projection
    assert ">64 × 16 × 16<" in svg                           # a 64 x 64 picture after the stem
    screenshot(page, f"architectures-{lang}")
    choose(page, t("architectures.network", lang), "AlexNet")
    set_side(page, lang, 32)
    alert = page.locator("[data-testid=stAlert]").filter(has_text="pool5")
    alert.wait_for()
    assert "32 × 32" in alert.inner_text() and drawn(page) == ""
    assert exceptions_shown(page) == []
