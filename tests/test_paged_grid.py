"""The projects grid paged on the server: the block of rows the grid asks for, sorted and
filtered as asked, within the view the server computes, and nothing more whatever the request
says (forged bounds, sort and filter models, a funder posting the staff grid's callback).

The pure part (`dashboard.components.paged_grid.block`) on rows written here; the callback
through Flask's test client, signed in, on the access tests' demo warehouse (one account per
role), against the query layer on the same warehouse.
"""

from __future__ import annotations

import pytest

from dashboard import ids
from dashboard.components import paged_grid
from dashboard.queries.base import STAFF, Filters
from tests.auth_helpers import (
    FUNDER_REGION,
    OTHER_REGION,
    CallbackRequest,
    client_for,
    demo_warehouse,
)
from tests.conftest import make_settings

COLUMNS = ("title", "region", "satisfaction")
ROWS = [
    {"project_id": "P1", "title": "Carte des bénévoles", "region": "Bretagne",
     "satisfaction": 4},
    {"project_id": "P2", "title": "annuaire solidaire", "region": "Occitanie", "satisfaction": None},
    {"project_id": "P3", "title": "Suivi des jardins", "region": "Bretagne", "satisfaction": 2},
    {"project_id": "P4", "title": "Boussole", "region": "Normandie", "satisfaction": 5},
]


def titles(answer: dict) -> list[str]:
    return [row["title"] for row in answer["rowData"]]


# ---- one block of rows ------------------------------------------------------------------------

def test_a_block_is_the_asked_rows_of_the_sorted_and_filtered_rows():
    answer = paged_grid.block(ROWS, {"startRow": 0, "endRow": 2,
                                     "sortModel": [{"colId": "title", "sort": "asc"}]}, COLUMNS)
    assert titles(answer) == ["annuaire solidaire", "Boussole"]  # case does not order
    assert answer["rowCount"] == 4
    answer = paged_grid.block(ROWS, {"startRow": 2, "endRow": 4, "sortModel": [
        {"colId": "region", "sort": "asc"}, {"colId": "satisfaction", "sort": "desc"}]},
        COLUMNS)
    assert titles(answer) == ["Boussole", "annuaire solidaire"]


def test_missing_numbers_come_first_ascending_and_last_descending():
    up = paged_grid.block(ROWS, {"sortModel": [{"colId": "satisfaction", "sort": "asc"}]},
                          COLUMNS)
    down = paged_grid.block(ROWS, {"sortModel": [{"colId": "satisfaction", "sort": "desc"}]},
                            COLUMNS)
    assert [r["satisfaction"] for r in up["rowData"]] == [None, 2, 4, 5]
    assert [r["satisfaction"] for r in down["rowData"]] == [5, 4, 2, None]


def test_filters_as_ag_grid_applies_them():
    def kept(model):
        return sorted(r["project_id"] for r in paged_grid.block(
            ROWS, {"filterModel": model}, COLUMNS)["rowData"])

    assert kept({"title": {"filterType": "text", "type": "contains", "filter": "SOLID"}}) == \
        ["P2"]
    assert kept({"region": {"filterType": "text", "operator": "OR", "conditions": [
        {"filterType": "text", "type": "equals", "filter": "bretagne"},
        {"filterType": "text", "type": "startsWith", "filter": "norm"}]}}) == ["P1", "P3", "P4"]
    assert kept({"satisfaction": {"filterType": "number", "type": "greaterThan",
                                  "filter": 3}}) == ["P1", "P4"]
    assert kept({"satisfaction": {"filterType": "number", "type": "inRange", "filter": 2,
                                  "filterTo": 5}}) == ["P1"]
    assert kept({"satisfaction": {"filterType": "number", "type": "blank"}}) == ["P2"]
    assert kept({"region": {"filterType": "text", "type": "notEqual", "filter": "Bretagne"},
                 "satisfaction": {"filterType": "number", "type": "notBlank"}}) == ["P4"]


@pytest.mark.parametrize("request_", [
    {"startRow": -50, "endRow": 10 ** 9},              # out of range, a huge block
    {"startRow": "0; DROP TABLE project", "endRow": None},
    {"startRow": True, "endRow": 1.5},
    "not a request", None, [],
])
def test_forged_bounds_give_at_most_one_block_from_the_start(request_):
    rows = [{"project_id": f"P{i}", "title": f"Projet {i:04d}"} for i in range(250)]
    answer = paged_grid.block(rows, request_, ("title",))
    assert len(answer["rowData"]) == paged_grid.MAX_BLOCK
    assert answer["rowData"][0]["title"] == "Projet 0000" and answer["rowCount"] == 250


