"""Staff's comments on the figures: written by staff only, audited, shown within each account's
scope, safe whatever is typed, printed in the PDF and frozen with a published report.

The warehouse holds the tour events written below (so the editions exist) and one account per
kind of reader: a funder of region 84 for 2024-2025, a school account of INSA Lyon (region 84),
and staff. Driven through Flask's test client with the accounts signed in through the form, on
SQLite and PostgreSQL; the PDF is read back with poppler's `pdftotext` (SQLite only: the PDF
does not depend on the database).
"""

from __future__ import annotations

import json

import pytest
from dash import html
from sqlalchemy import func, select

from dashboard import ids
from dashboard.components import commentary as component
from dashboard.pages import context
from dashboard.queries import commentary as queries
from dashboard.queries.base import STAFF, Filters, Scope
from etl import commentary, users
from etl.load import load_paths
from etl.schema import audit_log
from etl.schema import commentary as commentary_table
from tests.auth_helpers import PASSWORD, CallbackRequest, sign_in
from tests.conftest import make_settings
from tests.test_snapshot_scope import pdf_text, requires_pdf_tools

PAST, CURRENT = "2023-2024", "2024-2025"
EVENTS = ("event_id,date,city,region_code,school_id,event_type,attendees,students_attending,"
          "organisations_attending\n" + """\
ARA-1,2023-11-15,Villeurbanne,84,insa-lyon,conference,313,211,17
ARA-3,2024-10-10,Villeurbanne,84,insa-lyon,forum,45,30,4
IDF-1,2024-11-20,Paris,11,,hackathon,97,60,8
""")
STAFF_EMAIL = "staff@example.org"
FUNDER = "fondation-84@example.org"
SCHOOL = "insa@example.org"
ACCOUNTS = {STAFF_EMAIL: ("staff", {}),
            FUNDER: ("funder", {"regions": ["84"], "editions": [CURRENT]}),
            SCHOOL: ("school", {"schools": ["insa-lyon"]})}
FUNDER_SCOPE = Scope(role="funder", editions=(CURRENT,), regions=("84",))
SCHOOL_SCOPE = Scope(role="school", schools=("insa-lyon",))


def _load(engine, tmp_path) -> None:
    events = tmp_path / "events.csv"
    events.write_text(EVENTS, encoding="utf-8")
    reports = load_paths([events], engine=engine)
    assert all(r.ok for r in reports), [r.message for r in reports]


@pytest.fixture
def loaded(warehouse, tmp_path):
    _load(warehouse, tmp_path)
    return warehouse


def _app(engine, url, tmp_path):
    from dashboard.app import create_app

    _load(engine, tmp_path)
    for email, (role, scope) in ACCOUNTS.items():
        users.add_account(engine, email, PASSWORD, role, scope, actor="tests")
    app = create_app(make_settings(url))
    app.server.test_client().get("/login")  # Dash sets itself up on its first request
    return app


@pytest.fixture
def app(warehouse, database_url, tmp_path):
    return _app(warehouse, database_url, tmp_path)


@pytest.fixture
def sqlite_app(sqlite_warehouse, sqlite_url, tmp_path):
    """The app on SQLite only, for what the database does not change (the page's checks)."""
    return _app(sqlite_warehouse, sqlite_url, tmp_path)


def client_of(app, email):
    client = app.server.test_client()
    assert sign_in(client, email).status_code == 302, f"{email} could not sign in"
    return client


def _said(answer) -> str:
    """The answer's JSON as text, accents as they are."""
    return json.dumps(answer.get_json(), ensure_ascii=False)


def _texts(items) -> set[str]:
    return {item["text_fr"] for item in items}


# ---- writing: rules and audit ----------------------------------------------------------------

def test_save_change_and_remove_are_audited(loaded):
    first = commentary.save(loaded, "tour", CURRENT, None, "Un Tour plus court.",
                            actor="alice@example.org")
    second = commentary.save(loaded, "tour", CURRENT, None, "Un Tour plus court cette année.",
                             "A shorter tour this year.", actor="bob@example.org")
    assert second.commentary_id == first.commentary_id  # one comment per place: replaced
    assert (second.created_by, second.updated_by) == ("alice@example.org", "bob@example.org")
    assert second.text("en") == ("A shorter tour this year.", "en")
    commentary.remove(loaded, second.commentary_id, actor="carol@example.org")
    assert commentary.list_comments(loaded) == []
    with loaded.connect() as conn:
        rows = conn.execute(select(audit_log.c.actor, audit_log.c.action, audit_log.c.detail)
                            .where(audit_log.c.action.like("commentary%"))
                            .order_by(audit_log.c.audit_id)).all()
    assert [(row.actor, row.action) for row in rows] == [
        ("alice@example.org", "commentary_add"), ("bob@example.org", "commentary_update"),
        ("carol@example.org", "commentary_remove")]
    assert all("Tour" not in row.detail for row in rows)  # the text stays out of the log
    assert json.loads(rows[0].detail)["section"] == "tour"


