"""The Tour de France page's callbacks and the figures they ask for: the whole page, the map
alone when only its measure changes, and the download. `register_callbacks` hands them to
Dash.
"""

from __future__ import annotations

import datetime as dt

from dash import Input, Output, State, callback, no_update

from dashboard import ids, maps
from dashboard.map_pages import only_the_map_changed, render_map_page
from dashboard.maps import MEASURE_PARAM, register_map_controls
from dashboard.pages import context
from dashboard.pages.tour.base import DEFAULT_MEASURE, EXPORT_FORMATS, MEASURES, measure_of
from dashboard.pages.tour.layout import body
from dashboard.pages.tour.regions import map_section


def render(search: str | None, shown: str | None):
    """The whole page, unless only the map's measure changed (`redraw_map` does that)."""
    return render_map_page("tour", search, shown, context, collect, body)


def redraw_map(search: str | None, shown: str | None):
    """A new measure on the same view: the map alone is redrawn (two queries, one figure)."""
    if not only_the_map_changed(search, shown):
        return no_update  # `render` redraws the whole page, this map included
    from dashboard.queries import reach

    view = context(search)
    figures = {"regions": reach.export_table(view.filters, view.scope, view.k),
               "kpis": reach.reach_kpis(view.filters, view.scope, view.k)}
    return map_section(figures, view.lang, measure_of(view.params.get(MEASURE_PARAM)),
                       view.filters.regions)


def measure_search(search: str | None, measure: str) -> str:
    """The query string showing `measure` on the map (the default is left out of the URL)."""
    return maps.measure_search(search, measure, MEASURES, DEFAULT_MEASURE)


def export_file(search: str | None, fmt: str) -> tuple[bytes, str]:
    """The `reach` contract table of the view, as CSV, CSV Excel (FR) or XLSX, and its name.

    The filters and the account's scope come from the server (`context`), never the browser.
    """
    from dashboard.exports import FILE_ENDINGS, page_export

    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format '{fmt}'")
    view = context(search)
    data = page_export("reach", view.filters, view.scope, view.k, fmt)
    return data, f"latitudes-impact-tour-{dt.date.today().isoformat()}{FILE_ENDINGS[fmt]}"


# ---- the figures of a view -------------------------------------------------------------------

def collect(filters, scope, k: int, engine=None) -> dict:
    """Every figure the page shows, for a selection within an account's scope."""
    from dashboard.queries import guide, reach

    return {
        "kpis": reach.reach_kpis(filters, scope, k, engine),
        "regions": reach.export_table(filters, scope, k, engine),
        "timeline": reach.timeline(filters, scope, k, engine),
        "conversion": reach.conversion(filters, scope, k, engine),
        "guide": guide.guide_kpis(filters, scope, k, engine),
        "guide_timeline": guide.guide_timeline(filters, scope, k, engine),
        "guide_audience": guide.guide_by_audience(filters, scope, k, engine),
        "guide_conversion": guide.guide_conversion(filters, scope, k, engine),
    }


def register_callbacks() -> None:
    """Hand this page's callbacks to Dash. The page module calls it each time Dash executes it
    (once per app created), as Dash then expects every callback again."""
    callback(Output(ids.TOUR_BODY, "children"), Output(ids.TOUR_VIEW, "data"),
             Input(ids.URL, "search"), State(ids.TOUR_VIEW, "data"))(render)
    callback(Output(ids.TOUR_MAP_SLOT, "children"), Input(ids.URL, "search"),
             State(ids.TOUR_VIEW, "data"), prevent_initial_call=True)(redraw_map)
    register_map_controls(__name__, map_id=ids.TOUR_MAP, measure_type=ids.TOUR_MEASURE,
                          download_id=ids.TOUR_EXPORT_DOWNLOAD, export_type=ids.TOUR_EXPORT,
                          figure="reach", measures=MEASURES, default=DEFAULT_MEASURE,
                          export_file=export_file)
