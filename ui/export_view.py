"""Downloads for slides: a lesson's animation as a GIF, one step of it as a PNG.

Nothing is drawn until a button is pressed: the buttons hand Streamlit a function
(deferred data), so a rerun costs only the widgets, and a GIF is built once per
setting for the whole class (``ui.cached.slides_gif``).
"""

from __future__ import annotations

import streamlit as st

from cnnviz.animation import SPEEDS
from cnnviz.i18n import get_language, t
from ui import cached


def slides_key(lesson: str) -> str:
    """Where the session keeps whether ``lesson``'s "Download for slides" popover is open."""
    return f"{lesson}_slides"


def slides_download(lesson: str, settings: tuple, steps: int | None = None) -> None:
    """A "Download for slides" popover under ``lesson``'s animation (``settings``: the arguments of its entry in
    ``cached.FRAMES``): the speed, whether the finished output stays up, the GIF; with ``steps`` (the lesson has
    no step slider of its own), also a step to download as a PNG. Its content is drawn only while it is open."""
    lang = get_language()
    speeds = {name: t(f"export.speed_{name}") for name in SPEEDS}
    with (drawer := st.popover(t("export.button"), icon=":material/slideshow:", help=t("export.help"),
                               key=slides_key(lesson), on_change="rerun")):
        if not drawer.open:
            return
        speed = st.radio(t("export.speed"), list(speeds), index=1, format_func=speeds.get, horizontal=True,
                         key=f"{lesson}_gif_speed")
        hold = st.checkbox(t("export.hold"), value=True, key=f"{lesson}_gif_hold", help=t("export.hold_help"))
        st.download_button(t("export.gif"), lambda: cached.slides_gif(lesson, settings, speed, hold, lang),
                           file_name=f"cnnviz-{lesson}-animation.gif", mime="image/gif", on_click="ignore",
                           icon=":material/gif_box:", key=f"{lesson}_gif")
        st.caption(t("export.gif_note"))
        if steps is not None:
            number = st.number_input(t("export.step"), 1, steps, 1, key=f"{lesson}_png_step") if steps > 1 else 1
            step_png(lesson, settings, number)


def step_png(lesson: str, settings: tuple, number: int) -> None:
    """A button that downloads step ``number`` (from 1) of the animation as a PNG, drawn as the GIF's frame."""
    lang = get_language()
    st.download_button(t("export.png", n=number), lambda: cached.slides_png(lesson, settings, number, lang),
                       file_name=f"cnnviz-{lesson}-step-{number:03d}.png", mime="image/png", on_click="ignore",
                       icon=":material/image:", key=f"{lesson}_png")
