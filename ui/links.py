"""A lesson's settings kept in the page's URL, so that a copied link opens the lesson exactly as it was.

Every setting a lesson offers is made through ``linked(widget, ...)``: the widget's
value is written to the query string under its key as the student changes it, and a
value in the query string is given to the widget when the page opens. Choices are
written as their option (``kernel_preset=sobel_x``), never as the label the student
reads, so a link made in Korean opens in English too. (Streamlit's own
``bind="query-params"`` writes a choice's label, which is in the student's language,
and drops a value it cannot use without a word; hence this module.)

What the URL holds is checked like any input: a value that does not decode to one the
widget offers, a number out of range, a grid that does not parse, keys no lesson knows,
10 kB of junk: each falls back to the lesson's default, and one quiet notice in the
student's language says so. Nothing from the URL is ever shown: the notice names the
settings by their own labels.

A value in the URL is applied when it differs from what this page last wrote there, so
the student's own changes are never undone by the URL they produced, while a link (or
the browser's back button) still opens its setting.
"""

from __future__ import annotations

import functools
import inspect
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import streamlit as st

from cnnviz.i18n import t

RESERVED = {"lang", "present", "embed", "embed_options"}   # kept by the app or Streamlit, not lesson settings
MAX_TEXT = 2000        # a longer value is junk before it is parsed
_STATE = "links"                # session: the lesson's PageLinks


class Unusable(ValueError):
    """A value from the URL that the setting cannot take."""


@dataclass(frozen=True)
class Number:
    low: float | None
    high: float | None
    integer: bool

    def encode(self, value) -> str:
        return str(int(value)) if self.integer else repr(float(value))

    def decode(self, text: str):
        number = float(text)
        if not math.isfinite(number) or (self.low is not None and number < self.low) \
                or (self.high is not None and number > self.high):
            raise Unusable(text)
        if self.integer:
            if number != int(number):
                raise Unusable(text)
            return int(number)
        return number


@dataclass(frozen=True)
class Choice:
    options: tuple
    multi: bool = False

    def encode(self, value) -> str:
        return "~".join(str(option) for option in value) if self.multi else str(value)

    def decode(self, text: str):
        by_text = {str(option): option for option in self.options}
        if not self.multi:
            if text not in by_text:
                raise Unusable(text)
            return by_text[text]
        chosen = [part for part in text.split("~") if part] if text else []
        if any(part not in by_text for part in chosen) or len(set(chosen)) != len(chosen):
            raise Unusable(text)
        return [by_text[part] for part in chosen]


@dataclass(frozen=True)
class Switch:
    def encode(self, value) -> str:
        return "1" if value else "0"

    def decode(self, text: str) -> bool:
        if text not in ("0", "1"):
            raise Unusable(text)
        return text == "1"


@dataclass(frozen=True)
class Grid:
    """A small grid of numbers as ``1_0_-1~2_0_-2~1_0_-1`` (rows split by ~, numbers by _): readable, and
    made only of characters a URL keeps as they are."""
    shape: tuple[int, int]

    def encode(self, grid: np.ndarray) -> str:
        return "~".join("_".join(f"{float(v):g}" for v in row) for row in np.asarray(grid))

    def decode(self, text: str) -> np.ndarray:
        rows = [row.split("_") for row in text.split("~")]
        if len(rows) != self.shape[0] or any(len(row) != self.shape[1] for row in rows):
            raise Unusable(text)
        grid = np.array([[float(v) for v in row] for row in rows])
        if not np.isfinite(grid).all() or np.abs(grid).max(initial=0) > 1e6:
            raise Unusable(text)
        return grid


@dataclass
class PageLinks:
    """What this module keeps for the lesson on screen, in one session entry (one lookup per setting)."""
    page: str
    written: dict = field(default_factory=dict)    # name -> the text last written to, or taken from, the URL
    url: dict = field(default_factory=dict)        # the query string as this run found it, with this run's writes
    used: set = field(default_factory=set)         # names a setting took this run
    refused: list = field(default_factory=list)    # labels of the settings whose value in the URL was unusable


SEED = Number(0, 2**31 - 1, integer=True)     # a random draw's number (new numbers, a redrawn bank)


def start_page(page: str) -> None:
    """Call before a lesson's full run: a new lesson starts with nothing written for it."""
    state = st.session_state.get(_STATE)
    if state is None or state.page != page:
        state = st.session_state[_STATE] = PageLinks(page)
    state.url, state.used, state.refused = st.query_params.to_dict(), set(), []


def finish_page() -> None:
    """Call after a lesson's full run: drop what the URL holds that no setting on the page took (with a
    notice when it came from outside: junk, or a setting of another lesson), and tell of refused values."""
    state = st.session_state[_STATE]
    unknown = 0
    for name in [name for name in state.url if name not in RESERVED and name not in state.used]:
        unknown += name not in state.written
        _write(state, name, None)
    if state.refused or unknown:
        parts = [t("links.refused", names=", ".join(f"“{label}”" for label in state.refused))] if state.refused else []
        parts += [t("links.unknown", count=unknown)] if unknown else []
        st.toast(" ".join(parts), icon=":material/link_off:")


