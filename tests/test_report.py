"""The funder report: the PDF is produced, then read back like a reader would.

The warehouse is the tiny demo (seed 7), built once per test session into a file and copied for
each test that writes (`report_db`). The PDF's text comes from poppler's `pdftotext` (page by
page, `-f N -l N`), its pages from `pdftoppm`; the figures it must show come from the query
layer's export tables, so a figure in the PDF that drifts from the exports fails here. One
kaleido (Chromium) server serves the whole session: `dashboard.report.charts` starts it once.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image
from sqlalchemy import insert

from dashboard.i18n import fmt_int
from dashboard.queries import awareness, guide, outcomes, reach
from dashboard.queries.base import STAFF, Filters, Scope
from dashboard.report import audience, collect, render
from etl import db, demo, migrate, settings
from etl.reference import MAP_ATTRIBUTION
from etl.schema import app_user
from tests.conftest import TEST_PSEUDONYM_KEY, make_settings

EDITION = "2024-2025"
K = 5
FUNDER_EMAIL = "fondation@example.org"
FUNDER_REGIONS = ["32", "93"]  # Hauts-de-France and Provence-Alpes-Côte d'Azur
requires_pdf_tools = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils (pdftotext, pdftoppm) is missing: apt-get install poppler-utils")


# ---- fixtures (test_pack.py and test_snapshots.py import them) -------------------------------

@functools.lru_cache(maxsize=1)
def demo_file() -> Path:
    """The tiny demo warehouse, built once per test process."""
    folder = Path(tempfile.mkdtemp(prefix="impact-report-demo-"))
    path = folder / "demo.sqlite"
    url = f"sqlite:///{path}"
    settings.configure(make_settings(url))
    try:
        engine = db.get_engine(url)
        migrate.upgrade(engine)
        reports = demo.build(engine, seed=7, scale="tiny")
        assert all(r.ok for r in reports), [r.message for r in reports if not r.ok]
        engine.dispose()
        db.dispose_engines()
    finally:
        settings.configure(None)
    return path


@pytest.fixture
def report_db(tmp_path, monkeypatch):
    """A copy of the tiny demo warehouse, with the settings and DATABASE_URL pointing at it."""
    yield from demo_copy(tmp_path, monkeypatch)


def demo_copy(tmp_path, monkeypatch):
    """`report_db`'s body, for the fixtures of test_pack.py and test_snapshots.py."""
    path = tmp_path / "warehouse.sqlite"
    shutil.copyfile(demo_file(), path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("IMPACT_PSEUDONYM_KEY", TEST_PSEUDONYM_KEY)
    monkeypatch.setenv("IMPACT_MIN_CELL", str(K))
    settings.configure(make_settings(url))
    yield db.get_engine(url)
    settings.configure(None)


def add_funder(engine, email: str = FUNDER_EMAIL, scope: dict | None = None,
               role: str = "funder") -> None:
    import datetime as dt

    with engine.begin() as conn:
        conn.execute(insert(app_user).values(
            email=email, password_hash="not-a-password", role=role,
            scope=json.dumps(scope if scope is not None else {"regions": FUNDER_REGIONS}),
            is_active=True, created_at=dt.datetime(2026, 1, 1)))


def impact(*args):
    """One `impact` command, as a fresh process runs it (settings re-read)."""
    from impact.cli import cli

    settings.configure(None)
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


# ---- reading a PDF -----------------------------------------------------------------------------

def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE).group(1))


