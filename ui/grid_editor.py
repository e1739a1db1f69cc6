"""Editable grids of numbers and small tables, drawn only while the student has them open."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from cnnviz.errors import InvalidInput
from cnnviz.i18n import t
from ui import links


def editor_section(label: str, key: str, expanded: bool = False, icon: str | None = None):
    """An expander whose content runs only while it is open (``.open``): what an edited grid sits in.

    A data editor costs a few milliseconds on every rerun (the grid goes through
    pandas and Arrow), a fifth of the sliding-window lesson's rerun, and most
    students never open it.
    """
    return st.expander(label, expanded=expanded, key=key, icon=icon, on_change="rerun")


def edit_grid(values: np.ndarray, key: str, editing: bool, step: float = 1.0, url: str | None = None) -> np.ndarray:
    """The grid the student typed over ``values``, with a data editor drawn while ``editing``.

    The key should change with the grid's shape and preset, so a new preset
    starts from its own values. Emptied cells count as 0, with a note. With
    ``url``, an edited grid is kept in the page's link under that name.
    """
    if url is not None:
        if (linked := links.linked_grid(url, values)) is not None:
            st.session_state[f"{key}:kept"] = linked
        grid = edit_grid(values, key, editing, step)
        links.remember_grid(url, grid, values)
        return grid

    def draw(start: np.ndarray) -> np.ndarray:
        frame = pd.DataFrame(start, columns=[str(c) for c in range(start.shape[1])])
        config = {str(c): st.column_config.NumberColumn(str(c), step=step, format="%g", width="small")
                  for c in range(start.shape[1])}
        edited = _fixed_editor(frame, f"{key}:editor", column_config=config, hide_index=False)
        grid = edited.to_numpy(dtype=float, na_value=np.nan)
        if np.isnan(grid).any():
            st.caption(t("errors.not_a_number"))
            grid = np.nan_to_num(grid)
        return grid

    return _kept_edits(key, values, editing, draw)


def edit_table(start: pd.DataFrame, key: str, editing: bool, url: str | None = None, numbers: list[str] = (),
               **editor_options) -> pd.DataFrame:
    """The table the student typed over ``start``, with a data editor (``editor_options``) drawn while ``editing``.
    With ``url``, the columns named in ``numbers`` are kept in the page's link under that name."""
    if url is not None:
        columns = list(numbers)
        if (linked := links.linked_grid(url, start[columns].to_numpy(dtype=float))) is not None:
            st.session_state[f"{key}:kept"] = start.assign(**dict(zip(columns, linked.T)))
        table = edit_table(start, key, editing, **editor_options)
        grid = table[columns].apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy(dtype=float)
        links.remember_grid(url, grid, start[columns].to_numpy(dtype=float))
        return table
    return _kept_edits(key, start, editing, lambda table: _fixed_editor(table, f"{key}:editor", **editor_options))


def _fixed_editor(start: pd.DataFrame, key: str, **editor_options) -> pd.DataFrame:
    """``st.data_editor`` over ``start`` in which only the cells can change: no row is added or deleted.

    A pasted or forged table of thousands of rows would cost Streamlit ~10 ms a row on
    every rerun. Edits that do not fit ``start`` are refused before they are applied
    (ui/widget_guard.py); the student reads why, and the editor starts again from
    ``start`` on the next rerun.
    """
    try:
        return st.data_editor(start, key=key, num_rows="fixed", **editor_options)
    except InvalidInput as refused:
        st.warning(refused.localized(), icon=":material/block:")
        st.session_state.pop(key, None)
        return start


def _kept_edits(key: str, start, editing: bool, draw):
    """``start`` as the student last edited it, and ``draw(value)`` (an editor over it) while ``editing``.

    The edited value is kept in the session (a small grid or table), so closing
    the editor keeps it and opening it again shows it. While it is open the
    editor is handed the same value on every rerun: its edits are relative to it.
    """
    kept, opened_on = f"{key}:kept", f"{key}:opened_on"
    value = st.session_state.get(kept, start)
    if not editing:
        st.session_state.pop(opened_on, None)
        return value
    value = draw(st.session_state.setdefault(opened_on, value))
    st.session_state[kept] = value
    return value
