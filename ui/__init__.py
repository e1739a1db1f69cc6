"""Streamlit glue shared by the pages: navigation, sidebar, error display.

Only this package and the pages import streamlit; the numbers and figures
come from ``cnnviz``.
"""