def page_text(pdf: Path, number: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def flat(text: str) -> str:
    """Whitespace as single spaces (no-break spaces included): lines wrap where they like.
    Typographic apostrophes (’, the report's) read as straight ones (the catalogue's)."""
    text = text.replace("\u202f", " ").replace("\u00a0", " ").replace("\u2019", "'")
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(pdf: Path) -> str:
    return flat(" ".join(page_text(pdf, n) for n in range(1, page_count(pdf) + 1)))


def write_pdf(data: dict, path: Path, lang: str = "fr", **kwargs) -> Path:
    path.write_bytes(render.render_pdf(data, lang, **kwargs))
    return path


@pytest.fixture(scope="module")
def national_pdf(tmp_path_factory):
    """The national report of EDITION (staff scope), rendered once for the module's readers."""
    folder = tmp_path_factory.mktemp("national")
    shutil.copyfile(demo_file(), folder / "warehouse.sqlite")
    url = f"sqlite:///{folder / 'warehouse.sqlite'}"
    settings.configure(make_settings(url))
    try:
        data = collect.collect(Filters.of([EDITION]), STAFF, K, db.get_engine(url))
        return url, data, write_pdf(data, folder / "national.pdf")
    finally:
        settings.configure(None)


@pytest.fixture
def national(national_pdf):
    """Its data and its PDF, with the settings pointing at its (unchanged) warehouse."""
    url, data, pdf = national_pdf
    settings.configure(make_settings(url))
    yield data, pdf
    settings.configure(None)


# ---- the report dict ---------------------------------------------------------------------------

def test_collect_is_plain_json_and_stable(report_db):
    filters = Filters.of([EDITION])
    first = collect.collect(filters, STAFF, K, report_db)
    assert json.loads(collect.canonical_json(first)) == first  # nothing lost to JSON
    second = collect.collect(filters, STAFF, K, report_db)
    assert collect.content_hash(first) == collect.content_hash(second)
    assert first["editions"] == [EDITION] and first["k"] == K
    assert first["scope_key"] == "staff"
    assert first["batch_ids"] and first["as_of"]
    # Every table comes back from the dict through the query layer itself.
    assert reach.export_table(None, None, None, snapshot=first["figures"]).equals(
        reach.export_table(filters, STAFF, K, report_db))


@pytest.mark.parametrize("filters, scope", [
    (Filters(), STAFF),
    (Filters.of([EDITION]), STAFF),
    (Filters.of(regions=["84"]), STAFF),
    (Filters.of([EDITION]), Scope(role="funder", regions=tuple(FUNDER_REGIONS))),
])
def test_the_live_report_collects_only_what_it_shows_and_shows_the_same(report_db, filters,
                                                                        scope):
    every = collect.collect(filters, scope, K, report_db)
    shown = collect.collect(filters, scope, K, report_db, figures=collect.SHOWN)

    assert set(shown["figures"]) == collect.SHOWN_FIGURES < set(every["figures"])
    assert {key: every["figures"][key] for key in collect.SHOWN_FIGURES} == shown["figures"]
    assert {**every, "figures": None} == {**shown, "figures": None}
    moment = dt.datetime(2026, 12, 6, 9, 30)
    for lang in ("fr", "en"):  # every text and table of the page and of the PDF
        assert render.report_model(shown, lang, generated_at=moment) == \
            render.report_model(every, lang, generated_at=moment)
    from dashboard.report import charts
    for draw in (charts.awareness_chart, charts.outcomes_chart):
        assert draw(shown, "fr") == draw(every, "fr")


def test_a_module_gives_any_of_its_figures_alone_as_it_gives_them_together(report_db):
    filters = Filters.of([EDITION])
    for module in (reach, guide, awareness, outcomes):
        every = module.snapshot_figures(filters, STAFF, K, report_db)
        for key in every:
            assert module.snapshot_figures(filters, STAFF, K, report_db, keys={key}) == \
                {key: every[key]}, (module.__name__, key)


def test_scope_key_names_the_view_and_its_places():
    filters = Filters.of([EDITION])
    assert audience.scope_key(STAFF, filters) == "staff"
    assert audience.scope_key(Scope(role="admin"), filters) == "staff"
    funder = Scope(role="funder", editions=(EDITION,), regions=("93", "32"))
    assert audience.scope_key(funder, filters) == "funder|regions=32,93"
    assert audience.scope_key(funder, Filters.of([EDITION], regions=["32"])) == \
        "funder|regions=32"
    assert audience.scope_key(audience.school_scope("insa-lyon"), filters) == \
        "school|schools=insa-lyon"


# ---- the PDF says what the exports say ---------------------------------------------------------

@requires_pdf_tools
def test_pdf_headline_figures_equal_the_exports(national):
    _, pdf = national
    text = pdf_text(pdf)
    regions = reach.export_table(Filters.of([EDITION]), STAFF, K)
    events = int(regions["events"].sum())
    attendees = int(regions["attendees"].sum())
    covered = int((regions["events"] > 0).sum())
    copies = guide.guide_kpis(Filters.of([EDITION]), STAFF, K)["copies"]
    # The four tiles of question 1: their labels, then their values, in order.
    assert flat(f"ÉVÉNEMENTS RÉGIONS COUVERTES PARTICIPANTS GUIDES DIFFUSÉS "
                f"{fmt_int(events, 'fr')} {covered} / 18 {fmt_int(attendees, 'fr')} "
                f"{fmt_int(copies, 'fr')}") in text
    assert flat(f"{events} événements dans") in text
    # The awareness sentence: the paired knows_ess row of the export, rounded.
    table = awareness.export_table(Filters.of([EDITION]), STAFF, K)
    row = table[(table["item"] == "knows_ess") & (table["analysis"] == "paired")].iloc[0]
    assert not row["suppressed"]
    expected = (f"Parmi les {int(row['n_matched'])} étudiants ayant répondu avant et après, "
                f"{round(row['pre_pct'])} % connaissaient précisément l'ESS avant le programme "
                f"et {round(row['post_pct'])} % après (+{round(row['diff_pp'])} points")
    assert expected in text
    assert flat(awareness.sentence(awareness.headline(Filters.of([EDITION]), STAFF, K),
                                   "fr")) in text
    kpis = outcomes.outcomes_kpis(Filters.of([EDITION]), STAFF, K)
    assert re.search(rf"PROJETS TAUX DE LIVRAISON .*? {kpis['projects']} "
                     rf"{round(kpis['delivery_rate_pct'])} % ", text)


@requires_pdf_tools
def test_every_page_has_the_footer_and_page_numbers(national):
    _, pdf = national
    pages = page_count(pdf)
    assert pages >= 3
    for number in range(1, pages + 1):
        text = flat(page_text(pdf, number))
        assert f"Page {number} / {pages}" in text
        assert "Filtres : édition 2024-2025, toutes les écoles, toutes les régions" in text
        assert "K = 5" in text and "Méthodologie v1.0" in text
        assert re.search(r"Données au \d\d/\d\d/\d{4}", text)


@requires_pdf_tools
def test_first_page_names_the_edition_and_scope_and_the_map_its_source(national):
    _, pdf = national
    first = flat(page_text(pdf, 1))
    assert "Rapport d'impact" in first and "Édition 2024-2025" in first
    assert "Périmètre national, toutes les régions et toutes les écoles" in first
    assert "Données de démonstration" in first
    assert flat(MAP_ATTRIBUTION) in pdf_text(pdf)
    assert "Méthodologie" in pdf_text(pdf) and "BCG / IPSOS" in pdf_text(pdf)


@requires_pdf_tools
def test_pages_are_not_blank(national, tmp_path):
    _, pdf = national
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "page")],
                   check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == page_count(pdf)
    for image in images:
        pixels = Image.open(image).convert("L")
        dark = sum(1 for value in pixels.getdata() if value < 200)
        assert dark > 0.01 * pixels.width * pixels.height, f"{image.name} looks blank"


