"""A published snapshot reaches only the accounts whose scope it lies in.

The attack this guards against: two funders of region 84 (Auvergne-Rhône-Alpes), one for
2023-2024, one for 2024-2025. Staff publish 2023-2024, which freezes the report of the
2023-2024 funder. The 2024-2025 funder then forges `?edition=2023-2024` on the page "Rapport",
in its PDF download and through `impact report --published`: it must get what it got before
the publication (nothing of 2023-2024), and never the other account's e-mail. The same for two
school accounts of one school, one edition each.

The warehouse holds only tour events written below, so every figure is a sum a reader can check:
region 84 had 313 + 271 = 584 attendees in 2023-2024 (313 of them at INSA Lyon's event) and
45 in 2024-2025. Driven through Flask's test client with the accounts signed in through the
form, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess

import pytest

from dashboard import ids
from etl import users
from etl.load import load_paths
from tests.auth_helpers import PASSWORD, CallbackRequest, response_of, sign_in
from tests.conftest import TEST_PSEUDONYM_KEY, make_settings
from tests.test_report import impact

PAST, CURRENT = "2023-2024", "2024-2025"
REGION = "84"
EVENTS = ("event_id,date,city,region_code,school_id,event_type,attendees,students_attending,"
          "organisations_attending\n" + """\
ARA-1,2023-11-15,Villeurbanne,84,insa-lyon,conference,313,211,67
ARA-2,2024-02-10,Grenoble,84,ensimag,workshop,271,163,79
ARA-3,2024-10-10,Villeurbanne,84,insa-lyon,forum,45,30,4
IDF-1,2024-11-20,Paris,11,,hackathon,97,60,8
""")
# Region 84 in 2023-2024: attendees, students attending, organisations attending. None of them
# may reach an account of 2024-2025. Every figure is 60 or more and not a year, so that no day,
# hour or minute of the report's as-of time can pass for one.
PAST_FIGURES = {313 + 271, 211 + 163, 67 + 79}
INSA_PAST_FIGURES = {313, 211, 67}
ENSIMAG_PAST_FIGURES = {271, 163, 79}
CURRENT_ATTENDEES = 45

STAFF = "staff@example.org"
PAST_FUNDER = "fondation-2023@example.org"
TWIN_FUNDER = "fondation-twin@example.org"  # the same scope as PAST_FUNDER: the same snapshot
FUNDER = "fondation-2024@example.org"
INSA = "insa@example.org"
INSA_TWIN = "insa-bis@example.org"  # the same school: the same snapshot, made for this one
ENSIMAG = "ensimag@example.org"
ACCOUNTS = {
    STAFF: ("staff", {}),
    PAST_FUNDER: ("funder", {"regions": [REGION], "editions": [PAST]}),
    TWIN_FUNDER: ("funder", {"regions": [REGION], "editions": [PAST]}),
    FUNDER: ("funder", {"regions": [REGION], "editions": [CURRENT]}),
    INSA: ("school", {"schools": ["insa-lyon"]}),
    INSA_TWIN: ("school", {"schools": ["insa-lyon"]}),
    ENSIMAG: ("school", {"schools": ["ensimag"]}),
}
requires_pdf_tools = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="poppler-utils (pdftotext) is missing: apt-get install poppler-utils")


@pytest.fixture
def app(warehouse, database_url, tmp_path, monkeypatch):
    from dashboard.app import create_app

    events = tmp_path / "events.csv"
    events.write_text(EVENTS, encoding="utf-8")
    reports = load_paths([events], engine=warehouse)
    assert all(r.ok for r in reports), [r.message for r in reports]
    for email, (role, scope) in ACCOUNTS.items():
        users.add_account(warehouse, email, PASSWORD, role, scope, actor="tests")
    # The command line reads the environment, as a fresh process would.
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("IMPACT_PSEUDONYM_KEY", TEST_PSEUDONYM_KEY)
    monkeypatch.setenv("IMPACT_MIN_CELL", "5")
    app = create_app(make_settings(database_url))
    app.server.test_client().get("/login")  # Dash sets itself up on its first request
    return app


def client_of(app, email):
    client = app.server.test_client()
    assert sign_in(client, email).status_code == 302, f"{email} could not sign in"
    return client


# ---- what an account receives ---------------------------------------------------------------

def report_page(client, search: str) -> dict:
    """The page's head and body, as the browser receives them (the report's render callback)."""
    head, body = ids.REPORT_HEAD, ids.REPORT_BODY
    request = CallbackRequest(
        f"..{head}.children...{body}.children..",
        [{"id": head, "property": "children"}, {"id": body, "property": "children"}],
        [{"id": ids.URL, "property": "search", "value": search},
         {"id": ids.REPORT_REFRESH, "property": "data", "value": 0}], [], [f"{ids.URL}.search"])
    answer = request.post(client)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return answer.get_json()["response"]


def report_pdf(client, search: str, tmp_path) -> str:
    """The text of the PDF the page's download button gives for the view `search`."""
    download, status = ids.REPORT_PDF_DOWNLOAD, ids.REPORT_PDF_STATUS
    request = CallbackRequest(
        f"..{download}.data...{status}.children..",
        [{"id": download, "property": "data"}, {"id": status, "property": "children"}],
        [{"id": ids.REPORT_PDF_BUTTON, "property": "n_clicks", "value": 1}],
        [{"id": ids.URL, "property": "search", "value": search}],
        [f"{ids.REPORT_PDF_BUTTON}.n_clicks"])
    answer = request.post(client)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    sent = response_of(answer, download, "data")
    pdf = tmp_path / "page.pdf"
    pdf.write_bytes(base64.b64decode(sent["content"]))
    return pdf_text(pdf)


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def publish(app, edition: str) -> None:
    """Staff press "Publier cette édition" on the page of `edition`."""
    answer = CallbackRequest(
        f"..{ids.REPORT_PUBLISH_STATUS}.children...{ids.REPORT_REFRESH}.data..",
        [{"id": ids.REPORT_PUBLISH_STATUS, "property": "children"},
         {"id": ids.REPORT_REFRESH, "property": "data"}],
        [{"id": ids.REPORT_PUBLISH_BUTTON, "property": "n_clicks", "value": 1}],
        [{"id": ids.URL, "property": "search", "value": f"?edition={edition}"},
         {"id": ids.REPORT_REFRESH, "property": "data", "value": 0}],
        [f"{ids.REPORT_PUBLISH_BUTTON}.n_clicks"]).post(client_of(app, STAFF))
    assert answer.status_code == 200
    assert "alert-success" in json.dumps(answer.get_json()), answer.get_json()