def test_a_region_comment_and_a_national_one_are_two_places(loaded):
    commentary.save(loaded, "outcomes", CURRENT, None, "National.", actor="tests")
    commentary.save(loaded, "outcomes", CURRENT, "84", "Une école partenaire a fermé.",
                    actor="tests")
    assert [c.region_code for c in commentary.list_comments(loaded)] == [None, "84"]
    with pytest.raises(commentary.CommentaryError, match="has a comment already"):
        commentary.add(loaded, "outcomes", CURRENT, "84", "Encore.", actor="tests")


BAD_COMMENTS = (  # section, edition, region, French text -> the one-line message
    (("map", CURRENT, None, "x"), "'map' is not a section (tour, awareness, outcomes, guide)"),
    (("tour", "2030-2031", None, "x"), "no edition '2030-2031' in the warehouse"),
    (("tour", CURRENT, "99", "x"), "'99' is not a region code such as 84"),
    (("tour", CURRENT, None, "  "), "the French text is empty: write the comment in French "
                                    "(English is optional)"),
    (("tour", CURRENT, None, "é" * 2001), "the French text has 2001 characters, more than "
                                          "2000"),
)


def test_bad_comments_are_refused_in_one_line(sqlite_warehouse, tmp_path):
    _load(sqlite_warehouse, tmp_path)
    for arguments, message in BAD_COMMENTS:
        with pytest.raises(commentary.CommentaryError) as refused:
            commentary.save(sqlite_warehouse, *arguments, actor="tests")
        assert str(refused.value) == message
    with sqlite_warehouse.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(commentary_table)) == 0


# ---- reading: each account within its scope --------------------------------------------------

def test_each_account_sees_the_comments_its_scope_covers(loaded):
    for edition, region, text in ((PAST, None, "past national"), (CURRENT, None, "national"),
                                  (CURRENT, "84", "auvergne"), (CURRENT, "11", "paris"),
                                  (PAST, "84", "past auvergne")):
        commentary.save(loaded, "tour", edition, region, text, actor="tests")
    everything = {"past national", "national", "auvergne", "paris", "past auvergne"}
    assert _texts(queries.for_view(Filters(), STAFF, engine=loaded)) == everything
    # A funder of region 84 for 2024-2025: that edition, national or region 84; a forged
    # filter on another edition or region finds nothing more.
    assert _texts(queries.for_view(Filters(), FUNDER_SCOPE, engine=loaded)) == {
        "national", "auvergne"}
    assert queries.for_view(Filters.of([PAST]), FUNDER_SCOPE, engine=loaded) == []
    assert _texts(queries.for_view(Filters.of(regions=["11"]), FUNDER_SCOPE,
                                   engine=loaded)) == {"national"}
    # A school account of INSA Lyon (region 84), every edition: never Île-de-France's.
    assert _texts(queries.for_view(Filters(), SCHOOL_SCOPE, engine=loaded)) == everything - {
        "paris"}
    # Staff looking at one region see that region's comments and the national ones.
    assert _texts(queries.for_view(Filters.of([CURRENT], regions=["11"]), STAFF,
                                   engine=loaded)) == {"national", "paris"}


# ---- markup: what is typed is never HTML -----------------------------------------------------

def _tree(components) -> str:
    return json.dumps(components, default=lambda c: c.to_plotly_json())


def _elements(components, kind) -> list:
    found = []
    for item in components if isinstance(components, list) else [components]:
        if isinstance(item, kind):
            found.append(item)
        children = getattr(item, "children", None)
        if children is not None:
            found += _elements(children if isinstance(children, list) else [children], kind)
    return found


