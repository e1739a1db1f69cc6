"""An editable grid of numbers (inputs and kernels of the step-by-step lessons)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from cnnviz.i18n import t


def editor_section(label: str, key: str, expanded: bool = False):
    """An expander whose content runs only while it is open (``.open``): what an edited grid sits in.

    A data editor costs a few milliseconds on every rerun (the grid goes through
    pandas and Arrow), a fifth of the sliding-window lesson's rerun, and most
    students never open it.
    """
    return st.expander(label, expanded=expanded, key=key, on_change="rerun")


def edit_grid(values: np.ndarray, key: str, editing: bool, step: float = 1.0) -> np.ndarray:
    """The grid the student typed over ``values``, with a data editor drawn while ``editing``.

    The key should change with the grid's shape and preset, so a new preset
    starts from its own values. The student's numbers are kept in the session
    (a grid of at most 16x16), so closing the editor keeps them and opening it
    again shows them. Emptied cells count as 0, with a note.
    """
    kept, opened_on = f"{key}:grid", f"{key}:opened_on"
    grid = st.session_state.get(kept, values)
    if not editing:
        st.session_state.pop(opened_on, None)
        return grid
    # While it is open the editor is handed the same grid on every rerun: its edits are relative to it.
    start = st.session_state.setdefault(opened_on, grid)
    frame = pd.DataFrame(start, columns=[str(c) for c in range(start.shape[1])])
    config = {str(c): st.column_config.NumberColumn(str(c), step=step, format="%g", width="small")
              for c in range(start.shape[1])}
    edited = st.data_editor(frame, key=f"{key}:editor", column_config=config, num_rows="fixed", hide_index=False)
    grid = edited.to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(grid).any():
        st.caption(t("errors.not_a_number"))
        grid = np.nan_to_num(grid)
    st.session_state[kept] = grid
    return grid