@requires_pdf_tools
def test_french_typography_in_text_and_charts(national):
    data, pdf = national
    raw = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    assert re.search(r"\d \d{3}", flat(raw))  # thousands grouped (1 234)
    charts_svg = render.charts.svg(render.charts.awareness_chart(data, "fr"))
    assert "25\u202f%" in charts_svg and "100\u202f%" in charts_svg  # the axis, in kaleido
    satisfaction = render.report_model(data, "fr")["outcomes"]["kpis"][3]["value"]
    assert re.fullmatch(r"\d,\d\u202f/\u202f5", satisfaction)


@requires_pdf_tools
def test_english_report(report_db, tmp_path):
    data = collect.collect(Filters.of([EDITION]), STAFF, K, report_db)
    pdf = write_pdf(data, tmp_path / "en.pdf", "en")
    text = pdf_text(pdf)
    assert "Impact report" in text and "Edition 2024-2025" in text
    assert "Among the" in text and "Whom did the programme reach?" in text
    assert f"Page 1 / {page_count(pdf)}" in text
    assert "Filters: edition 2024-2025" in text
    assert "%" in text and " %" not in flat(page_text(pdf, 1)).replace("95 %", "")


# Three students of a school of region 84 wrote answers no scale knows: "Bof" twice where the
# agreement scale is asked, "Peut-être" once for knows_ess. Those three answers are set aside.
SET_ASIDE_SCHOOL = "INSA Lyon"  # region 84: outside FUNDER_REGIONS
SURVEY_WITH_UNREADABLE = (
    "email,school,edition,wave,knows_ess,wants_useful,tech_for_good\n"
    f"lea@example.org,{SET_ASIDE_SCHOOL},{EDITION},pre,Non,Bof,4\n"
    f"hugo@example.org,{SET_ASIDE_SCHOOL},{EDITION},pre,Peut-être,5,Bof\n"
    f"ines@example.org,{SET_ASIDE_SCHOOL},{EDITION},pre,Vaguement,5,4\n"
)
UNREADABLE_ANSWERS = 3