def test_markup_attacks_are_shown_as_text():
    typed = ('<script>alert(1)</script> [clic](javascript:alert(2)) '
             '<img src=x onerror=alert(3)> [ok](https://example.org) **gras**')
    tree = component.rendered(typed)
    links = _elements(tree, html.A)
    assert [link.href for link in links] == ["https://example.org"]
    assert not _elements(tree, html.Img) and "Script" not in _tree(tree)
    text = _tree(tree)
    assert "<script>alert(1)</script>" in text  # as text, for the reader to see
    assert "[clic](javascript:alert(2))" in text
    assert [s.children for s in _elements(tree, html.Strong)] == [["gras"]]
    printed = commentary.to_html(typed)
    assert "<script>" not in printed and "&lt;script&gt;" in printed
    assert 'href="javascript' not in printed and "<img" not in printed
    assert '<a href="https://example.org">ok</a>' in printed


def test_lists_emphasis_and_mail_links_are_kept():
    tree = component.rendered("Deux raisons :\n\n- une *école* fermée\n- [écrire](mailto:"
                              "equipe@example.org)")
    assert len(_elements(tree, html.Li)) == 2 and _elements(tree, html.Em)
    assert [a.href for a in _elements(tree, html.A)] == ["mailto:equipe@example.org"]


# ---- the page: shown to readers, written by staff only ---------------------------------------

def _output(app, kind: str) -> str:
    return next(key for key in app.callback_map if f'"type":"{kind}"' in key.replace(" ", ""))


def _slot_request(app, section: str, search: str) -> CallbackRequest:
    slot = {"type": ids.COMMENTARY_SLOT, "section": section}
    return CallbackRequest(
        _output(app, ids.COMMENTARY_SLOT), {"id": slot, "property": "children"},
        [{"id": ids.URL, "property": "search", "value": search}],
        [{"id": slot, "property": "id", "value": slot}], [f"{ids.URL}.search"])


def _edit_request(app, section: str, search: str, fr: str, en: str = "",
                  button: str = ids.COMMENTARY_EDIT_SAVE) -> CallbackRequest:
    def id_of(kind):
        return {"type": kind, "section": section}

    outputs = [{"id": id_of(kind), "property": prop} for kind, prop in (
        (ids.COMMENTARY_EDIT_STATUS, "children"), (ids.COMMENTARY_LIST, "children"),
        (ids.COMMENTARY_EDIT_FR, "value"), (ids.COMMENTARY_EDIT_EN, "value"))]
    clicked = {ids.COMMENTARY_EDIT_SAVE: 0, ids.COMMENTARY_EDIT_REMOVE: 0, button: 1}
    return CallbackRequest(
        _output(app, ids.COMMENTARY_EDIT_STATUS), outputs,
        [{"id": id_of(kind), "property": "n_clicks", "value": clicked[kind]}
         for kind in (ids.COMMENTARY_EDIT_SAVE, ids.COMMENTARY_EDIT_REMOVE)],
        [{"id": id_of(ids.COMMENTARY_EDIT_FR), "property": "value", "value": fr},
         {"id": id_of(ids.COMMENTARY_EDIT_EN), "property": "value", "value": en},
         {"id": ids.URL, "property": "search", "value": search}],
        [json.dumps(id_of(button), separators=(",", ":"), sort_keys=True) + ".n_clicks"])


def test_staff_write_from_the_page_and_a_funder_reads_it(app, warehouse):
    staff = client_of(app, STAFF_EMAIL)
    search = f"?edition={CURRENT}&region=84"
    answer = _edit_request(app, "tour", search, "Une **école** partenaire a fermé.",
                           "A partner school closed.").post(staff)
    assert answer.status_code == 200, _said(answer)[:300]
    assert "Commentaire enregistré." in _said(answer)
    saved = commentary.find(warehouse, "tour", CURRENT, "84")
    assert saved.created_by == STAFF_EMAIL and saved.text_en == "A partner school closed."

    funder = client_of(app, FUNDER)
    shown = _slot_request(app, "tour", f"?edition={CURRENT}").post(funder)
    assert shown.status_code == 200
    text = _said(shown)
    assert "partenaire a ferm" in text and "commentary-edit" not in text  # no editor
    english = _slot_request(app, "tour", f"?edition={CURRENT}&lang=en").post(funder)
    assert "A partner school closed." in _said(english)
    # Another section, or a forged edition outside the funder's scope, shows nothing.
    assert "partenaire" not in _said(_slot_request(app, "guide", "").post(funder))
    assert "partenaire" not in _said(_slot_request(app, "tour", f"?edition={PAST}").post(
        funder))


