"""Files that leave the system: CSV (the plain contract), CSV Excel (FR), XLSX and JSON.

Machine-readable files (CSV, JSON) leave a suppressed figure blank and flag it; XLSX shows
"< K". Every XLSX and JSON carries its metadata (filters, as-of date, K, methodology version);
CSV stays a plain table with exactly its contract's columns. Text cells that a spreadsheet would
run as a formula are neutralised; numbers stay numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

METHODOLOGY_VERSION = "1.0"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SUPPRESSED_MARK = "< {k}"


@dataclass
class ExportMeta:
    figure: str
    filters: dict
    k: int
    as_of: dt.datetime | None
    scope: str = "staff"
    methodology_version: str = METHODOLOGY_VERSION
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    notes: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "figure": self.figure, "filters": self.filters, "scope": self.scope,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "min_cell": self.k, "methodology_version": self.methodology_version,
            "generated_at": self.generated_at.isoformat(timespec="seconds"), **self.notes,
        }


# A signed decimal number ("-3", "+1,5", "-2.5e3"): starts like a formula, is only a number.
PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


def neutralise(value):
    """A text cell that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or
    a carriage return) gets a leading apostrophe; numbers, and text that is only a signed
    number, are untouched.

    The one function every file leaving the system goes through: the exports' CSV, CSV Excel
    (FR), XLSX and the report pack (`to_csv`, `to_csv_excel_fr`, `to_xlsx`), and the rejected
    rows a staff member downloads to fix (`dashboard.uploads.rejected_csv`)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return value if PLAIN_NUMBER.fullmatch(value) else "'" + value
    return value


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _plain(value):
    if _is_missing(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()  # numpy scalars
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return neutralise(value) if isinstance(value, str) else value


def to_csv(frame: pd.DataFrame) -> str:
    """The contract CSV: comma, dot decimal, UTF-8, blank for missing, true/false."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(frame.columns)
    for row in frame.itertuples(index=False):
        writer.writerow([_plain(v) for v in row])
    return out.getvalue()


def to_csv_excel_fr(frame: pd.DataFrame) -> bytes:
    """For French spreadsheets: semicolon, decimal comma, BOM."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(frame.columns)
    for row in frame.itertuples(index=False):
        cells = []
        for value in row:
            value = _plain(value)
            if isinstance(value, str) and re.fullmatch(r"-?\d+\.\d+", value):
                value = value.replace(".", ",")
            cells.append(value)
        writer.writerow(cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_json(frame: pd.DataFrame, meta: ExportMeta) -> str:
    rows = [{c: (None if _is_missing(v) else v) for c, v in zip(frame.columns, row)}
            for row in frame.itertuples(index=False)]
    return json.dumps({"meta": meta.as_dict(), "rows": rows}, ensure_ascii=False, indent=2,
                      default=_json_default)


def _json_default(value):
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def to_xlsx(sheets: dict[str, pd.DataFrame], meta: ExportMeta,
            suppressed: dict[str, pd.DataFrame] | None = None) -> bytes:
    """One sheet per table plus a 'méthodologie' sheet; suppressed cells read '< K'."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_numbers": False})
    header = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    for name, frame in sheets.items():
        sheet = book.add_worksheet(name[:31])
        mask = (suppressed or {}).get(name)
        for col, column in enumerate(frame.columns):
            sheet.write(0, col, str(column), header)
            sheet.set_column(col, col, max(12, min(40, len(str(column)) + 2)))
        for r, row in enumerate(frame.itertuples(index=False), start=1):
            for c, value in enumerate(row):
                hidden = mask is not None and bool(mask.iat[r - 1, c])
                if hidden:
                    sheet.write_string(r, c, SUPPRESSED_MARK.format(k=meta.k))
                elif _is_missing(value):
                    sheet.write_blank(r, c, None)
                elif isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, (int, float)) or hasattr(value, "item"):
                    sheet.write_number(r, c, float(value))
                else:
                    sheet.write_string(r, c, str(neutralise(str(value))))
        sheet.freeze_panes(1, 0)
    info = book.add_worksheet("méthodologie")
    info.set_column(0, 0, 28)
    info.set_column(1, 1, 90)
    for r, (key, value) in enumerate(meta.as_dict().items()):
        info.write_string(r, 0, key)
        info.write_string(r, 1, neutralise(json.dumps(value, ensure_ascii=False)
                                           if isinstance(value, (dict, list)) else str(value)))
    book.close()
    return out.getvalue()


def set_aside_notes(count: int, langs: tuple[str, ...] = ("fr", "en")) -> dict:
    """The 'méthodologie' sheet's lines on the survey answers of the selection that were set
    aside (labels no one could read yet, counted in no figure): the count, then what it means,
    in each language asked (named like the pack's definitions; "(fr)", "(en)" when several)."""
    from dashboard.i18n import t, tn

    notes = {"set_aside_answers": count}
    for lang in langs:
        key = "définition · set_aside_answers" + (f" ({lang})" if len(langs) > 1 else "")
        notes[key] = (
            t("report.sheet.set_aside.none", lang) if count == 0
            else tn("report.sheet.set_aside", count, lang))
    return notes


def suppression_mask(frame: pd.DataFrame, hidden_columns: list[str],
                     flag: str = "suppressed") -> pd.DataFrame:
    """Cells to show as '< K': the hidden columns of the rows whose flag is true."""
    mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    if flag in frame.columns:
        rows = frame[flag].fillna(False).astype(bool)
        for column in hidden_columns:
            mask.loc[rows, column] = True
    return mask


def write(frame: pd.DataFrame, meta: ExportMeta, fmt: str, out: Path | None,
          mask: pd.DataFrame | None = None) -> bytes:
    """Render a figure table in a format; write it to `out` when given, return the bytes."""
    if fmt == "csv":
        data = to_csv(frame).encode("utf-8")
    elif fmt == "csv-fr":
        data = to_csv_excel_fr(frame)
    elif fmt == "json":
        data = to_json(frame, meta).encode("utf-8")
    elif fmt == "xlsx":
        data = to_xlsx({meta.figure: frame}, meta, {meta.figure: mask} if mask is not None else None)
    else:
        raise ValueError(f"unknown format '{fmt}' (csv, xlsx, json)")
    if out is not None:
        Path(out).write_bytes(data)
    return data


FIGURE_TABLES = {
    "awareness": "dashboard.queries.awareness",
    "reach": "dashboard.queries.reach",
    "outcomes": "dashboard.queries.outcomes",
}
# Columns shown as "< K" in XLSX when a row's `suppressed` flag is set.
SUPPRESSIBLE = {
    "awareness": ["pre_pct", "post_pct", "diff_pp", "ci_low_pp", "ci_high_pp", "p_value"],
}


def figure_table(figure: str, filters, scope, k: int) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The contract table of a figure and, when some cells are hidden, the mask of them."""
    import importlib

    module = importlib.import_module(FIGURE_TABLES[figure])
    frame = module.export_table(filters, scope, k)
    mask = frame.attrs.get("suppressed_mask")
    if mask is None and figure in SUPPRESSIBLE:
        mask = suppression_mask(frame, SUPPRESSIBLE[figure])
    return frame, mask


# The file name ending of each format a page's download button offers.
FILE_ENDINGS = {"csv": ".csv", "csv-fr": "-excel-fr.csv", "xlsx": ".xlsx"}


def export_meta(figure: str, filters, scope, k: int) -> ExportMeta:
    from dashboard.queries.base import freshness

    return ExportMeta(figure=figure, k=k, as_of=freshness().as_of, scope=scope.role,
                      filters={"editions": list(filters.editions), "schools": list(filters.schools),
                               "regions": list(filters.regions)})


def page_export(figure: str, filters, scope, k: int, fmt: str) -> bytes:
    """A page's download of its contract table, for the view's filters within the server's
    scope and K (the pages call it with their `context`, never with what a browser sends)."""
    frame, mask = figure_table(figure, filters, scope, k)
    return write(frame, export_meta(figure, filters, scope, k), fmt, None, mask)


def export_figure(figure: str, filters, scope, k: int, fmt: str, out: Path | None) -> bytes:
    from dashboard.queries.base import effective
    from dashboard.queries.set_aside import set_aside_count

    frame, mask = figure_table(figure, filters, scope, k)
    meta = export_meta(figure, filters, scope, k)
    if fmt == "xlsx":  # JSON's meta keeps its contract; the sheet explains the figures
        meta.notes.update(set_aside_notes(set_aside_count(effective(filters, scope))))
    return write(frame, meta, fmt, out, mask)
