"""Writes the messy input files of this folder (invented data). Run it from the project root:

    .venv/bin/python tests/data/messy/generate.py

The text files are written byte by byte here so that their encodings, BOMs, delimiters and line
ends are exactly what the tests claim; README.md says what each file holds and how it must load.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
EXCEL_EPOCH = dt.date(1899, 12, 30)

EVENTS_EN = ("event_id,date,city,region_code,school_id,event_type,attendees,students_attending,"
             "organisations_attending")
EVENTS_FR = ("id_evenement;date;ville;code_region;ecole;type_evenement;participants;"
             "etudiants_presents;organisations_presentes")


def excel_french_csv() -> bytes:
    """Excel FR 'CSV (séparateur : point-virgule)': Windows-1252, semicolons, CRLF, decimal
    commas, French dates, a thousands space."""
    lines = [EVENTS_FR,
             "EVT-FR-1;23/11/2026;Orléans;24;Centrale Supélec;Conférence;45,0;30;2",
             "EVT-FR-2;2026-12-01;Besançon;27;;atelier;1 200;800;12",
             f"EVT-FR-3;{(dt.date(2027, 1, 15) - EXCEL_EPOCH).days};Nîmes;76;;Webinaire;12,5;3;0"]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def unicode_text_export() -> bytes:
    """Excel 'Texte Unicode (*.txt)': UTF-16 LE with its BOM, tab-separated."""
    lines = [EVENTS_EN.replace(",", "\t"),
             "EVT-U-1\t2026-10-05\tSaint-Étienne\t84\t\tforum\t60\t40\t5",
             "EVT-U-2\t2026-10-06\tMontréal-la-Cluse\t84\t\thackathon\t25\t25\t0"]
    return codecs_utf16("\r\n".join(lines) + "\r\n")


def codecs_utf16(text: str) -> bytes:
    return b"\xff\xfe" + text.encode("utf-16-le")


def organisations_bom() -> bytes:
    """UTF-8 with a BOM, blank lines, trailing empty columns, a quoted newline in a name."""
    lines = ["org_id,name,legal_form,cause,city,region_code,,,",
             "ORG-M1,Les Amis du Code,association,education,Lyon,84,,,",
             ",,,,,,,,",
             "",
             'ORG-M2,"Fondation\nSolidaire",fondation,sante,Rennes,53,,,',
             "ORG-M3,Coop Numérique,SCOP,emploi,Lille,32,,,",
             "ORG-M4,Mutuelle Sans Forme,pas une forme,sante,Nantes,52,,,",
             ",,,,,,,,"]
    return b"\xef\xbb\xbf" + ("\n".join(lines) + "\n").encode("utf-8")


def duplicated_rows() -> bytes:
    lines = [EVENTS_EN,
             "EVT-D-1,2026-10-05,Lyon,84,,workshop,30,20,3",
             "EVT-D-2,2026-10-06,Lyon,84,,workshop,40,10,4",
             "EVT-D-1,2026-10-05,Lyon,84,,workshop,30,20,3"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def unknown_schools() -> bytes:
    """Projects whose schools are written every common way; line 14 names a school that does
    not exist ('Centrale Marseile', a typo)."""
    schools = ["CentraleSupélec", "Centrale Supélec", "CS", "Mines ParisTech", "centralesupelec",
               "CENTRALE SUPELEC", "Mines Paris – PSL", "INSA Lyon", "Polytechnique", "l'X",
               "Télécom Paris", "N7"]
    lines = ["project_id,title,org_id,school_id,edition,tech_type,status"]
    for number, school in enumerate(schools, start=1):
        lines.append(f"PRJ-S{number:02d},Projet {number},ORG-S,{school},2026-2027,web_app,selected")
    lines.append("PRJ-S13,Projet 13,ORG-S,Centrale Marseile,2026-2027,website,selected")
    return ("\n".join(lines) + "\n").encode("utf-8")


def survey_out_of_range() -> bytes:
    """The survey template (wave column), answers outside their scales on lines 3 and 4."""
    lines = [("email,school,edition,wave,submitted_at,knows_ess,ess_structures_known,"
              "wants_useful,tech_for_good,consider_ess_career,intends_volunteer,satisfaction,"
              "recommend"),
             ("ines.roux@example.org,CS,2026-2027,post,2027-05-20,\"Oui, précisément\","
              "Association;Fondation,5,4,4,3,5,9"),
             "hugo.blanc@example.org,CS,2026-2027,post,2027-05-21,Vaguement,,7,4,4,3,4,8",
             "lina.meyer@example.org,CS,2026-2027,post,2027-05-22,Non,,3,3,2,2,4,11",
             "theo.petit@example.org,CS,2026-2027,post,2027-05-23,Non,Mutuelle,2,3,2,1,3,6"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def missing_column() -> bytes:
    lines = ["event_id,date,city,region_code,event_type,students_attending",
             "EVT-X-1,2026-10-05,Lyon,84,workshop,20"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def png_renamed() -> bytes:
    """The first bytes of a PNG picture, saved as .csv by mistake."""
    return (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
            b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01"
            b"\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def workbook_renamed() -> bytes:
    """An Excel workbook saved under a .csv name."""
    return formulas_with_results()


def formulas_with_results() -> bytes:
    """Saved as a spreadsheet saves it: each formula with its last computed result."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    book.set_properties({"created": dt.datetime(2026, 1, 1)})
    sheet = book.add_worksheet("Feuil1")
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, EVENTS_EN.split(","))
    sheet.write_row(1, 0, ["EVT-F-1"])
    sheet.write_datetime(1, 1, dt.datetime(2026, 11, 23), date_format)
    sheet.write_row(1, 2, ["Lyon", 84, None, "workshop"])
    sheet.write_formula(1, 6, "=H2+25", None, 45)       # attendees: students + 25 others
    sheet.write_number(1, 7, 20)
    sheet.write_formula(1, 8, "=ROUND(H2/10,0)", None, 2)
    other = book.add_worksheet("notes")
    other.write_row(0, 0, ["not", "the", "data"])
    book.close()
    return out.getvalue()