def test_a_forged_edit_by_a_funder_or_a_school_is_refused(sqlite_app, sqlite_warehouse):
    engine = sqlite_warehouse
    commentary.save(engine, "awareness", CURRENT, "84", "Texte de l'équipe.", actor="tests")
    for email in (FUNDER, SCHOOL):
        client = client_of(sqlite_app, email)
        for button in (ids.COMMENTARY_EDIT_SAVE, ids.COMMENTARY_EDIT_REMOVE):
            answer = _edit_request(sqlite_app, "awareness", f"?edition={CURRENT}&region=84",
                                   "Texte forgé.", button=button).post(client)
            assert answer.status_code == 403, (email, button)
    assert commentary.find(engine, "awareness", CURRENT, "84").text_fr == "Texte de l'équipe."
    # Past the gate, the callback's own check refuses too.
    view = context(f"?edition={CURRENT}&region=84")
    funder_view = type(view)(filters=view.filters, scope=FUNDER_SCOPE, lang="fr", k=5,
                             params=view.params)
    message, changed = component.save_or_remove("remove", "awareness", funder_view, None, None,
                                                 FUNDER, sqlite_warehouse)
    assert (message, changed) == ("Seule l'équipe peut écrire un commentaire.", False)
    assert commentary.find(sqlite_warehouse, "awareness", CURRENT, "84") is not None


def test_staff_remove_from_the_page_and_bad_text_gets_a_message(sqlite_app, sqlite_warehouse):
    staff = client_of(sqlite_app, STAFF_EMAIL)
    search = f"?edition={CURRENT}"
    too_long = _edit_request(sqlite_app, "guide", search, "x" * 2001).post(staff)
    assert "Texte trop long : 2001 caractères, 2000 au plus." in _said(too_long)
    _edit_request(sqlite_app, "guide", search, "Le guide a été réimprimé.").post(staff)
    assert commentary.find(sqlite_warehouse, "guide", CURRENT) is not None
    removed = _edit_request(sqlite_app, "guide", search, "",
                            button=ids.COMMENTARY_EDIT_REMOVE).post(staff)
    assert "Commentaire supprimé." in _said(removed)
    assert commentary.find(sqlite_warehouse, "guide", CURRENT) is None
    # Two editions in view: the editor asks for one instead of guessing.
    both = _edit_request(sqlite_app, "guide", f"?edition={PAST},{CURRENT}", "Texte.").post(
        staff)
    assert "Choisissez une édition" in _said(both)


def test_raw_html_reaches_the_browser_as_text(sqlite_app, sqlite_warehouse):
    commentary.save(sqlite_warehouse, "outcomes", CURRENT, None,
                    '<script>alert(1)</script> [x](javascript:alert(2))', actor="tests")
    answer = _slot_request(sqlite_app, "outcomes", f"?edition={CURRENT}").post(
        client_of(sqlite_app, FUNDER))
    payload = answer.get_json()["response"]
    text = json.dumps(payload)
    assert "<script>alert(1)</script>" in text  # a string child: React shows it as text
    assert '"href": "javascript' not in text and '"type": "Script"' not in text
    assert "dangerouslySetInnerHTML" not in text


# ---- the report: under its section, frozen at publication ------------------------------------

def test_collect_carries_the_comments_of_its_scope(loaded):
    from dashboard.report import collect

    commentary.save(loaded, "awareness", CURRENT, "11", "Paris", actor="tests")
    commentary.save(loaded, "awareness", CURRENT, "84", "Lyon", "Lyons", actor="tests")
    data = collect.collect(Filters.of([CURRENT]), FUNDER_SCOPE, 5, loaded)
    assert data["commentary"] == [{"section": "awareness", "edition": CURRENT,
                                   "region_code": "84", "text_fr": "Lyon",
                                   "text_en": "Lyons"}]


def test_a_report_published_before_comments_existed_still_renders():
    from dashboard.report.commentary import commentary_model

    assert commentary_model({}, "fr") == {"tour": [], "awareness": [], "outcomes": [],
                                          "guide": []}


