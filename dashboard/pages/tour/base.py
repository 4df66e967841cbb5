"""What every section of the Tour de France page shares: its map measures, event types,
channels, colours and texts.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from dash import html

from dashboard.i18n import fmt_month, fmt_pct, t


MEASURES = {  # URL value -> column of reach.export_table
    "events": "events", "attendees": "attendees", "students": "students_attending",
    "schools": "schools_reached", "guide": "guide_copies",
}
DEFAULT_MEASURE = "events"
EVENT_TYPES = ("conference", "workshop", "hackathon", "forum", "webinar")
CHANNELS = ("download", "print", "event", "partner_mailing")
FRAGILE_MIN = 5  # a share of fewer than 5 schools or organisations is flagged as fragile
EXPORT_FORMATS = ("csv", "csv-fr", "xlsx")
GUIDE_COLOUR = "#E69F00"
STAGE_COLOURS = ("#08519c", "#3182bd", "#6baed6", "#009E73")


def measure_of(value: str | None) -> str:
    return value if value in MEASURES else DEFAULT_MEASURE


def stack(*cards) -> html.Div:
    return html.Div(list(cards), className="d-flex flex-column gap-3")


def measure_label(measure: str, lang: str) -> str:
    return t(f"tour.measure.{measure}", lang)


@lru_cache(maxsize=512)
def month_text(month: str, lang: str) -> str:
    return fmt_month(dt.date.fromisoformat(f"{month}-01"), lang)


def type_label(event_type: str, lang: str) -> str:
    return t(f"tour.type.{event_type}", lang)


def ordered(values, vocabulary) -> list:
    present = list(dict.fromkeys(values))
    return [v for v in vocabulary if v in present] + [v for v in present if v not in vocabulary]


def totals_of(keys: list, values: list) -> dict:
    """The sum of `values` per key, keys in their first appearance's order (a groupby that
    keeps the order)."""
    totals: dict = {}
    for key, value in zip(keys, values):
        totals[key] = totals.get(key, 0) + value
    return totals


def first_largest(totals: dict):
    """The key with the largest value, the first one among equals (what a stable sort in
    descending order puts first)."""
    return max(totals, key=totals.__getitem__)


def share_text(share_pct: float | None, n: int, lang: str) -> str:
    """"17 %", with "estimation fragile" when fewer than FRAGILE_MIN stand behind it."""
    text = fmt_pct(share_pct, lang)
    return f"{text}, {t('tour.fragile', lang)}" if share_pct is not None and n < FRAGILE_MIN \
        else text
