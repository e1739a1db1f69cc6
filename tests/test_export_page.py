"""AppTest: the three animated lessons offer their animation for slides, in both languages, built only when asked."""

import io
import json

import pytest
from PIL import Image

from cnnviz.grids import teaching_grid
from cnnviz.i18n import LANGUAGES, t
from cnnviz.kernels import named_kernel
from tests.apptest import choose_tab, open_app
from ui import cached
from ui.export_view import slides_key

LESSONS = {"convolution": None, "pooling": None, "channels": "channels.tab_example"}


def animation_frames(at) -> int:
    charts = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return len(next(chart for chart in charts if chart.get("frames"))["frames"])


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("lesson", list(LESSONS))
def test_the_download_buttons_are_there(lesson, lang):
    at = open_app(lang, f"pages/{lesson}.py", timeout=30)
    if LESSONS[lesson]:
        at = choose_tab(at, lesson, t(LESSONS[lesson], lang))
    assert not at.exception
    assert [b.proto.label for b in at.get("download_button")] == ([] if LESSONS[lesson] else [t("export.png", lang, n=1)])
    at.session_state[slides_key(lesson)] = True                   # the popover opened: its GIF button is drawn
    at.run()
    buttons = at.get("download_button")
    assert [button.proto.label for button in buttons] == [t("export.gif", lang), t("export.png", lang, n=1)]
    assert all(button.proto.deferred_file_id and not button.proto.url for button in buttons)    # built on a click
    assert t("export.button", lang) in [popover.proto.popover.label for popover in at.get("popover")]


def test_the_gif_has_the_frames_of_the_lessons_animation():
    at = open_app("en", "pages/convolution.py", timeout=30)
    at.slider(key="stride").set_value(2).run()
    settings = (teaching_grid("random", 7, 7), named_kernel("sobel_x"), 0.0, 2, "valid", 1)
    gif = cached.slides_gif("convolution", settings, "fast", True, "en")
    with Image.open(io.BytesIO(gif)) as picture:
        assert picture.n_frames == animation_frames(at) == 9
