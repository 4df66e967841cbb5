"""The public impact page `/public`: published figures only, for anybody, without signing in.

The warehouse (SQLite and PostgreSQL) holds what is written below: two tour events and the
survey answers of three schools of 2024-2025, one of them (INSA Rennes, Bretagne's only
school) with 3 respondents, fewer than K = 5. Staff publish the edition; then more events are
loaded. Anybody opening /public must see the published figures, never the live ones, never a
hidden cell, never an account's e-mail, and nothing else of the site. Driven through Flask's
test client, anonymous unless said otherwise.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, update

from dashboard.public import audience
from dashboard.queries.base import STAFF, Filters, Scope
from dashboard.report import collect, snapshots
from etl import users
from etl.load import load_paths
from etl.schema import published_snapshot
from etl.settings import SettingsError, from_environment
from tests.auth_helpers import PASSWORD, sign_in
from tests.conftest import TEST_PSEUDONYM_KEY, make_settings
from tests.test_awareness import AWARE, NO, Survey

K = 5
EDITION, OTHER_EDITION = "2024-2025", "2023-2024"
STAFF_EMAIL = "staff@example.org"
FUNDER_EMAIL = "fondation@example.org"
NNBSP = "\u202f"

EVENTS = ("event_id,date,city,region_code,school_id,event_type,attendees,students_attending,"
          "organisations_attending\n"
          "E1,2024-10-15,Villeurbanne,84,insa-lyon,conference,120,80,6\n"
          "E2,2024-11-20,Paris,11,,forum,35,30,2\n")
LATE_EVENTS = ("event_id,date,city,region_code,school_id,event_type,attendees,"
               "students_attending,organisations_attending\n"
               "E3,2025-03-12,Rennes,53,,conference,4321,900,40\n")
# Matched respondents per school: (region, matched, aware before, aware after).
SURVEY = {
    "insa-lyon": ("84", 10, 2, 7),         # 20 % then 70 %
    "centralesupelec": ("11", 8, 4, 6),    # 50 % then 75 %
    "insa-rennes": ("53", 3, 1, 2),        # 3 people: 33 % then 67 %, never shown
}
MATCHED = sum(matched for _, matched, _, _ in SURVEY.values())       # 21
BEFORE = sum(before for _, _, before, _ in SURVEY.values())          # 7: 33 %
AFTER = sum(after for _, _, _, after in SURVEY.values())             # 15: 71 %


def survey() -> Survey:
    written = Survey()
    for school, (_region, matched, before, after) in SURVEY.items():
        where = dict(school=school, edition=EDITION)
        written.matched(before, pre={"knows": AWARE}, post={"knows": AWARE}, **where)
        written.matched(after - before, pre={"knows": NO}, post={"knows": AWARE}, **where)
        written.matched(matched - after, pre={"knows": NO}, post={"knows": NO}, **where)
    return written


def load_events(engine, folder, text: str, name: str) -> None:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    reports = load_paths([path], kind="events", engine=engine)
    assert all(r.ok for r in reports), [r.message for r in reports]


def serve(engine, database_url: str, folder, monkeypatch):
    """The data above with a staff and a funder account, and the app served on them."""
    from dashboard.app import create_app

    load_events(engine, folder, EVENTS, "events.csv")
    survey().load(engine, folder)
    users.add_account(engine, STAFF_EMAIL, PASSWORD, "staff", {}, actor="tests")
    users.add_account(engine, FUNDER_EMAIL, PASSWORD, "funder", {"regions": ["84"]},
                      actor="tests")
    for name, value in {"DATABASE_URL": database_url, "IMPACT_PSEUDONYM_KEY": TEST_PSEUDONYM_KEY,
                        "IMPACT_MIN_CELL": str(K)}.items():
        monkeypatch.setenv(name, value)
    app = create_app(make_settings(database_url))
    app.server.test_client().get("/login")  # Dash sets itself up on its first request
    return app


@pytest.fixture
def site(warehouse, database_url, tmp_path, monkeypatch):
    """On SQLite and PostgreSQL: what the warehouse holds and when."""
    return serve(warehouse, database_url, tmp_path, monkeypatch)


@pytest.fixture
def sqlite_site(sqlite_warehouse, sqlite_url, tmp_path, monkeypatch):
    """On SQLite only: the tests of the page and its headers, whatever the database."""
    return serve(sqlite_warehouse, sqlite_url, tmp_path, monkeypatch)


def publish(engine) -> None:
    """What the page "Rapport"'s button does."""
    snapshots.publish_edition(EDITION, actor=STAFF_EMAIL, engine=engine, k=K)