def load_unreadable_answers(engine, folder: Path) -> None:
    from etl.load import load_paths

    path = folder / "questionnaire-illisible.csv"
    path.write_text(SURVEY_WITH_UNREADABLE, encoding="utf-8")
    [report] = load_paths([path], engine=engine)
    assert report.status == "loaded", report.message


@requires_pdf_tools
def test_the_methodology_box_says_how_many_answers_were_set_aside(report_db, tmp_path):
    filters = Filters.of([EDITION])
    funder = Scope(role="funder", regions=tuple(FUNDER_REGIONS))
    before = collect.collect(filters, STAFF, K, report_db)["set_aside_answers"]
    funder_before = collect.collect(filters, funder, K, report_db)["set_aside_answers"]

    load_unreadable_answers(report_db, tmp_path)

    data = collect.collect(filters, STAFF, K, report_db)
    count = before + UNREADABLE_ANSWERS
    assert data["set_aside_answers"] == count
    text = pdf_text(write_pdf(data, tmp_path / "national.pdf"))
    assert (f"Réponses mises de côté : {fmt_int(count, 'fr')} réponses aux questionnaires "
            "n'ont pas pu être lues") in text
    english = " ".join(p["text"] for p in render.report_model(data, "en")["method"]["paragraphs"])
    assert f"{count} survey answers could not be read" in flat(english)
    # A funder's report counts the answers of its own regions only.
    assert collect.collect(filters, funder, K, report_db)["set_aside_answers"] == funder_before


def test_a_report_published_before_the_count_says_nothing_of_it(national):
    data, _ = national
    older = {key: value for key, value in data.items() if key != "set_aside_answers"}
    paragraphs = render.report_model(older, "fr")["method"]["paragraphs"]
    assert not any("mises de côté" in p["lead"] for p in paragraphs)
    none = render.report_model({**data, "set_aside_answers": 0}, "fr")["method"]["paragraphs"]
    assert any(p["text"].startswith("aucune") for p in none)


# ---- funders and schools ------------------------------------------------------------------------

@requires_pdf_tools
def test_funder_report_uses_the_accounts_scope(report_db, tmp_path):
    add_funder(report_db)
    out = tmp_path / "funder.pdf"
    result = impact("report", "--edition", EDITION, "--funder", FUNDER_EMAIL.upper(),
                    "--out", out)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    text = pdf_text(out)
    scope = Scope(role="funder", regions=tuple(FUNDER_REGIONS))
    regions = reach.export_table(Filters.of([EDITION]), scope, K)
    assert f"GUIDES DIFFUSÉS {int(regions['events'].sum())} " in text
    assert "Rapport financeur : régions Hauts-de-France et Provence-Alpes-Côte d'Azur" in text
    assert "régions Hauts-de-France, Provence-Alpes-Côte d'Azur" in text  # the footer


@requires_pdf_tools
def test_school_report_hides_small_cells(report_db, tmp_path):
    out = tmp_path / "school.pdf"
    result = impact("report", "--edition", EDITION, "--school", "INSA Lyon", "--out", out)
    assert result.exit_code == 0, result.output
    text = pdf_text(out)
    assert "Rapport de l'école : INSA Lyon" in text
    # INSA Lyon has fewer than K respondents in the tiny demo: nothing built on them shows.
    headline = awareness.headline(Filters.of([EDITION]), audience.school_scope("insa-lyon"), K)
    assert headline["suppressed"]
    assert "Trop peu de réponses (moins de 5 par vague)" in text
    assert "< 5" in text


