"""The app's own CSS, sent on every run from app.py (a style-only ``st.html`` takes no room on the page).

Besides the stylesheets, it puts the catalog's words where Streamlit 1.67 writes its own,
which it has in English only and no option to change: the file uploader, the "Page not
found" and "Connection error" dialogs, the connection status. Each such element's text is
shrunk to nothing and ours is shown in its place with ``::after``. The selectors name
Streamlit's ``data-testid`` attributes and the dialogs' structure, which a Streamlit upgrade
may change: tests/e2e/test_korean_text.py reads every replacement back in Chromium.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from cnnviz.i18n import LANGUAGES, t

_HERE = Path(__file__).parent
_STYLESHEETS = {"ko": ["style.css", "style_ko.css"]}
_PRESENTER = "presenter.css"    # added in presenter mode: larger text, the secondary parts tucked away

_CONNECTED = "body:has([data-testid=stApp][data-test-connection-state=CONNECTED])"
_NOT_CONNECTED = "body:has([data-testid=stApp]:not([data-test-connection-state=CONNECTED]))"
# Streamlit's warning dialog: a title and plain text. st.dialog's content, like every Streamlit element,
# carries a data-testid.
_WARNING = "[data-testid=stDialog] section[role=dialog]:not(:has([data-testid]))"
_DROPZONE = "[data-testid=stFileUploaderDropzone]"

# (the element whose text is Streamlit's own, the catalog key of ours, its size in Streamlit's theme).
# Later rules win over earlier ones of the same specificity: the disconnected status after "Connecting".
STREAMLIT_WORDS = [
    (f"{_DROPZONE} [data-testid=stBaseButton-secondary] [data-testid=stMarkdownContainer] p",
     "streamlit.upload_button", "0.875rem"),
    ("[data-testid=stFileUploaderDropzoneInstructions] span", "streamlit.upload_limit", "0.875rem"),
    (f"{_DROPZONE} > div > span", "streamlit.upload_drop", "0.875rem"),
    ("[data-testid=stTooltipErrorContent]", "streamlit.upload_refused", "0.875rem"),
    (f"{_CONNECTED} {_WARNING} > h2", "streamlit.page_not_found", "1.5rem"),
    (f"{_CONNECTED} {_WARNING} > h2 + div > div", "streamlit.page_not_found_detail", "1rem"),
    (f"{_NOT_CONNECTED} {_WARNING} > h2", "streamlit.connection_error", "1.5rem"),
    (f"{_NOT_CONNECTED} {_WARNING} > h2 + div > div", "streamlit.connection_error_detail", "1rem"),
    ("[data-testid=stConnectionStatus] label", "streamlit.connecting", "0.875rem"),
    ("[data-test-connection-state=DISCONNECTED_FOREVER] [data-testid=stConnectionStatus] label",
     "streamlit.disconnected", "0.875rem"),
]


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string (backslashes, quotes and ``<``, so no text can close the style tag)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("\n", "\\a ")
    return f'"{escaped}"'


def streamlit_words_css(lang: str, upload_limit_mb: int) -> str:
    """The rules that show the catalog's words, in ``lang``, instead of Streamlit's English ones."""
    rules = []
    for selector, key, size in STREAMLIT_WORDS:
        text = t(key, lang, limit=upload_limit_mb)
        rules.append(f"{selector} {{ font-size: 0; }}\n"
                     f"{selector}::after {{ content: {css_string(text)}; font-size: {size}; }}")
    return "\n".join(rules)


def _stylesheet(lang: str, upload_limit_mb: int, presenting: bool) -> str:
    files = _STYLESHEETS.get(lang, ["style.css"]) + ([_PRESENTER] if presenting else [])
    return ("<style>" + "".join((_HERE / name).read_text() for name in files)
            + streamlit_words_css(lang, upload_limit_mb) + "</style>")


_CSS = {(lang, presenting): _stylesheet(lang, int(st.get_option("server.maxUploadSize")), presenting)
        for lang in LANGUAGES for presenting in (False, True)}


def apply_style(lang: str, presenting: bool = False) -> None:
    """The shared rules, the Korean line-breaking rules on Korean pages, Streamlit's words in ``lang``, and
    in presenter mode the presenter's rules."""
    st.html(_CSS.get((lang, presenting), _CSS["en", presenting]))
