"""The outcomes page's callbacks and the figures they ask for: the whole page, the map alone
when only its measure changes, and the download. `register_callbacks` hands them to Dash.
"""

from __future__ import annotations

import datetime as dt

from dash import Input, Output, State, callback, no_update

from dashboard import ids, maps
from dashboard.map_pages import only_the_map_changed, render_map_page
from dashboard.maps import MEASURE_PARAM, register_map_controls
from dashboard.pages import context
from dashboard.pages.outcomes.base import DEFAULT_MEASURE, EXPORT_FORMATS, MEASURES, measure_of
from dashboard.pages.outcomes.layout import body
from dashboard.pages.outcomes.projects import projects_block
from dashboard.pages.outcomes.regions import map_section


def render(search: str | None, shown: str | None):
    """The whole page, unless only the map's measure changed (`redraw_map` does that)."""
    return render_map_page("outcomes", search, shown, context, collect, body)


def redraw_map(search: str | None, shown: str | None):
    """A new measure on the same view: the map alone is redrawn (two queries, one figure)."""
    if not only_the_map_changed(search, shown):
        return no_update  # `render` redraws the whole page, this map included
    from dashboard.queries import outcomes

    view = context(search)
    figures = {"regions": outcomes.export_table(view.filters, view.scope, view.k)}
    return map_section(figures, view.lang, view.k, measure_of(view.params.get(MEASURE_PARAM)),
                       view.filters.regions)


def measure_search(search: str | None, measure: str) -> str:
    """The query string showing `measure` on the map (the default is left out of the URL)."""
    return maps.measure_search(search, measure, MEASURES, DEFAULT_MEASURE)


def export_file(search: str | None, fmt: str) -> tuple[bytes, str]:
    """The `outcomes` contract table of the view (aggregated per region, hidden cells kept
    hidden), as CSV, CSV Excel (FR) or XLSX, and its file name."""
    from dashboard.exports import FILE_ENDINGS, page_export

    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format '{fmt}'")
    view = context(search)
    data = page_export("outcomes", view.filters, view.scope, view.k, fmt)
    return data, f"latitudes-impact-resultats-{dt.date.today().isoformat()}{FILE_ENDINGS[fmt]}"


# ---- the figures of a view -------------------------------------------------------------------

def collect(filters, scope, k: int, engine=None) -> dict:
    """Every figure the page shows, for a selection within an account's scope.

    `projects` (row level) is fetched for staff and admins only; for anyone else it is None
    and the query is not even run.
    """
    from dashboard.queries import outcomes

    return {
        "kpis": outcomes.outcomes_kpis(filters, scope, k, engine),
        "regions": outcomes.export_table(filters, scope, k, engine),
        **{f"by_{dim}": outcomes.by_dimension(dim, filters, scope, k, engine)
           for dim in ("status", "tech_type", "cause", "edition")},
        "satisfaction": outcomes.satisfaction_by_tech(filters, scope, k, engine),
        "in_use": outcomes.in_use_by_tech(filters, scope, k, engine),
        "projects": (outcomes.projects_table(filters, scope, k, engine)
                     if scope.full_view else None),
    }


def projects_page(request, search: str | None) -> dict:
    """The block of the projects grid the browser shows: the view is the server's (the URL's
    filters within the signed-in account's scope), only paging, sorting and filtering come
    from the request."""
    view = context(search)
    return projects_block(view.filters, view.scope, view.k, view.lang, request)


def register_callbacks() -> None:
    """Hand this page's callbacks to Dash. The page module calls it each time Dash executes it
    (once per app created), as Dash then expects every callback again."""
    callback(Output(ids.OUTCOMES_BODY, "children"), Output(ids.OUTCOMES_VIEW, "data"),
             Input(ids.URL, "search"), State(ids.OUTCOMES_VIEW, "data"))(render)
    callback(Output(ids.OUTCOMES_MAP_SLOT, "children"), Input(ids.URL, "search"),
             State(ids.OUTCOMES_VIEW, "data"), prevent_initial_call=True)(redraw_map)
    callback(Output(ids.OUTCOMES_PROJECTS_GRID, "getRowsResponse"),
             Input(ids.OUTCOMES_PROJECTS_GRID, "getRowsRequest"), State(ids.URL, "search"),
             prevent_initial_call=True)(projects_page)
    register_map_controls(__name__, map_id=ids.OUTCOMES_MAP, measure_type=ids.OUTCOMES_MEASURE,
                          download_id=ids.OUTCOMES_EXPORT_DOWNLOAD, export_type=ids.OUTCOMES_EXPORT,
                          figure="outcomes", measures=MEASURES, default=DEFAULT_MEASURE,
                          export_file=export_file)
