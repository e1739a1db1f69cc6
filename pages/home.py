"""Why CNNs: the pipeline, the three reasons a dense layer falls short, and the weight count."""

import streamlit as st

from cnnviz import arithmetic
from cnnviz.i18n import get_language, t
from ui import cached
from ui.common import lesson_links, show_figure
from ui.lessons import LESSONS
from ui.links import linked
from ui.practice_view import check_yourself
from ui.shell import ensure_app_shell

ensure_app_shell()

SIDE_CHOICES = [28, 32, 64, 96, 128, 224, 256, 512, 1024]

st.title(t("home.title"))
st.markdown(t("home.intro"))
show_figure(cached.pipeline(get_language()), key="pipeline")

st.subheader(t("home.why_title"))
st.markdown("\n".join(f"- {t(f'home.why_{reason}')}" for reason in ("params", "spatial", "shift")))

st.subheader(t("home.compare_title"))
st.caption(t("home.compare_intro"))
left, right = st.columns(2)
with left:
    side = linked(st.select_slider, t("home.image_side"), options=SIDE_CHOICES, value=224, key="side",
                  format_func=lambda s: f"{s}×{s}")
    channel_names = {1: t("home.channels_gray"), 3: t("home.channels_rgb")}
    channels = linked(st.radio, t("home.channels"), list(channel_names), index=1, key="channels", horizontal=True,
                      format_func=channel_names.get)
with right:
    units = linked(st.number_input, t("home.units"), min_value=1, max_value=4096, value=1000, step=100, key="units")
    filters = linked(st.number_input, t("home.filters"), min_value=1, max_value=512, value=64, step=8, key="filters")
    kernel = linked(st.select_slider, t("home.kernel"), options=[1, 3, 5, 7, 11], value=3, key="kernel",
                    format_func=lambda k: f"{k}×{k}")

dense = arithmetic.dense_params_for_image(side, side, channels, units)
conv = arithmetic.conv_params(kernel, channels, filters)
m1, m2 = st.columns(2)
m1.metric(t("home.dense_metric"), f"{dense:,}")
m1.caption(t("home.dense_formula", h=side, w=side, c=channels, units=units))
m2.metric(t("home.conv_metric"), f"{conv:,}")
m2.caption(t("home.conv_formula", k=kernel, c=channels, filters=filters))
st.info(t("home.ratio", ratio=f"{dense / conv:,.0f}"), icon=":material/calculate:")

show_figure(cached.parameter_growth(side, channels, units, filters, kernel, get_language()), key="parameters")

st.subheader(t("home.lessons_title"))
st.caption(t("home.lessons_intro"))
lesson_links(LESSONS, current="home")
check_yourself("home")
