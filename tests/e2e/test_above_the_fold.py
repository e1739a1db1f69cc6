"""Each lesson's main animation or picture starts on the first screen at 1440x900, in both languages."""

import pytest

from cnnviz.i18n import LANGUAGES
from tests.e2e.harness import open_page
from ui.lessons import LESSONS

PICTURES = "[data-testid=stMain] .js-plotly-plot, [data-testid=stMain] [data-testid=stImage] img"
# A lesson's main picture is its first, but where it is named here: the animations (which Plotly may draw
# after a smaller figure further down), and the feature maps in the second column of their lesson, whose
# first holds the sample, what the network sees and the prediction; the architectures' block diagram.
MAIN_PICTURE = {"convolution": ".st-key-animation .js-plotly-plot",
                "conv_arithmetic": ".st-key-case_animation .js-plotly-plot",
                "pooling": ".st-key-pool_animation .js-plotly-plot",
                "feature_maps": "[data-testid=stMain] [data-testid=stColumn]:nth-child(2) [data-testid=stImage] img",
                "architectures": "[data-testid=stMain] .st-key-architecture_diagram img"}
VISIBLE = 250               # px of the main picture on the first screen, at least


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.name)
def test_the_main_picture_starts_on_the_first_screen(new_context, app_url, lesson, lang):
    tab = new_context(viewport={"width": 1440, "height": 900}).new_page()
    open_page(tab, app_url, "" if lesson is LESSONS[0] else lesson.name, lang)
    picture = tab.locator(MAIN_PICTURE.get(lesson.name, PICTURES)).first
    picture.wait_for(state="visible")
    top = picture.evaluate("el => el.getBoundingClientRect().top")
    assert top <= 900 - VISIBLE, f"{lesson.name}: the main picture starts at {top:.0f} px"


@pytest.mark.parametrize("lesson", ["convolution", "pooling"])
def test_on_a_projector_the_controls_come_first_and_the_animation_keeps_its_width(new_context, app_url, lesson):
    """At 1280x720 the figure and its controls do not fit side by side (ui/style.css): the main controls
    flow in rows above the animation, which starts on the first screen and needs no sideways scrolling."""
    tab = new_context(viewport={"width": 1280, "height": 720}).new_page()
    open_page(tab, app_url, lesson, "en")
    chart = tab.locator(MAIN_PICTURE[lesson])
    chart.wait_for(state="visible")
    box, main = chart.bounding_box(), tab.locator("[data-testid=stMainBlockContainer]").bounding_box()
    slider = tab.locator("[data-testid=stMain] [data-testid=stSlider]").first.bounding_box()
    assert slider["y"] < box["y"] and box["y"] <= 720 - 180     # a 720 px screen: 180 px of it at least
    assert box["x"] + box["width"] <= main["x"] + main["width"]