def engine_of(_app):
    """The warehouse the app serves: that of the settings in force."""
    from etl.db import get_engine

    return get_engine()


# ---- reading the page ---------------------------------------------------------------------

class Page(HTMLParser):
    """The page's visible text, its tiles (label -> value), its table rows by region code, its
    links and its tags."""

    def __init__(self, html: str):
        super().__init__()
        self.text, self.links, self.tags, self.rows = [], [], [], {}
        self.tiles, self._class, self._row, self._label = {}, None, None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        self._class = attrs.get("class")
        if tag == "a":
            self.links.append(attrs.get("href"))
        if tag == "tr" and attrs.get("data-region"):
            self._row = self.rows.setdefault(attrs["data-region"], [])

    def handle_endtag(self, tag):
        if tag == "tr":
            self._row = None

    def handle_data(self, data):
        text = data.strip().replace(NNBSP, " ")
        if not text:
            return
        self.text.append(text)
        if self._row is not None:
            self._row.append(text)
        if self._class == "public-kpi-label":
            self._label = text
        elif self._class == "public-kpi-value" and self._label:
            self.tiles[self._label] = text

    @property
    def words(self) -> str:
        return " ".join(self.text)


def opened(client, url: str = "/public") -> Page:
    answer = client.get(url)
    assert answer.status_code == 200, answer.status_code
    return Page(answer.get_data(as_text=True))


def pct(value: float) -> str:
    return f"{round(value)} %"


# ---- published figures, never live ones -------------------------------------------------------

def test_nothing_shows_before_publication(site):
    page = opened(site.server.test_client())
    assert "Aucune édition n'est encore publiée" in page.words
    assert not page.tiles and not page.rows


def test_published_figures_show_and_live_data_wait_for_the_next_publication(site, tmp_path):
    engine = engine_of(site)
    publish(engine)
    client = site.server.test_client()
    page = opened(client)
    assert page.tiles["Événements"] == "2"
    assert page.tiles["Participants"] == "155"
    assert page.tiles["Connaissent précisément l'ESS"] == \
        f"{pct(100 * BEFORE / MATCHED)} avant, {pct(100 * AFTER / MATCHED)} après"
    assert page.rows["84"][:3] == ["Auvergne-Rhône-Alpes", "1", "120"]
    etag = client.get("/public").headers["ETag"]

    load_events(engine, tmp_path, LATE_EVENTS, "late.csv")  # Bretagne, 4,321 attendees
    page = opened(client)
    assert page.tiles["Événements"] == "2" and page.tiles["Participants"] == "155"
    assert "53" not in page.rows or page.rows["53"][1] == "0"
    assert "4 321" not in page.words
    assert client.get("/public").headers["ETag"] == etag

    publish(engine)
    page = opened(client)
    assert page.tiles["Événements"] == "3"
    assert page.tiles["Participants"] == f"{155 + 4321:,}".replace(",", " ")
    assert page.rows["53"][:3] == ["Bretagne", "1", "4 321"]
    assert client.get("/public").headers["ETag"] != etag


def test_an_edition_without_survey_answers_says_so_rather_than_hiding(sqlite_warehouse,
                                                                      tmp_path):
    from dashboard.public.page import kpis

    load_events(sqlite_warehouse, tmp_path, EVENTS, "events.csv")
    data = collect.collect(Filters.of([EDITION]), audience.PUBLIC, K, sqlite_warehouse)
    [tile] = [tile for tile in kpis(data["figures"], K, "fr")
              if tile["label"] == "Connaissent précisément l'ESS"]
    assert tile["value"] == "—" and tile["detail"] == "aucune réponse au questionnaire"


def test_small_cells_stay_hidden(site):
    """INSA Rennes' 3 respondents make Bretagne too small: pooled with Île-de-France, both
    rows read "< 5"; only Auvergne-Rhône-Alpes (10 people, its own unit) shows its share."""
    publish(engine_of(site))
    page = opened(site.server.test_client())
    assert page.rows["84"][-1] == pct(100 * 7 / 10)
    assert page.rows["11"][-1] == f"< {K}" and page.rows["53"][-1] == f"< {K}"
    assert pct(100 * 2 / 3) not in page.words and pct(100 * 6 / 8) not in page.words
    assert "INSA Rennes" not in page.words  # no school named, let alone its figures


def test_the_public_report_is_the_national_report_suppressed_as_for_a_funder(site):
    engine = engine_of(site)
    publish(engine)
    [found] = audience.versions(engine)
    stored = snapshots.by_id(found[1], engine).data
    as_funder = collect.collect(Filters.of([EDITION]), Scope(role="funder"), K, engine)
    assert stored["figures"] == as_funder["figures"]
    assert stored["scope_key"] == "public" and stored["audience"]["account"] is None


