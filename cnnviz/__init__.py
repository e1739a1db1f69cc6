"""cnnviz: the convolution arithmetic, traces and figures behind the lessons.

The package never imports streamlit, so every number a page shows can be
computed and tested with plain Python.
"""
