"""KPI cards: one headline figure, its label and a short explanation."""

from __future__ import annotations

from dash import html

from dashboard import ids
from dashboard.i18n import t


def suppressed_text(k: int) -> str:
    """What a hidden figure shows instead of its value (DESIGN.md section 6)."""
    return f"< {k}"


def kpi_card(name: str, label: str, value: str, *, detail: str | None = None,
             suppressed: bool = False, k: int = 5, lang: str = "fr") -> html.Div:
    """A card with `label`, the formatted `value` and a `detail` line.

    `value` comes formatted for the language (`i18n.fmt_int`...). A suppressed figure shows
    "< k" and says why, whatever `value` was.
    """
    if suppressed:
        value, detail = suppressed_text(k), t("kpi.suppressed", lang, k=k)
    return html.Div(
        id=ids.kpi(name), role="group", **{"aria-label": label},
        className="kpi-card" + (" is-suppressed" if suppressed else ""),
        children=[
            html.Div(label, className="kpi-label"),
            html.Div(value, className="kpi-value"),
            html.Div(detail, className="kpi-detail") if detail else None,
        ],
    )


def kpi_grid(cards: list[html.Div]) -> html.Div:
    """Cards in a responsive grid (4 a row on wide screens, 2 on tablets, 1 on phones)."""
    return html.Div(cards, className="kpi-grid")
