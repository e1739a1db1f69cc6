"""Translations: ``t(key, **values)`` over one TOML catalog per language.

The current language lives in a context variable, set once per script run by
the app, so core code (error messages included) can translate without knowing
about the UI framework. Each session's script runs in its own thread, so one
student's language never leaks into another's page.

Messages are ``str.format`` templates with two extra specs for words that
depend on a number, so a catalog never has to write "pixel(s)":
``{n:# pixel|# pixels}`` picks the first form when n is 1 and the second
otherwise (``#`` stands for the number; English is the only language here
that needs it), and ``{n:ordinal}`` writes n as an ordinal in the catalog's
language ("3rd", "세 번째").
"""

from __future__ import annotations

import functools
import string
import tomllib
from contextvars import ContextVar
from pathlib import Path

LANGUAGES = {"en": "English", "ko": "한국어"}
DEFAULT_LANGUAGE = "en"
LOCALES_DIR = Path(__file__).parent / "locales"

_current = ContextVar("cnnviz_language", default=DEFAULT_LANGUAGE)


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            flat.update(_flatten(value, key + "."))
        else:
            flat[key] = value
    return flat


@functools.cache
def catalog(lang: str) -> dict[str, str]:
    """All messages of one language, keyed by dotted name ("home.title")."""
    with open(LOCALES_DIR / f"{lang}.toml", "rb") as f:
        return _flatten(tomllib.load(f))


def set_language(lang: str) -> None:
    _current.set(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)


def get_language() -> str:
    return _current.get()


def t(key: str, lang: str | None = None, **values) -> str:
    """The message ``key`` in the current (or given) language, with values filled in.

    A key missing from a catalog falls back to English, then to the key itself:
    a page never crashes over a translation (the tests make sure none is missing).
    """
    lang = lang or _current.get()
    text = catalog(lang).get(key) or catalog(DEFAULT_LANGUAGE).get(key) or key
    if not values:
        return text
    if "|" in text or ":ordinal}" in text:        # plain str.format is several times faster: keep it for the rest
        return _NumberWords(lang).format(text, **values)
    return text.format(**values)


class _NumberWords(string.Formatter):
    """``str.format`` that also understands ``{n:one|other}`` and ``{n:ordinal}`` (see the module's docstring)."""

    def __init__(self, lang: str):
        self.lang = lang

    def format_field(self, value, spec: str) -> str:
        if "|" in spec:
            one, other = spec.split("|", 1)
            return (one if value == 1 else other).replace("#", str(value))
        if spec == "ordinal":
            return korean_ordinal(value) if self.lang == "ko" else english_ordinal(value)
        return super().format_field(value, spec)


def english_ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ... 11th, 12th, 13th, ... 21st."""
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


_KOREAN_UNITS = ("", "한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉")
_KOREAN_TENS = ("", "열", "스물", "서른", "마흔", "쉰", "예순", "일흔", "여든", "아흔")


def korean_ordinal(n: int) -> str:
    """첫 번째, 두 번째, ..., 열한 번째, 스무 번째, 스물한 번째: Korean counts order with native numbers.
    From 100 on, written with digits (100번째)."""
    if not 1 <= n <= 99:
        return f"{n}번째"
    if n == 1:
        return "첫 번째"
    if n == 20:
        return "스무 번째"
    return f"{_KOREAN_TENS[n // 10]}{_KOREAN_UNITS[n % 10]} 번째"


def pick_language(requested: str | None, browser_locale: str | None) -> str:
    """The language to show: the ``lang`` query parameter, then the browser's locale."""
    for candidate in (requested, browser_locale):
        if candidate:
            code = candidate.strip().lower().replace("_", "-").split("-")[0]
            if code in LANGUAGES:
                return code
    return DEFAULT_LANGUAGE
