"""The browser bench's floor: a title, one slider and one small Plotly chart that follows it."""

import streamlit as st

st.title("trivial")
value = st.slider("value", 0, 10, 5, key="value")
st.plotly_chart({"data": [{"type": "bar", "x": ["value", "rest"], "y": [value, 10 - value]}],
                 "layout": {"height": 240, "margin": {"t": 10, "b": 30, "l": 30, "r": 10}}},
                config={"displaylogo": False})
