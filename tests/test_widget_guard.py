"""Widget values no browser would send are refused where Streamlit reads them (ui/widget_guard.py).

AppTest sends only values its own widgets can hold, so ``forge`` adds what a hostile
client sends over the websocket to the states of a normal rerun.
"""

import ast
import inspect
import json
import math
from pathlib import Path

import pandas as pd
import pytest
from streamlit.elements.widgets import data_editor
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.runtime.state.session_state import SessionState, WStates

from cnnviz.i18n import LANGUAGES, t
from tests.apptest import choose_tab, open_app
from ui import widget_guard

ROOT = Path(__file__).resolve().parents[1]


def forge(at, widget_id: str, **value):
    """Rerun ``at`` as a client would that sends ``value`` for the widget ``widget_id``."""
    states = at._tree.get_widget_states()
    states.widgets.append(WidgetState(id=widget_id, **value))
    return at._run(states)


# ---- where the guard waits in Streamlit

def test_streamlit_still_reads_widget_values_where_the_guard_waits():
    """The guard wraps three of Streamlit's internals: this fails when a new Streamlit renames or bypasses them."""
    assert list(inspect.signature(widget_guard._streamlit_decode).parameters) == ["self", "k"]
    assert list(inspect.signature(widget_guard._streamlit_edits).parameters) == ["self", "ui_value"]
    assert list(inspect.signature(widget_guard._streamlit_apply).parameters) == [
        "df", "data_editor_state", "dataframe_schema"]
    editor = inspect.getsource(data_editor.DataEditorMixin.data_editor)
    assert "deserializer=serde.deserialize" in editor and "_apply_dataframe_edits(data_df" in editor
    assert "self._new_widget_state.get(" in inspect.getsource(SessionState._widget_changed)
    widget_guard.install_widget_guard()
    assert WStates.__getitem__ is widget_guard._decoded_or_default
    assert data_editor.DataEditorSerde.deserialize is widget_guard._edits_or_refused
    assert data_editor._apply_dataframe_edits is widget_guard._apply_fitting_edits


