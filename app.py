"""cnnviz entry point: page config, the language, presenter mode, the lesson menu and the shared sidebar."""

import streamlit as st

from cnnviz.i18n import t
from ui import links
from ui.common import (language_selector, page_guard, presenter_exit, presenter_toggle, resolve_language,
                       resolve_presenter)
from ui.shell import PAGE_ICON, lesson_menu
from ui.sidebar import device_badge
from ui.style import apply_style
from ui.widget_guard import install_widget_guard

install_widget_guard()       # before any widget of this run reads what the client sent
presenting = resolve_presenter()
# Sent on every run: the browser applies a change (the switch, a link), closing or opening the sidebar, unless the
# visitor has opened or closed it by hand in this browser (Streamlit remembers that, and it wins).
st.set_page_config(page_title="cnnviz", page_icon=PAGE_ICON, layout="wide",
                   initial_sidebar_state="collapsed" if presenting else "auto")
apply_style(resolve_language(), presenting)

current = st.navigation(lesson_menu())

with page_guard():
    with st.sidebar:        # the language first: at the foot of a phone's screen its list would have no room to open
        language_selector()
        presenter_toggle()
        links.copy_link_button()
        device_badge()
        st.caption(t("app.tagline"))
    presenter_exit()
    links.start_page(current.url_path)
    current.run()
    links.finish_page()
