"""Any supported file -> a raw table of cells. No meaning is given to the columns here.

Readers detect the encoding (strict UTF-8 with or without BOM first, UTF-16 by its BOM, then
charset detection, which misreads short Windows-1252 files when asked first), the delimiter,
the sheet of an XLSX, a Google Forms `.zip`, and Framaforms' three header rows.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path

import pandas as pd

SUPPORTED_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".zip")
PREFERRED_SHEETS = ("form1", "réponses au formulaire 1", "form responses 1", "form_responses_1")


# Limits on what a ZIP archive (a Google Forms .zip, and every XLSX, itself a zip) may expand
# to, checked from its directory before any member is read: a 1 MB "zip bomb" holding 1 GiB
# would otherwise be read whole into memory. zipfile never returns more than a member's declared
# size (a member that lies fails its CRC), so the declared sizes bound what is read.
# - 200 MB expanded per file: a national survey export (100,000 responses of about ten
#   answers) is about 30 MB as CSV and about 60 MB of sheet XML as XLSX; a file past 200 MB
#   would not fit the 500 MB a load may take once parsed.
# - 1,000 members: an XLSX holds a dozen parts (a few more per sheet), a Google Forms .zip one
#   CSV; thousands of members is an archive of something else, or a bomb of many small parts.
# - 100:1 compression beyond 5 MB: spreadsheet XML and CSV compress 5:1 to 20:1 (repetitive
#   sheets up to about 40:1); a member past 100:1 is padding built to expand. Small members
#   (under 5 MB) may compress as they like: they cannot hurt.
ARCHIVE_MAX_EXPANDED_BYTES = 200 * 1024 * 1024
ARCHIVE_MAX_MEMBERS = 1_000
ARCHIVE_MAX_RATIO = 100
ARCHIVE_RATIO_FROM_BYTES = 5 * 1024 * 1024


class ExtractError(ValueError):
    """The file cannot be read as a table; the message says why, for a person."""


@dataclass
class RawTable:
    """A file's cells as text (CSV) or typed values (XLSX), with its header row."""

    frame: pd.DataFrame                 # columns are positions 0..n-1; cells str/None or typed
    headers: list[str]                  # header text per column ('' when blank)
    row_numbers: list[int]              # the row number a person sees in the file, per row
    file_name: str
    source_format: str                  # 'csv' or 'xlsx'
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    group_headers: list[str] = field(default_factory=list)  # Framaforms' block-label row
    title: str | None = None            # Framaforms' title row
    had_bom: bool = False

    @property
    def header_fingerprint(self) -> str:
        """Identifies a form by its headers, so its response ids do not collide with another's."""
        joined = "\x1f".join(h.strip().lower() for h in self.headers)
        return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:12]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_table(path: Path) -> RawTable:
    path = Path(path)
    if not path.exists():
        raise ExtractError(f"{path}: no such file")
    suffix = path.suffix.lower()
    data = path.read_bytes()
    if not data.strip():
        raise ExtractError(f"{path.name}: the file is empty")
    if suffix == ".zip" or data[:4] == b"PK\x03\x04" and suffix not in (".xlsx", ".xlsm"):
        if suffix in (".csv", ".tsv", ".txt"):
            raise ExtractError(f"{path.name}: this is not a text table (it looks like a zip "
                               f"or an Excel file renamed .csv)")
        return _read_zip(path, data)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path.name, data)
    if suffix in (".csv", ".tsv", ".txt"):
        return _read_delimited(path.name, data)
    raise ExtractError(f"{path.name}: unsupported file type '{suffix}' "
                       f"(expected {', '.join(SUPPORTED_SUFFIXES)})")


