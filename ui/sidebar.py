"""The sidebar's device badge."""

from __future__ import annotations

import streamlit as st

from cnnviz import device
from cnnviz.i18n import t
from ui.caching import shared


@shared(max_entries=1)
def _device_name() -> str:
    return device.describe(device.choose_device())


def device_badge() -> None:
    name = _device_name()
    icon = ":material/memory:" if name == "CPU" else ":material/bolt:"
    st.badge(f"{t('app.device')}: {name}", icon=icon, color="gray" if name == "CPU" else "green",
             help=t("app.device_help"))
