"""ZIP archives and XLSX workbooks (zips too) are read within limits: a "zip bomb" is refused in
one line, naming the file and the limit, before it is expanded, and the other files of the load
go on. The bombs are built here, from highly compressible bytes."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from etl import extract
from etl.extract import ExtractError, read_table
from etl.load import load_paths

MB = 1024 * 1024
ORGANISATIONS = """\
org_id,name,legal_form,cause,city,region_code
ORG-1,Les Amis du Code,association,education,Lyon,84
"""


def zip_bomb(path: Path, size: int, level: int = 1) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive, \
            archive.open("answers.csv", "w", force_zip64=True) as member:
        member.write(b"org_id,name,legal_form,cause,city,region_code\n")
        piece = b"a" * MB
        for _ in range(size // MB):
            member.write(piece)
    return path


@pytest.fixture(scope="module")
def gigabyte_bomb(tmp_path_factory) -> Path:
    """About 4.5 MB on disk, 1 GiB expanded."""
    return zip_bomb(tmp_path_factory.mktemp("bomb") / "bomb.zip", 1024 * MB)


def xlsx_bomb(path: Path, sheet_size: int) -> Path:
    """A real workbook whose sheet XML is padded with empty rows until it is huge."""
    book = openpyxl.Workbook()
    for line in ORGANISATIONS.splitlines():
        book.active.append(line.split(","))
    plain = io.BytesIO()
    book.save(plain)
    with zipfile.ZipFile(plain) as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(item, data)
                continue
            head, tail = data.split(b"</sheetData>")
            with bomb.open(item.filename, "w", force_zip64=True) as member:
                member.write(head)
                piece = b"<row/>" * (MB // 6)
                for _ in range(sheet_size // len(piece)):
                    member.write(piece)
                member.write(b"</sheetData>" + tail)
    return path


def test_a_gigabyte_zip_is_refused_before_it_is_expanded(gigabyte_bomb):
    with pytest.raises(ExtractError) as refused:
        read_table(gigabyte_bomb)

    assert gigabyte_bomb.stat().st_size < 10 * MB
    assert str(refused.value) == ("bomb.zip: refused: the archive would expand to 1,024 MB, "
                                  "more than the 200 MB allowed")


def test_a_member_that_expands_a_hundredfold_is_refused(tmp_path):
    bomb = zip_bomb(tmp_path / "padded.zip", 50 * MB, level=9)  # 50 MB of 'a': about 1,000:1

    with pytest.raises(ExtractError) as refused:
        read_table(bomb)

    assert str(refused.value).startswith("padded.zip: refused: answers.csv would expand ")
    assert str(refused.value).endswith(" times its compressed size, more than the 100:1 "
                                       "allowed (a zip bomb?)")


def test_an_archive_of_too_many_files_is_refused(tmp_path):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("answers.csv", ORGANISATIONS)
        for number in range(extract.ARCHIVE_MAX_MEMBERS):
            archive.writestr(f"padding/{number}.txt", "")

    with pytest.raises(ExtractError) as refused:
        read_table(path)

    assert str(refused.value) == ("many.zip: refused: the archive holds 1,001 files, more than "
                                  "the 1,000 allowed")


def test_an_xlsx_whose_sheet_expands_hugely_is_refused_and_its_neighbours_load(
        sqlite_warehouse, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    xlsx_bomb(inbox / "organisations_bomb.xlsx", 60 * MB)
    (inbox / "organisations.csv").write_text(ORGANISATIONS, encoding="utf-8")

    reports = {r.file: r for r in load_paths([inbox], engine=sqlite_warehouse)}

    bomb = reports["organisations_bomb.xlsx"]
    assert bomb.status == "failed"
    assert bomb.message.startswith("organisations_bomb.xlsx: refused: xl/worksheets/sheet1.xml "
                                   "would expand ")
    assert "\n" not in bomb.message
    assert (reports["organisations.csv"].status, reports["organisations.csv"].rows_new) == (
        "loaded", 1)


def test_a_bomb_inside_a_zip_is_refused_too(tmp_path):
    inner = xlsx_bomb(tmp_path / "answers.xlsx", 60 * MB)
    outer = tmp_path / "export.zip"
    with zipfile.ZipFile(outer, "w") as archive:  # stored: the outer zip looks harmless
        archive.write(inner, "answers.xlsx")
    nested = tmp_path / "nested.zip"
    with zipfile.ZipFile(nested, "w") as archive:
        archive.write(tmp_path / "answers.xlsx", "inner.zip")

    with pytest.raises(ExtractError) as refused:
        read_table(outer)
    with pytest.raises(ExtractError) as zip_in_zip:
        read_table(nested)

    assert str(refused.value).startswith("export.zip/answers.xlsx: refused: "
                                         "xl/worksheets/sheet1.xml would expand ")
    assert str(zip_in_zip.value) == ("nested.zip: a zip inside a zip is not read; extract the "
                                     "inner archive and load its CSV or XLSX file")


def test_a_zip_within_the_limits_is_read(tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Organisations.csv", ORGANISATIONS)

    table = read_table(path)

    assert (table.file_name, table.headers[0], len(table.frame)) == (
        "export.zip/Organisations.csv", "org_id", 1)


def test_impact_load_of_a_bomb_exits_with_one_line(gigabyte_bomb, tmp_path):
    impact = Path(sys.executable).with_name("impact")
    env = os.environ | {"DATABASE_URL": f"sqlite:///{tmp_path / 'warehouse.sqlite'}",
                        "IMPACT_PSEUDONYM_KEY": "test-key-0123456789"}

    done = subprocess.run([str(impact), "load", str(gigabyte_bomb), "--dry-run"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)

    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        ("✗ bomb.zip: refused: the archive would expand to 1,024 MB, more than the 200 MB "
        "allowed")]
    assert "Traceback" not in done.stderr
