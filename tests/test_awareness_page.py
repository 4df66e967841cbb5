"""The awareness page ("Sensibilisation à l'ESS") as plain functions: what a user reads.

Surveys are written as named counts of people (tests/test_awareness.py's `Survey`), loaded
through the real ETL into a fresh SQLite warehouse; the page's `body` is then called with the
figures of the query layer, and the tests read the text it would show. The browser tests
(tests/browser/test_awareness_page.py) drive what only a browser can show.
"""

from __future__ import annotations

import csv
import io

import pytest

from dashboard import ids
from dashboard.queries import awareness
from dashboard.queries.base import STAFF, Filters
from tests.test_awareness import AWARE, CENTRALE_LYON, LYON, NO, VAGUELY, Survey

K = 5
NNBSP = "\u202f"
CONTRACT_HEADER = ("item,analysis,n_pre,n_post,n_matched,pre_pct,post_pct,diff_pp,ci_low_pp,"
                   "ci_high_pp,p_value,suppressed")

# The matched people of INSA Lyon (aware = "Oui, précisément"), as in tests/test_awareness.py.
BOTH, PRE_ONLY, POST_ONLY, NEITHER = 3, 1, 6, 2
N_MATCHED = BOTH + PRE_ONLY + POST_ONLY + NEITHER  # 12: fewer than 30, so fragile
SMALL_SCHOOL_MATCHED = 3  # Centrale Lyon: a group under K
SATISFIED = 3  # post-only answers: under K, so hidden


@pytest.fixture(scope="module")
def module():
    from dashboard.app import create_app

    create_app()  # registers the page modules (and their messages)
    from dashboard.pages import awareness

    return awareness


def text_of(component) -> str:
    """Every string of a Dash component tree, in order, with the tables of its charts as the
    browser draws them when they are opened (a chart card's store holds their rows)."""
    if isinstance(component, (list, tuple)):
        return " ".join(text_of(c) for c in component)
    if isinstance(component, str):
        return component
    data = getattr(component, "data", None)
    if isinstance(data, dict) and isinstance(data.get("table"), dict):
        table = data["table"]
        return " ".join([table["caption"] or "", *table["columns"],
                         *(" ".join(row) for row in table["rows"])])
    children = getattr(component, "children", None)
    return "" if children is None else text_of(children)


def find(component, component_id):
    """The component of a tree with this id (None when absent)."""
    if isinstance(component, (list, tuple)):
        return next((found for c in component if (found := find(c, component_id)) is not None),
                    None)
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None)
    return None if children is None or isinstance(children, str) else find(children,
                                                                           component_id)


def graph(component, graph_id):
    """The chart's figure as a graph object: plotly validates the dict the page sends."""
    import plotly.graph_objects as go

    return go.Figure(find(component, graph_id).figure)


@pytest.fixture
def main(sqlite_warehouse, tmp_path):
    """12 matched students at INSA Lyon, 3 more at Centrale Lyon, 3 satisfied answers."""
    return _load_main(sqlite_warehouse, tmp_path, small_school=True)


@pytest.fixture
def lyon_only(sqlite_warehouse, tmp_path):
    """The 12 matched students of INSA Lyon alone. With Centrale Lyon's 3 in the warehouse,
    INSA Lyon alone is no longer a whole selection (the 3 are pooled with it, else the total
    minus INSA Lyon would give them back: docs/disclosure.md), so the tests of what a shown
    figure reads like use a warehouse without them."""
    return _load_main(sqlite_warehouse, tmp_path, small_school=False)


