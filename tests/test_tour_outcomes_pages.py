"""The Tour de France and project-outcome pages as pure functions, on a small programme loaded
through the ETL from CSV files.

The programme is small enough to check by hand: four organisations (two in Auvergne-Rhône-
Alpes 84, one in Île-de-France 11, one in La Réunion 04), four projects, four events, three
guide records and six follow-up answers. `collect` runs the page's queries for a scope and
`body` lays the figures out; the tests read the component tree, as a browser would show it.
"""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest

from dashboard import ids
from dashboard.queries.base import STAFF, Filters, Scope
from etl import db, migrate, reference, settings
from etl.load import load_paths
from tests.conftest import make_settings

K = 5
ALL = Filters()
FUNDER = Scope(role="funder")
NBSP, NNBSP = "\u00a0", "\u202f"

ORGANISATIONS = """\
    org_id,name,legal_form,cause,city,region_code
    A1,Entraide Lyon,association,education,Lyon,84
    A2,Jardins de Grenoble,association,environnement,Grenoble,84
    B1,Lien Paris,cooperative,inclusion,Paris,11
    C1,Terre Réunion,association,sante,Saint-Pierre,04
"""
PROJECTS = """\
    project_id,title,org_id,school_id,edition,tech_type,status,students_count,mentors_count,start_date,end_date
    P1,Carte des bénévoles,A1,insa-lyon,2024-2025,web_app,delivered,4,1,2024-10-01,2025-05-01
    P2,Suivi des jardins,A2,insa-lyon,2024-2025,mobile_app,delivered,3,1,,
    P3,Annuaire solidaire,B1,centralesupelec,2024-2025,web_app,abandoned,2,1,2025-01-10,
    P4,Capteurs de rivière,C1,esiroi,2025-2026,iot,in_progress,6,0,2025-10-11,
"""
EVENTS = """\
    event_id,date,city,region_code,school_id,event_type,attendees,students_attending,organisations_attending
    E1,2024-10-10,Lyon,84,insa-lyon,conference,100,60,10
    E2,2025-03-05,Grenoble,84,,workshop,40,20,5
    E3,2025-02-01,Paris,11,centralesupelec,forum,200,150,30
    E4,2025-11-15,Saint-Denis,04,esiroi,conference,50,30,8
"""
# G2's region is its event's (E3: 11), G3's its organisation's (C1: 04).
GUIDE = """\
    record_id,date,channel,copies,region_code,school_id,org_id,event_id,audience
    G1,2024-11-01,download,10,84,insa-lyon,,,students
    G2,2025-02-01,event,20,,,,E3,students
    G3,2025-03-01,partner_mailing,7,,,C1,,organisations
"""
# Three organisations answered each wave: fewer than K, so a funder sees none of it.
ORG_SURVEY = """\
    project_id,wave,delivered,in_use,satisfaction,mission_impact,beneficiaries_reached,would_apply_again
    P1,six_months,oui,oui,,,100,oui
    P2,six_months,oui,partiellement,,,50,oui
    P3,six_months,non,non,,,,non
    P1,end,oui,,5,4,,oui
    P2,end,oui,,4,3,,oui
    P3,end,non,,2,1,,non
"""
FILES = {"organisations.csv": ORGANISATIONS, "projects.csv": PROJECTS, "events.csv": EVENTS,
         "guide.csv": GUIDE, "org_survey.csv": ORG_SURVEY}


@pytest.fixture(scope="module")
def programme_settings(tmp_path_factory):
    """One warehouse for the module (the pages only read it), loaded through the ETL."""
    folder = tmp_path_factory.mktemp("pages-programme")
    inbox = folder / "inbox"
    inbox.mkdir()
    for name, text in FILES.items():
        (inbox / name).write_text(textwrap.dedent(text), encoding="utf-8")
    live = make_settings(f"sqlite:///{folder / 'warehouse.sqlite'}")
    settings.configure(live)
    engine = db.get_engine(live.database_url)
    migrate.upgrade(engine)
    reports = load_paths([inbox], engine=engine)
    assert all(r.ok and r.rows_rejected == 0 for r in reports), [r.reasons for r in reports]
    yield live
    settings.configure(None)


