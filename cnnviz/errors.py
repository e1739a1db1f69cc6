"""The one exception the core raises for impossible input.

It is a ``ValueError`` whose text is an English sentence a student understands;
it also keeps the message key and values so a page can show the same sentence
in the user's language. A ``name`` value ("stride", "kernel size") is itself
translated through the catalog's ``names`` table.
"""

from __future__ import annotations

from cnnviz.i18n import t


class InvalidInput(ValueError):
    def __init__(self, key: str, **values):
        self.key = key
        self.values = values
        super().__init__(self.localized("en"))

    def localized(self, lang: str | None = None) -> str:
        """The message in ``lang``, or in the current language."""
        values = dict(self.values)
        if "name" in values:
            values["name"] = t("names." + str(values["name"]).replace(" ", "_"), lang)
        return t(self.key, lang, **values)