def _load_main(sqlite_warehouse, tmp_path, small_school: bool):
    survey = Survey()
    survey.matched(BOTH, pre={"knows": AWARE, "kinds": 1}, post={"knows": AWARE, "kinds": 3})
    survey.matched(PRE_ONLY, pre={"knows": AWARE, "kinds": 1},
                   post={"knows": VAGUELY, "kinds": 3})
    survey.matched(POST_ONLY, pre={"knows": VAGUELY, "kinds": 1},
                   post={"knows": AWARE, "kinds": 3})
    survey.matched(NEITHER, pre={"knows": NO, "kinds": 1}, post={"knows": VAGUELY, "kinds": 3})
    if small_school:
        survey.matched(SMALL_SCHOOL_MATCHED, pre={"knows": NO, "kinds": 1},
                       post={"knows": AWARE, "kinds": 3, "satisfaction": 5},
                       school=CENTRALE_LYON)
    survey.load(sqlite_warehouse, tmp_path)
    return sqlite_warehouse


def figures_of(module, engine, filters: Filters | None = None, tab: str = "school") -> dict:
    return module.page_figures(filters or Filters(), STAFF, K, tab, engine=engine)


def test_the_headline_sentence_is_shown_first(module, lyon_only):
    figures = figures_of(module, lyon_only, Filters.of(schools=[LYON]))
    content = module.body(figures, "fr", K)

    shown = text_of(find(content, ids.AWARENESS_HEADLINE))
    assert shown == awareness.sentence(figures["headline"], "fr")
    pre, post = 100 * (BOTH + PRE_ONLY) / N_MATCHED, 100 * (BOTH + POST_ONLY) / N_MATCHED
    assert (round(pre), round(post), round(post - pre)) == (33, 75, 42)
    assert shown.startswith(f"Parmi les {N_MATCHED} étudiants ayant répondu avant et après, "
                            f"33{NNBSP}% connaissaient précisément l'ESS avant le programme et "
                            f"75{NNBSP}% après (+42 points, IC 95{NNBSP}%\u00a0: +")
    assert find(content, ids.AWARENESS_FALLBACK) is None
    assert text_of(find(content, ids.kpi("awareness-change"))).startswith(
        f"Évolution +42{NNBSP}pts IC\u00a095{NNBSP}%\u00a0: +")
    assert "test exact de McNemar" in text_of(find(content, ids.kpi("awareness-change")))


def test_small_groups_and_post_only_items_under_k_read_less_than_k(module, main):
    content = module.body(figures_of(module, main), "fr", K)

    post_only = text_of(find(content, ids.AWARENESS_ITEMS_TABLE))
    assert f"Satisfait du programme (4 ou 5 sur 5) sans objet < {K}" in post_only
    [breakdown] = module.breakdown_body(figures_of(module, main), "fr", K)
    rows = text_of(breakdown)
    assert f"École centrale de Lyon (n < {K})" in str(graph(breakdown,
                                                             ids.AWARENESS_BREAKDOWN_GRAPH))
    assert f"École centrale de Lyon < {K} < {K} < {K} < {K} < {K}" in rows  # no number at all
    # INSA Lyon's 12 are hidden too: shown beside the total of 15, they would give away the 3
    assert f"INSA Lyon < {K} < {K}" in rows
    assert ("Aucun groupe ne compte assez d'étudiants appariés pour être montré. 2 groupes "
            "masqués") in rows


def test_too_few_matched_students_make_the_unpaired_comparison_the_headline(
        module, sqlite_warehouse, tmp_path):
    survey = Survey()
    survey.matched(K - 1, pre={"knows": NO}, post={"knows": AWARE})
    survey.anonymous(6, "pre", knows=NO)
    survey.anonymous(2, "pre", knows=AWARE)
    survey.anonymous(8, "post", knows=AWARE)
    survey.load(sqlite_warehouse, tmp_path)
    figures = figures_of(module, sqlite_warehouse)

    content = module.body(figures, "fr", K)

    assert figures["headline"]["fallback_unpaired"] is True
    notice = text_of(find(content, ids.AWARENESS_FALLBACK))
    assert notice.startswith(f"Moins de {K} étudiants ont répondu à la fois avant et après")
    assert "comparaison non appariée" in notice
    assert text_of(find(content, ids.AWARENESS_HEADLINE)).startswith(
        f"Trop peu d'étudiants ont répondu avant et après (moins de {K})")
    matched = text_of(find(content, ids.kpi("awareness-matched")))
    assert matched.startswith(f"Étudiants appariés < {K}")  # 4 people: never the number
    assert "test du score" in text_of(find(content, ids.kpi("awareness-change")))


