"""Make sure a lesson always runs inside app.py's shell (navigation, sidebar, language)."""

import base64
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

# The tab's icon as a data URL, read once per process: given a file path, Streamlit reads and
# decodes the file again on every rerun of every page. A data URL is sent as it is, and the
# browser fetches nothing for it.
PAGE_ICON = "data:image/png;base64," + base64.b64encode(
    (Path(__file__).resolve().parents[1] / "assets" / "icon.png").read_bytes()).decode()


def ensure_app_shell() -> None:
    """Call first in every page.

    Because the lessons live in a folder named ``pages/``, a fresh server whose
    first visitor opens a deep link (``/convolution``) runs that page file alone,
    in Streamlit's legacy folder mode, without app.py. Switching that mode off
    (what ``st.navigation`` itself does) and rerunning lets app.py route the
    same URL with its menu, sidebar and language.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