def test_no_e_mail_on_the_page(sqlite_site):
    publish(engine_of(sqlite_site))
    for url in ("/public", "/public?lang=en"):
        html = sqlite_site.server.test_client().get(url).get_data(as_text=True)
        assert re.search(r"[\w.+-]+@[\w-]+\.\w+", html) is None
        assert STAFF_EMAIL not in html and FUNDER_EMAIL not in html


def test_the_command_line_publication_freezes_the_public_page_too(sqlite_site, tmp_path):
    from tests.test_report import impact, requires_pdf_tools

    if requires_pdf_tools.args[0]:
        pytest.skip(requires_pdf_tools.kwargs["reason"])
    result = impact("report", "--edition", EDITION, "--publish", "--out",
                    tmp_path / "report.pdf")
    assert result.exit_code == 0, result.output
    assert "public page snapshot #" in result.output
    page = opened(sqlite_site.server.test_client())
    assert page.tiles["Événements"] == "2"


# ---- nothing else of the site ------------------------------------------------------------------

def test_the_page_links_only_to_the_sign_in_and_the_other_language(sqlite_site):
    publish(engine_of(sqlite_site))
    client = sqlite_site.server.test_client()
    for url, switch in (("/public", "/public?lang=en"), ("/public?lang=en", "/public?lang=fr")):
        page = opened(client, url)
        assert sorted(page.links) == sorted(["/login", switch])
        assert "script" not in page.tags and "link" not in page.tags
        assert "iframe" not in page.tags and "form" not in page.tags


OTHER_PATHS = ("/", "/tour", "/rapport", "/donnees", "/admin", "/public/", "/public/x",
               "/publication", "/public.css")


def test_every_other_page_still_needs_a_sign_in(sqlite_site):
    client = sqlite_site.server.test_client()
    for path in OTHER_PATHS:
        for method in (client.get, client.head):
            answer = method(path)
            assert answer.status_code == 302 and "/login" in answer.headers["Location"], \
                (method, path, answer.status_code)
    assert client.post("/_dash-update-component", json={}).status_code == 401
    assert client.get("/_dash-layout").status_code == 401


def test_head_and_no_session(sqlite_site):
    client = sqlite_site.server.test_client()
    head = client.head("/public")
    assert head.status_code == 200 and head.get_data() == b""
    assert head.headers["ETag"] == client.get("/public").headers["ETag"]
    assert "Set-Cookie" not in client.get("/public").headers


def test_a_signed_in_account_sees_the_same_page(sqlite_site):
    publish(engine_of(sqlite_site))
    anonymous = sqlite_site.server.test_client().get("/public")
    client = sqlite_site.server.test_client()
    assert sign_in(client, FUNDER_EMAIL).status_code == 302
    signed_in = client.get("/public")
    assert signed_in.get_data() == anonymous.get_data()


def test_forged_query_strings_unlock_nothing(site):
    engine = engine_of(site)
    publish(engine)
    # Another edition published for staff and for a funder only, not for the public.
    for scope in (STAFF, Scope(role="funder", regions=("84",))):
        data = collect.collect(Filters.of([OTHER_EDITION]), scope, K, engine)
        snapshots.publish(data, actor=STAFF_EMAIL, engine=engine)
    client = site.server.test_client()
    plain = client.get("/public").get_data()
    for search in (f"edition={OTHER_EDITION}", "region=53", "school=insa-rennes",
                   f"edition={OTHER_EDITION}&region=84&school=insa-lyon", "lang=de",
                   "scope_key=staff", "k=1"):
        answer = client.get(f"/public?{search}")
        assert answer.status_code == 200 and answer.get_data() == plain, search
    assert OTHER_EDITION not in Page(plain.decode()).words


def test_an_altered_snapshot_is_left_out(sqlite_site):
    engine = engine_of(sqlite_site)
    publish(engine)
    with engine.begin() as conn:
        conn.execute(update(published_snapshot)
                     .where(published_snapshot.c.scope_key == "public")
                     .values(figures=func.replace(published_snapshot.c.figures,
                                                  '"attendees":155', '"attendees":1')))
    page = opened(sqlite_site.server.test_client())
    assert not page.tiles and "2024-2025" not in page.words


# ---- caching --------------------------------------------------------------------------------