def numbers_and_words(value) -> tuple[set, set]:
    """Every number and every word-like token of a JSON answer or a text (the figures as
    they are written: "584" in a sentence, 584 in a chart's data)."""
    numbers, words = set(), set()

    def walk(item):
        if isinstance(item, dict):
            for inner in item.values():
                walk(inner)
        elif isinstance(item, list):
            for inner in item:
                walk(inner)
        elif isinstance(item, bool) or item is None:
            return
        elif isinstance(item, (int, float)):
            numbers.add(item)
        else:
            text = str(item).replace("\u202f", "").replace("\u00a0", "")
            text = re.sub(r"#[0-9A-Fa-f]{3,8}\b", "", text)  # a colour ("#CC79A7"), not a figure
            words.update(re.findall(r"[\w.@-]+", text))
            numbers.update(int(n) for n in re.findall(r"(?<![\d.,])\d+(?![\d,]|\.\d)", text))

    walk(value)
    return numbers, words


def leaked(value, figures: set[int], other_account: str) -> list[str]:
    numbers, words = numbers_and_words(value)
    found = [f"figure {n}" for n in sorted(figures & numbers)]
    if other_account in words or other_account in json.dumps(value):
        found.append(f"e-mail {other_account}")
    return found


# ---- the attack, exactly -------------------------------------------------------------------

def test_a_funder_cannot_read_another_editions_snapshot(app, tmp_path):
    funder, past_funder = client_of(app, FUNDER), client_of(app, PAST_FUNDER)
    forged = f"?edition={PAST}"
    before = report_page(funder, forged)
    assert not leaked(before, PAST_FIGURES, PAST_FUNDER)

    publish(app, PAST)

    # The 2023-2024 funder does see its published report: the figures exist and would leak.
    own = report_page(past_funder, forged)
    assert PAST_FIGURES <= numbers_and_words(own)[0]
    after = report_page(funder, forged)
    assert leaked(after, PAST_FIGURES, PAST_FUNDER) == []
    assert after == before  # as before the publication: nothing of that edition
    # An account of the same audience reads the same snapshot, but not whose it was.
    twin = report_page(client_of(app, TWIN_FUNDER), forged)
    assert PAST_FIGURES <= numbers_and_words(twin)[0]
    assert leaked(twin, set(), PAST_FUNDER) == [] and STAFF not in json.dumps(twin)
    # Its own edition is untouched.
    assert CURRENT_ATTENDEES in numbers_and_words(report_page(funder, f"?edition={CURRENT}"))[0]


