"""An error no lesson expected is one sentence in the user's language, never Streamlit's error box.

Streamlit's box for an uncaught exception is in English and links to outside sites ("Ask Google",
"Ask ChatGPT") whatever ``client.showErrorDetails`` says. The page guard (ui/common.py) catches
the error before it gets there, and logs it for whoever runs the app.
"""

import logging

import pytest

from cnnviz.i18n import LANGUAGES, t
from tests.apptest import open_app
from ui import cached


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_an_unexpected_error_is_one_sentence_with_no_outside_link(lang, monkeypatch, caplog):
    def fail(*args):
        raise RuntimeError("a lesson bug")

    monkeypatch.setattr(cached, "activated_maps", fail)
    with caplog.at_level(logging.ERROR, logger="ui.common"):
        at = open_app(lang, "pages/activations.py")
    assert not at.exception                                 # Streamlit's box, and its links, never appear
    assert [e.value for e in at.error] == [t("errors.unexpected", lang)]
    shown = " ".join(element.value for element in [*at.markdown, *at.error, *at.caption])
    assert "http" not in shown
    assert "a lesson bug" in caplog.text and "Traceback" in caplog.text     # the details go to the server's log
    monkeypatch.undo()
    at.run()
    assert not at.exception and not at.error and at.title[0].value == t("activations.title", lang)


def test_impossible_input_that_escapes_a_lesson_is_still_its_own_sentence(monkeypatch):
    from cnnviz.errors import InvalidInput

    def refuse(*args):
        raise InvalidInput("errors.temperature", value=0)

    monkeypatch.setattr(cached, "activated_maps", refuse)
    at = open_app("ko", "pages/activations.py")
    assert not at.exception and not at.error
    assert [w.value for w in at.warning] == [t("errors.temperature", "ko", value=0)]
