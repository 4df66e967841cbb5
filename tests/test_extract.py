"""Reading files: encodings, delimiters, sheets, typed cells, and the cell parsers.

Each test writes the bytes a staff member's tool would write, then checks the cells read back.
"""

from __future__ import annotations

import codecs
import datetime as dt
import zipfile

import openpyxl
import pytest
import xlsxwriter

from etl.extract import ExtractError, read_table
from etl.transform.common import parse_date, parse_edition_value, parse_number

HEADER = ["event_id", "city", "attendees"]
ROWS = [["EVT-1", "Orléans", "45"], ["EVT-2", "Besançon", "12"]]


def _text(delimiter: str, line_end: str = "\r\n") -> str:
    return line_end.join(delimiter.join(row) for row in [HEADER, *ROWS]) + line_end


def _cells(table) -> list[list]:
    return table.frame.values.tolist()


@pytest.mark.parametrize("name, data, encoding, delimiter", [
    ("utf8.csv", _text(",").encode("utf-8"), "utf-8", ","),
    ("utf8_bom.csv", codecs.BOM_UTF8 + _text(",").encode("utf-8"), "utf-8-sig", ","),
    ("excel_fr.csv", _text(";").encode("cp1252"), "cp1252", ";"),
    ("utf16.txt", codecs.BOM_UTF16_LE + _text("\t").encode("utf-16-le"), "utf-16", "\t"),
    ("tabs.tsv", _text("\t", "\n").encode("utf-8"), "utf-8", "\t"),
])
def test_encodings_and_delimiters_read_the_same_cells(tmp_path, name, data, encoding, delimiter):
    path = tmp_path / name
    path.write_bytes(data)

    table = read_table(path)

    assert (table.encoding, table.delimiter) == (encoding, delimiter)
    assert table.headers == HEADER
    assert _cells(table) == ROWS
    assert table.row_numbers == [2, 3]


def test_a_quoted_newline_stays_inside_its_cell(tmp_path):
    path = tmp_path / "names.csv"
    path.write_text('org_id,name\nORG-1,"Fondation\nSolidaire"\nORG-2,Coop\n', encoding="utf-8")

    table = read_table(path)

    assert _cells(table) == [["ORG-1", "Fondation\nSolidaire"], ["ORG-2", "Coop"]]
    # Row numbers are the file's records, so a person finds "row 3" as the third record.
    assert table.row_numbers == [2, 3]


def test_blank_lines_and_trailing_empty_columns_are_dropped(tmp_path):
    path = tmp_path / "sheet_export.csv"
    path.write_text("a,b,,\n1,2,,\n,,,\n\n3,4,,\n", encoding="utf-8")

    table = read_table(path)

    assert table.headers == ["a", "b"]
    assert _cells(table) == [["1", "2"], ["3", "4"]]
    assert table.row_numbers == [2, 5]


def test_xlsx_reads_the_first_sheet_with_typed_cells(tmp_path):
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Tour"
    first.append(["event_id", "date", "attendees"])
    first.append(["EVT-1", dt.datetime(2026, 11, 23), 45])
    book.create_sheet("notes").append(["not", "this", "one"])
    path = tmp_path / "tour.xlsx"
    book.save(path)

    table = read_table(path)

    assert table.sheet == "Tour"
    assert table.headers == ["event_id", "date", "attendees"]
    assert _cells(table) == [["EVT-1", dt.datetime(2026, 11, 23), 45]]


def test_xlsx_formulas_give_the_results_a_spreadsheet_saved(tmp_path):
    path = tmp_path / "saved_by_excel.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["event_id", "students_attending", "attendees"])
    sheet.write_row(1, 0, ["EVT-1", 20])
    sheet.write_formula(1, 2, "=B2+25", None, 20 + 25)
    book.close()

    assert _cells(read_table(path)) == [["EVT-1", 20, 45]]


def test_a_formula_that_computed_an_empty_text_reads_as_an_empty_cell(tmp_path):
    """Excel stores =IF(...;"";...) with an empty result, which reads like a missing one: the
    workbook is not refused when its other formulas were computed."""
    path = tmp_path / "saved_by_excel.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["event_id", "note", "attendees"])
    sheet.write_row(1, 0, ["EVT-1"])
    sheet.write_formula(1, 1, '=IF(C2>100,"grand","")', None, "")
    sheet.write_formula(1, 2, "=20+25", None, 45)
    book.close()

    assert _cells(read_table(path)) == [["EVT-1", None, 45]]