@pytest.fixture
def programme(programme_settings):
    """The module's warehouse, with the settings pointing at it (the exports read them)."""
    settings.configure(programme_settings)
    return db.get_engine(programme_settings.database_url)


@pytest.fixture(scope="module")
def pages():
    """The two page modules (Dash registers pages only for an app being created)."""
    from dashboard.app import create_app

    create_app()
    from dashboard.pages import outcomes, tour

    return tour, outcomes


def text_of(component) -> str:
    """Every string of a Dash component tree, in order."""
    if isinstance(component, (list, tuple)):
        return " ".join(text_of(c) for c in component)
    if isinstance(component, str):
        return component
    children = getattr(component, "children", None)
    return "" if children is None else text_of(children)


def walk(component):
    if isinstance(component, (list, tuple)):
        for child in component:
            yield from walk(child)
        return
    yield component
    children = getattr(component, "children", None)
    if isinstance(children, (list, tuple)):
        for child in children:
            yield from walk(child)
    elif children is not None and not isinstance(children, str):
        yield from walk(children)


def find(tree, id_):
    return next((c for c in walk(tree) if getattr(c, "id", None) == id_), None)


def kpis(tree) -> dict[str, str]:
    return {c.id[len("kpi-"):]: text_of(c) for c in walk(tree)
            if isinstance(getattr(c, "id", None), str) and c.id.startswith("kpi-")}


def graph_figure(tree, graph_id):
    return find(tree, graph_id).figure


# ---- Tour de France --------------------------------------------------------------------------

def test_tour_kpis_count_events_places_people_and_guide_copies(programme, pages):
    tour, _ = pages
    tree = tour.body(tour.collect(ALL, STAFF, K, programme), "fr", K)
    cards = kpis(tree)
    assert len(cards) == 8
    assert cards["events"].startswith("Événements 4 ")
    assert cards["regions"].startswith("Régions couvertes 3 / 18 ")
    assert cards["cities"].startswith("Villes 4 ")
    assert cards["schools"].startswith("Écoles touchées 3 ")
    assert cards["attendees"].startswith("Participants 390 ")  # 100 + 40 + 200 + 50
    assert cards["students"].startswith("Étudiants présents 260 ")
    assert cards["organisations"].startswith("Organisations présentes 53 ")
    assert cards["guide-copies"].startswith("Guide diffusé 37 ")  # 10 + 20 + 7


def test_tour_map_colours_the_18_regions_with_names_figures_and_attribution(programme, pages):
    tour, _ = pages
    from dashboard.maps import map_locations

    tree = tour.body(tour.collect(ALL, STAFF, K, programme), "fr", K)
    figure = graph_figure(tree, ids.TOUR_MAP)
    assert sorted(map_locations(figure)) == sorted(reference.regions())
    choropleth = figure["data"][0]
    assert choropleth["featureidkey"] == "properties.code"
    assert figure["layout"]["geo"]["visible"] is False
    hover = dict(zip(choropleth["locations"], choropleth["text"]))["84"]
    assert hover.startswith("<b>Auvergne-Rhône-Alpes</b>")
    assert f"<b>Événements{NBSP}: 2</b>" in hover and f"Participants{NBSP}: 140" in hover
    assert [a["text"] for a in figure["layout"]["annotations"]] == [reference.MAP_ATTRIBUTION]
    assert "Contours : IGN – ADMIN EXPRESS COG 2018, Licence Ouverte ; mise en forme " \
           "gregoiredavid/france-geojson" == reference.MAP_ATTRIBUTION
    text = text_of(tree)
    assert "Le Tour est passé par 3 régions sur 18." in text
    assert "Auvergne-Rhône-Alpes (2)" in text


