"""The freshness badge ("Données au 23/11/2026") and the demo banner."""

from __future__ import annotations

import datetime as dt

from dash import html

from dashboard.i18n import fmt_date, t


def freshness_text(as_of: dt.datetime | str | None, lang: str) -> str:
    if not as_of:
        return t("shell.freshness_none", lang)
    return t("shell.freshness", lang, date=fmt_date(as_of, lang))


def freshness_badge(as_of: dt.datetime | str | None, lang: str) -> list:
    """The badge's content: a dot and the as-of date of the last successful load."""
    return [html.Span(className="freshness-dot", **{"aria-hidden": "true"}),
            html.Span(freshness_text(as_of, lang))]


def demo_banner(is_demo: bool, lang: str) -> list:
    """The banner's content; empty (and the banner hidden) for real data."""
    if not is_demo:
        return []
    return [html.Strong(t("shell.demo", lang), className="demo-title"),
            html.Span(t("shell.demo_detail", lang), className="demo-detail")]
