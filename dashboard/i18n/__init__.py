"""French and English from one message catalogue, with French number and date formats.

Messages are registered as {key: {"fr": ..., "en": ...}}: both languages side by side, so a
missing translation shows in review. The shell's messages live in `common.py`; a page module
registers its own keys at import with `register({...})`, prefixed with its name
("overview.title"). `t(key, lang, **fmt)` looks a key up and fills `str.format` fields;
`tn(key, n, lang)` picks `key.one` or `key.other` to agree with a count.

Numbers follow the French typographic rules of the Imprimerie nationale (DESIGN.md section 8):
a decimal comma, a narrow no-break space (U+202F) between thousands and before "%". English
uses "12,345", "3.1" and "18%".
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path
from typing import Mapping

LANGS = ("fr", "en")
NNBSP = "\u202f"  # narrow no-break space: French thousands separator and before "%"
MISSING = "—"  # a figure that does not exist (nobody answered), not a hidden one
PLOTLY_LOCALE_FR = Path(__file__).with_name("plotly_locale_fr.json")

MESSAGES: dict[str, dict[str, str]] = {}

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
              "Dec")


class CatalogueError(ValueError):
    """A message is missing a language, or two modules give one key different texts."""


def register(messages: Mapping[str, Mapping[str, str]]) -> None:
    """Add messages {key: {"fr": text, "en": text}}; re-registering the same text is a no-op.

    Dash re-executes page modules when an app is created again (tests), so an identical
    re-registration must pass; a key given a different text is a clash between two modules.
    """
    for key, texts in messages.items():
        missing = [lang for lang in LANGS if not texts.get(lang)]
        if missing:
            raise CatalogueError(f"message '{key}' has no text in {', '.join(missing)}")
        known = MESSAGES.get(key)
        if known is not None and known != dict(texts):
            raise CatalogueError(f"message '{key}' is already registered with another text")
        MESSAGES[key] = dict(texts)


def t(key: str, lang: str, **fmt) -> str:
    """The message `key` in `lang` (French for an unknown language), formatted with `fmt`."""
    try:
        texts = MESSAGES[key]
    except KeyError:
        raise KeyError(f"no message '{key}' in the catalogue (register it in its page module)")
    text = texts.get(lang) or texts["fr"]
    return text.format(**fmt) if fmt else text


def plural_form(n: float | None, lang: str) -> str:
    """'one' or 'other' (CLDR): French treats 0 and 1 as singular, English only 1."""
    if n is None:
        return "other"
    return "one" if (abs(n) < 2 if lang == "fr" else n == 1) else "other"


def tn(key: str, n: float | None, lang: str, **fmt) -> str:
    """A message that agrees with a count: looks up `key.one` or `key.other`.

    `n` picks the form; the text receives it formatted as `{n}` ("12 345 projets").
    """
    return t(f"{key}.{plural_form(n, lang)}", lang, n=fmt.pop("n", fmt_int(n, lang)), **fmt)


def normalise_lang(value: str | None, default: str = "fr") -> str:
    """'en' or 'fr' from a URL parameter; anything else gives the default."""
    value = (value or "").strip().lower()[:2]
    return value if value in LANGS else default


# ---- numbers and dates ----

def _grouped(value: float, decimals: int, lang: str) -> str:
    text = f"{value:,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", NNBSP).replace(".", ",")
    return text


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def fmt_int(value: float | int | None, lang: str) -> str:
    """12345 -> "12 345" (fr, narrow no-break space) or "12,345" (en)."""
    if _is_missing(value):
        return MISSING
    return _grouped(round(value), 0, lang)


def fmt_decimal(value: float | None, lang: str, decimals: int = 1) -> str:
    """3.14 -> "3,1" (fr) or "3.1" (en)."""
    if _is_missing(value):
        return MISSING
    return _grouped(value, decimals, lang)


def fmt_pct(value: float | None, lang: str, decimals: int = 0) -> str:
    """A value already in percent: 18.24 -> "18 %" (fr, narrow no-break space) or "18%" (en)."""
    if _is_missing(value):
        return MISSING
    number = fmt_decimal(value, lang, decimals)
    return f"{number}{NNBSP}%" if lang == "fr" else f"{number}%"


def fmt_share(share: float | None, lang: str, decimals: int = 0) -> str:
    """A fraction, as the query layer and dashboard.stats return it: 0.1824 -> "18 %"."""
    return MISSING if _is_missing(share) else fmt_pct(share * 100, lang, decimals)


def fmt_points(points: float | None, lang: str, decimals: int = 0) -> str:
    """A signed difference in percentage points: 27.3 -> "+27 pts" (fr) or "+27 pts" (en)."""
    if _is_missing(points):
        return MISSING
    points = round(points, decimals) or 0.0  # -0.2 shows as "0 pts", not "-0 pts"
    sign = "+" if points > 0 else ""
    return f"{sign}{fmt_decimal(points, lang, decimals)}{NNBSP if lang == 'fr' else ' '}pts"


def fmt_date(value: dt.date | dt.datetime | str | None, lang: str) -> str:
    """23/11/2026 (fr) or 23 Nov 2026 (en); the month names do not depend on the OS locale."""
    if value is None or value == "":
        return MISSING
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if lang == "fr":
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"


# ---- plotly ----

def plotly_separators(lang: str) -> str:
    """plotly's `layout.separators`: decimal mark, then thousands separator."""
    return "," + NNBSP if lang == "fr" else ".,"


@lru_cache(maxsize=1)
def plotly_locale_fr() -> dict:
    """plotly.js' French locale ({dictionary, format}) for dcc.Graph's `config.locales`."""
    return json.loads(PLOTLY_LOCALE_FR.read_text(encoding="utf-8"))


from dashboard.i18n.common import MESSAGES as _COMMON  # noqa: E402 (needs register above)

register(_COMMON)
