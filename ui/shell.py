"""The app's shell: the lesson menu, and making sure a lesson always runs inside it (menu, sidebar, language)."""

import base64
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.pages_manager import PagesManager

from cnnviz.i18n import get_language, t
from ui.lessons import LESSONS

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


def lesson_menu() -> dict[str, list[StreamlitPage]]:
    """The lessons as ``st.navigation``'s sections of pages."""
    pages = _lesson_pages()
    sections: dict[str, list[StreamlitPage]] = {}
    for lesson in LESSONS:
        sections.setdefault(t(lesson.section), []).append(pages[lesson.name])
    return sections


def lesson_page(name: str) -> StreamlitPage:
    """The menu's page for the lesson ``name`` (to link to it)."""
    return _lesson_pages()[name]


def _lesson_pages() -> dict[str, StreamlitPage]:
    """The lessons' pages by name, made once per session and language.

    Making a page resolves and hashes its file (0.1-0.2 ms each, nine a rerun). The
    objects are kept in the session rather than the process because navigation
    marks them (which one may run) on every run, and a session's runs never
    overlap.
    """
    key = f"lesson_pages_{get_language()}"
    if key not in st.session_state:
        st.session_state[key] = {lesson.name: st.Page(lesson.path, title=t(f"nav.{lesson.name}"), icon=lesson.icon,
                                                      default=index == 0)
                                 for index, lesson in enumerate(LESSONS)}
    return st.session_state[key]
