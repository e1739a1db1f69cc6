"""The CSS that shows the catalog's words in place of Streamlit's English ones (ui/style.py)."""

from cnnviz import i18n
from ui import canvas_toolbar, style


def test_every_replacement_has_a_message_in_every_language():
    keys = [key for _, key, _ in style.STREAMLIT_WORDS] + list(canvas_toolbar.BUTTONS.values())
    for lang in i18n.LANGUAGES:
        assert [key for key in keys if key not in i18n.catalog(lang)] == []


def test_the_css_holds_the_catalogs_words():
    css = style.streamlit_words_css("ko", 10)
    assert '"최대 10 MB"' in css and '"페이지를 찾을 수 없습니다"' in css


def test_no_text_can_break_out_of_its_css_string():
    assert style.css_string('a "b" \\ </style>') == '"a \\"b\\" \\\\ \\3c /style>"'