def test_page_maps_fetch_the_boundaries_once_and_figures_are_plain_json(programme, pages):
    """The pages' figures are plain dicts (json.dumps, no plotly encoder); their maps name the
    boundaries' asset, an up-to-date copy of `maps.geojson()`; without the URL (the report's
    images) each trace carries its own regions, the very objects of `geojson()`."""
    import json

    from dash import dcc

    from dashboard import maps

    tour, outcomes = pages
    asset = maps.ASSETS_DIR / maps.GEOJSON_ASSET
    assert asset.read_text(encoding="utf-8") == maps.geojson_text(), \
        "stale boundaries: run `python -m dashboard.maps`"
    url = maps.geojson_url()
    assert url.startswith("/assets/geo/regions-18.json?v=")
    for page in (tour, outcomes):
        tree = page.body(page.collect(ALL, STAFF, K, programme), "fr", K)
        graphs = [c for c in walk(tree) if isinstance(c, dcc.Graph)]
        assert len(graphs) >= 6
        for graph in graphs:
            assert isinstance(graph.figure, dict)
            json.dumps(graph.figure, allow_nan=False)
        map_id = ids.TOUR_MAP if page is tour else ids.OUTCOMES_MAP
        choropleths = [trace for trace in graph_figure(tree, map_id)["data"]
                       if trace["type"] == "choropleth"]
        assert choropleths and all(trace["geojson"] == url for trace in choropleths)

    figures = outcomes.collect(ALL, STAFF, K, programme)
    frame = figures["regions"]
    inline = maps.region_map(pd.DataFrame({
        "region_code": frame["region_code"], "value": frame["delivery_rate_pct"],
        "hover": frame["region_name"], "label": ""}), "fr", colorbar_title="Taux")
    features = {id(f) for f in maps.geojson()["features"]}
    for trace in inline["data"]:
        if trace["type"] == "choropleth":
            carried = trace["geojson"]["features"]
            assert sorted(f["properties"]["code"] for f in carried) == sorted(trace["locations"])
            assert all(id(f) in features for f in carried)  # shared, not copied


def test_tour_map_measure_comes_from_the_url(programme, pages):
    tour, _ = pages
    assert tour.measure_search("?edition=2024-2025", "guide") == "?edition=2024-2025&measure=guide"
    assert tour.measure_search("?measure=guide&lang=en", "events") == "?lang=en"  # the default
    assert tour.measure_search(None, "nonsense") == ""

    tree = tour.body(tour.collect(ALL, STAFF, K, programme), "fr", K, measure="guide",
                     selected=("84",))
    choropleth = graph_figure(tree, ids.TOUR_MAP)["data"][0]
    assert choropleth["colorbar"]["title"]["text"] == "Exemplaires du guide"
    copies = dict(zip(choropleth["locations"], choropleth["z"]))
    assert (copies["84"], copies["11"], copies["04"], copies["94"]) == (10, 20, 7, 0)
    widths = dict(zip(choropleth["locations"], choropleth["marker"]["line"]["width"]))
    assert widths["84"] > widths["11"]  # the selected region is outlined
    pressed = find(tree, {"type": ids.TOUR_MEASURE, "measure": "guide"})
    assert getattr(pressed, "aria-checked") == "true"


def test_a_click_on_a_region_filters_the_page_through_the_url():
    from dashboard.maps import search_for_click

    click = {"points": [{"curveNumber": 0, "location": "84", "z": 2}]}
    assert search_for_click("?lang=en&measure=guide", click) == \
        "?lang=en&measure=guide&region=84"
    assert search_for_click("?region=84&lang=en", click) == "?lang=en"  # again: filter off
    assert search_for_click("?region=11,84", click) == "?region=84"
    assert search_for_click("", {"points": [{"lon": 2.3, "lat": 48.8}]}) is None  # a label
    assert search_for_click("", None) is None


def test_tour_conversion_and_guide_in_english(programme, pages):
    tour, _ = pages
    text = text_of(tour.body(tour.collect(ALL, STAFF, K, programme), "en", K))
    # reached: insa-lyon and centralesupelec in 2024-2025, esiroi in 2025-2026; each has a
    # project in its edition or the next; P1 and P2 (insa-lyon, 2024-2025) were delivered.
    assert ("4 events reached 3 schools; 3 schools had at least one project in the event's "
            "edition or the next (100%, fragile estimate), for 2 delivered projects.") in text
    assert "Handed out at 25% of the Tour's events (1 of 4)." in text  # G2 names E3
    assert "37 copies: 10 downloaded, 0 printed, 20 handed out at events, 7 by partner " \
           "mailing." in text


def test_tour_timeline_is_cumulative_by_event_type(programme, pages):
    tour, _ = pages
    figures = tour.collect(ALL, STAFF, K, programme)
    figure = tour.timeline_figure(figures["timeline"], "events", "fr")
    lines = {trace["name"]: list(trace["y"]) for trace in figure["data"]}
    assert set(lines) == {"Conférence", "Atelier", "Forum", "Tous les types"}
    assert lines["Tous les types"][-1] == 4 and lines["Conférence"][-1] == 2
    assert all(trace["type"] == "scatter" for trace in figure["data"])


