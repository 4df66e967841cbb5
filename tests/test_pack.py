"""The annual-report pack: one XLSX that explains itself, and the charts for print.

Staff put these figures into the annual report: every sheet must hold the export's numbers as
numbers, hidden cells must read "< K", a text that a spreadsheet would run as a formula must be
neutralised, and the "méthodologie" sheet must say what the figures are.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from PIL import Image
from sqlalchemy import update

from dashboard.queries import reach
from dashboard.queries.base import STAFF, Filters
from dashboard.report import audience, charts, collect, pack
from etl.schema import school
from tests.test_report import (EDITION, K, UNREADABLE_ANSWERS, demo_copy, demo_file, impact,
                               load_unreadable_answers)

EXPECTED_SHEETS = [
    "reach", "reach_kpis", "guide_kpis", "awareness", "awareness_items", "awareness_by_school",
    "awareness_by_region", "awareness_by_edition", "outcomes", "outcomes_kpis",
    "outcomes_by_status", "outcomes_by_tech_type", "outcomes_by_cause", "outcomes_by_edition",
    "satisfaction_by_tech", "méthodologie",
]


@pytest.fixture
def report_db(tmp_path, monkeypatch):
    """A copy of the tiny demo warehouse (see tests/test_report.py)."""
    yield from demo_copy(tmp_path, monkeypatch)


def rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def as_dict(sheet) -> dict:
    return {key: value for key, value, *_ in rows(sheet)}


@pytest.fixture(scope="module")
def cli_pack(tmp_path_factory):
    """`impact export pack --edition E --out DIR` on a copy of the demo, once for the module."""
    import shutil

    from etl import db, settings
    from tests.conftest import TEST_PSEUDONYM_KEY

    folder = tmp_path_factory.mktemp("pack")
    shutil.copyfile(demo_file(), folder / "warehouse.sqlite")
    url = f"sqlite:///{folder / 'warehouse.sqlite'}"
    patch = pytest.MonkeyPatch()
    patch.setenv("DATABASE_URL", url)
    patch.setenv("IMPACT_PSEUDONYM_KEY", TEST_PSEUDONYM_KEY)
    patch.setenv("IMPACT_MIN_CELL", str(K))
    try:
        result = impact("export", "pack", "--edition", EDITION, "--out", folder / "out")
        export = reach.export_table(Filters.of([EDITION]), STAFF, K, engine=db.get_engine(url))
    finally:
        patch.undo()
        settings.configure(None)
    return result, folder / "out", export


def test_pack_writes_the_workbook_and_the_charts(cli_pack):
    result, out, _ = cli_pack
    assert result.exit_code == 0, result.output
    names = sorted(path.name for path in out.iterdir())
    assert names == sorted([f"latitudes-impact-{EDITION}.xlsx"] + [
        f"{chart}.{ext}" for chart in charts.CHARTS for ext in ("png", "svg")])
    for chart in charts.CHARTS:
        with Image.open(out / f"{chart}.png") as image:
            assert image.width == charts.WIDTH * charts.PNG_SCALE  # print resolution
        assert (out / f"{chart}.svg").read_text(encoding="utf-8").lstrip().startswith("<svg")


def test_pack_sheets_hold_the_exports_numbers(cli_pack):
    _, out, export = cli_pack
    book = openpyxl.load_workbook(out / f"latitudes-impact-{EDITION}.xlsx")
    assert book.sheetnames == EXPECTED_SHEETS
    reach_rows = rows(book["reach"])
    header = list(reach_rows[0])
    events = [row[header.index("events")] for row in reach_rows[1:]]
    assert all(isinstance(n, (int, float)) for n in events)
    assert sum(events) == export["events"].sum()
    assert as_dict(book["reach_kpis"])["events"] == export["events"].sum()


def test_methodology_sheet_explains_the_figures(cli_pack):
    _, out, _ = cli_pack
    book = openpyxl.load_workbook(out / f"latitudes-impact-{EDITION}.xlsx")
    info = as_dict(book["méthodologie"])
    assert EDITION in info["filters"]
    assert info["min_cell"] == str(K)
    assert info["as_of"] and info["methodology_version"] == "1.0"
    assert info["editions"] == EDITION and info["audience"] == "staff"
    definitions = {key: value for key, value in info.items() if key.startswith("définition")}
    assert len(definitions) >= 15
    delivery = definitions["définition · outcomes.delivery_rate_pct"]
    assert "Livrés / (livrés + abandonnés)" in delivery


def test_methodology_sheets_count_the_answers_set_aside(report_db, tmp_path):
    import json

    filters = Filters.of([EDITION])
    before = collect.collect(filters, STAFF, K, report_db)["set_aside_answers"]
    elsewhere = Filters.of([EDITION], regions=["32"])  # the answers' school is in region 84
    elsewhere_before = collect.collect(elsewhere, STAFF, K, report_db)["set_aside_answers"]
    load_unreadable_answers(report_db, tmp_path)
    count = before + UNREADABLE_ANSWERS

    data = collect.collect(filters, STAFF, K, report_db)
    french = as_dict(openpyxl.load_workbook(io.BytesIO(pack.workbook(data)))["méthodologie"])
    assert french["set_aside_answers"] == str(count)
    assert french["définition · set_aside_answers"].startswith(
        f"{count} réponses aux questionnaires de cette sélection ont été mises de côté")
    english = as_dict(openpyxl.load_workbook(io.BytesIO(pack.workbook(data, "en")))[
        "méthodologie"])
    assert english["définition · set_aside_answers"].startswith(
        f"{count} survey answers of this selection were set aside")

    out = tmp_path / "awareness.xlsx"
    result = impact("export", "awareness", "--edition", EDITION, "--format", "xlsx",
                    "--out", out)
    assert result.exit_code == 0, result.output
    sheet = as_dict(openpyxl.load_workbook(out)["méthodologie"])
    assert sheet["set_aside_answers"] == str(count)
    assert f"{count} réponses aux questionnaires" in sheet["définition · set_aside_answers (fr)"]
    assert f"{count} survey answers" in sheet["définition · set_aside_answers (en)"]
    impact("export", "awareness", "--edition", EDITION, "--region", "32", "--format", "xlsx",
           "--out", out)
    sheet = as_dict(openpyxl.load_workbook(out)["méthodologie"])
    assert sheet["set_aside_answers"] == str(elsewhere_before)
    assert "set_aside_answers" not in json.loads(
        impact("export", "awareness", "--edition", EDITION, "--format", "json").output)["meta"]


def test_hidden_cells_read_below_k(report_db):
    scope = audience.school_scope("insa-lyon")  # fewer than K respondents in the tiny demo
    data = collect.collect(Filters.of([EDITION]), scope, K, report_db)
    _, masks = pack.sheets(data)
    assert masks["awareness"].any().any()

    book = openpyxl.load_workbook(io.BytesIO(pack.workbook(data)))
    awareness_rows = rows(book["awareness"])
    header = list(awareness_rows[0])
    knows = next(r for r in awareness_rows[1:] if r[0] == "knows_ess" and r[1] == "paired")
    assert knows[header.index("pre_pct")] == f"< {K}"
    assert knows[header.index("post_pct")] == f"< {K}"


def test_formula_looking_text_is_neutralised_and_numbers_stay_numbers(report_db):
    # A school named like a formula (staff add schools in a reference file).
    with report_db.begin() as conn:
        conn.execute(update(school).values(name='=HYPERLINK("http://x","clic")'))
    data = collect.collect(Filters.of([EDITION]), STAFF, K, report_db)

    book = openpyxl.load_workbook(io.BytesIO(pack.workbook(data)))
    labels = [r[1] for r in rows(book["awareness_by_school"])[1:]]
    assert labels and all(label.startswith("'=HYPERLINK") for label in labels)
    numbers = [value for sheet in ("awareness", "awareness_items")
               for row in rows(book[sheet])[1:] for value in row
               if isinstance(value, (int, float)) and not isinstance(value, bool)]
    assert any(value < 0 for value in numbers)  # a negative interval bound stays a number


@pytest.mark.parametrize("args, message", [
    ([], "the pack needs --out DIR"),
    (["--out", "FILE"], "is a file: the pack needs a folder"),
])
def test_pack_errors_are_one_line(report_db, tmp_path, args, message):
    (tmp_path / "FILE").write_text("x")
    args = [str(tmp_path / "FILE") if a == "FILE" else a for a in args]
    result = impact("export", "pack", "--edition", EDITION, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
