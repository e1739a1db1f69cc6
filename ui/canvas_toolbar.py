"""The drawing canvas's toolbar in the page's language.

streamlit-drawable-canvas 0.13 names its toolbar buttons (undo, redo, clear...) in English,
inside a shadow root that the app's CSS cannot reach, and has no option to rename or hide
them. A small component of our own (canvas_toolbar.js) renames them from the catalog; the
buttons and what they do stay the canvas's own.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from cnnviz.i18n import t

# The canvas's own English button titles, and the catalog key that names each one.
BUTTONS = {
    "Update the app with this drawing": "canvas.send",
    "Undo": "canvas.undo",
    "Redo": "canvas.redo",
    "Edit": "canvas.edit",
    "Bring forward": "canvas.bring_forward",
    "Send backward": "canvas.send_backward",
    "Delete selected": "canvas.delete_selected",
    "Reset canvas & history": "canvas.reset",
}
KEY = "canvas_toolbar_labels"      # ui/style.css hides its (empty) element

_relabel = st.components.v2.component("cnnviz.canvas_toolbar_labels",
                                      js=(Path(__file__).parent / "canvas_toolbar.js").read_text(),
                                      isolate_styles=False)


def translate_canvas_toolbar() -> None:
    """Name every drawing canvas's toolbar buttons on this page in the current language."""
    _relabel(key=KEY, data={"labels": {english: t(key) for english, key in BUTTONS.items()}},
             width="content", height="content")
