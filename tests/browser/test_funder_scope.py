"""A funder in Chromium: every page and every download it may open shows its scope only.

The funder is scoped to Île-de-France (11) and edition 2025-2026: in the tiny demo, a region
and an edition with a tour event, a project and survey answers on both waves. Signed in through
the sign-in form, it opens the overview, the tour, the outcomes, the awareness and the report
pages with URL parameters forged to ask for more (another region, another edition, a school of
another region), downloads what each page offers (CSV, CSV Excel (FR), XLSX, the PDF), and
reads the files back. The figures it must get come from this test's own SQL on the warehouse,
not from the query layer; every other region's row must be empty. The staff-only pages answer
403 (or send to the sign-in page).

One browser context (pytest-playwright's, signed in once as the funder), one PDF.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import text

from dashboard import ids
from dashboard.i18n import fmt_int
from etl import db, users
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

FUNDER_EMAIL = "funder.scope@example.org"
FUNDER_PASSWORD = "funder-scope-password"
REGION, EDITION = "11", "2025-2026"
OTHER_REGION, OTHER_EDITION, OTHER_SCHOOL = "84", "2023-2024", "insa-lyon"
# More than the scope: each page must answer with the scope itself.
FORGED = f"?edition={EDITION},{OTHER_EDITION}&region={REGION},{OTHER_REGION}"
# Nothing of the scope: each figure must be empty.
OUTSIDE = f"?edition={OTHER_EDITION}&region={OTHER_REGION}&school={OTHER_SCHOOL}"
FORMATS = ("csv", "csv-fr", "xlsx")
LOADED = 30_000  # ms: a first render on a busy machine
PDF_MS = 90_000  # the first PDF of the process starts Chromium for the charts
HIDDEN = "hidden"  # a cell under K: "< 5" in XLSX, blank in CSV


# ---- the figures the funder must see, from the warehouse itself -------------------------------

def _one(conn, sql: str) -> dict:
    return dict(conn.execute(text(sql), {"region": REGION, "edition": EDITION})
                .mappings().one())


def _shown(count: int, k: int):
    """A count of people as a funder may see it: hidden from 1 to K - 1."""
    return HIDDEN if 0 < count < k else count


@pytest.fixture(scope="module")
def expected(live_settings) -> dict:
    k = live_settings.min_cell
    with db.get_engine(live_settings.database_url).connect() as conn:
        reach = _one(conn, """
            select count(*) as events, count(distinct trim(city)) as cities,
                   count(distinct school_id) as schools_reached,
                   coalesce(sum(attendees), 0) as attendees,
                   coalesce(sum(students_attending), 0) as students_attending,
                   coalesce(sum(organisations_attending), 0) as organisations_attending
            from tour_event where region_code = :region and edition = :edition""")
        outcomes = _one(conn, """
            select count(*) as projects,
                   coalesce(sum(case when p.status = 'delivered' then 1 else 0 end), 0)
                       as delivered,
                   coalesce(sum(case when p.status = 'abandoned' then 1 else 0 end), 0)
                       as abandoned,
                   coalesce(sum(case when p.status = 'in_progress' then 1 else 0 end), 0)
                       as in_progress,
                   coalesce(sum(p.students_count), 0) as students,
                   coalesce(sum(p.mentors_count), 0) as mentors
            from project p join organisation o on o.org_id = p.org_id
            where o.region_code = :region and p.edition = :edition""")
        waves = {wave: _one(conn, f"""
            select count(*) as n,
                   coalesce(sum(case when a.value = 2 then 1 else 0 end), 0) as aware
            from survey_response r
            join survey_answer a on a.response_id = r.response_id and a.item = 'knows_ess'
            join school s on s.school_id = r.school_id
            where a.value is not null and r.wave = '{wave}'
              and s.region_code = :region and r.edition = :edition""")
            for wave in ("pre", "post")}
        others = [row[0] for row in conn.execute(text(
            "select name from region where region_code != :region"), {"region": REGION})]
    assert reach["events"] and outcomes["projects"], "the demo changed: pick another scope"
    assert min(waves["pre"]["n"], waves["post"]["n"]) >= k, "awareness would be all hidden"
    outcomes["students"] = _shown(outcomes["students"], k)
    return {"reach": reach, "outcomes": outcomes, "waves": waves, "k": k,
            "other_region_names": others}


@pytest.fixture
def funder(page, live_settings):
    """The page of the test, signed in as the funder (the account made once per warehouse)."""
    engine = db.get_engine(live_settings.database_url)
    if users.get_account(engine, FUNDER_EMAIL) is None:
        users.add_account(engine, FUNDER_EMAIL, FUNDER_PASSWORD, "funder",
                          {"regions": [REGION], "editions": [EDITION]}, actor="tests")
    sign_in(page, FUNDER_EMAIL, FUNDER_PASSWORD)
    return page


# ---- reading a download back -----------------------------------------------------------------

def _number(value):
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return value
    if value.startswith("<"):
        return HIDDEN
    try:
        return float(value.replace(",", "."))
    except ValueError:
        return value


LABELS = ("region_code", "region_name", "item", "analysis")


def table_of(path: Path, fmt: str, sheet: str) -> list[dict]:
    """The rows of a downloaded table, numbers as numbers (decimal commas read), "< K" as
    HIDDEN, blanks as None."""
    if fmt == "xlsx":
        rows = list(load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True))
        header, cells = rows[0], rows[1:]
        records = [dict(zip(header, row)) for row in cells]
    else:
        content = path.read_text(encoding="utf-8-sig")
        records = list(csv.DictReader(io.StringIO(content),
                                      delimiter=";" if fmt == "csv-fr" else ","))
    return [{name: value if name in LABELS else _number(value) for name, value in row.items()}
            for row in records]


def download(page, button_type: str, fmt: str, tmp_path: Path) -> Path:
    button_id = json.dumps({"format": fmt, "type": button_type}, separators=(",", ":"),
                           sort_keys=True)
    with page.expect_download(timeout=LOADED) as started:
        page.locator(f"[id='{button_id}']").click()
    path = tmp_path / f"{button_type}-{started.value.suggested_filename}"
    started.value.save_as(path)
    return path


def _by_region(rows: list[dict]) -> dict[str, dict]:
    return {row["region_code"]: row for row in rows}


def assert_only_the_region(rows: list[dict], wanted: dict, region: str | None = REGION):
    """The row of `region` holds `wanted`; every other region's figures are empty."""
    regions = _by_region(rows)
    assert len(regions) == 18
    for code, row in regions.items():
        figures = {name: value for name, value in row.items()
                   if name not in ("region_code", "region_name")}
        if code == region:
            assert {name: figures[name] for name in wanted} == wanted, row
        else:
            assert all(value in (None, 0) for value in figures.values()), row