def test_fragile_estimates_are_said_and_drawn_hollow_not_grey(module, lyon_only):
    content = module.body(figures_of(module, lyon_only, Filters.of(schools=[LYON])), "fr", K)

    table = text_of(find(content, ids.AWARENESS_ITEMS_TABLE))
    assert f"+42{NNBSP}pts (estimation fragile)" in table  # 12 people, fewer than 30
    items = graph(content, ids.AWARENESS_ITEMS_GRAPH)
    knows = [trace for trace in items.data if trace.name == "Après" and trace.x[0] is not None]
    assert knows[0].marker.symbol[0] == "diamond-open"
    assert any(trace.name == "Estimation fragile (symbole évidé)" for trace in items.data)


def test_the_mean_number_of_kinds_named_sits_under_its_share(module, lyon_only):
    content = module.body(figures_of(module, lyon_only, Filters.of(schools=[LYON])), "fr", K)

    table = text_of(find(content, ids.AWARENESS_ITEMS_TABLE))
    # everyone names 1 kind before and 3 after: 0 % then 100 % name at least three
    assert f"Connaît au moins 3 types de structures de l'ESS 0{NNBSP}% 100{NNBSP}%" in table
    assert "↳ Nombre moyen de types de structures de l'ESS cités 1,0 3,0 +2,0" in table


def test_every_chart_has_a_summary_a_table_toggle_and_a_definition(module, main):
    figures = figures_of(module, main)
    content = module.body(figures, "fr", K) + module.breakdown_body(figures, "fr", K)

    for graph_id in (ids.AWARENESS_COMPARISON_GRAPH, ids.AWARENESS_ATTRITION_GRAPH,
                     ids.AWARENESS_ITEMS_GRAPH, ids.AWARENESS_LIKERT_GRAPH,
                     ids.AWARENESS_POST_ONLY_GRAPH, ids.AWARENESS_BREAKDOWN_GRAPH):
        assert find(content, {"type": ids.TABLE_TOGGLE, "index": graph_id}) is not None
        card = next(c for c in _sections(content) if find(c, graph_id) is not None)
        assert "Définition" in text_of(card), graph_id
    assert "Référence nationale, autre population (BCG / IPSOS)" in [
        trace.name for trace in graph(content, ids.AWARENESS_COMPARISON_GRAPH).data]


def _sections(component):
    if isinstance(component, (list, tuple)):
        for child in component:
            yield from _sections(child)
        return
    if getattr(component, "className", None) == "chart-card":
        yield component
    children = getattr(component, "children", None)
    if children is not None and not isinstance(children, str):
        yield from _sections(children)


def test_the_page_speaks_english(module, lyon_only):
    figures = figures_of(module, lyon_only, Filters.of(schools=[LYON]))
    content = module.body(figures, "en", K)

    text = text_of(content)
    assert text_of(find(content, ids.AWARENESS_HEADLINE)).startswith(
        f"Among the {N_MATCHED} students who answered before and after, 33% knew precisely")
    assert "Awareness of the SSE" in text and "Every indicator, before and after" in text
    assert "Knows precisely what the SSE is" in text
    assert "Sensibilisation" not in text


def test_an_empty_selection_says_so(module, sqlite_warehouse):
    figures = figures_of(module, sqlite_warehouse)

    content = module.body(figures, "fr", K)

    assert "Aucune réponse au questionnaire étudiant pour cette sélection." in text_of(content)
    assert module.breakdown_body(figures, "fr", K) == []