def open_archive(name: str, data: bytes, not_a_zip: str) -> zipfile.ZipFile:
    """A zip archive whose directory stays within the limits above (else a one-line refusal
    naming the file and the limit), before any member is read."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise ExtractError(f"{name}: {not_a_zip}")
    members = archive.infolist()
    if len(members) > ARCHIVE_MAX_MEMBERS:
        raise ExtractError(f"{name}: refused: the archive holds {len(members):,} files, more "
                           f"than the {ARCHIVE_MAX_MEMBERS:,} allowed")
    expanded = sum(m.file_size for m in members)
    if expanded > ARCHIVE_MAX_EXPANDED_BYTES:
        raise ExtractError(f"{name}: refused: the archive would expand to {_mb(expanded)} MB, "
                           f"more than the {_mb(ARCHIVE_MAX_EXPANDED_BYTES)} MB allowed")
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > ARCHIVE_RATIO_FROM_BYTES and ratio > ARCHIVE_MAX_RATIO:
            raise ExtractError(f"{name}: refused: {member.filename} would expand {ratio:,.0f} "
                               f"times its compressed size, more than the {ARCHIVE_MAX_RATIO}:1 "
                               f"allowed (a zip bomb?)")
    return archive


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f}"


def _read_member(name: str, archive: zipfile.ZipFile, member: str) -> bytes:
    try:
        return archive.read(member)
    except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError) as error:
        raise ExtractError(f"{name}: {member} cannot be read from the archive ({error})")


def _read_zip(path: Path, data: bytes) -> RawTable:
    archive = open_archive(path.name, data, "not a valid zip archive")
    members = [n for n in archive.namelist()
               if n.lower().endswith((".csv", ".tsv", ".xlsx")) and not n.startswith("__MACOSX")]
    if not members and any(n.lower().endswith(".zip") for n in archive.namelist()):
        raise ExtractError(f"{path.name}: a zip inside a zip is not read; extract the inner "
                           f"archive and load its CSV or XLSX file")
    if len(members) != 1:
        raise ExtractError(f"{path.name}: a zip must hold exactly one CSV or XLSX file "
                           f"(found {len(members)})")
    inner = _read_member(path.name, archive, members[0])
    name = f"{path.name}/{members[0]}"
    if members[0].lower().endswith(".xlsx"):
        return _read_xlsx(name, inner)
    return _read_delimited(name, inner)


def decode(data: bytes, name: str) -> tuple[str, str, bool]:
    """Text, encoding name and whether a BOM was present."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig", True
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16", True
    if b"\x00" in data[:4096]:
        raise ExtractError(f"{name}: this is not a text table (it holds binary data)")
    try:
        return data.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["cp1252", "latin_1", "utf_16", "mac_roman"]).best()
    encoding = best.encoding if best else "cp1252"
    if encoding in ("latin_1", "iso8859_1", "iso8859_15"):
        encoding = "cp1252"  # Excel's French CSV: cp1252 is latin-1 plus ’ œ € …
    try:
        return data.decode(encoding), encoding, False
    except UnicodeDecodeError:
        raise ExtractError(f"{name}: the text encoding could not be recognised "
                           f"(save it as UTF-8 CSV)")


def _first_lines(text: str, count: int) -> list[str]:
    """text.splitlines()[:count], without splitting a whole national export into lines."""
    size = 1 << 16
    while True:
        lines = text[:size].splitlines()
        # One line more than asked: the first `count` are then complete.
        if len(lines) > count or size >= len(text):
            return lines[:count]
        size *= 4


