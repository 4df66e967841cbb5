"""What staff's actions share when a rule refuses them (accounts, subscriptions, comments)."""

from __future__ import annotations


class RuleError(ValueError):
    """A request a rule refuses: a one-line English message (the command line prints it), and
    a `code` with `fields` that the pages translate (`<page>.err.<code>` in the catalogues)."""

    def __init__(self, message: str, code: str = "invalid", **fields):
        super().__init__(message)
        self.code = code
        self.fields = fields
