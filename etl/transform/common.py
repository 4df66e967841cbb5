"""Parsing and checking of cell values shared by every input kind.

Each parser takes a column (a pandas Series of raw cells: text from CSV, typed values from XLSX)
and returns the parsed column plus a per-row error text (None when fine), so that a bad cell
rejects its row with a reason a person understands, and the other rows go on.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from collections import defaultdict
from functools import lru_cache

import pandas as pd

from etl.reference import name_key
from etl.settings import DATA_DIR

COLUMNS_CSV = DATA_DIR / "reference" / "columns.csv"
VALUES_CSV = DATA_DIR / "reference" / "values.csv"
EXCEL_EPOCH = dt.date(1899, 12, 30)
EDITION_RE = re.compile(r"^\s*(\d{4})\s*[-/–_ ]\s*(\d{2}|\d{4})\s*$")


@lru_cache(maxsize=1)
def column_synonyms() -> dict[str, dict[str, str]]:
    """kind -> {normalised header: canonical column}."""
    result: dict[str, dict[str, str]] = defaultdict(dict)
    with COLUMNS_CSV.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for header in row["headers"].split("|"):
                result[row["kind"]].setdefault(name_key(header), row["column"])
    return dict(result)


@lru_cache(maxsize=1)
def vocabularies() -> dict[str, dict[str, str]]:
    """field -> {normalised label: code}."""
    result: dict[str, dict[str, str]] = defaultdict(dict)
    with VALUES_CSV.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for label in row["labels"].split("|"):
                result[row["field"]].setdefault(name_key(label), row["code"])
    return dict(result)


def is_blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if value is pd.NaT:
        return True
    return isinstance(value, str) and not value.strip()


EMAIL_LIKE = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")


def show(value) -> str:
    """A cell as quoted in a message or a rejected row; never an e-mail address (typed into a
    school or project cell, it would otherwise reach the warehouse in clear)."""
    text = str(value).strip()
    if EMAIL_LIKE.search(text):
        return "<an e-mail address, not shown>"
    return text if len(text) <= 60 else text[:57] + "..."


def edition_of(day) -> str | None:
    """Academic year of a date: an edition starts on 1 September."""
    if day is None or day is pd.NaT or (isinstance(day, float) and math.isnan(day)):
        return None
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{start + 1}"


def edition_dates(edition: str) -> tuple[dt.date, dt.date]:
    start = int(edition[:4])
    return dt.date(start, 9, 1), dt.date(start + 1, 8, 31)


def parse_edition_value(value) -> str | None:
    """'2024-2025', '2024/2025', '2024-25' -> '2024-2025'; None when not an edition."""
    match = EDITION_RE.match(str(value))
    if not match:
        return None
    first, second = int(match.group(1)), match.group(2)
    second = int(second) if len(second) == 4 else (first // 100) * 100 + int(second)
    return f"{first}-{second}" if second == first + 1 else None


def parse_number(value) -> float | None:
    """Numbers with a decimal comma, spaces or narrow no-break spaces between thousands."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and math.isnan(value) else float(value)
    text = str(value).strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    if text.count(",") == 1 and text.count(".") == 0:
        text = text.replace(",", ".")
    elif text.count(",") >= 1 and text.count(".") == 1 and text.rfind(".") > text.rfind(","):
        text = text.replace(",", "")  # 1,234.5
    try:
        number = float(text)
    except ValueError:
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def parse_date(value) -> dt.date | None:
    """ISO, French day-first, Excel serial numbers, typed cells, ISO timestamps."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d{4,5}([.,]\d+)?", text):
        return parse_date(float(text.replace(",", ".")))
    for pattern, order in ((r"(\d{4})-(\d{1,2})-(\d{1,2})", "ymd"), (r"(\d{4})/(\d{1,2})/(\d{1,2})", "ymd"),
                           (r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", "dmy")):
        match = re.match(pattern + r"(?:[ T].*)?$", text)
        if match:
            parts = [int(p) for p in match.groups()]
            year, month, day = parts if order == "ymd" else (parts[2], parts[1], parts[0])
            try:
                return dt.date(year, month, day)
            except ValueError:
                return None
    return None


def parse_region(value, region_names: dict[str, str]) -> str | None:
    """'84', 84, '84.0', '1' -> '01', or a region's name -> its code."""
    number = parse_number(value)
    if number is not None and number == int(number):
        code = str(int(number)).zfill(2)
        return code if code in region_names else None
    key = name_key(value)
    for code, name in region_names.items():
        if name_key(name) == key:
            return code
    return None


