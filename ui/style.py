"""The app's own CSS, sent on every run from app.py (a style-only ``st.html`` takes no room on the page)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

_HERE = Path(__file__).parent
_CSS = {lang: "<style>" + "".join((_HERE / name).read_text() for name in files) + "</style>"
        for lang, files in {"en": ["style.css"], "ko": ["style.css", "style_ko.css"]}.items()}


def apply_style(lang: str) -> None:
    """The shared rules, plus the Korean line-breaking rules on Korean pages."""
    st.html(_CSS.get(lang, _CSS["en"]))
