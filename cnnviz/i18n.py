"""Translations: ``t(key, **values)`` over one TOML catalog per language.

The current language lives in a context variable, set once per script run by
the app, so core code (error messages included) can translate without knowing
about the UI framework. Each session's script runs in its own thread, so one
student's language never leaks into another's page.
"""

from __future__ import annotations

import functools
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
    return text.format(**values) if values else text


def pick_language(requested: str | None, browser_locale: str | None) -> str:
    """The language to show: the ``lang`` query parameter, then the browser's locale."""
    for candidate in (requested, browser_locale):
        if candidate:
            code = candidate.strip().lower().replace("_", "-").split("-")[0]
            if code in LANGUAGES:
                return code
    return DEFAULT_LANGUAGE