def kpi(page, name: str):
    return page.locator(f"#{ids.kpi(name)} .kpi-value")


# ---- the pages -------------------------------------------------------------------------------

def check_overview(page, expected):
    reach, outcomes = expected["reach"], expected["outcomes"]
    page.goto(f"/{FORGED}")
    expect(kpi(page, "events")).to_have_text(fmt_int(reach["events"], "fr"), timeout=LOADED)
    expect(kpi(page, "attendees")).to_have_text(fmt_int(reach["attendees"], "fr"))
    expect(kpi(page, "projects")).to_have_text(fmt_int(outcomes["projects"], "fr"))
    expect(kpi(page, "regions")).to_have_text("1 / 18")


def check_tour(page, expected, tmp_path):
    reach = expected["reach"]
    page.goto(f"/tour{FORGED}")
    expect(kpi(page, "events")).to_have_text(fmt_int(reach["events"], "fr"), timeout=LOADED)
    expect(kpi(page, "attendees")).to_have_text(fmt_int(reach["attendees"], "fr"))
    for fmt in FORMATS:
        rows = table_of(download(page, ids.TOUR_EXPORT, fmt, tmp_path), fmt, "reach")
        assert_only_the_region(rows, reach)
    page.goto(f"/tour{OUTSIDE}")
    expect(kpi(page, "events")).to_have_text("0", timeout=LOADED)
    rows = table_of(download(page, ids.TOUR_EXPORT, "csv", tmp_path), "csv", "reach")
    assert_only_the_region(rows, {}, region=None)


