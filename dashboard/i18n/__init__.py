"""French and English from gettext catalogues, with numbers and dates from CLDR (Babel).

Messages live in `locale/<lang>/LC_MESSAGES/messages.po`, one entry per key ("overview.title"),
read once per process with Babel into `MESSAGES` ({key: {"fr": ..., "en": ...}}); docs/i18n.md
tells how to add one. `t(key, lang, **fmt)` looks a key up and fills `str.format` fields;
`tn(key, n, lang)` picks the form of the gettext plural entry `key` (msgid "key.one",
msgid_plural "key.other") for CLDR's plural category of `n` (French: one, many, other).
`register({...})` still adds messages at run time (tests, and a module written before the
catalogues until `python -m dashboard.i18n.extract` converts it).

Numbers and dates come from CLDR through Babel, kept to the French typographic rules of the
Imprimerie nationale (DESIGN.md section 8): a decimal comma, a narrow no-break space (U+202F)
between thousands and before "%" (CLDR writes a no-break space U+00A0 before "%"). English
uses "12,345", "3.1" and "18%".
"""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from babel import Locale
from babel.dates import format_date
from babel.messages.pofile import read_po
from babel.numbers import NumberPattern, get_decimal_symbol, get_group_symbol, parse_pattern

LANGS = ("fr", "en")
NNBSP = "\u202f"  # narrow no-break space: French thousands separator and before "%"
NBSP = "\u00a0"  # no-break space: what CLDR's French percent pattern puts before "%"
MISSING = "—"  # a figure that does not exist (nobody answered), not a hidden one
PLOTLY_LOCALE_FR = Path(__file__).with_name("plotly_locale_fr.json")
LOCALE_DIR = Path(__file__).with_name("locale")
PLURAL_ORDER = ("zero", "one", "two", "few", "many", "other")  # babel.plural.to_gettext's
DATE_FORMATS = {"fr": "dd/MM/y", "en": "d MMM y"}  # CLDR patterns: 05/03/2026, 5 Mar 2026
MONTH_FORMAT = "LLLL y"  # CLDR: the month's stand-alone name, then the year


class CatalogueError(ValueError):
    """A message is missing a language, or one key is given two different texts."""


def register(messages: Mapping[str, Mapping[str, str]]) -> None:
    """Add messages {key: {"fr": text, "en": text}} at run time; the same text again is a no-op.

    For tests, and for a module written before the catalogues until
    `python -m dashboard.i18n.extract` moves its dict into them (a test fails meanwhile).
    A key given a different text than the catalogues' is a clash.
    """
    for key, texts in messages.items():
        missing = [lang for lang in LANGS if not texts.get(lang)]
        if missing:
            raise CatalogueError(f"message '{key}' has no text in {', '.join(missing)}")
        known = MESSAGES.get(key)
        if known is not None and known != dict(texts):
            raise CatalogueError(f"message '{key}' is already registered with another text")
        MESSAGES[key] = dict(texts)


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


def plural_tags(lang: str) -> tuple[str, ...]:
    """CLDR's plural categories of a language in gettext order: msgstr[i] is the i-th.

    Babel writes Plural-Forms in this order (zero, one, two, few, many, other): French has
    one, many (a million, 2 millions...) and other; English one and other.
    """
    tags = _locale(_cldr(lang)).plural_form.tags | {"other"}
    return tuple(tag for tag in PLURAL_ORDER if tag in tags)


def read_catalogues() -> tuple[dict[str, dict[str, str]], dict[str, dict[str, dict]]]:
    """(messages, plurals) from the .po files.

    messages: {key: {"fr": text, "en": text}}; a plural entry gives its `key.one` and
    `key.other` forms. plurals: {key: {lang: {CLDR category: text}}} for `tn`.
    """
    messages: dict[str, dict[str, str]] = {}
    plurals: dict[str, dict[str, dict]] = {}
    for lang in LANGS:
        if not catalogue_path(lang).exists():
            continue  # only while `python -m dashboard.i18n.extract` writes the first ones
        with catalogue_path(lang).open("rb") as handle:
            for message in read_po(handle, locale=lang):
                if message.pluralizable:
                    stem = message.id[0].removesuffix(".one")
                    forms = dict(zip(plural_tags(lang), message.string))
                    plurals.setdefault(stem, {})[lang] = forms
                    for form in ("one", "other"):
                        messages.setdefault(f"{stem}.{form}", {})[lang] = forms[form]
                elif message.id:
                    messages.setdefault(message.id, {})[lang] = message.string
    return messages, plurals


def t(key: str, lang: str, **fmt) -> str:
    """The message `key` in `lang` (French for an unknown language), formatted with `fmt`."""
    try:
        texts = MESSAGES[key]
    except KeyError:
        raise KeyError(f"no message '{key}' in the catalogue (add it to the .po catalogues)")
    text = texts.get(lang) or texts["fr"]
    return text.format(**fmt) if fmt else text


