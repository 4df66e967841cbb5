"""French and English messages and number formats (DESIGN.md section 8)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from dashboard import i18n
from dashboard.i18n import (
    NNBSP, CatalogueError, fmt_date, fmt_decimal, fmt_int, fmt_month, fmt_pct, fmt_points,
    fmt_share, normalise_lang, plotly_locale_fr, plotly_separators, register, t, tn,
)


@pytest.mark.parametrize("value, lang, expected", [
    (12345, "fr", f"12{NNBSP}345"),
    (12345, "en", "12,345"),
    (1234567, "fr", f"1{NNBSP}234{NNBSP}567"),
    (999, "fr", "999"),
    (0, "fr", "0"),
    (-4200, "fr", f"-4{NNBSP}200"),
    (12345.6, "en", "12,346"),
    (None, "fr", "—"),
])
def test_fmt_int(value, lang, expected):
    assert fmt_int(value, lang) == expected


@pytest.mark.parametrize("value, lang, decimals, expected", [
    (18.24, "fr", 0, f"18{NNBSP}%"),
    (18.24, "en", 0, "18%"),
    (18.25, "fr", 1, f"18,2{NNBSP}%"),  # binary 18.25 is exact: round half to even
    (100, "fr", 0, f"100{NNBSP}%"),
    (float("nan"), "fr", 0, "—"),
])
def test_fmt_pct(value, lang, decimals, expected):
    assert fmt_pct(value, lang, decimals=decimals) == expected


def test_fmt_decimal():
    assert fmt_decimal(3.14, "fr") == "3,1"
    assert fmt_decimal(3.14, "en") == "3.1"
    assert fmt_decimal(12345.678, "fr", decimals=2) == f"12{NNBSP}345,68"
    assert fmt_decimal(12345.678, "en", decimals=2) == "12,345.68"


def test_a_number_seen_again_keeps_its_own_text():
    # Texts are remembered by value: values equal for Python but written differently must
    # not take each other's text (a signed zero, an int and a float, two languages).
    assert [fmt_decimal(v, "fr", 0) for v in (0.0, -0.0, 0.0)] == ["0", "-0", "0"]
    assert [fmt_decimal(v, "fr") for v in (18, 18.0, 18.04)] == ["18,0", "18,0", "18,0"]
    assert [fmt_pct(12.5, lang, 1) for lang in ("fr", "en", "fr")] == [
        f"12,5{NNBSP}%", "12.5%", f"12,5{NNBSP}%"]
    assert [fmt_int(v, lang) for v, lang in ((1234, "en"), (1234, "fr"), (1234.0, "en"))] == [
        "1,234", f"1{NNBSP}234", "1,234"]


def test_fmt_share_and_points():
    assert fmt_share(0.2096, "fr") == f"21{NNBSP}%"
    assert fmt_share(0.2096, "en", decimals=1) == "21.0%"
    assert fmt_share(None, "fr") == "—"
    assert fmt_points(36.3, "fr") == f"+36{NNBSP}pts"
    assert fmt_points(-2.5, "en", decimals=1) == "-2.5 pts"
    assert fmt_points(0.2, "en") == "0 pts"  # no "+0"
    assert fmt_points(-0.2, "en") == "0 pts"  # nor "-0"


def test_fmt_date():
    day = dt.date(2026, 11, 23)
    assert fmt_date(day, "fr") == "23/11/2026"
    assert fmt_date(day, "en") == "23 Nov 2026"
    assert fmt_date(dt.datetime(2026, 3, 5, 16, 13), "fr") == "05/03/2026"
    assert fmt_date("2026-03-05T16:13:35.206938", "en") == "5 Mar 2026"
    assert fmt_date(None, "fr") == "—"


def test_plotly_separators_and_locale():
    assert plotly_separators("fr") == "," + NNBSP  # decimal comma, narrow space thousands
    assert plotly_separators("en") == ".,"
    locale = plotly_locale_fr()
    assert set(locale) == {"dictionary", "format"}
    assert locale["format"]["decimal"] == ","


def test_t_formats_and_falls_back_to_french():
    assert t("shell.freshness", "fr", date="23/11/2026") == "Données au 23/11/2026"
    assert t("shell.freshness", "en", date="23 Nov 2026") == "Data as of 23 Nov 2026"
    assert t("shell.demo", "de") == "Données de démonstration"
    with pytest.raises(KeyError, match="no message 'nope'"):
        t("nope", "fr")


def test_tn_agrees_with_the_count():
    register({"test.things.one": {"fr": "{n} chose", "en": "{n} thing"},
              "test.things.other": {"fr": "{n} choses", "en": "{n} things"}})
    assert tn("test.things", 0, "fr") == "0 chose"  # French: 0 and 1 are singular
    assert tn("test.things", 0, "en") == "0 things"
    assert tn("test.things", 1, "en") == "1 thing"
    assert tn("test.things", 12345, "fr") == f"12{NNBSP}345 choses"


def test_register_refuses_missing_languages_and_clashes():
    with pytest.raises(CatalogueError, match="no text in en"):
        register({"test.half": {"fr": "seulement en français"}})
    register({"test.same": {"fr": "Pareil", "en": "Same"}})
    register({"test.same": {"fr": "Pareil", "en": "Same"}})  # a page module run again
    with pytest.raises(CatalogueError, match="already registered"):
        register({"test.same": {"fr": "Autre", "en": "Other"}})


def test_normalise_lang():
    assert normalise_lang("en") == "en"
    assert normalise_lang("EN-gb") == "en"
    assert normalise_lang("de") == "fr"
    assert normalise_lang(None, default="en") == "en"


def test_every_message_has_both_languages_and_the_same_fields():
    for key, texts in i18n.MESSAGES.items():
        assert set(texts) >= {"fr", "en"}, key
        fields = [sorted(re.findall(r"{(\w+)", texts[lang])) for lang in ("fr", "en")]
        assert fields[0] == fields[1], key


def test_fmt_month_names_the_month_from_cldr():
    assert fmt_month(dt.date(2026, 8, 1), "fr") == "août 2026"
    assert fmt_month(dt.date(2026, 2, 14), "fr") == "février 2026"
    assert fmt_month(dt.date(2026, 9, 1), "en") == "September 2026"
