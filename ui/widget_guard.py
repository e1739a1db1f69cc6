"""Widget values that no browser would send are refused where Streamlit reads them, before a lesson runs.

A client can send any value for any widget over the websocket: NaN to a whole-number
input, a list to a select box, edits to rows and columns a table does not have, a
paste of 10,000 rows. Streamlit decodes these values, and applies a data editor's
edits, itself: partly before the page's code runs, partly inside the widget call.
A value it could not decode raised there, and again at the start of every later run
of that session (broken until a reload); pasted rows cost ~10 ms each, on every rerun.
Streamlit has no hook for checking incoming values, so ``install_widget_guard()`` wraps the three
places that read them. This module is the only one that touches Streamlit's
internals for it; tests/test_widget_guard.py fails if Streamlit moves them.

- ``WStates.__getitem__`` decodes a stored value with the widget's own decoder. A value
  that does not decode, or does not encode again as the widget's type, becomes the
  widget's default.
- ``DataEditorSerde.deserialize`` reads a data editor's edits (JSON). Edits that are not
  JSON, or not an object of edits, become ``REFUSED`` rather than an exception.
- ``data_editor._apply_dataframe_edits`` applies them. Every editor in cnnviz has a fixed
  shape, so only edits of existing cells, with plain values, are applied; anything else
  (``REFUSED``, added or deleted rows, a row or column the table does not have) raises
  ``InvalidInput`` before a single row is touched, for the page to show (ui/grid_editor.py).
"""

from __future__ import annotations

import json
import logging
from copy import deepcopy

from streamlit.elements.lib.column_config_utils import INDEX_IDENTIFIER
from streamlit.elements.widgets import data_editor
from streamlit.runtime.state.session_state import Serialized, Value, WStates

from cnnviz.errors import InvalidInput

_LOGGER = logging.getLogger(__name__)
REFUSED = {"edited_rows": {}, "added_rows": [], "deleted_rows": [], "refused": True}
_PLAIN = (str, int, float, bool, type(None))
# Custom components (the drawing canvas, the copy-link button) declare JSON but may send Arrow tables or bytes,
# which their decoder hands over as they came: what they hold is the component's own business. JSON must parse,
# and no other kind of value is a component's.
_ANY_SHAPE = {"json_value"}
_COMPONENT_FIELDS = {"json_value", "arrow_value", "bytes_value"}

_streamlit_decode = WStates.__getitem__
_streamlit_edits = data_editor.DataEditorSerde.deserialize
_streamlit_apply = data_editor._apply_dataframe_edits


def install_widget_guard() -> None:
    """Put the checks in place, once per process (calling again changes nothing)."""
    WStates.__getitem__ = _decoded_or_default
    data_editor.DataEditorSerde.deserialize = _edits_or_refused
    data_editor._apply_dataframe_edits = _apply_fitting_edits


def _decoded_or_default(states: WStates, widget_id: str):
    """The widget's value, or its default when what the client sent does not decode with the widget's own
    decoder, or does not encode again: both as the type it arrived as (Streamlit adopts that type and
    encodes the value in it later) and as the type the widget declares (what its own code expects). An
    open-or-closed state must also be a bool: a float is no expander's state."""
    stored, metadata = states.states.get(widget_id), states.widget_metadata.get(widget_id)
    if not isinstance(stored, Serialized) or metadata is None:
        return _streamlit_decode(states, widget_id)
    try:
        if metadata.value_type in _ANY_SHAPE:      # refused here, before Streamlit logs a traceback for it
            sent = stored.value.WhichOneof("value")
            if sent not in _COMPONENT_FIELDS:
                raise TypeError(f"{sent} for a component")
            if sent == "json_value":
                json.loads(stored.value.json_value)
        value = _streamlit_decode(states, widget_id)
        if metadata.value_type not in _ANY_SHAPE:
            states.get_serialized(widget_id)
            WStates({widget_id: Value(value)}, {widget_id: metadata}).get_serialized(widget_id)
        if metadata.value_type == "bool_value" and not isinstance(value, bool):
            raise TypeError(f"{type(value).__name__} for a bool")   # expanders pass on what came; bool() encodes it
        return value
    except Exception as error:
        _LOGGER.warning("Refused a value for widget %s (%s: %s); it is back to its default",
                        widget_id, type(error).__name__, error)
        default = deepcopy(metadata.deserializer(None))
        states.widget_metadata[widget_id] = metadata    # decoding took the value's type from the client
        states.states[widget_id] = Value(default)       # replaced in place: callers may be iterating the dict
        return default


def _edits_or_refused(serde, ui_value: str | None):
    """Streamlit's reading of a data editor's JSON edits, or ``REFUSED`` when they are not edits at all."""
    try:
        return _streamlit_edits(serde, ui_value)
    except (ValueError, TypeError, AttributeError):
        return data_editor.DataEditorState(deepcopy(REFUSED))


def _apply_fitting_edits(table, edits, schema):
    """Streamlit's application of ``edits`` to ``table``, once they are known to change only its cells."""
    if not edits_fit(table, edits):
        raise InvalidInput("errors.edits_refused")
    return _streamlit_apply(table, edits, schema)


def edits_fit(table, edits) -> bool:
    """Whether ``edits`` only set existing cells of ``table`` to plain values (no rows added or deleted)."""
    edited = edits.get("edited_rows")
    if edits.get("refused") or edits.get("added_rows") or edits.get("deleted_rows") or not isinstance(edited, dict):
        return False
    columns = set(table.columns) | {INDEX_IDENTIFIER}
    return all(isinstance(row, int) and 0 <= row < len(table) and isinstance(cells, dict)
               and all(column in columns and isinstance(value, _PLAIN) for column, value in cells.items())
               for row, cells in edited.items())