@requires_pdf_tools
def test_all_schools_writes_one_pdf_per_school(sqlite_warehouse, tmp_path, monkeypatch):
    from etl.load import load_paths

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "organisations.csv").write_text(
        "org_id,name,legal_form,cause,city,region_code\n"
        "O1,Entraide Lyon,association,education,Lyon,84\n"
        "O2,Lien Paris,cooperative,inclusion,Paris,11\n", encoding="utf-8")
    (tmp_path / "in" / "projects.csv").write_text(
        "project_id,title,org_id,school_id,edition,tech_type,status,students_count,"
        "mentors_count,start_date,end_date\n"
        "P1,Carte des bénévoles,O1,insa-lyon,2024-2025,web_app,delivered,4,1,2024-10-01,\n"
        "P2,Annuaire solidaire,O2,centralesupelec,2024-2025,web_app,abandoned,3,1,,\n",
        encoding="utf-8")
    reports = load_paths([tmp_path / "in"], engine=sqlite_warehouse)
    assert all(r.ok for r in reports), [r.message for r in reports]
    monkeypatch.setenv("DATABASE_URL", str(sqlite_warehouse.url))
    monkeypatch.setenv("IMPACT_PSEUDONYM_KEY", TEST_PSEUDONYM_KEY)
    out = tmp_path / "schools"
    result = impact("report", "--edition", EDITION, "--all-schools", "--out", out)
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in out.iterdir())
    assert files == ["rapport-2024-2025-centralesupelec.pdf", "rapport-2024-2025-insa-lyon.pdf"]
    text = pdf_text(out / "rapport-2024-2025-insa-lyon.pdf")
    assert "Rapport de l'école : INSA Lyon" in text
    assert re.search(r"PROJETS TAUX DE LIVRAISON .*? 1 100 % ", text)


# ---- the command line's errors: one line, no traceback --------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["--funder", "nobody@example.org"], "no account 'nobody@example.org'"),
    (["--school", "École imaginaire"], "unknown school 'École imaginaire'"),
    (["--publish", "--published"], "--publish and --published cannot go together"),
    (["--funder", FUNDER_EMAIL, "--school", "insa-lyon"], "give --funder or --school"),
    (["--published"], "has no published report"),
])
def test_report_errors_are_one_line(report_db, tmp_path, args, message):
    add_funder(report_db)
    result = impact("report", "--edition", EDITION, *args, "--out", tmp_path / "r.pdf")
    assert result.exit_code != 0
    assert message in result.output
    assert len([line for line in result.output.splitlines() if line.startswith(
        ("impact:", "Error:"))]) == 1
    assert not (tmp_path / "r.pdf").exists()


def test_report_refuses_an_unknown_edition_and_a_bad_out(report_db, tmp_path):
    result = impact("report", "--edition", "2040-2041", "--out", tmp_path / "r.pdf")
    assert result.exit_code == 2 and "no edition 2040-2041 in the warehouse" in result.output
    result = impact("report", "--edition", EDITION, "--out", tmp_path)
    assert result.exit_code == 2 and "is not a PDF file name" in result.output


def test_report_outside_the_funders_editions_is_refused(report_db, tmp_path):
    add_funder(report_db, scope={"editions": ["2023-2024"]})
    result = impact("report", "--edition", EDITION, "--funder", FUNDER_EMAIL,
                    "--out", tmp_path / "r.pdf")
    assert result.exit_code == 1
    assert result.output.strip() == (f"impact: edition {EDITION} is outside the scope of "
                                     f"{FUNDER_EMAIL} (2023-2024)")


def test_missing_chromium_and_pango_are_named_in_one_line(report_db, tmp_path, monkeypatch):
    import sys

    monkeypatch.setattr(render.charts, "chromium_path", lambda: None)
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # `import weasyprint` now fails
    result = impact("report", "--edition", EDITION, "--out", tmp_path / "r.pdf")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "missing: Chromium" in lines[0] and "pango" in lines[0]