def test_etag_and_304(sqlite_site):
    publish(engine_of(sqlite_site))
    client = sqlite_site.server.test_client()
    first = client.get("/public")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"].startswith("public")
    again = client.get("/public", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    english = client.get("/public?lang=en")
    assert english.headers["ETag"] != etag
    assert client.get("/public?lang=en", headers={"If-None-Match": etag}).status_code == 200


# ---- framing --------------------------------------------------------------------------------

def csp_of(answer) -> dict[str, str]:
    policy = answer.headers["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in policy.split(";")
            if part.strip()}


def test_nobody_may_frame_the_page_without_the_setting(sqlite_site):
    answer = sqlite_site.server.test_client().get("/public")
    assert csp_of(answer)["frame-ancestors"] == "'none'"
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert "script-src" not in csp_of(answer) and csp_of(answer)["default-src"] == "'none'"


def test_the_listed_sites_may_frame_the_public_page_only(sqlite_warehouse, sqlite_url):
    from dashboard.app import create_app

    origins = "https://www.example.org, https://asso.example.org:8443"
    app = create_app(make_settings(sqlite_url, embed_origins=origins))
    client = app.server.test_client()
    client.get("/login")
    public = client.get("/public")
    assert csp_of(public)["frame-ancestors"] == \
        "https://www.example.org https://asso.example.org:8443"
    assert "X-Frame-Options" not in public.headers
    for path in ("/login", "/", "/assets/impact.css"):
        answer = client.get(path)
        assert answer.headers["X-Frame-Options"] == "DENY", path
        assert csp_of(answer)["frame-ancestors"] == "'none'", path


@pytest.mark.parametrize("value", [
    "www.example.org", "https://www.example.org/impact", "javascript:alert(1)",
    "https://www.example.org; script-src *", "'unsafe-inline'", "*", "https://a.org,ftp://b.org",
])
def test_a_malformed_embed_origin_is_refused_in_one_line(value):
    with pytest.raises(SettingsError) as error:
        from_environment({"IMPACT_EMBED_ORIGINS": value}, dotenv=False)
    message = str(error.value)
    assert message.startswith("IMPACT_EMBED_ORIGINS:") and "\n" not in message


def test_a_valid_embed_origin_list_is_accepted():
    settings = from_environment({"IMPACT_EMBED_ORIGINS": "https://a.example.org  http://b.org"},
                                dotenv=False)
    assert settings.embed_origins == "https://a.example.org  http://b.org"


# ---- the staff's commentary ------------------------------------------------------------------

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def publish_with_commentary(engine, comments: list) -> None:
    data = collect.collect(Filters.of([EDITION]), audience.PUBLIC, K, engine)
    snapshots.publish({**data, "commentary": comments}, actor=STAFF_EMAIL, engine=engine)


def test_commentary_shows_escaped_in_the_right_language(sqlite_site):
    publish_with_commentary(engine_of(sqlite_site), [
        {"section": "tour", "edition": EDITION, "region_code": "53",
         "text_fr": f"Un partenaire a **fermé**. {HOSTILE} [lien](javascript:alert(1))",
         "text_en": "A partner closed."},
        {"section": "guide", "edition": EDITION, "region_code": None,
         "text_fr": "Nouveau guide imprimé.", "text_en": ""},
        {"section": "tour", "edition": OTHER_EDITION, "region_code": None,
         "text_fr": "Une autre édition.", "text_en": "Another edition."},
    ])
    client = sqlite_site.server.test_client()
    html = client.get("/public").get_data(as_text=True)
    assert "<script" not in html and "<img" not in html and "href=\"javascript" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<strong>fermé</strong>" in html  # the little Markdown staff may write, drawn
    page = Page(html)
    assert f"Un partenaire a fermé . {HOSTILE} [lien](javascript:alert(1))" in page.words
    assert "Tour de France · Bretagne" in page.words
    assert "Nouveau guide imprimé." in page.words
    assert "Une autre édition." not in page.words
    english = opened(client, "/public?lang=en")
    assert "A partner closed." in english.words and "Un partenaire" not in english.words
    assert "Nouveau guide imprimé." in english.words  # no English text: the French one


def test_no_commentary_key_no_commentary_block(sqlite_site):
    publish(engine_of(sqlite_site))
    html = sqlite_site.server.test_client().get("/public").get_data(as_text=True)
    assert 'class="public-commentary"' not in html and "Le mot de l'équipe" not in html


def test_the_snapshot_of_the_page_names_nobody_and_hides_the_small_school(sqlite_site):
    engine = engine_of(sqlite_site)
    publish(engine)
    with engine.connect() as conn:
        [row] = conn.execute(published_snapshot.select()
                             .where(published_snapshot.c.scope_key == "public")).all()
    data = json.loads(row.figures)
    assert "@" not in row.figures and data["audience"]["account"] is None
    [rennes] = [r for r in data["figures"]["awareness_by_school"] if r["group"] == "insa-rennes"]
    assert rennes["suppressed"] and rennes["post_pct"] is None