def check_outcomes(page, expected, tmp_path):
    outcomes = expected["outcomes"]
    page.goto(f"/resultats{FORGED}")
    expect(kpi(page, "projects")).to_have_text(fmt_int(outcomes["projects"], "fr"),
                                               timeout=LOADED)
    for fmt in FORMATS:
        rows = table_of(download(page, ids.OUTCOMES_EXPORT, fmt, tmp_path), fmt, "outcomes")
        assert_only_the_region(rows, outcomes)


def check_awareness(page, expected, tmp_path):
    waves = expected["waves"]
    page.goto(f"/sensibilisation{FORGED}")
    expect(page.locator(f"#{ids.AWARENESS_DOWNLOAD_TITLE}")).to_be_visible(timeout=LOADED)
    for fmt in FORMATS:
        rows = table_of(download(page, ids.AWARENESS_DOWNLOAD_BUTTON, fmt, tmp_path), fmt,
                        "awareness")
        unpaired = next(row for row in rows
                        if (row["item"], row["analysis"]) == ("knows_ess", "unpaired"))
        assert (unpaired["n_pre"], unpaired["n_post"]) == (waves["pre"]["n"],
                                                           waves["post"]["n"])
        for wave in ("pre", "post"):
            share = 100 * waves[wave]["aware"] / waves[wave]["n"]
            assert unpaired[f"{wave}_pct"] == pytest.approx(share, abs=0.05), unpaired


def check_report(page, expected, tmp_path):
    reach = expected["reach"]
    page.goto(f"/rapport?edition={EDITION}&region={REGION},{OTHER_REGION}")
    body = page.locator(f"#{ids.REPORT_BODY}")
    expect(body).to_contain_text("Rapport financeur : région Île-de-France", timeout=LOADED)
    expect(page.locator(f"#{ids.REPORT_PACK_BUTTON}")).to_be_hidden()  # staff only
    with page.expect_download(timeout=PDF_MS) as started:
        page.locator(f"#{ids.REPORT_PDF_BUTTON}").click()
    path = tmp_path / "report.pdf"
    started.value.save_as(path)
    layout = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                            text=True, check=True).stdout  # a table's row stays on its line
    content = " ".join(layout.replace("\u202f", " ").replace("\u00a0", " ").split())
    # The table of the regions behind the map: Île-de-France alone, with the SQL's figures.
    row = " ".join(fmt_int(reach[name], "fr").replace("\u202f", " ") for name in (
        "events", "cities", "attendees", "students_attending"))
    assert f"Île-de-France {row} " in content, content[:2000]
    assert not [name for name in expected["other_region_names"] if name in content]
    assert FUNDER_EMAIL in content  # its own account, and nobody else's
    assert not re.findall(r"[\w.-]+@example\.org", content.replace(FUNDER_EMAIL, ""))


def check_staff_pages_are_closed(page):
    for path in ("/donnees", "/admin"):
        answer = page.request.get(path, max_redirects=0)
        assert answer.status in (302, 403), f"{path}: {answer.status}"
        if answer.status == 302:
            assert answer.headers["location"].startswith("/login")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is missing")
def test_a_funder_gets_its_scope_only_on_every_page_and_download(funder, expected, tmp_path):
    check_overview(funder, expected)
    check_tour(funder, expected, tmp_path)
    check_outcomes(funder, expected, tmp_path)
    check_awareness(funder, expected, tmp_path)
    check_report(funder, expected, tmp_path)
    check_staff_pages_are_closed(funder)