# ---- the page "Rapport", as plain functions -------------------------------------------------------

def _strings(component) -> str:
    if isinstance(component, (list, tuple)):
        return " ".join(_strings(c) for c in component)
    if isinstance(component, str):
        return component.replace("\u2019", "'")
    children = getattr(component, "children", None)
    return "" if children is None else _strings(children)


@pytest.fixture
def report_page(report_db):
    from dashboard.app import create_app

    create_app()
    from dashboard.pages import report as page

    return page


def test_page_shows_the_report_and_staff_buttons(report_page, monkeypatch):
    import dashboard.pages

    filters = Filters.of([EDITION])
    view = report_page.view_data(filters, STAFF, K)
    text = _strings(report_page.body(view, "fr", filters=filters))
    assert "Rapport d'impact · Édition 2024-2025" in text
    assert "Chiffres en direct, non publiés." in text
    assert awareness.sentence(awareness.headline(filters, STAFF, K), "fr") in text
    staff = report_page.action_texts(f"?edition={EDITION}")
    assert staff["pdf"] == "Télécharger le PDF"
    assert not staff["pack_hidden"] and not staff["publish_hidden"]
    assert not staff["publish_disabled"]
    assert report_page.action_texts(f"?edition={EDITION},2023-2024")["publish_disabled"]
    monkeypatch.setattr(dashboard.pages, "current_scope",
                        lambda: Scope(role="funder", regions=("32",)))
    funder = report_page.action_texts(f"?edition={EDITION}&lang=en")
    assert funder["pdf"] == "Download the PDF"
    assert funder["pack_hidden"] and funder["publish_hidden"] and funder["note"] == ""


def test_page_publish_checks_the_role_on_the_server(report_page, report_db, monkeypatch):
    import dashboard.pages

    monkeypatch.setattr(dashboard.pages, "current_scope",
                        lambda: Scope(role="funder", regions=("32",), user=FUNDER_EMAIL))
    message, _ = report_page.publish_view(f"?edition={EDITION}", 0)
    assert "Seule l'équipe peut publier" in _strings(message)
    from dashboard.report import snapshots

    assert snapshots.history(EDITION, report_db) == []


@requires_pdf_tools
def test_page_pdf_is_computed_for_the_servers_scope(report_page, report_db, tmp_path,
                                                    monkeypatch):
    import dashboard.pages

    funder = Scope(role="funder", regions=("93",), user=FUNDER_EMAIL)
    monkeypatch.setattr(dashboard.pages, "current_scope", lambda: funder)
    # The URL asks for every region: the scope still wins.
    pdf, name = report_page.pdf_file(f"?edition={EDITION}&region=32,93")
    assert name == f"rapport-latitudes-{EDITION}.pdf" and pdf.startswith(b"%PDF")
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    events = int(reach.export_table(Filters.of([EDITION]), funder, K)["events"].sum())
    national = int(reach.export_table(Filters.of([EDITION]), STAFF, K)["events"].sum())
    assert events != national
    assert f"GUIDES DIFFUSÉS {events} " in pdf_text(path)


def test_tables_read_back_from_one_collection_are_each_their_own():
    """The report reads a collection's tables once per request for its texts and its charts;
    two query functions of the same name (one wrapped by another module) still give their own table,
    and a caller's change to its copy reaches nobody else."""
    import functools

    import pandas as pd

    from dashboard.report import charts

    def named(column):
        def export_table(_filters, _scope, _k, snapshot=None):
            return pd.DataFrame({column: snapshot[column]})
        return functools.wraps(export_table)(lambda *a, **kw: export_table(*a, **kw))

    from flask import Flask

    first, second = named("item"), named("region")
    figures = {"item": ["knows_ess"], "region": ["84"]}

    with Flask(__name__).test_request_context("/"):  # one request: the tables are kept
        assert list(charts.stored_table(first, figures).columns) == ["item"]
        assert list(charts.stored_table(second, figures).columns) == ["region"]
        mine = charts.stored_table(first, figures)
        mine["item"] = ["changed"]
        assert charts.stored_table(first, figures)["item"].tolist() == ["knows_ess"]