# Material Symbols' "link", inline: no font or request needed.
LINK_ICON = ('<svg aria-hidden="true" viewBox="0 -960 960 960" width="20" height="20" fill="currentColor">'
             '<path d="M440-280H280q-83 0-141.5-58.5T80-480q0-83 58.5-141.5T280-680h160v80H280q-50 0-85 35t-35 85'
             'q0 50 35 85t85 35h160v80ZM320-440v-80h320v80H320Zm200 160v-80h160q50 0 85-35t35-85q0-50-35-85'
             't-85-35H520v-80h160q83 0 141.5 58.5T880-480q0 83-58.5 141.5T680-280H520Z"/></svg>')
_copy_button = st.components.v2.component(
    "cnnviz.copy_link",
    html=f'<button type="button" class="cnnviz-copy-link">{LINK_ICON}<span class="cnnviz-copy-label"></span></button>',
    js=(Path(__file__).parent / "copy_link.js").read_text(),
    isolate_styles=False)


def copy_link_button() -> None:
    """A button that copies the page's address, settings and language included (ui/copy_link.js)."""
    _copy_button(key="copy_link", data={"label": t("links.copy"), "copied": t("links.copied"),
                                        "failed": t("links.copy_failed"), "help": t("links.copy_help")},
                 width="stretch", height="content")


def linked(widget, *args, url: str | None = None, **kwargs):
    """``widget(*args, **kwargs)`` (a Streamlit input with a ``key``) with its value kept in the URL under
    ``url`` (the key when not given: give a fixed name where the key changes with other settings)."""
    state = st.session_state.get(_STATE)
    if state is None:           # a page outside app.py's shell (it reruns at once under the shell)
        return widget(*args, **kwargs)
    arguments = _bind(widget, args, kwargs)
    codec = _codec(widget.__name__, arguments)
    key = arguments["key"]
    name = url or key
    value = _from_url(state, name, codec, arguments["label"])
    if value is not None:
        st.session_state[key] = value
    chosen = widget(*args, **kwargs)
    _write(state, name, None if chosen is None else codec.encode(chosen))
    return chosen


def linked_value(name: str, codec, default, label: str):
    """A setting kept in the session rather than a widget (a random grid's seed), kept in the URL too."""
    state = st.session_state[_STATE]
    value = _from_url(state, name, codec, label)
    if value is not None:
        st.session_state[name] = value
    value = st.session_state.setdefault(name, default)
    _write(state, name, codec.encode(value))
    return value


def linked_tab(key: str, names: list[str], labels: list[str]) -> None:
    """Open the tab the URL names (``tab=<section>``) by putting its label under ``key``, where ``st.tabs``
    reads which one is open."""
    name = _from_url(st.session_state[_STATE], "tab", Choice(tuple(names)), t("links.tab"))
    if name is not None:
        st.session_state[key] = labels[names.index(name)]


def remember_tab(name: str, first: str) -> None:
    """Write the open tab, or nothing when it is the ``first`` (the link then opens on it anyway)."""
    _write(st.session_state[_STATE], "tab", None if name == first else name)


def linked_grid(name: str, start: np.ndarray) -> np.ndarray | None:
    """The grid the URL holds under ``name``, when it has ``start``'s shape (else None)."""
    return _from_url(st.session_state[_STATE], name, Grid(start.shape), t("links.grid"))


def remember_grid(name: str, grid: np.ndarray, start: np.ndarray) -> None:
    """Write the edited grid, or nothing when it is still ``start`` (the link then opens on the preset)."""
    same = grid.shape == start.shape and np.array_equal(grid, start)
    _write(st.session_state[_STATE], name, None if same else Grid(grid.shape).encode(grid))


def _from_url(state: PageLinks, name: str, codec, label: str):
    """The URL's value for ``name`` decoded by ``codec``, or None: absent, already applied, or unusable (then
    recorded, to be told)."""
    state.used.add(name)
    text = state.url.get(name)
    if text is None or text == state.written.get(name):
        return None
    state.written[name] = text
    try:
        if len(text) > MAX_TEXT:
            raise Unusable(text[:20])
        return codec.decode(text)
    except (Unusable, ValueError, OverflowError):
        state.refused.append(label)
        return None


def _write(state: PageLinks, name: str, text: str | None) -> None:
    """Put ``text`` in the URL under ``name`` (None: take it out), only when it changes."""
    if text is None:
        state.written.pop(name, None)
        if state.url.pop(name, None) is not None:
            del st.query_params[name]
        return
    state.written[name] = text
    if state.url.get(name) != text:
        state.url[name] = text
        st.query_params[name] = text


@functools.cache
def _signature(function) -> inspect.Signature:
    return inspect.signature(function)


def _bind(widget, args, kwargs) -> dict:
    """The widget's arguments by name, with its defaults filled in."""
    bound = _signature(getattr(widget, "__func__", widget)).bind(None, *args, **kwargs)
    bound.apply_defaults()
    return bound.arguments


CHOICES = {"selectbox", "radio", "select_slider", "segmented_control", "pills", "multiselect"}


def _codec(kind: str, arguments: dict):
    """How a widget of ``kind`` made with ``arguments`` writes its value, read from the same arguments."""
    if kind in CHOICES:
        multi = kind == "multiselect" or arguments.get("selection_mode") == "multi"
        return Choice(tuple(arguments["options"]), multi)
    if kind in ("toggle", "checkbox"):
        return Switch()
    if kind in ("slider", "number_input"):
        low, high, value = arguments["min_value"], arguments["max_value"], arguments["value"]
        sample = next(v for v in (value, low, high, arguments.get("step")) if isinstance(v, (int, float)))
        return Number(low, high, isinstance(sample, int) and not isinstance(sample, bool))
    raise TypeError(f"st.{kind} cannot be kept in a link")
