"""The great architectures, read from real modules: LeNet-5, AlexNet, VGG-16, ResNet-18/50, and why residual
connections work."""

import streamlit as st

from cnnviz.i18n import t
from ui.architecture_views import alexnet_section, compare_section, network_section
from ui.lesson_tabs import section_tabs
from ui.residual_view import residual_section
from ui.practice_view import check_yourself
from ui.shell import ensure_app_shell

ensure_app_shell()

st.title(t("architectures.title"))
st.markdown(t("architectures.intro"))
section_tabs("architectures", "architectures.tab_", {"network": network_section, "compare": compare_section,
                                                      "residual": residual_section, "alexnet": alexnet_section})
check_yourself("architectures")
