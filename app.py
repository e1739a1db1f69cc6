"""cnnviz entry point: page config, the language, the lesson menu and the shared sidebar."""

import streamlit as st

from cnnviz.i18n import t
from ui import links
from ui.common import language_selector, page_guard, resolve_language
from ui.shell import PAGE_ICON, lesson_menu
from ui.sidebar import device_badge
from ui.style import apply_style
from ui.widget_guard import install_widget_guard

install_widget_guard()       # before any widget of this run reads what the client sent
st.set_page_config(page_title="cnnviz", page_icon=PAGE_ICON, layout="wide")
apply_style(resolve_language())

current = st.navigation(lesson_menu())

with page_guard():
    with st.sidebar:        # the language first: at the foot of a phone's screen its list would have no room to open
        language_selector()
        links.copy_link_button()
        device_badge()
        st.caption(t("app.tagline"))
    links.start_page(current.url_path)
    current.run()
    links.finish_page()
