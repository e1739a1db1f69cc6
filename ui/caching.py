"""``st.cache_resource`` for results shared by every session, called by keyword."""

from __future__ import annotations

import functools
import inspect

import streamlit as st


def shared(**options):
    """``st.cache_resource(show_spinner=False, **options)`` whose calls pass every argument by keyword.

    Streamlit looks up the name of each positional argument (to leave out the
    underscore ones) with ``inspect.signature``, on every call: a lookup with six
    positional arguments cost 0.6 ms, by keyword 0.25 ms, and a lesson makes
    several per rerun. The names are read here once instead.
    """
    def decorate(func):
        cached = st.cache_resource(show_spinner=False, **options)(func)
        names = list(inspect.signature(func).parameters)

        @functools.wraps(func)
        def by_keyword(*args, **kwargs):
            return cached(**dict(zip(names, args)), **kwargs)

        return by_keyword

    return decorate
