"""A lesson's sections as tabs, of which only the open one runs."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from cnnviz import i18n
from cnnviz.i18n import t
from ui import links


def tabs_key(lesson: str) -> str:
    """Where the open tab's label lives in the session (the benchmark opens each tab through it)."""
    return f"{lesson}_tab"


def section_tabs(lesson: str, label_prefix: str, sections: dict[str, Callable[[], None]]) -> None:
    """Draw the tabs ``sections`` names (labels ``label_prefix + name``) and run the open one.

    Streamlit draws every tab's content on every rerun unless the tabs track which
    one is open (``on_change="rerun"``): then choosing another tab reruns the page,
    and a rerun pays for one section's elements instead of all of them (each
    element costs Streamlit a fraction of a millisecond, and a lesson has dozens).

    The open tab survives a change of language: the label kept in the session is
    in the old language, which ``st.tabs`` would not recognise (it would fall back
    to the first tab), so it is translated first.
    """
    key, names = tabs_key(lesson), list(sections)
    labels = [t(label_prefix + name) for name in names]
    kept = st.session_state.get(key)
    if kept is not None and kept not in labels:
        for lang in i18n.LANGUAGES:
            earlier = [t(label_prefix + name, lang) for name in names]
            if kept in earlier:
                st.session_state[key] = labels[earlier.index(kept)]
                break
    links.linked_tab(key, names, labels)
    tabs = st.tabs(labels, key=key, on_change="rerun")
    name, tab = next((name, tab) for name, tab in zip(names, tabs) if tab.open)
    links.remember_tab(name, names[0])
    with tab:
        sections[name]()
