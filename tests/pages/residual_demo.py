"""The residual-connections section alone, laid out and styled as in the app, with ``?lang=`` as in the app:
for its AppTest and for looking at it in a browser until the lesson that holds it exists. Not one of the
app's pages (ui/lessons.py does not list it)."""

import streamlit as st

from ui.common import resolve_language
from ui.residual_view import residual_section
from ui.style import apply_style

st.set_page_config(page_title="cnnviz", layout="wide")
apply_style(resolve_language())
residual_section()