def sniff_delimiter(text: str) -> str:
    sample_lines = [line for line in _first_lines(text, 50) if line.strip()]
    sample = "\n".join(sample_lines[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        pass
    first = sample_lines[0] if sample_lines else ""
    counts = {d: first.count(d) for d in (";", ",", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_delimited(name: str, data: bytes) -> RawTable:
    text, encoding, bom = decode(data, name)
    if not text.strip():
        raise ExtractError(f"{name}: the file is empty")
    delimiter = sniff_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise ExtractError(f"{name}: the file is not a valid CSV table ({error})")
    table = _from_rows(name, list(enumerate(rows, start=1)), "csv")
    table.encoding, table.delimiter, table.had_bom = encoding, delimiter, bom
    return table


def _read_xlsx(name: str, data: bytes) -> RawTable:
    import openpyxl

    open_archive(name, data, "not a readable Excel workbook")  # openpyxl reads parts whole
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ExtractError(f"{name}: not a readable Excel workbook")
    sheet_name = _choose_sheet(book.sheetnames)
    sheet = book[sheet_name]
    cells = list(enumerate(sheet.iter_rows(values_only=True), start=1))
    book.close()
    _refuse_uncomputed_formulas(name, data, sheet_name, cells)
    rows = [(number, ["" if v is None else v for v in values]) for number, values in cells]
    table = _from_rows(name, rows, "xlsx")
    table.sheet = sheet_name
    return table


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _refuse_uncomputed_formulas(name: str, data: bytes, sheet_name: str, cells) -> None:
    """A formula's value is what Excel saved beside it; a workbook written by a program (not
    saved by a spreadsheet) has none, and its formula cells would silently read as empty."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        has_formulas = any(_FORMULA_TAG.search(archive.read(member))
                           for member in archive.namelist()
                           if member.startswith("xl/worksheets/") and member.endswith(".xml"))
    except (zipfile.BadZipFile, KeyError):
        return
    if not has_formulas:
        return
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    computed, uncomputed = 0, []
    for (number, values), formulas in zip(cells, book[sheet_name].iter_rows(values_only=True)):
        for column, (value, formula) in enumerate(zip(values, formulas), start=1):
            if isinstance(formula, str) and formula.startswith("="):
                if value is None:
                    uncomputed.append(f"{get_column_letter(column)}{number} ({formula})")
                else:
                    computed += 1
    book.close()
    # A formula whose result is an empty text also reads as None; a spreadsheet that saved the
    # file computed the others, so only a sheet where no formula has a result is refused.
    if uncomputed and not computed:
        more = f" and {len(uncomputed) - 1} more" if len(uncomputed) > 1 else ""
        raise ExtractError(
            f"{name}: cell {uncomputed[0]}{more} holds a formula whose result was never "
            f"computed (the file was written by a program, not saved by a spreadsheet); "
            f"open it in Excel or LibreOffice, save it, and load it again")


def _choose_sheet(names: list[str]) -> str:
    for name in names:
        if name.strip().lower() in PREFERRED_SHEETS:
            return name
    return names[0]


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _filled(row: list) -> bool:
    """Not every cell of the row is blank (the first filled cell ends the look)."""
    for value in row:
        if value is not None and (not isinstance(value, str) or value.strip()):
            return True
    return False


def _from_rows(name: str, rows: list[tuple[int, list]], source_format: str) -> RawTable:
    rows = [(n, r) for n, r in rows if _filled(r)]
    if not rows:
        raise ExtractError(f"{name}: the file holds no table")
    title, group_headers = None, []
    if _looks_like_framaforms(rows):
        title = str(rows[0][1][0]).strip()
        group_headers = [str(v).strip() for v in rows[1][1]]
        rows = rows[2:]
    header_number, header = rows[0]
    header = [str(v).strip() if not _blank(v) else "" for v in header]
    width = max([len(header)] + [len(r) for _, r in rows[1:]])
    # Trailing empty columns (a spreadsheet's habit) carry nothing.
    while width and (width > len(header) or header[width - 1] == "") and all(
            _blank(r[width - 1]) if len(r) >= width else True for _, r in rows[1:]):
        width -= 1
    header = (header + [""] * width)[:width]
    body = rows[1:]
    frame = _cells_frame([r for _, r in body], width)
    if group_headers:
        group_headers = (group_headers + [""] * width)[:width]
    return RawTable(frame=frame, headers=header, row_numbers=[n for n, _ in body],
                    file_name=name, source_format=source_format, group_headers=group_headers,
                    title=title)


def _cells_frame(rows: list[list], width: int) -> pd.DataFrame:
    """Rows cut or padded to `width` cells, blank cells as None; built column by column (a
    national export has a million cells, too many for a per-cell call)."""
    if not rows:
        return pd.DataFrame([], columns=range(width), dtype=object)
    columns = list(zip_longest(*rows, fillvalue=""))[:width]
    columns += [("",) * len(rows)] * (width - len(columns))
    return pd.DataFrame(
        {position: [None if v is None or (isinstance(v, str) and not v.strip()) else v
                    for v in cells] for position, cells in enumerate(columns)},
        columns=range(width), dtype=object)


def _looks_like_framaforms(rows) -> bool:
    """Title row (one non-empty cell), block-label row, labels row: by structure, not wording."""
    if len(rows) < 3:
        return False
    first = [v for v in rows[0][1] if not _blank(v)]
    second, third = rows[1][1], rows[2][1]
    filled_third = sum(not _blank(v) for v in third)
    filled_second = sum(not _blank(v) for v in second)
    return (len(first) == 1 and not _blank(rows[0][1][0]) and not _blank(second[0])
            and filled_third >= 3 and filled_second < filled_third)
