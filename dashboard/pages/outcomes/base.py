"""What every section of the outcomes page shares: its map measures, the vocabularies of
statuses, tech types, causes and use, and rates and counts as text.
"""

from __future__ import annotations

import pandas as pd

from dashboard.components.kpi import suppressed_text
from dashboard.i18n import MISSING, fmt_int, fmt_pct, t


MEASURES = {  # URL value -> (column of outcomes.export_table, n column or None, percent)
    "projects": ("projects", None, False),
    "delivery": ("delivery_rate_pct", "decided", True),
    "in_use": ("in_use_rate_pct", "in_use_answers", True),
}
DEFAULT_MEASURE = "projects"
FRAGILE_MIN = 5  # = dashboard.queries.outcomes.FRAGILE_MIN_ANSWERS
EXPORT_FORMATS = ("csv", "csv-fr", "xlsx")
STATUSES = ("submitted", "selected", "in_progress", "delivered", "abandoned")
TECH_TYPES = ("web_app", "mobile_app", "data_analysis", "algorithm_ai", "blockchain", "iot",
              "website", "other")
CAUSES = ("education", "sante", "environnement", "inclusion", "emploi", "culture",
          "solidarite_internationale", "autre")
IN_USE_ANSWERS = ("oui", "partiellement", "non")


def measure_of(value: str | None) -> str:
    return value if value in MEASURES else DEFAULT_MEASURE


def vocabulary_label(kind: str, value: str, lang: str) -> str:
    key = {"status": "outcomes.status", "tech_type": "outcomes.tech",
           "cause": "outcomes.cause"}[kind]
    try:
        return t(f"{key}.{value}", lang)
    except KeyError:
        return str(value)


def is_missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def rate_text(rate: float | None, n, lang: str, k: int, *, hidden: bool = False) -> str:
    """"81 % (n = 47)"; with ", estimation fragile" under 5 answers; "< K" when hidden."""
    if hidden:
        return suppressed_text(k)
    if is_missing(rate) or is_missing(n) or not n:
        return MISSING
    text = t("outcomes.rate_n", lang, rate=fmt_pct(rate, lang), n=fmt_int(n, lang))
    return f"{text}, {t('outcomes.fragile', lang)}" if int(n) < FRAGILE_MIN else text


def count_text(value, lang: str, k: int) -> str:
    return suppressed_text(k) if is_missing(value) else fmt_int(value, lang)


def measure_label(measure: str, lang: str) -> str:
    return t(f"outcomes.measure.{measure}", lang)


def first_largest(values: list) -> int:
    """The position of the largest value, the first one among equals (what a stable sort in
    descending order puts first)."""
    return max(range(len(values)), key=values.__getitem__)
