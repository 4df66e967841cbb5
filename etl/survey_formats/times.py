"""Submission times as the tools write them (zones, day or month first, spreadsheet serial
numbers) -> naive Europe/Paris times; the edition a time or a cell names.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import numpy as np
import pandas as pd

from etl.survey_formats.cells import cell_text
from etl.survey_formats.vocabulary import PARIS


_FORMS_TIME = re.compile(
    r"^(?P<date>\d{4}/\d{1,2}/\d{1,2})\s+(?P<time>\d{1,2}:\d{2}(?::\d{2})?)"
    r"\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?)?\s*(?P<zone>.*)$")
_ISO_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
_ISO_OFFSET = r"[T ]\d{1,2}:\d{2}.*(?:Z|[+-]\d{2}:?\d{2})$"
_SLASH_DATE = re.compile(r"^\d{1,2}[/.]\d{1,2}[/.]\d{4}")
_SERIAL = re.compile(r"^\d{5}(?:[.,]\d+)?$")
_ZONE_OFFSETS = {"utc": 0, "gmt": 0, "z": 0, "wet": 0, "west": 60, "bst": 60, "cet": 60,
                 "cest": 120, "eet": 120, "eest": 180, "est": -300, "edt": -240, "cst": -360,
                 "cdt": -300, "mst": -420, "mdt": -360, "pst": -480, "pdt": -420}
_DAY_FIRST = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d/%m/%Y %I:%M:%S %p",
              "%d/%m/%Y %I:%M %p")
_MONTH_FIRST = tuple(f.replace("%d/%m", "%m/%d") for f in _DAY_FIRST)
TIME_DTYPE = "datetime64[us]"


def _zone_minutes(zone: str) -> float | None:
    """Minutes east of UTC written in a Google Forms timestamp; NaN when none; None if unknown."""
    zone = zone.strip().lower()
    if not zone:
        return np.nan
    if zone in _ZONE_OFFSETS:
        return float(_ZONE_OFFSETS[zone])
    match = re.fullmatch(r"(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", zone)
    if not match:
        return None
    minutes = int(match.group(2)) * 60 + int(match.group(3) or 0)
    return float(minutes if match.group(1) == "+" else -minutes)


def _utc_to_paris(times: pd.Series) -> pd.Series:
    return times.dt.tz_localize("UTC").dt.tz_convert(PARIS).dt.tz_localize(None).astype(TIME_DTYPE)


def _naive(times: pd.Series, naive_time: str) -> pd.Series:
    times = times.astype(TIME_DTYPE)
    return _utc_to_paris(times) if naive_time == "utc" and len(times) else times


def parse_times(values: pd.Series, naive_time: str = "local", dayfirst: bool = True
                ) -> tuple[pd.Series, pd.Series]:
    """Naive Europe/Paris times, and the mask of cells that are not a readable time.

    `naive_time` says what a time written without a zone is: 'utc' (Kobo `_submission_time`,
    Typeform) or 'local' (everything else, taken as Europe/Paris).
    """
    result = pd.Series(pd.NaT, index=values.index, dtype=TIME_DTYPE)
    present = values.notna()
    if not present.any():
        return result, present
    cells = values[present]
    if pd.api.types.infer_dtype(cells, skipna=False) == "string":  # a CSV: text only, at once
        is_text = pd.Series(True, index=cells.index)
        is_time = is_number = pd.Series(False, index=cells.index)
    else:
        is_text = cells.map(lambda v: isinstance(v, str))
        is_time = cells.map(lambda v: isinstance(v, (datetime, date, pd.Timestamp)))
        is_number = ~is_text & ~is_time & cells.map(lambda v: isinstance(v, (int, float)))
    if is_time.any():
        typed = pd.to_datetime(cells[is_time].map(pd.Timestamp), utc=False, errors="coerce")
        result[typed.index] = _naive(typed, naive_time)
    if is_number.any():
        result[cells[is_number].index] = _serial_days(cells[is_number].astype(float))
    if is_text.any():
        strings = cells[is_text]
        text = pd.Series([v.strip() for v in strings.tolist()], index=strings.index, dtype=object)
        result[text.index] = _parse_time_text(text, naive_time, dayfirst)
    return result, present & result.isna()


def _serial_days(days: pd.Series) -> pd.Series:
    """Excel serial dates (days since 1899-12-30, Excel's leap-year bug included), local time."""
    plausible = days.where((days > 20000) & (days < 80000))
    return pd.to_datetime(plausible, unit="D", origin="1899-12-30").astype(TIME_DTYPE)


def _parse_time_text(text: pd.Series, naive_time: str, dayfirst: bool) -> pd.Series:
    result = pd.Series(pd.NaT, index=text.index, dtype=TIME_DTYPE)
    # One pass for the common Google Forms shape; the other shapes are tried on what is left.
    matches = [_FORMS_TIME.match(v) for v in text.tolist()]
    forms = np.fromiter((m is not None for m in matches), dtype=bool, count=len(matches))
    if forms.any():
        result[forms] = _parse_forms_times(text[forms], [m for m in matches if m is not None])
    text = text[~forms]
    if text.empty:
        return result
    iso = text.str.match(_ISO_DATE.pattern)
    if iso.any():
        with_offset = iso & text.str.contains(_ISO_OFFSET, regex=True)
        if with_offset.any():
            aware = pd.to_datetime(text[with_offset], format="ISO8601", utc=True, errors="coerce")
            result[aware.index] = aware.dt.tz_convert(PARIS).dt.tz_localize(None).astype(TIME_DTYPE)
        plain = iso & ~with_offset
        if plain.any():
            naive = pd.to_datetime(text[plain], format="ISO8601", errors="coerce")
            result[naive.index] = _naive(naive, naive_time)
    slash = text.str.match(_SLASH_DATE.pattern)
    if slash.any():
        result[text[slash].index] = _naive(_parse_slash_dates(text[slash], dayfirst), naive_time)
    serial = text.str.match(_SERIAL.pattern)
    if serial.any():
        result[text[serial].index] = _serial_days(text[serial].str.replace(",", ".").astype(float))
    return result


def _parse_forms_times(text: pd.Series, matches: list[re.Match]) -> pd.Series:
    """`2025/10/06 9:14:02 AM UTC+2`, `2023/11/13 4:20:37 pm CET`: the zone is honoured.

    The clock is read as 24-hour and AM/PM applied afterwards, because pandas' `%p` path is
    about ten times slower and a national export has 100,000 of these.
    """
    clocks = [m["time"] if m["time"].count(":") == 2 else m["time"] + ":00" for m in matches]
    base = pd.Series([f"{m['date']} {c}" for m, c in zip(matches, clocks)], index=text.index)
    local = pd.to_datetime(base, format="%Y/%m/%d %H:%M:%S", errors="coerce").astype(TIME_DTYPE)
    ampm = pd.Series([m["ampm"] or "" for m in matches], index=text.index, dtype=object)
    ampm = ampm.map({a: re.sub(r"[.\s]", "", a).upper() for a in ampm.unique()})
    hour = local.dt.hour
    twelve = pd.Timedelta(hours=12)
    local = local.where(~(ampm.ne("") & ((hour > 12) | (hour == 0))))  # `13:00 PM` is no time
    local = local.where(~(ampm.eq("PM") & (hour < 12)), local + twelve)
    local = local.where(~(ampm.eq("AM") & (hour == 12)), local - twelve)
    zones = pd.Series([m["zone"] for m in matches], index=text.index)
    minutes = zones.map({z: _zone_minutes(z) for z in zones.unique()})
    unknown_zone = minutes.isna() & zones.str.strip().ne("")
    result = local.where(~unknown_zone)
    zoned = minutes.notna()
    if zoned.any():
        utc = local[zoned] - pd.to_timedelta(minutes[zoned].astype(float), unit="m")
        result[zoned] = _utc_to_paris(utc)
    return result


def _parse_slash_dates(text: pd.Series, dayfirst: bool) -> pd.Series:
    """Day-first or month-first as the header language says, unless the cells prove otherwise."""
    text = (text.str.replace(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})", r"\1/\2/\3", regex=True)
                .str.replace(r"\s+-\s+", " ", regex=True))  # Framaforms: `06/10/2025 - 09:14`
    preferred, other = (_DAY_FIRST, _MONTH_FIRST) if dayfirst else (_MONTH_FIRST, _DAY_FIRST)
    first = _try_formats(text, preferred)
    if first.isna().any():
        second = _try_formats(text, other)
        if second.notna().sum() > first.notna().sum():
            return second
    return first


def _try_formats(text: pd.Series, formats: tuple[str, ...]) -> pd.Series:
    result = pd.Series(pd.NaT, index=text.index, dtype=TIME_DTYPE)
    for fmt in formats:
        missing = result.isna()
        if not missing.any():
            break
        result[missing] = pd.to_datetime(text[missing], format=fmt, errors="coerce")
    return result


def edition_of(times: pd.Series) -> pd.Series:
    """Academic year of each time: an edition starts on 1 September (Europe/Paris)."""
    start = times.dt.year - (times.dt.month < 9).astype("Int64")
    labels = start.astype("Int64").astype(str) + "-" + (start + 1).astype("Int64").astype(str)
    return labels.astype(object).where(times.notna(), None)


_EDITION = re.compile(r"^\s*(\d{4})\s*[-/–]\s*(\d{2}|\d{4})\s*$")


def parse_edition(value) -> str | None:
    match = _EDITION.match(cell_text(value))
    if not match:
        return None
    first, second = int(match.group(1)), match.group(2)
    second = int(second) if len(second) == 4 else first // 100 * 100 + int(second)
    return f"{first}-{second}" if second == first + 1 else None