def plural_form(n: float | None, lang: str) -> str:
    """CLDR's plural category of `n`: "one", "other" or, in French, "many" (1 000 000).

    French treats 0 and 1 (and 1.5) as singular, English only 1.
    """
    if n is None:
        return "other"
    if isinstance(n, float) and n.is_integer():
        n = int(n)  # 1.0 counts as 1, not as a number written with a decimal
    return _locale(_cldr(lang)).plural_form(n)


def _cldr(lang: str) -> str:
    """The CLDR locale of a language: French for "fr", English for anything else (as before)."""
    return "fr" if lang == "fr" else "en"


@lru_cache(maxsize=None)
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


def tn(key: str, n: float | None, lang: str, **fmt) -> str:
    """A message that agrees with a count: the plural entry `key`'s form for `n`.

    The form is CLDR's category of `n` in `lang`; a message added with `register` as
    `key.one` / `key.other` gives "one" or else "other". The text receives `n` formatted as
    `{n}` ("12 345 projets").
    """
    form = plural_form(n, lang)
    forms = PLURALS.get(key, {}).get(lang if lang in LANGS else "fr", {})
    text = forms.get(form) or t(f"{key}.{'one' if form == 'one' else 'other'}", lang)
    return text.format(n=fmt.pop("n", fmt_int(n, lang)), **fmt)


def normalise_lang(value: str | None, default: str = "fr") -> str:
    """'en' or 'fr' from a URL parameter; anything else gives the default."""
    value = (value or "").strip().lower()[:2]
    return value if value in LANGS else default


# ---- numbers and dates ----

def _grouped(value: float, decimals: int, lang: str) -> str:
    """CLDR's grouping and decimal mark; Python rounds first (half to even, on the binary value)."""
    rounded = round(value, decimals)
    return _grouped_rounded(rounded, decimals, lang, _negative_zero(rounded))


def _negative_zero(value) -> bool:
    # -0.0 == 0.0 for a cache's key, but not for the text ("-0"): told apart
    return value == 0 and math.copysign(1.0, value) < 0


# A page formats thousands of numbers, most of them already seen (shares, counts); Babel's
# pattern costs about 15 microseconds a number, a cached text a fraction of one.
FORMAT_CACHE_SIZE = 65_536


@lru_cache(maxsize=FORMAT_CACHE_SIZE)
def _grouped_rounded(rounded, decimals: int, lang: str, negative_zero: bool) -> str:
    return _pattern("#,##0", decimals).apply(rounded, _locale(_cldr(lang)))


@lru_cache(maxsize=None)
def _pattern(pattern: str, decimals: int) -> NumberPattern:
    """A CLDR number pattern with `decimals` fraction digits ("#,##0" -> "#,##0.0"), parsed once."""
    return parse_pattern(pattern.replace("0", "0." + "0" * decimals, 1) if decimals else pattern)


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def fmt_int(value: float | int | None, lang: str) -> str:
    """12345 -> "12 345" (fr, narrow no-break space) or "12,345" (en)."""
    if type(value) is int:  # most counts: nothing to round, no negative zero
        return _grouped_rounded(value, 0, lang, False)
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
    rounded = round(value, decimals)
    return _percent_text(rounded, decimals, lang, _negative_zero(rounded))


@lru_cache(maxsize=FORMAT_CACHE_SIZE)
def _percent_text(rounded, decimals: int, lang: str, negative_zero: bool) -> str:
    number = Decimal(str(rounded)) / 100  # exact: no binary division
    locale = _locale(_cldr(lang))
    text = _pattern(locale.percent_formats[None].pattern, decimals).apply(number, locale)
    return text.replace(NBSP, NNBSP)  # French: a narrow no-break space before "%"


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
    """23/11/2026 (fr) or 23 Nov 2026 (en); month names from CLDR, not from the OS locale."""
    if value is None or value == "":
        return MISSING
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    lang = _cldr(lang)
    return format_date(value, DATE_FORMATS[lang], locale=lang)


def fmt_month(value: dt.date, lang: str) -> str:
    """"mars 2026" (fr) or "March 2026" (en): a month, named by CLDR."""
    return format_date(value, MONTH_FORMAT, locale=_cldr(lang))


# ---- plotly ----

def plotly_separators(lang: str) -> str:
    """plotly's `layout.separators`: decimal mark, then thousands separator."""
    lang = _cldr(lang)
    return get_decimal_symbol(lang) + get_group_symbol(lang)


@lru_cache(maxsize=1)
def plotly_locale_fr() -> dict:
    """plotly.js' French locale ({dictionary, format}) for dcc.Graph's `config.locales`."""
    return json.loads(PLOTLY_LOCALE_FR.read_text(encoding="utf-8"))


MESSAGES, PLURALS = read_catalogues()  # once per process, when the package is imported