def test_publication_freezes_the_comment(loaded):
    from dashboard.report import snapshots, view

    role, scope = ACCOUNTS[FUNDER]
    users.add_account(loaded, FUNDER, PASSWORD, role, scope, actor="tests")
    commentary.save(loaded, "tour", CURRENT, None, "Texte publié.", actor="tests")
    snapshots.publish_edition(CURRENT, actor=STAFF_EMAIL, engine=loaded, k=5)
    commentary.save(loaded, "tour", CURRENT, None, "Texte corrigé après.", actor="tests")
    funder = view.view_data(Filters.of([CURRENT]), FUNDER_SCOPE, 5, loaded)
    assert funder.shows_published
    assert [c["text_fr"] for c in funder.data["commentary"]] == ["Texte publié."]
    staff = view.view_data(Filters.of([CURRENT]), STAFF, 5, loaded)
    assert [c["text_fr"] for c in staff.data["commentary"]] == ["Texte corrigé après."]
    # Removing it changes no published report either.
    commentary.remove(loaded, commentary.find(loaded, "tour", CURRENT).commentary_id,
                      actor="tests")
    again = view.view_data(Filters.of([CURRENT]), FUNDER_SCOPE, 5, loaded)
    assert [c["text_fr"] for c in again.data["commentary"]] == ["Texte publié."]


@requires_pdf_tools
def test_the_pdf_prints_each_comment_under_its_section(sqlite_warehouse, tmp_path):
    from dashboard.report import collect, render

    _load(sqlite_warehouse, tmp_path)
    commentary.save(sqlite_warehouse, "tour", CURRENT, "84",
                    "Une école partenaire a fermé en **mars**.",
                    actor="tests")
    commentary.save(sqlite_warehouse, "outcomes", CURRENT, None,
                    "Questionnaire modifié <b>cette année</b>.", "Questionnaire changed.",
                    actor="tests")
    data = collect.collect(Filters.of([CURRENT]), STAFF, 5, sqlite_warehouse)
    for lang, expected in (("fr", "Questionnaire modifié <b>cette année</b>."),
                           ("en", "Questionnaire changed.")):
        pdf = tmp_path / f"report-{lang}.pdf"
        pdf.write_bytes(render.render_pdf(data, lang))
        text = " ".join(pdf_text(pdf).split())
        assert "Une école partenaire a fermé en mars." in text  # French for both readers
        assert expected in text
        # each under its section: the tour's after the reach figures, before awareness;
        # the outcomes' after the outcomes figures
        titles = {"fr": ("Qui le programme", "Les étudiants connaissent", "Les projets ont"),
                  "en": ("Whom did the programme", "Do students know", "Did the projects")}
        reach, awareness, outcomes = (text.index(title) for title in titles[lang])
        assert reach < text.index("partenaire") < awareness < outcomes < text.index(expected)


# ---- the command line ------------------------------------------------------------------------

def test_the_command_line_adds_lists_and_removes(sqlite_url, tmp_path, monkeypatch):
    from tests.test_cli import impact

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("IMPACT_PSEUDONYM_KEY", "cli-test-key-0123456789")
    assert impact("init").exit_code == 0
    events = tmp_path / "events.csv"
    events.write_text(EVENTS, encoding="utf-8")
    assert impact("load", events).exit_code == 0
    added = impact("comments", "add", "outcomes", CURRENT, "--region", "84",
                   "--fr", "Une école a fermé.", "--en", "A school closed.")
    assert added.exit_code == 0 and added.output == f"comment added: outcomes {CURRENT} 84\n"
    again = impact("comments", "add", "outcomes", CURRENT, "--region", "84", "--fr", "Fermée.")
    assert again.output == f"comment changed: outcomes {CURRENT} 84\n"
    listed = json.loads(impact("comments", "list", "--json").output)
    assert [(c["section"], c["region_code"], c["text_fr"], c["text_en"]) for c in listed] == [
        ("outcomes", "84", "Fermée.", None)]
    assert listed[0]["updated_by"].startswith("cli")
    bad = impact("comments", "add", "tour", "2031-2032", "--fr", "x")
    assert bad.exit_code == 1
    assert bad.output == "impact: no edition '2031-2032' in the warehouse\n"
    removed = impact("comments", "remove", "outcomes", CURRENT, "--region", "84")
    assert removed.output == f"comment removed: outcomes {CURRENT} 84\n"
    assert impact("comments", "remove", "outcomes", CURRENT, "--region", "84").output == (
        f"impact: no comment on outcomes {CURRENT} 84\n")
    assert impact("comments", "list").output.startswith("no comment yet")
