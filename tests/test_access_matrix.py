"""Who reaches what: every role against every route, through Flask's test client.

Roles: anonymous, admin, staff, a funder scoped to region 84 and one edition, a school account
scoped to one school. Routes: every page of `dash.page_registry` (/, /admin, /donnees... as
present), /login, Dash's layout and dependencies, static files, and callback POSTs crafted
outside the UI (the overview's, an admin-only one, the data page's). Then what the scope does
to figures: a funder asking for another region through the URL gets figures of its own scope
only, on the overview and in the exports.

`impact export` is not in this table: it is a command for staff on the server, run with the
server's own credentials (the staff scope), like every `impact` command.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re

import dash
import pytest
from plotly.io.json import to_json_plotly

from dashboard.queries.base import STAFF, Filters, Scope
from tests.auth_helpers import (
    ACCOUNTS,
    FUNDER_EDITION,
    FUNDER_REGION,
    OTHER_REGION,
    ROLES,
    SCHOOL,
    CallbackRequest,
    client_for,
    demo_warehouse,
    response_of,
    url_callback,
)
from tests.conftest import make_settings

FUNDER_SCOPE = Scope(role="funder", editions=(FUNDER_EDITION,), regions=(FUNDER_REGION,),
                     user=ACCOUNTS["funder"][0])
SCHOOL_SCOPE = Scope(role="school", schools=(SCHOOL,), user=ACCOUNTS["school"][0])
EVERYONE = ("admin", "staff", "funder", "school")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from dashboard.app import create_app
    from etl import settings as etl_settings

    settings = make_settings(demo_warehouse(tmp_path_factory, "access-matrix"))
    app = create_app(settings)
    app.server.test_client().get("/login")  # Dash sets itself up on its first request
    yield app
    etl_settings.configure(None)


@pytest.fixture(scope="module")
def clients(app):
    return {role: client_for(app, role) for role in ROLES}


def _page_paths() -> dict[str, tuple[str, ...]]:
    from dashboard.auth import page_roles

    return {page["path"]: page_roles(page) for page in dash.page_registry.values()
            if not page.get("path_template")}


def expected_page_status(role: str, roles: tuple[str, ...]) -> int:
    if role == "anonymous":
        return 302
    return 200 if role in roles else 403


def test_staff_only_pages_declare_it(app):
    paths = _page_paths()
    assert paths["/admin"] == ("admin",)
    if "/donnees" in paths:
        assert set(paths["/donnees"]) == {"admin", "staff"}
    assert set(paths["/"]) == set(EVERYONE)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_registry(app, clients, role):
    problems = []
    for path, roles in _page_paths().items():
        answer = clients[role].get(path)
        expected = expected_page_status(role, roles)
        if answer.status_code != expected:
            problems.append(f"{path}: {answer.status_code}, expected {expected}")
        if role == "anonymous" and answer.status_code == 302:
            assert answer.headers["Location"].startswith("/login?next=")
    assert not problems, f"{role}: " + "; ".join(problems)


def _component_suite(app) -> str:
    html = client_for(app, "staff").get("/").get_data(as_text=True)
    return re.search(r'src="(/_dash-component-suites/[^"]+)"', html).group(1)


@pytest.mark.parametrize("role", ROLES)
def test_dash_routes_login_and_static_files(app, clients, role):
    signed_in = role != "anonymous"
    table = {  # route -> expected status
        "/_dash-layout": 200 if signed_in else 401,
        "/_dash-dependencies": 200 if signed_in else 401,
        "/login": 302 if signed_in else 200,
        "/assets/impact.css": 200,
        "/assets/favicon.ico": 200,
        _component_suite(app): 200,
    }
    found = {route: clients[role].get(route).status_code for route in table}
    assert found == table


def _admin_list_callback() -> CallbackRequest:
    from dashboard.pages import admin

    output = f"..{admin.TABLE}.children...{admin.EDIT_ACCOUNT}.options.."
    return CallbackRequest(output, [{"id": admin.TABLE, "property": "children"},
                                    {"id": admin.EDIT_ACCOUNT, "property": "options"}],
                           [{"id": admin.VERSION, "property": "data", "value": 0},
                            {"id": "url", "property": "search", "value": ""}], [],
                           [f"{admin.VERSION}.data"])


def _data_page_callback(app) -> CallbackRequest | None:
    """Any callback of the data page's module, with empty inputs (roles are checked before
    the inputs are read)."""
    page = next((p for p in dash.page_registry.values() if p["path"] == "/donnees"), None)
    if page is None:
        return None
    for output, entry in app.callback_map.items():
        if getattr(entry.get("callback"), "__module__", None) == page["module"]:
            return CallbackRequest(output, [], [], [], [])
    return None


@pytest.mark.parametrize("role", ROLES)
def test_crafted_callback_posts(app, clients, role):
    overview = url_callback("overview-body", "").post(clients[role])
    admin_list = _admin_list_callback().post(clients[role])
    if role == "anonymous":
        assert (overview.status_code, admin_list.status_code) == (401, 401)
        return
    assert overview.status_code == 200
    assert admin_list.status_code == (200 if role == "admin" else 403)
    if role == "admin":
        table = json.dumps(response_of(admin_list, "admin-accounts"))
        assert all(email in table for email, _ in ACCOUNTS.values())
    data = _data_page_callback(app)
    if data is not None:
        status = data.post(clients[role]).status_code
        if role in ("funder", "school"):
            assert status == 403
        else:
            assert status not in (401, 403)


def test_a_callback_the_app_does_not_have_is_a_bad_request(clients):
    assert CallbackRequest("nothing.children", {}, [], [], []).post(
        clients["staff"]).status_code == 400
    answer = clients["staff"].post("/_dash-update-component", data="not json",
                                   content_type="application/json")
    assert answer.status_code == 400


@pytest.mark.parametrize("role, search", [("funder", ""), ("school", ""),
                                          ("funder", "?roles=funder&layout=x&lang=en")])
def test_the_page_router_renders_access_denied_for_a_restricted_page(clients, role, search):
    router = CallbackRequest(
        ".._pages_content.children..._pages_store.data..",
        [{"id": "_pages_content", "property": "children"},
         {"id": "_pages_store", "property": "data"}],
        [{"id": "_pages_location", "property": "pathname", "value": "/admin"},
         {"id": "_pages_location", "property": "search", "value": search}], [],
        ["_pages_location.pathname"])
    answer = router.post(clients[role])
    assert answer.status_code == 200
    content = json.dumps(response_of(answer, "_pages_content"), ensure_ascii=False)
    assert ("Access denied" if "lang=en" in search else "Accès refusé") in content
    assert "admin-body" not in content


# ---- the scope on figures ----

def _overview_children(figures, lang="fr", k=5):
    from dashboard.pages.overview import body

    return json.loads(to_json_plotly(body(figures, lang, k)))


def test_a_funder_asking_for_another_region_gets_its_own_scope_only(app, clients):
    from dashboard.queries.overview import headline

    answer = url_callback("overview-body", f"?region={OTHER_REGION}").post(clients["funder"])
    shown = response_of(answer, "overview-body")

    asked = Filters.of(regions=[OTHER_REGION])
    assert shown == _overview_children(headline(asked, FUNDER_SCOPE, 5))
    other_region = headline(asked, STAFF, 5)
    assert other_region["projects"] > 0, "the demo should have projects in region 11"
    assert shown != _overview_children(other_region)
    assert headline(asked, FUNDER_SCOPE, 5)["projects"] == 0


def test_a_funder_sees_the_intersection_of_its_regions_and_editions(clients):
    from dashboard.queries.overview import headline

    answer = url_callback("overview-body", "").post(clients["funder"])
    in_scope = headline(Filters.of(editions=[FUNDER_EDITION], regions=[FUNDER_REGION]),
                        STAFF, 5)
    mine = headline(Filters(), FUNDER_SCOPE, 5)
    assert response_of(answer, "overview-body") == _overview_children(mine)
    for name in ("projects", "organisations", "events", "attendees"):
        assert mine[name] == in_scope[name]


def test_a_school_sees_its_school_only(clients):
    from dashboard.queries.overview import headline

    answer = url_callback("overview-body", "?school=insa-lyon").post(clients["school"])
    assert response_of(answer, "overview-body") == _overview_children(
        headline(Filters.of(schools=["insa-lyon"]), SCHOOL_SCOPE, 5))
    assert headline(Filters.of(schools=["insa-lyon"]), SCHOOL_SCOPE, 5)["projects"] == 0


def test_the_filter_choices_offered_follow_the_scope(clients):
    layout = json.dumps(clients["funder"].get("/_dash-layout").get_json())
    assert '"value": "84"' in layout and '"value": "11"' not in layout
    assert f'"value": "{FUNDER_EDITION}"' in layout and '"value": "2023-2024"' not in layout
    school_layout = json.dumps(clients["school"].get("/_dash-layout").get_json())
    assert f'"value": "{SCHOOL}"' in school_layout and '"value": "insa-lyon"' not in school_layout


@pytest.mark.parametrize("figure", ["reach", "outcomes", "awareness"])
def test_exports_of_a_funder_hold_its_scope_only(app, figure):
    """The exports of the pages take the scope from `context`, as the page callbacks do."""
    from dashboard.exports import figure_table
    from dashboard.pages import context
    from tests.auth_helpers import sign_in

    with app.server.test_client() as client:
        sign_in(client, ACCOUNTS["funder"][0])
        client.get("/")  # a request of the signed-in funder: `context` reads its session
        view = context(f"?region={OTHER_REGION}")
        assert view.scope == FUNDER_SCOPE
        frame, _ = figure_table(figure, view.filters, view.scope, view.k)
    expected, _ = figure_table(figure, Filters.of(regions=[OTHER_REGION]), FUNDER_SCOPE, 5)
    assert frame.equals(expected)
    staff_frame, _ = figure_table(figure, Filters.of(regions=[OTHER_REGION]), STAFF, 5)
    assert not frame.equals(staff_frame)
    if "region_code" in frame:
        other = frame[frame["region_code"] == OTHER_REGION]
        numbers = other.select_dtypes("number").fillna(0)
        assert (numbers == 0).all().all(), f"{figure}: region {OTHER_REGION} leaked"


def test_the_tour_download_callback_of_a_funder_holds_its_scope_only(app, clients):
    from dashboard import ids

    if not hasattr(ids, "TOUR_EXPORT") or "dashboard.pages.tour" not in dash.page_registry:
        pytest.skip("no tour page with downloads")
    button = {"format": "csv", "type": ids.TOUR_EXPORT}
    request = CallbackRequest(
        f"{ids.TOUR_EXPORT_DOWNLOAD}.data",
        {"id": ids.TOUR_EXPORT_DOWNLOAD, "property": "data"},
        [[{"id": button, "property": "n_clicks", "value": 1}]],
        [{"id": "url", "property": "search", "value": f"?region={OTHER_REGION}"}],
        [json.dumps(button, separators=(",", ":"), sort_keys=True) + ".n_clicks"])
    answer = request.post(clients["funder"])
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    download = response_of(answer, ids.TOUR_EXPORT_DOWNLOAD, "data")
    text = base64.b64decode(download["content"]).decode("utf-8-sig")
    rows = {row["region_code"]: row for row in csv.DictReader(io.StringIO(text))}
    assert all(value in ("0", "", "0.0") for key, value in rows[OTHER_REGION].items()
               if key not in ("region_code", "region_name")), rows[OTHER_REGION]


@pytest.mark.parametrize("button_id, output, figure", [
    ("TOUR_EXPORT", "TOUR_EXPORT_DOWNLOAD", "reach"),
    ("OUTCOMES_EXPORT", "OUTCOMES_EXPORT_DOWNLOAD", "outcomes"),
    ("AWARENESS_DOWNLOAD_BUTTON", "AWARENESS_DOWNLOAD", "awareness")])
def test_a_download_from_a_page_is_in_the_audit_log(app, clients, button_id, output, figure):
    from dashboard import ids
    from etl.db import get_engine
    from tests.test_auth import audit_rows

    button = {"format": "xlsx", "type": getattr(ids, button_id)}
    output = getattr(ids, output)
    request = CallbackRequest(
        f"{output}.data", {"id": output, "property": "data"},
        [[{"id": button, "property": "n_clicks", "value": 1}]],
        [{"id": "url", "property": "search", "value": f"?region={FUNDER_REGION}"}],
        [json.dumps(button, separators=(",", ":"), sort_keys=True) + ".n_clicks"])
    answer = request.post(clients["staff"])
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    actor, _, detail = audit_rows(get_engine(), "download")[-1]
    assert actor == ACCOUNTS["staff"][0]
    assert detail["figure"] == figure and detail["format"] == "xlsx"
    assert detail["filters"].get("region") in (FUNDER_REGION, [FUNDER_REGION])