def test_every_data_editor_has_a_fixed_shape():
    """Only ui/grid_editor.py draws data editors, and it fixes their rows: the guard refuses added rows."""
    for path in [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr == "data_editor":
                assert path.name == "grid_editor.py", path
    source = (ROOT / "ui" / "grid_editor.py").read_text()
    assert source.count("st.data_editor(") == 1 and 'num_rows="fixed"' in source


# ---- forged values for ordinary widgets

@pytest.mark.parametrize("value", [{"double_value": math.nan}, {"double_value": math.inf},
                                   {"string_value": "32"}, {"double_array_value": {"data": [1, 2]}}],
                         ids=["nan", "inf", "text", "list"])
def test_a_whole_number_input_goes_back_to_its_default_and_the_session_goes_on(value):
    at = choose_tab(open_app("en", "pages/conv_arithmetic.py"), "conv_arithmetic", t("arithmetic.tab_calculator", "en"))
    height = at.number_input(key="calc_height")
    height.set_value(40).run()
    forge(at, height.id, **value)
    assert not at.exception
    assert at.number_input(key="calc_height").value == 32                  # the widget's default
    at.number_input(key="calc_height").set_value(48).run()                 # and the next rerun works
    assert not at.exception and at.number_input(key="calc_height").value == 48


@pytest.mark.parametrize("value", [{"json_value": "{"}, {"json_value": ""}, {"string_value": "x"}, {"double_value": 1.0}],
                         ids=["broken-json", "empty", "text", "number"])
def test_a_components_state_that_is_not_json_is_refused_before_streamlit_reads_it(value, caplog):
    """The copy-link button is a component: Streamlit would log a traceback for a state that does not parse."""
    at = open_app("en", "pages/home.py")
    button = next(node.proto.id for node in at._tree if getattr(getattr(node, "proto", None), "id", "").endswith(
        "-copy_link"))
    forge(at, button, **value)
    assert not at.exception
    assert "Failed to deserialize component state" not in caplog.text and "Refused a value" in caplog.text
    at.run()
    assert not at.exception


@pytest.mark.parametrize("page, key, value", [
    ("pages/home.py", "side", {"double_array_value": {"data": [math.nan]}}),
    ("pages/home.py", "side", {"string_value": "224"}), ("pages/home.py", "channels", {"double_value": 1e308}),
    ("pages/home.py", "units", {"string_array_value": {"data": ["x"]}}),
    ("pages/convolution.py", "edit_input", {"double_value": 0.5})],
    ids=["choice-slider-nan", "choice-slider-text", "radio-number", "number-list", "expander-number"])
def test_a_value_of_the_wrong_type_puts_the_widget_back_to_its_default(page, key, value):
    at = open_app("en", page)
    default = at.session_state[key]
    forge(at, next(node for node in at._tree if getattr(node, "key", None) == key).proto.id, **value)
    assert not at.exception and at.session_state[key] == default
    at.run()
    assert not at.exception


def test_a_forged_language_choice_leaves_every_later_run_working():
    """The value that broke a session until a reload: a list of NaN sent to the sidebar's select box."""
    at = open_app("ko", "pages/pooling.py")
    forge(at, at.selectbox(key="language_picker_ko").id, double_array_value={"data": [math.nan]})
    assert not at.exception
    at.run()
    assert not at.exception and at.title[0].value == t("pooling.title", "ko")


# ---- forged edits for the data editors

ROWS = 10_000


def softmax_editor(lang: str):
    at = choose_tab(open_app(lang, "pages/activations.py"), "activations", t("activations.tab_softmax", lang))
    at.session_state["softmax_edit"] = True
    return at.run()


def probabilities_table(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("| "))


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("edits", [
    "{", "null", '{"edited_rows": {"999": {"0": 1}}}', '{"edited_rows": {"0": {"99": 1}}}',
    '{"edited_rows": {"0": {"Logit z": 1}}}', '{"edited_rows": {"x": {}}}', '{"edited_rows": {"0": {"0": [1]}}}',
    '{"deleted_rows": [0]}', json.dumps({"added_rows": [{"0": 1}] * ROWS})],
    ids=["not-json", "null", "row-999", "column-99", "unknown-column", "row-name", "list-value", "deleted-row",
         "10000-added-rows"])
def test_edits_that_do_not_fit_the_table_are_refused_with_a_sentence(lang, edits):
    at = softmax_editor(lang)
    before = probabilities_table(at)
    forge(at, at.dataframe[0].proto.id, string_value=edits)
    assert not at.exception
    assert [w.value for w in at.warning] == [t("errors.edits_refused", lang)]
    assert probabilities_table(at) == before
    at.run()                                                    # the editor starts again from the table
    assert not at.exception and not at.warning and len(at.dataframe) == 1


def test_edits_that_fit_are_applied():
    at = softmax_editor("en")
    forge(at, at.dataframe[0].proto.id, string_value=json.dumps({"edited_rows": {"0": {t("activations.logit", "en"): -3}}}))
    assert not at.exception and not at.warning
    assert "| -3.000 |" in probabilities_table(at)


def test_which_edits_fit():
    table = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]})
    fits = lambda edits: widget_guard.edits_fit(table, {"edited_rows": {}, "added_rows": [], "deleted_rows": [],
                                                        **edits})
    assert fits({}) and fits({"edited_rows": {1: {"a": 3.5, "b": None}, 0: {"_index": 7}}})
    assert not fits({"edited_rows": {2: {"a": 1}}}) and not fits({"edited_rows": {-1: {"a": 1}}})
    assert not fits({"edited_rows": {0: {"c": 1}}}) and not fits({"edited_rows": {0: {"a": {"x": 1}}}})
    assert not fits({"added_rows": [{"a": 1}]}) and not fits({"deleted_rows": [0]})
    assert not fits(widget_guard.REFUSED) and not fits({"edited_rows": [1]})
