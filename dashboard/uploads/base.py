"""What the uploads share: the refusal of a request or an action, said in the page's language.
"""

from __future__ import annotations

from dashboard.i18n import t


class UploadRefused(ValueError):
    """A request or an action the page refuses; `key` and `fields` make its message."""

    def __init__(self, key: str, status: int = 400, **fields):
        super().__init__(key)
        self.key, self.status, self.fields = key, status, fields

    def message(self, lang: str) -> str:
        return t(self.key, lang, **self.fields)