def test_a_funder_whose_region_nobody_answered_in_sees_no_breakdown(module, main):
    from dashboard.queries.base import Scope
    from tests.test_awareness import IDF

    outside = Scope(role="funder", regions=(IDF,))  # the answers are all from Lyon (ARA)
    figures = module.page_figures(Filters(), outside, K, "school", engine=main)

    assert module.breakdown_body(figures, "fr", K) == []
    assert "Aucune réponse au questionnaire étudiant" in text_of(module.body(figures, "fr", K))
    assert module.breakdown_body(figures_of(module, main), "fr", K) != []  # staff: Lyon's


def test_a_tab_change_leaves_the_body_alone(module):
    view = module.view_without_tab("?school=insa-lyon&tab=region", None)
    assert view == "?school=insa-lyon"
    assert module.view_without_tab("?school=insa-lyon&tab=edition", view) is module.no_update
    assert module.view_without_tab("?school=insa-lyon&lang=en&tab=edition", view) == \
        "?school=insa-lyon&lang=en"


def test_the_breakdown_tab_goes_into_the_url(module):
    assert module.tab_search("region", "?edition=2025-2026") == "?edition=2025-2026&tab=region"
    assert module.tab_search("school", "?tab=school") is module.no_update
    assert module.tab_search("nonsense", "") is module.no_update
    assert module.tab_of("nonsense") == "school"


def test_the_download_is_the_contract_table_of_the_urls_filters(module, main):
    data, name = module.export_file(f"?school={CENTRALE_LYON}&lang=en", "csv")

    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert data.decode("utf-8").splitlines()[0] == CONTRACT_HEADER
    assert name == "latitudes-impact-sensibilisation-ess.csv"
    knows = next(r for r in rows if (r["item"], r["analysis"]) == ("knows_ess", "paired"))
    assert (knows["n_matched"], knows["suppressed"], knows["pre_pct"]) == (
        str(SMALL_SCHOOL_MATCHED), "true", "")  # 3 people: blank and flagged
    french, _ = module.export_file("", "csv-fr")
    assert french.startswith("\ufeffitem;analysis;".encode())
    workbook, xlsx_name = module.export_file("", "xlsx")
    assert workbook[:2] == b"PK" and xlsx_name.endswith(".xlsx")
    with pytest.raises(ValueError):
        module.export_file("", "pdf")


def test_formats_for_readers(module):
    assert module.p_text(0.0004, "fr") == "< 0,001"
    assert module.p_text(0.0312, "en") == "= 0.03"
    assert module.interval_text(-4.6, 9.2, "fr") == f"IC\u00a095{NNBSP}%\u00a0: -5 à +9"
    assert module.people_text(3, K, "fr") == f"< {K}"
    assert module.people_text(0, K, "fr") == "0"


def test_a_small_number_of_people_lost_hides_every_attrition_count(module, sqlite_warehouse,
                                                                    tmp_path):
    survey = Survey()
    survey.matched(N_MATCHED, pre={"knows": NO}, post={"knows": AWARE})
    survey.identified(2, "pre", knows=NO)  # lost to follow-up: a cell under K
    survey.load(sqlite_warehouse, tmp_path)
    headline = figures_of(module, sqlite_warehouse)["headline"]
    assert headline["attrition"]["n_lost"] == 2  # staff get the count from the query layer

    card = text_of(module.attrition_card(headline, "fr", K))
    matched = text_of(module.headline_cards(headline, "fr", K)[-1])

    assert "Nombres masqués : un des groupes compte moins de 5 personnes." in card
    identified, lost_share = N_MATCHED + 2, round(100 * 2 / (N_MATCHED + 2))
    assert f" {identified} " not in card and f"{lost_share}{NNBSP}%" not in card
    assert "Perdus de vue < 5 < 5" in card  # its n and its share before
    assert matched == (f"Étudiants appariés {N_MATCHED} ont répondu avant et après · "
                       "perdus de vue : chiffre masqué")