def test_tour_export_is_the_reach_contract(programme, pages):
    tour, _ = pages
    from dashboard.queries.reach import EXPORT_COLUMNS

    data, name = tour.export_file("?region=84", "csv")
    lines = data.decode("utf-8").splitlines()
    assert lines[0] == ",".join(EXPORT_COLUMNS) and len(lines) == 19
    assert name.startswith("latitudes-impact-tour-") and name.endswith(".csv")
    excel, name = tour.export_file("", "csv-fr")
    assert excel.startswith("\ufeff".encode()) and b";" in excel.splitlines()[0]
    assert name.endswith("-excel-fr.csv")
    xlsx, name = tour.export_file("", "xlsx")
    assert xlsx[:2] == b"PK" and name.endswith(".xlsx")
    with pytest.raises(ValueError):
        tour.export_file("", "pdf")


# ---- project outcomes ------------------------------------------------------------------------

def test_outcomes_kpis_with_fragile_rates_said_in_words(programme, pages):
    _, outcomes = pages
    cards = kpis(outcomes.body(outcomes.collect(ALL, STAFF, K, programme), "fr", K))
    assert cards["projects"].startswith("Projets 4 ")
    assert cards["organisations"].startswith("Organisations servies 4 ")
    assert cards["delivered"] == "Projets livrés 2 sur 3 projets terminés (livrés ou abandonnés)"
    assert cards["delivery-rate"] == (f"Taux de livraison 67{NNBSP}% livrés / (livrés + "
                                      "abandonnés), n = 3 · estimation fragile")
    assert cards["in-use"] == (f"Utilisés à six mois 33{NNBSP}% répondent « oui » ; "
                               f"33{NNBSP}% « partiellement » · n = 3 réponses · "
                               "estimation fragile")
    assert cards["satisfaction"].startswith("Satisfaction des organisations 3,7 / 5 ")
    assert cards["satisfaction"].endswith("n = 3 réponses · estimation fragile")
    assert cards["beneficiaries"].startswith("Bénéficiaires touchés 150 ")
    assert cards["students"] == "Étudiants engagés 15 avec 3 mentors bénévoles"


def test_a_funder_gets_aggregates_and_never_the_projects(programme, pages, monkeypatch):
    _, outcomes = pages
    from dashboard.queries import outcomes as queries

    def refuse(*_args, **_kwargs):
        raise AssertionError("row-level projects were queried for a funder")

    monkeypatch.setattr(queries, "projects_table", refuse)
    figures = outcomes.collect(ALL, FUNDER, K, programme)
    assert figures["projects"] is None
    tree = outcomes.body(figures, "fr", K)
    assert find(tree, ids.OUTCOMES_PROJECTS_GRID) is None
    text = text_of(tree)
    assert "Carte des bénévoles" not in text and "Entraide Lyon" not in text
    cards = kpis(tree)
    assert cards["projects"].startswith("Projets 4 ")  # project counts are not hidden
    assert cards["satisfaction"] == ("Satisfaction des organisations < 5 Masqué : moins de 5 "
                                     "organisations ont répondu")
    assert cards["in-use"].startswith("Utilisés à six mois < 5 ")
    assert cards["students"] == "Étudiants engagés 15 avec 3 mentors bénévoles"
    # students by region: 84 has 7, 11 has 2 (hidden), 04 has 6 (hidden too: 15 - 7 = 8
    # would give the sum of the two, not either). 84 is hidden as well now: 2024-2025 has
    # 84's 7 and 11's 2, so 11's are pooled into 84's publication unit; shown, 84's 7 with
    # the 2025-2026 selection (04's 6) and the total (15) would give 11's 2 back.
    table = outcomes.map_table(figures["regions"], "fr", K).set_index("Région")
    assert table.loc["Île-de-France", "Étudiants"] == "< 5"
    assert table.loc["La Réunion", "Étudiants"] == "< 5"
    assert table.loc["Auvergne-Rhône-Alpes", "Étudiants"] == "< 5"


