"""cnnviz entry point: page config, the language, the lesson menu and the shared sidebar."""

import streamlit as st

from cnnviz.i18n import t
from ui.common import language_selector, resolve_language
from ui.lessons import LESSONS
from ui.shell import PAGE_ICON
from ui.sidebar import device_badge

st.set_page_config(page_title="cnnviz", page_icon=PAGE_ICON, layout="wide")
resolve_language()

sections: dict[str, list] = {}
for index, lesson in enumerate(LESSONS):
    page = st.Page(lesson.path, title=t(f"nav.{lesson.name}"), icon=lesson.icon, default=index == 0)
    sections.setdefault(t(lesson.section), []).append(page)
current = st.navigation(sections)

with st.sidebar:
    st.caption(t("app.tagline"))
    language_selector()
    device_badge()

current.run()