def once_per_value(parse):
    """`parse`, computed once per distinct cell: a column of 100,000 students repeats a few
    schools, editions and numbers, and the parsers (names, dates) cost microseconds each.
    Cells are told apart by type as well as value (1, 1.0 and True are equal in Python)."""
    seen: dict = {}

    def parse_once(cell):
        key = (type(cell), cell)
        try:
            return seen[key]
        except KeyError:
            seen[key] = result = parse(cell)
            return result
        except TypeError:  # a cell that cannot be a dict key
            return parse(cell)

    return parse_once


class ColumnParser:
    """Collects per-row errors while parsing the columns of one frame."""

    def __init__(self, frame: pd.DataFrame, row_numbers: list[int], headers: dict[str, str]):
        self.frame = frame
        self.row_numbers = row_numbers
        self.headers = headers  # canonical column -> header as written in the file
        self.errors: list[list[tuple[str, str]]] = [[] for _ in range(len(frame))]

    def column(self, name: str) -> pd.Series:
        if name in self.frame.columns:
            return self.frame[name]
        return pd.Series([None] * len(self.frame), index=self.frame.index, dtype=object)

    def fail(self, position: int, code: str, message: str) -> None:
        self.errors[position].append((code, f"row {self.row_numbers[position]}: {message}"))

    def parse(self, name: str, parser, *, required: bool, what: str) -> list:
        """Apply `parser` (cell -> value or None) to a column; None from a non-blank cell is an
        error naming `what` was expected."""
        header = self.headers.get(name, name)
        parser = once_per_value(parser)
        values = []
        for position, cell in enumerate(self.column(name).tolist()):
            if is_blank(cell):
                if required:
                    self.fail(position, "missing_value", f"'{header}' is empty")
                values.append(None)
                continue
            parsed = parser(cell)
            if parsed is None:
                self.fail(position, "invalid_value",
                          f"'{header}' must be {what}, got '{show(cell)}'")
            values.append(parsed)
        return values

    def vocabulary(self, name: str, field: str, *, required: bool) -> list:
        vocab = vocabularies()[field]
        allowed = sorted(set(vocab.values()))
        return self.parse(name, lambda v: vocab.get(name_key(v)), required=required,
                          what="one of " + ", ".join(allowed))

    def integer(self, name: str, *, required: bool, minimum: int = 0, maximum: int | None = None):
        def parse(cell):
            number = parse_number(cell)
            if number is None or number != int(number):
                return None
            if number < minimum or (maximum is not None and number > maximum):
                return None
            return int(number)

        span = f"a whole number from {minimum}" + (f" to {maximum}" if maximum is not None else "")
        return self.parse(name, parse, required=required, what=span)

    def date(self, name: str, *, required: bool):
        def parse(cell):
            day = parse_date(cell)
            return day if day and dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31) else None

        return self.parse(name, parse, required=required,
                          what="a date (2025-10-06, 06/10/2025 or an Excel date)")

    def text(self, name: str, *, required: bool) -> list:
        return self.parse(name, lambda v: str(v).strip() if not isinstance(v, float)
                          or v != int(v) else str(int(v)), required=required, what="text")

    def identifier(self, name: str, *, required: bool) -> list:
        """Keys: text, with Excel's 12.0 written back as 12."""
        def parse(cell):
            if isinstance(cell, float) and cell == int(cell):
                return str(int(cell))
            return str(cell).strip()

        return self.parse(name, parse, required=required, what="an identifier")

    def edition(self, name: str, *, required: bool) -> list:
        return self.parse(name, parse_edition_value, required=required,
                          what="an academic year such as 2024-2025")

    def bad_rows(self) -> set[int]:
        return {i for i, errs in enumerate(self.errors) if errs}
