"""An editable grid of numbers (inputs and kernels of the step-by-step lessons)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from cnnviz.i18n import t


def edit_grid(values: np.ndarray, key: str, step: float = 1.0) -> np.ndarray:
    """Show ``values`` in a data editor and return what the student typed.

    The key should change with the grid's shape and preset, so a new preset
    starts from its own values. Emptied cells count as 0, with a note.
    """
    frame = pd.DataFrame(values, columns=[str(c) for c in range(values.shape[1])])
    config = {str(c): st.column_config.NumberColumn(str(c), step=step, format="%g", width="small")
              for c in range(values.shape[1])}
    edited = st.data_editor(frame, key=key, column_config=config, num_rows="fixed", hide_index=False)
    grid = edited.to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(grid).any():
        st.caption(t("errors.not_a_number"))
        grid = np.nan_to_num(grid)
    return grid