def test_a_school_account_cannot_read_another_schools_snapshot(app):
    insa = client_of(app, INSA)
    forged = f"?edition={PAST}&school=ensimag"
    before = report_page(insa, forged)
    publish(app, PAST)
    assert ENSIMAG_PAST_FIGURES <= numbers_and_words(report_page(client_of(app, ENSIMAG),
                                                                 f"?edition={PAST}"))[0]
    after = report_page(insa, forged)
    assert leaked(after, ENSIMAG_PAST_FIGURES, ENSIMAG) == []
    assert after == before
    # Its own published report, made for the first account of the school: not its e-mail.
    own = report_page(insa, f"?edition={PAST}")
    assert INSA_PAST_FIGURES <= numbers_and_words(own)[0]
    assert leaked(own, ENSIMAG_PAST_FIGURES, INSA_TWIN) == [] and STAFF not in json.dumps(own)


@requires_pdf_tools
def test_the_pdf_of_a_forged_edition_holds_nothing_of_it(app, tmp_path):
    funder = client_of(app, FUNDER)
    publish(app, PAST)
    text = report_pdf(funder, f"?edition={PAST}", tmp_path)
    assert "Rapport" in text
    assert leaked(text, PAST_FIGURES, PAST_FUNDER) == []
    assert STAFF not in text  # who published is nobody's business outside the team


@requires_pdf_tools
def test_the_command_line_refuses_a_published_edition_outside_the_scope(app, tmp_path):
    publish(app, PAST)
    out = tmp_path / "forged.pdf"
    result = impact("report", "--funder", FUNDER, "--edition", PAST, "--published",
                    "--out", out)
    assert result.exit_code == 1
    assert result.output.strip() == (f"impact: edition {PAST} is outside the scope of "
                                     f"{FUNDER} ({CURRENT})")
    assert PAST_FUNDER not in result.output and not out.exists()
    # Accounts of the audience a snapshot was made for get it, without anyone's e-mail but
    # their own.
    for account, figures, others in ((TWIN_FUNDER, PAST_FIGURES, (PAST_FUNDER,)),
                                     (INSA, INSA_PAST_FIGURES, (INSA_TWIN, ENSIMAG))):
        out = tmp_path / f"{account}.pdf"
        result = impact("report", "--funder", account, "--edition", PAST, "--published",
                        "--out", out)
        assert result.exit_code == 0, result.output
        text = pdf_text(out)
        assert figures <= numbers_and_words(text)[0]
        assert not [email for email in (STAFF, *others) if email in text]


def test_a_snapshot_stored_with_an_account_is_shown_without_it(app, warehouse):
    """Snapshots published before they were stored anonymous hold the e-mail of the account
    they were collected for: the page shows their figures to that audience, not the e-mail."""
    import datetime as dt

    from dashboard.queries.base import Filters
    from dashboard.report import audience, collect
    from etl.schema import published_snapshot

    data = collect.collect(Filters.of([PAST]), audience.account_scope(PAST_FUNDER, warehouse),
                           5, warehouse)
    assert data["audience"]["account"] == PAST_FUNDER
    with warehouse.begin() as conn:
        conn.execute(published_snapshot.insert().values(
            edition=PAST, scope_key=data["scope_key"], published_at=dt.datetime(2025, 9, 1),
            published_by=STAFF, batch_ids=json.dumps(data["batch_ids"]),
            content_hash=collect.content_hash(data), figures=collect.canonical_json(data)))
    twin = report_page(client_of(app, TWIN_FUNDER), f"?edition={PAST}")
    assert "01/09/2025" in json.dumps(twin, ensure_ascii=False)  # the published version
    assert PAST_FIGURES <= numbers_and_words(twin)[0]
    assert leaked(twin, set(), PAST_FUNDER) == [] and STAFF not in json.dumps(twin)


def test_the_pack_is_for_staff_only(app):
    """The annual-report pack holds every figure unsuppressed for staff: a funder's click,
    forged outside the page, gets nothing."""
    download, status = ids.REPORT_PACK_DOWNLOAD, ids.REPORT_PDF_STATUS
    output = next(key for key in app.callback_map if key.startswith(f"..{download}.data"))
    duplicate = output.split(f"{status}.")[1].rstrip(".")  # "children@<hash>"
    request = CallbackRequest(
        output, [{"id": download, "property": "data"}, {"id": status, "property": duplicate}],
        [{"id": ids.REPORT_PACK_BUTTON, "property": "n_clicks", "value": 1}],
        [{"id": ids.URL, "property": "search", "value": f"?edition={CURRENT}"}],
        [f"{ids.REPORT_PACK_BUTTON}.n_clicks"])
    answer = request.post(client_of(app, FUNDER))
    assert answer.status_code in (200, 204, 403)
    assert download not in (answer.get_json(silent=True) or {}).get("response", {})
    # The same request from staff is a pack: the request above was a real one.
    staff = request.post(client_of(app, STAFF))
    assert response_of(staff, download, "data")["filename"].endswith(".zip")
