"""Data augmentation: random transforms previewed on one's own picture, their gain measured, and their rules."""

import streamlit as st

from cnnviz.i18n import t
from ui.augmentation_views import flips_section, measured_section, preview_section, test_set_section
from ui.lesson_tabs import section_tabs
from ui.shell import ensure_app_shell

ensure_app_shell()

st.title(t("augmentation.title"))
st.markdown(t("augmentation.intro"))
section_tabs("augmentation", "augmentation.tab_", {"preview": preview_section, "measured": measured_section,
                                                   "test_set": test_set_section, "flips": flips_section})
