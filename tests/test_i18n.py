"""Both catalogs hold the same keys, every key the code uses exists, and pages hold no literal text."""

import ast
import re
import string
from pathlib import Path

import pytest

from cnnviz import i18n

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py")),
           *sorted((ROOT / "cnnviz").rglob("*.py"))]
UI_SOURCES = [p for p in SOURCES if "cnnviz" not in p.relative_to(ROOT).parts]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_catalogs_have_the_same_keys_and_placeholders():
    en, ko = i18n.catalog("en"), i18n.catalog("ko")
    assert set(en) == set(ko), f"only in en: {set(en) - set(ko)}; only in ko: {set(ko) - set(en)}"
    for key in en:
        assert placeholders(en[key]) == placeholders(ko[key]), key
        assert ko[key].strip(), key


def test_korean_catalog_is_korean():
    """Every message with English words in it has Korean text in the Korean catalog."""
    hangul, words = re.compile(r"[\uac00-\ud7a3]"), re.compile(r"[A-Za-z]{4,}")
    same_in_both = {"app.name", "activations.relu", "activations.leaky_relu", "activations.tanh",
                    "activations.relu_product", "training.optimizer_adam", "architectures.box_relu"}   # names Korean courses write in Latin letters too
    en, ko = i18n.catalog("en"), i18n.catalog("ko")
    untranslated = [key for key, text in en.items() if key not in same_in_both
                    and words.search(re.sub(r"\{[^}]*\}", "", text)) and not hangul.search(ko[key])]
    assert untranslated == []


def _literal_keys(tree: ast.AST) -> set[str]:
    """String arguments of t(...) and InvalidInput(...) calls that look like catalog keys."""
    keys = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in (
                "t", "InvalidInput") and node.args and isinstance(node.args[0], ast.Constant):
            keys.add(node.args[0].value)
    return keys


def test_every_key_used_in_the_code_exists():
    known = set(i18n.catalog("en"))
    used = set().union(*(_literal_keys(ast.parse(p.read_text())) for p in SOURCES))
    assert used, "the scan found no keys at all"
    assert used - known == set()


STREAMLIT_TEXT_CALLS = {
    "title", "header", "subheader", "markdown", "write", "caption", "text", "error", "warning", "info",
    "success", "button", "slider", "select_slider", "selectbox", "radio", "checkbox", "toggle",
    "number_input", "text_input", "text_area", "file_uploader", "metric", "expander", "tabs",
    "page_link", "download_button", "latex", "toast", "badge", "multiselect", "data_editor", "segmented_control",
    "pills", "form_submit_button", "popover", "spinner", "status",
}


def _words(node: ast.AST) -> bool:
    """True when a string literal (or the fixed part of an f-string) holds a word of text."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(re.search(r"[A-Za-z\uac00-\ud7a3]{2,}", node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_words(v) for v in node.values if isinstance(v, ast.Constant))
    return False


@pytest.mark.parametrize("source", UI_SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_user_facing_literal_strings(source):
    offenders = []
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) in STREAMLIT_TEXT_CALLS \
                and not _is_logger(node.func.value):
            texts = list(node.args[:1]) + [k.value for k in node.keywords if k.arg in ("label", "help", "body")]
            offenders += [ast.unparse(a) for a in texts if _words(a)]
    assert offenders == [], f"{source.name} shows text not taken from the catalogs: {offenders}"


def _is_logger(receiver: ast.AST) -> bool:
    """``_LOGGER.warning(...)`` writes to the server's log, which the user never sees."""
    return isinstance(receiver, ast.Name) and receiver.id == "_LOGGER"


def test_the_scan_catches_a_literal():
    tree = ast.parse('st.title("Hello class")\nst.markdown(f"Stride {s}")\nst.caption(f"{a}×{b}")')
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert [_words(c.args[0]) for c in calls] == [True, True, False]
    assert _is_logger(ast.parse('_LOGGER.warning("Refused")').body[0].value.func.value)


def test_pick_language():
    assert i18n.pick_language("ko", "en-US") == "ko"
    assert i18n.pick_language(None, "ko-KR") == "ko"
    assert i18n.pick_language("fr", "ko_KR") == "ko"
    assert i18n.pick_language(None, None) == "en"
    assert i18n.pick_language("EN", None) == "en"


def test_t_fills_values_and_falls_back():
    assert "1,000" in i18n.t("home.ratio", "en", ratio="1,000")
    assert i18n.t("no.such.key") == "no.such.key"


def test_no_english_message_hedges_a_plural():
    """English says "1 pixel" and "2 pixels", never "pixel(s)": the catalog picks with {n:one|other}."""
    hedged = [key for key, text in i18n.catalog("en").items() if "(s)" in text]
    assert hedged == []


def test_plural_forms_follow_the_number():
    assert i18n.t("pooling.image_intro", "en", times=1, side=8, pooled=4).startswith(
        "2x2 pooling with stride 2, applied once:")
    assert "applied 3 times:" in i18n.t("pooling.image_intro", "en", times=3, side=8, pooled=1)
    one = i18n.t("convolution.not_divides", "en", numerator=5, stride=2, unreached=1)
    two = i18n.t("convolution.not_divides", "en", numerator=5, stride=3, unreached=2)
    assert "the last padded pixel on this side is never read" in one
    assert "the last 2 padded pixels on this side are never read" in two
    assert "{" not in one + two


def test_ordinals_in_each_language():
    assert [i18n.korean_ordinal(n) for n in (1, 2, 3, 4, 10, 11, 20, 21, 35, 100)] == [
        "첫 번째", "두 번째", "세 번째", "네 번째", "열 번째", "열한 번째", "스무 번째", "스물한 번째",
        "서른다섯 번째", "100번째"]
    assert [i18n.english_ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 102, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "102nd", "111th"]
    assert i18n.t("arithmetic.layer_label", "ko", n=1, f=3).startswith("첫 번째 층")