def test_staff_see_the_projects_in_a_sortable_filterable_grid(programme, pages):
    _, outcomes = pages
    tree = outcomes.body(outcomes.collect(ALL, STAFF, K, programme), "fr", K)
    grid = find(tree, ids.OUTCOMES_PROJECTS_GRID)
    assert grid.rowModelType == "infinite"  # the rows come block by block from the server
    block = outcomes.projects_block(ALL, STAFF, K, "fr", {"startRow": 0, "endRow": 15},
                                    programme)
    assert block["rowCount"] == 4
    rows = {row["title"]: row for row in block["rowData"]}
    assert set(rows) == {"Carte des bénévoles", "Suivi des jardins", "Annuaire solidaire",
                         "Capteurs de rivière"}
    assert rows["Suivi des jardins"] | {"project_id": None} == {
        "project_id": None, "title": "Suivi des jardins", "organisation": "Jardins de Grenoble",
        "school": rows["Suivi des jardins"]["school"], "region": "Auvergne-Rhône-Alpes",
        "edition": "2024-2025", "tech_type": "Application mobile", "status": "Livré",
        "satisfaction": 4, "in_use": "Partiellement"}
    assert grid.defaultColDef["sortable"] and grid.defaultColDef["filter"]
    assert "60" not in text_of(find(tree, ids.OUTCOMES_PROJECTS_TITLE))


def test_outcomes_map_of_a_rate_greys_regions_without_a_figure(programme, pages):
    _, outcomes = pages
    from dashboard.maps import map_locations

    figures = outcomes.collect(ALL, STAFF, K, programme)
    figure = outcomes.map_figure(figures["regions"], "fr", K, "delivery")
    assert sorted(map_locations(figure)) == sorted(reference.regions())
    coloured, grey = figure["data"][0], figure["data"][1]
    rates = dict(zip(coloured["locations"], coloured["z"]))
    assert set(rates) == {"84", "11"}  # 04 has no finished project
    assert rates["84"] == 100 and rates["11"] == 0
    assert grey["locations"].count("04") == 1  # grey, said in its hover
    assert grey["type"] == "choropleth" and grey["colorscale"][0][1] == grey["colorscale"][1][1]
    hover = dict(zip(grey["locations"], grey["text"]))["04"]
    assert f"Taux de livraison{NBSP}: —" in hover
    labels = [trace for trace in figure["data"] if trace["type"] == "scattergeo"][0]["text"]
    assert f"100{NNBSP}%*" in labels  # 2 projects: fragile, marked on the map
    assert coloured["colorbar"]["ticktext"] == [f"0{NNBSP}%", f"50{NNBSP}%", f"100{NNBSP}%"]


def test_rates_on_few_projects_carry_their_n_and_a_label(pages):
    _, outcomes = pages
    assert outcomes.rate_text(200 / 3, 3, "fr", K) == f"67{NNBSP}% (n = 3), estimation fragile"
    assert outcomes.rate_text(80.0, 10, "en", K) == "80% (n = 10)"
    assert outcomes.rate_text(None, 0, "fr", K) == "—"
    assert outcomes.rate_text(50.0, 4, "fr", K, hidden=True) == "< 5"


def test_outcomes_by_tech_type_in_english(programme, pages):
    _, outcomes = pages
    text = text_of(outcomes.body(outcomes.collect(ALL, STAFF, K, programme), "en", K))
    assert "4 projects in all; first: Web app (2 projects)." in text
    assert ("Mean satisfaction at the end of the project, out of 5: 2 types have fewer than 5 "
            "answers: fragile estimate.") in text  # web app (n = 2), mobile app (n = 1)
    from dashboard.queries.outcomes import in_use_by_tech

    in_use = in_use_by_tech(ALL, STAFF, K, programme).set_index("tech_type")
    assert in_use.loc["web_app", "in_use_answers"] == 2  # P1 oui, P3 non
    assert in_use.loc["web_app", "in_use_rate_pct"] == 50.0
    assert in_use.loc["mobile_app", "in_use_partial"] == 1
    hidden = in_use_by_tech(ALL, FUNDER, K, programme).set_index("tech_type")
    assert hidden["suppressed"].to_dict() == {"web_app": True, "mobile_app": True,
                                              "iot": False}  # iot: no answer, nothing to hide
    assert hidden["in_use_rate_pct"].isna().all()