def formulas_without_results() -> bytes:
    """Written by a program (openpyxl): formulas with no stored result."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(EVENTS_EN.split(","))
    sheet.append(["EVT-G-1", dt.datetime(2026, 11, 23), "Lyon", 84, None, "workshop", "=H2+25",
                  20, 2])
    out = io.BytesIO()
    book.save(out)
    return _fixed_zip_times(out.getvalue())


def typed_cells() -> bytes:
    """First sheet holds the data: a typed date cell, a date typed as its Excel serial number,
    a region as a number, counts as floats; a second sheet that must not be read."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    book.set_properties({"created": dt.datetime(2026, 1, 1)})
    sheet = book.add_worksheet("Tour 2026")
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, EVENTS_FR.split(";"))
    sheet.write_row(1, 0, ["EVT-T-1"])
    sheet.write_datetime(1, 1, dt.datetime(2026, 11, 23), date_format)
    sheet.write_row(1, 2, ["Lille", 32, "CS", "Forum", 120.0, 80.0, 6.0])
    sheet.write_row(2, 0, ["EVT-T-2", (dt.date(2026, 12, 1) - EXCEL_EPOCH).days, "Metz", 44,
                           None, "Atelier", 30, 30, 0])
    notes = book.add_worksheet("notes")
    notes.write_row(0, 0, EVENTS_EN.split(","))
    notes.write_row(1, 0, ["EVT-NOT-ME", "2026-01-01", "Nowhere", 84, None, "forum", 1, 1, 1])
    book.close()
    return out.getvalue()


def _fixed_zip_times(data: bytes) -> bytes:
    """Rewrites a workbook with fixed times (members and document properties), so that
    regenerating gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2026-01-01T00:00:00Z",
                                 content)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, content)
    return out.getvalue()


FILES = {
    "events_excel_fr.csv": excel_french_csv,
    "events_unicode_text.txt": unicode_text_export,
    "organisations_bom_blank_lines.csv": organisations_bom,
    "events_duplicated_rows.csv": duplicated_rows,
    "projects_school_names.csv": unknown_schools,
    "survey_out_of_range.csv": survey_out_of_range,
    "events_missing_column.csv": missing_column,
    "empty.csv": lambda: b"",
    "picture_renamed.csv": png_renamed,
    "workbook_renamed.csv": workbook_renamed,
    "events_formulas.xlsx": formulas_with_results,
    "events_formulas_never_computed.xlsx": formulas_without_results,
    "events_typed_cells.xlsx": typed_cells,
}


if __name__ == "__main__":
    for name, build in FILES.items():
        (HERE / name).write_bytes(build())
        print(name)