def test_xlsx_formulas_without_results_refuse_the_file_naming_the_cell(tmp_path):
    """openpyxl (or any program) writes formulas without their results: reading them as empty
    cells would silently reject or mis-load rows, so the file is refused with what to do."""
    book = openpyxl.Workbook()
    book.active.append(["event_id", "students_attending", "attendees"])
    book.active.append(["EVT-1", 20, "=B2+25"])
    path = tmp_path / "written_by_a_script.xlsx"
    book.save(path)

    with pytest.raises(ExtractError) as refused:
        read_table(path)

    message = str(refused.value)
    assert "written_by_a_script.xlsx" in message
    assert "C2 (=B2+25)" in message
    assert "save it" in message


def test_a_google_forms_zip_reads_the_csv_inside(tmp_path):
    path = tmp_path / "Questionnaire.csv.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Questionnaire.csv", _text(","))

    table = read_table(path)

    assert table.file_name == "Questionnaire.csv.zip/Questionnaire.csv"
    assert _cells(table) == ROWS


def test_a_zip_with_two_tables_is_refused(tmp_path):
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.csv", _text(","))
        archive.writestr("b.csv", _text(","))

    with pytest.raises(ExtractError, match="exactly one CSV or XLSX file"):
        read_table(path)


@pytest.mark.parametrize("name, data, expected", [
    ("empty.csv", b"", "the file is empty"),
    ("spaces.csv", b"  \r\n\r\n", "the file is empty"),
    ("picture.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text table"),
    ("book.csv", b"PK\x03\x04" + b"\x00" * 40, "renamed .csv"),
    ("broken.xlsx", b"PK\x03\x04 not really a workbook", "not a readable Excel workbook"),
    ("notes.pdf", b"%PDF-1.4", "unsupported file type '.pdf'"),
])
def test_unreadable_files_are_refused_with_a_reason(tmp_path, name, data, expected):
    path = tmp_path / name
    path.write_bytes(data)

    with pytest.raises(ExtractError, match=expected):
        read_table(path)


@pytest.mark.parametrize("text, expected", [
    ("12", 12.0), ("12,5", 12.5), ("1 200", 1200.0), ("1\u202f200,5", 1200.5),
    ("1,234.5", 1234.5), ("-3", -3.0), ("douze", None), ("", None),
])
def test_numbers_accept_the_french_decimal_comma(text, expected):
    assert parse_number(text) == expected


EXCEL_EPOCH = dt.date(1899, 12, 30)
NOV_23 = dt.date(2026, 11, 23)


@pytest.mark.parametrize("cell", [
    "2026-11-23", "23/11/2026", "23.11.2026", "2026/11/23", "2026-11-23T09:14:02Z",
    str((NOV_23 - EXCEL_EPOCH).days), (NOV_23 - EXCEL_EPOCH).days,
    float((NOV_23 - EXCEL_EPOCH).days), dt.datetime(2026, 11, 23, 9, 30), NOV_23,
])
def test_dates_are_read_in_every_common_form(cell):
    assert parse_date(cell) == NOV_23


@pytest.mark.parametrize("cell", ["31/02/2026", "23 novembre", "2026-13-01", "hier"])
def test_impossible_dates_are_not_dates(cell):
    assert parse_date(cell) is None


@pytest.mark.parametrize("text, expected", [
    ("2026-2027", "2026-2027"), ("2026/2027", "2026-2027"), ("2026-27", "2026-2027"),
    ("2026-2028", None), ("2026", None),
])
def test_editions_are_academic_years(text, expected):
    assert parse_edition_value(text) == expected


def test_cp1252_punctuation_survives(tmp_path):
    """Windows-1252 is Latin-1 plus typographic marks Excel writes (’ œ €)."""
    path = tmp_path / "excel.csv"
    path.write_bytes("org_id;name\r\nORG-1;L’œuvre à 5 €\r\n".encode("cp1252"))

    assert _cells(read_table(path)) == [["ORG-1", "L’œuvre à 5 €"]]


def test_utf16_big_endian_reads_too(tmp_path):
    """UTF-16 big-endian with its BOM reads too (some Mac exports)."""
    path = tmp_path / "be.txt"
    path.write_bytes(codecs.BOM_UTF16_BE + _text("\t").encode("utf-16-be"))

    assert _cells(read_table(path)) == ROWS


def test_xlsx_numbers_stay_numbers_until_the_transform(tmp_path):
    """Reading gives no meaning to cells: an id typed as a number comes back as a number (the
    transforms write 12.0 back as '12')."""
    book = openpyxl.Workbook()
    book.active.append(["org_id", "name"])
    book.active.append([12, "Asso"])
    path = tmp_path / "ids.xlsx"
    book.save(path)

    assert _cells(read_table(path)) == [[12, "Asso"]]