def test_forged_sort_and_filter_models_only_order_or_narrow_the_rows():
    forged = {"sortModel": [{"colId": "project_id", "sort": "desc"},      # not a column
                            {"colId": "title", "sort": "sideways"}, "x", None],
              "filterModel": {"project_id": {"filterType": "text", "type": "equals",
                                             "filter": "P9"},             # not a column
                              "title": {"filterType": "text", "type": "regex", "filter": ".*"},
                              "satisfaction": {"filterType": "number", "type": "lessThan",
                                               "filter": "__import__('os')"},
                              "region": "Bretagne"}}
    answer = paged_grid.block(ROWS, forged, COLUMNS)
    assert [r["project_id"] for r in answer["rowData"]] == ["P1", "P2", "P3", "P4"]
    assert answer["rowCount"] == 4


# ---- the callback, signed in --------------------------------------------------------------------

@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from dashboard.app import create_app
    from etl import settings as etl_settings

    settings = make_settings(demo_warehouse(tmp_path_factory, "paged-grid"))
    app = create_app(settings)
    app.server.test_client().get("/login")  # Dash sets itself up on its first request
    yield app
    etl_settings.configure(None)


def grid_request(search: str, request: dict) -> CallbackRequest:
    grid = ids.OUTCOMES_PROJECTS_GRID
    return CallbackRequest(f"{grid}.getRowsResponse", {"id": grid, "property": "getRowsResponse"},
                           [{"id": grid, "property": "getRowsRequest", "value": request}],
                           [{"id": "url", "property": "search", "value": search}],
                           [f"{grid}.getRowsRequest"])


def rows_of(answer) -> dict:
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return answer.get_json()["response"][ids.OUTCOMES_PROJECTS_GRID]["getRowsResponse"]


def expected_titles(filters: Filters, k: int = 5) -> list[str]:
    from dashboard.queries import outcomes

    return outcomes.projects_table(filters, STAFF, k)["title"].tolist()


def test_staff_get_the_blocks_of_the_view_they_ask_for(app):
    staff = client_for(app, "staff")
    first = rows_of(grid_request("", {"startRow": 0, "endRow": 15}).post(staff))
    everything = expected_titles(Filters())
    assert first["rowCount"] == len(everything) > 15
    assert [row["title"] for row in first["rowData"]] == everything[:15]
    second = rows_of(grid_request("", {"startRow": 15, "endRow": 30}).post(staff))
    assert [row["title"] for row in second["rowData"]] == everything[15:30]
    region = rows_of(grid_request(f"?region={OTHER_REGION}",
                                  {"startRow": 0, "endRow": 100}).post(staff))
    in_region = expected_titles(Filters.of(regions=[OTHER_REGION]))
    assert region["rowCount"] == len(in_region) > 0
    assert sorted(row["title"] for row in region["rowData"]) == sorted(in_region)


def test_a_forged_filter_model_cannot_widen_the_view(app):
    staff = client_for(app, "staff")
    forged = {"startRow": 0, "endRow": 100, "filterModel": {
        "region": {"filterType": "text", "type": "notEqual", "filter": "nowhere"}}}
    answer = rows_of(grid_request(f"?region={FUNDER_REGION}", forged).post(staff))
    assert answer["rowCount"] == len(expected_titles(Filters.of(regions=[FUNDER_REGION])))


@pytest.mark.parametrize("role", ["funder", "school"])
@pytest.mark.parametrize("search", ["", f"?region={OTHER_REGION}"])
def test_a_funder_or_school_posting_the_grid_callback_gets_no_row(app, role, search):
    answer = rows_of(grid_request(search, {"startRow": 0, "endRow": 100}).post(
        client_for(app, role)))
    assert answer == {"rowData": [], "rowCount": 0}


def test_an_anonymous_grid_request_is_refused(app):
    answer = grid_request("", {"startRow": 0, "endRow": 100}).post(
        client_for(app, "anonymous"))
    assert answer.status_code in (401, 403)
