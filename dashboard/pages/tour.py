"""Tour de France: events, places and people reached, the map of the regions, the cumulative
timeline, the conversion of reached schools into projects, and the guide.

The layout is a skeleton; `render` fills it from the URL (filters, language, the map's
measure `?measure=attendees`), so every view can be bookmarked. `collect` runs the queries of
`dashboard.queries.reach` and `dashboard.queries.guide` for a selection and a scope; `body` is a
pure function of what `collect` returns: the tests call it without a browser.

A click on a region of the map writes `?region=<code>` to the URL (the shell then sets the
region dropdown), and a click on the only region selected removes that filter.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import lru_cache

import dash
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import ids, maps
from dashboard.components.commentary import commentary_slot
from dashboard.components.kpi import kpi_card, kpi_grid
from dashboard.components.page import page_error, page_header, section_title
from dashboard.components.table_toggle import chart_card
from dashboard.figures import (
    FRAGILE_COLOUR, MUTED_COLOUR, PALETTE, TEXT_COLOUR, bar, colon, empty, merge, styled,
    update_axes,
)
from dashboard.i18n import fmt_date, fmt_int, fmt_month, fmt_pct, t, tn
from dashboard.maps import (
    MEASURE_PARAM, geojson_url, map_card, region_map, register_map_controls, view_key,
)
from dashboard.pages import context

log = logging.getLogger(__name__)

MEASURES = {  # URL value -> column of reach.export_table
    "events": "events", "attendees": "attendees", "students": "students_attending",
    "schools": "schools_reached", "guide": "guide_copies",
}
DEFAULT_MEASURE = "events"
EVENT_TYPES = ("conference", "workshop", "hackathon", "forum", "webinar")
CHANNELS = ("download", "print", "event", "partner_mailing")
FRAGILE_MIN = 5  # a share of fewer than 5 schools or organisations is flagged as fragile
EXPORT_FORMATS = ("csv", "csv-fr", "xlsx")
GUIDE_COLOUR = "#E69F00"
STAGE_COLOURS = ("#08519c", "#3182bd", "#6baed6", "#009E73")
SECTION_STYLE = {"fontSize": "1.3rem", "fontWeight": 700, "color": "#14213d",
                 "margin": "2rem 0 0.9rem"}
ROW = "row g-3 mb-3 align-items-start"

dash.register_page(
    __name__, path="/tour", order=1, name="Tour de France", nav_key="tour.nav",
    title="Tour de France · Latitudes Impact",
    description="Les événements du Tour de France de Latitudes, leur public et le guide.",
)


# ---- layout and callbacks ------------------------------------------------------------------

def layout(**_query) -> html.Div:
    return html.Div(className="page page-tour", children=[
        dcc.Loading(html.Div(id=ids.TOUR_BODY), type="circle", delay_show=400,
                    overlay_style={"visibility": "visible", "opacity": 0.55}),
        dcc.Download(id=ids.TOUR_EXPORT_DOWNLOAD),
        dcc.Store(id=ids.TOUR_VIEW),
    ])


@callback(Output(ids.TOUR_BODY, "children"), Output(ids.TOUR_VIEW, "data"),
          Input(ids.URL, "search"), State(ids.TOUR_VIEW, "data"))
def render(search: str | None, shown: str | None):
    """The whole page, unless only the map's measure changed (`redraw_map` does that)."""
    from sqlalchemy.exc import SQLAlchemyError

    key = view_key(search)
    if shown is not None and key == shown:
        return no_update, no_update
    view = context(search)
    try:
        figures = collect(view.filters, view.scope, view.k)
    except SQLAlchemyError:
        log.exception("tour: a query failed for %s", search)
        return [page_header(t("tour.title", view.lang)), page_error(view.lang)], None
    return body(figures, view.lang, view.k, measure=view.params.get(MEASURE_PARAM),
                selected=view.filters.regions), key


@callback(Output(ids.TOUR_MAP_SLOT, "children"), Input(ids.URL, "search"),
          State(ids.TOUR_VIEW, "data"), prevent_initial_call=True)
def redraw_map(search: str | None, shown: str | None):
    """A new measure on the same view: the map alone is redrawn (two queries, one figure)."""
    if shown is None or view_key(search) != shown:
        return no_update  # `render` redraws the whole page, this map included
    from dashboard.queries import reach

    view = context(search)
    figures = {"regions": reach.export_table(view.filters, view.scope, view.k),
               "kpis": reach.reach_kpis(view.filters, view.scope, view.k)}
    return map_section(figures, view.lang, _measure(view.params.get(MEASURE_PARAM)),
                       view.filters.regions)


def _measure(value: str | None) -> str:
    return value if value in MEASURES else DEFAULT_MEASURE


def measure_search(search: str | None, measure: str) -> str:
    """The query string showing `measure` on the map (the default is left out of the URL)."""
    return maps.measure_search(search, measure, MEASURES, DEFAULT_MEASURE)


def export_file(search: str | None, fmt: str) -> tuple[bytes, str]:
    """The `reach` contract table of the view, as CSV, CSV Excel (FR) or XLSX, and its name.

    The filters and the account's scope come from the server (`context`), never the browser.
    """
    from dashboard.exports import ExportMeta, figure_table, write
    from dashboard.queries.base import freshness

    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format '{fmt}'")
    view = context(search)
    frame, mask = figure_table("reach", view.filters, view.scope, view.k)
    meta = ExportMeta(figure="reach", k=view.k, as_of=freshness().as_of, scope=view.scope.role,
                      filters={"editions": list(view.filters.editions),
                               "schools": list(view.filters.schools),
                               "regions": list(view.filters.regions)})
    data = write(frame, meta, fmt, None, mask)
    suffix = {"csv": ".csv", "csv-fr": "-excel-fr.csv", "xlsx": ".xlsx"}[fmt]
    return data, f"latitudes-impact-tour-{dt.date.today().isoformat()}{suffix}"


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


def body(figures: dict, lang: str, k: int, *, measure: str | None = None,
         selected: tuple[str, ...] = ()) -> list:
    """The page's content for what `collect` returned."""
    measure = _measure(measure)
    timeline = figures["timeline"]
    table = timeline_table(timeline, lang)  # both timeline cards show it
    return _styled_sections([
        page_header(t("tour.title", lang), t("tour.lede", lang)),
        kpi_grid(kpi_cards(figures, lang)),
        _row((html.Div(map_section(figures, lang, measure, selected), id=ids.TOUR_MAP_SLOT),
              "col-xl-7"),
             (_stack(_timeline_card(timeline, "events", lang, table),
                     _timeline_card(timeline, "attendees", lang, table)), "col-xl-5")),
        commentary_slot("tour"),
        section_title(t("tour.conversion.section", lang), id="tour-conversion-section"),
        _row((_funnel_card(figures, lang), "col-lg-4"),
             (_conversion_edition_card(figures, lang), "col-lg-4"),
             (_conversion_region_card(figures, lang), "col-lg-4")),
        section_title(t("tour.guide.section", lang), id="tour-guide-section"),
        commentary_slot("guide"),
        _row((_guide_timeline_card(figures, lang), "col-lg-7"),
             (_guide_summary(figures, lang), "col-lg-5")),
        _row((_guide_audience_card(figures, lang), "col-lg-6"),
             (_guide_conversion_card(figures, lang), "col-lg-6")),
        export_bar(lang),
    ])


def _stack(*cards) -> html.Div:
    return html.Div(list(cards), className="d-flex flex-column gap-3")


def _row(*cells) -> html.Div:
    """Cards side by side on wide screens, stacked on narrow ones."""
    columns = []
    for card, width in cells:
        columns.append(html.Div(card, className=f"col-12 {width}"))
    return html.Div(columns, className=ROW)


def _styled_sections(children: list) -> list:
    for child in children:
        if isinstance(child, html.H2) and "section-title" in (child.className or ""):
            child.style = SECTION_STYLE
    return children


# ---- KPI cards -------------------------------------------------------------------------------

def kpi_cards(figures: dict, lang: str) -> list:
    kpis = figures["kpis"]
    cards = [kpi_card("events", t("tour.kpi.events", lang), fmt_int(kpis["events"], lang),
                      detail=t("tour.kpi.events.detail", lang), lang=lang),
             kpi_card("regions", t("tour.kpi.regions", lang),
                      f"{fmt_int(kpis['regions_covered'], lang)} / {kpis['regions_total']}",
                      detail=t("tour.kpi.regions.detail", lang), lang=lang)]
    for name, key in (("cities", "cities"), ("schools", "schools_reached"),
                      ("attendees", "attendees"), ("students", "students_attending"),
                      ("organisations", "organisations_attending")):
        cards.append(kpi_card(name, t(f"tour.kpi.{name}", lang), fmt_int(kpis[key], lang),
                              detail=t(f"tour.kpi.{name}.detail", lang), lang=lang))
    guide = kpi_card("guide-copies", t("tour.kpi.guide", lang),
                     fmt_int(figures["guide"]["copies"], lang),
                     detail=t("tour.kpi.guide.detail", lang), lang=lang)
    guide.style = {"borderTopColor": GUIDE_COLOUR}
    cards.append(guide)
    return cards


# ---- the map ---------------------------------------------------------------------------------

def _measure_label(measure: str, lang: str) -> str:
    return t(f"tour.measure.{measure}", lang)


MAP_COLUMNS = (("events", "tour.col.events"), ("cities", "tour.col.cities"),
               ("schools_reached", "tour.col.schools"), ("attendees", "tour.col.attendees"),
               ("students_attending", "tour.col.students"),
               ("organisations_attending", "tour.col.organisations"),
               ("guide_copies", "tour.col.guide"))


def map_table(regions: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The 18 regions and their figures, columns translated: the map's table view."""
    return pd.DataFrame({
        t("tour.col.region", lang): regions["region_name"].tolist(),
        **{t(key, lang): [int(v) for v in regions[column].tolist()]
           for column, key in MAP_COLUMNS}})


def map_figure(regions: pd.DataFrame, lang: str, measure: str = DEFAULT_MEASURE,
               selected: tuple[str, ...] = ()) -> dict:
    column = MEASURES[measure]
    figures = {name: regions[name].tolist() for name, _ in MAP_COLUMNS}
    names = [(name, f"{t(key, lang)}{colon(lang)}") for name, key in MAP_COLUMNS]
    hovers = []
    for i, region_name in enumerate(regions["region_name"].tolist()):
        lines = [f"<b>{region_name}</b>"]
        for name, label in names:
            line = f"{label}{fmt_int(figures[name][i], lang)}"
            lines.append(f"<b>{line}</b>" if name == column else line)
        hovers.append("<br>".join(lines))
    values = figures[column]
    frame = {"region_code": regions["region_code"].tolist(),
             "value": [float(v) for v in values], "hover": hovers,
             "label": [fmt_int(v, lang) if v else "" for v in values]}
    return region_map(frame, lang, colorbar_title=_measure_label(measure, lang),
                      selected=selected, geojson_url=geojson_url())


def map_summary(figures: dict, lang: str, measure: str) -> str:
    regions, column = figures["regions"], MEASURES[measure]
    label = _measure_label(measure, lang)
    values = regions[column].tolist()
    codes, names = regions["region_code"].tolist(), regions["region_name"].tolist()
    ranked = sorted((i for i, value in enumerate(values) if value > 0),
                    key=lambda i: (-values[i], codes[i]))[:3]
    if not ranked:
        return t("tour.map.summary_none", lang, measure=label)
    top = ", ".join(f"{names[i]} ({fmt_int(values[i], lang)})" for i in ranked)
    return t("tour.map.summary", lang,
             regions=tn("tour.count.regions", figures["kpis"]["regions_covered"], lang),
             measure=label, top=top)


def measure_selector(measure: str, lang: str) -> html.Div:
    """One button per measure, the current one pressed; a click writes ?measure= to the URL."""
    buttons = [html.Button(
        t(f"tour.measure_button.{name}", lang), type="button", n_clicks=0,
        title=_measure_label(name, lang),
        id={"type": ids.TOUR_MEASURE, "measure": name}, role="radio",
        **{"aria-checked": "true" if name == measure else "false"},
        className="btn btn-sm " + ("btn-primary" if name == measure else "btn-outline-primary"))
        for name in MEASURES]
    return html.Div(role="radiogroup", **{"aria-label": t("tour.map.measure", lang)},
                    className="d-flex flex-wrap align-items-center gap-2 mb-2", children=[
                        html.Span(t("tour.map.measure", lang) + colon(lang).rstrip(),
                                  className="text-muted small me-1"),
                        *buttons])


def map_section(figures: dict, lang: str, measure: str, selected: tuple[str, ...]):
    card = map_card(ids.TOUR_MAP, map_figure(figures["regions"], lang, measure, selected), lang,
                    title=t("tour.map.title", lang), summary=map_summary(figures, lang, measure),
                    table=map_table(figures["regions"], lang), note=t("tour.map.note", lang))
    card.children.insert(2, measure_selector(measure, lang))
    return card


# ---- the timeline ----------------------------------------------------------------------------

@lru_cache(maxsize=512)
def _month_text(month: str, lang: str) -> str:
    return fmt_month(dt.date.fromisoformat(f"{month}-01"), lang)


def _type_label(event_type: str, lang: str) -> str:
    return t(f"tour.type.{event_type}", lang)


def _ordered(values, vocabulary) -> list:
    present = list(dict.fromkeys(values))
    return [v for v in vocabulary if v in present] + [v for v in present if v not in vocabulary]


def _by_month(timeline: pd.DataFrame, key: str | None, column: str,
              months: list[str]) -> dict:
    """`column` per `key` value (None: the first row of each month), aligned on `months`
    (None where a month has no row): a few plain lists instead of a filter, an index and a
    reindex per line."""
    keys = timeline[key].tolist() if key else [None] * len(timeline)
    cells: dict = {}
    for group, month, number in zip(keys, timeline["month"].tolist(),
                                    timeline[column].tolist()):
        row = cells.setdefault(group, {})
        if key or month not in row:
            row[month] = None if pd.isna(number) else number
    return {group: [row.get(month) for month in months] for group, row in cells.items()}


def timeline_figure(timeline: pd.DataFrame, value: str, lang: str) -> dict:
    """Cumulative `value` (events or attendees) per month: a line per event type and the
    total, as steps (a cumulative count only moves when something happens)."""
    if timeline.empty:
        return empty(t("tour.timeline.empty", lang), lang)
    traces = []
    months = sorted(set(timeline["month"].tolist()))
    x = [f"{m}-01" for m in months]
    lines = _by_month(timeline, "event_type", f"cumulative_{value}", months)
    for index, event_type in enumerate(_ordered(lines, EVENT_TYPES)):
        traces.append({
            "type": "scatter", "x": x, "y": lines[event_type],
            "name": _type_label(event_type, lang), "mode": "lines",
            "line": {"shape": "hv", "width": 2, "color": PALETTE[index % 7]},
            "hovertemplate": f"{_type_label(event_type, lang)}{colon(lang)}%{{y:,.0f}}"
                             "<extra></extra>"})
    traces.append({
        "type": "scatter", "x": x,
        "y": _by_month(timeline, None, f"total_cumulative_{value}", months)[None],
        "name": t("tour.type.total", lang), "mode": "lines",
        "line": {"shape": "hv", "width": 2.5, "color": TEXT_COLOUR, "dash": "dot"},
        "hovertemplate": f"{t('tour.type.total', lang)}{colon(lang)}%{{y:,.0f}}"
                         "<extra></extra>"})
    figure = styled({"data": traces}, lang, height=270)
    merge(figure["layout"], {"hovermode": "x unified", "margin": {"t": 56, "b": 32}})
    update_axes(figure, "x", type="date", tickformat="%b %Y", hoverformat="%B %Y")
    update_axes(figure, "y", rangemode="tozero", tickformat=",d")
    return figure


def _happened(frame: pd.DataFrame, count: str, *columns: str) -> list[list]:
    """`columns` of the rows where `count` > 0, as lists (a boolean filter of the frame costs
    more than these few hundred rows)."""
    keep = [i for i, n in enumerate(frame[count].tolist()) if n > 0]
    values = [frame[column].tolist() for column in columns]
    return [[column[i] for i in keep] for column in values]


def _totals(keys: list, values: list) -> dict:
    """The sum of `values` per key, keys in their first appearance's order (a groupby that
    keeps the order)."""
    totals: dict = {}
    for key, value in zip(keys, values):
        totals[key] = totals.get(key, 0) + value
    return totals


def _first_largest(totals: dict):
    """The key with the largest value, the first one among equals (what a stable sort in
    descending order puts first)."""
    return max(totals, key=totals.__getitem__)


def timeline_table(timeline: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The months with events, per type: what happened, and where the running totals stood."""
    months, types, events, attendees, total_events, total_attendees = _happened(
        timeline, "events", "month", "event_type", "events", "attendees",
        "total_cumulative_events", "total_cumulative_attendees")
    return pd.DataFrame({
        t("tour.col.month", lang): [_month_text(m, lang) for m in months],
        t("tour.col.type", lang): [_type_label(e, lang) for e in types],
        t("tour.col.events", lang): [int(v) for v in events],
        t("tour.col.attendees", lang): [int(v) for v in attendees],
        t("tour.col.cumulative_events", lang): [int(v) for v in total_events],
        t("tour.col.cumulative_attendees", lang): [int(v) for v in total_attendees],
    })


def timeline_summary(timeline: pd.DataFrame, value: str, lang: str) -> str:
    if timeline.empty:
        return t("tour.timeline.empty", lang)
    months, = _happened(timeline, "events", "month")
    start, end = _month_text(min(months), lang), _month_text(max(months), lang)
    values = timeline[value].tolist()
    by_type = _totals(timeline["event_type"].tolist(), values)
    top = _first_largest(by_type)
    total = int(sum(values))
    if value == "events":
        return t("tour.timeline.events.summary", lang, start=start, end=end,
                 events=tn("tour.count.events", total, lang), top=_type_label(top, lang),
                 count=tn("tour.count.events", int(by_type[top]), lang))
    return t("tour.timeline.attendees.summary", lang, start=start, end=end,
             attendees=tn("tour.count.attendees", total, lang), top=_type_label(top, lang),
             count=tn("tour.count.attendees", int(by_type[top]), lang))


def _timeline_card(timeline: pd.DataFrame, value: str, lang: str,
                   table: pd.DataFrame | None = None):
    """`table`: `timeline_table`, when the caller has it already (both cards show it)."""
    graph_id = ids.TOUR_TIMELINE_EVENTS if value == "events" else ids.TOUR_TIMELINE_ATTENDEES
    return chart_card(graph_id, timeline_figure(timeline, value, lang), lang,
                      title=t(f"tour.timeline.{value}.title", lang),
                      summary=timeline_summary(timeline, value, lang),
                      table=timeline_table(timeline, lang) if table is None else table)


# ---- conversion ------------------------------------------------------------------------------

def _share(share_pct: float | None, n: int, lang: str) -> str:
    """"17 %", with "estimation fragile" when fewer than FRAGILE_MIN stand behind it."""
    text = fmt_pct(share_pct, lang)
    return f"{text}, {t('tour.fragile', lang)}" if share_pct is not None and n < FRAGILE_MIN \
        else text


def funnel_values(funnel: dict) -> list[tuple[str, int]]:
    return [("events", funnel["events"]), ("schools", funnel["schools_reached"]),
            ("converted", funnel["schools_with_project"]),
            ("delivered", funnel["projects_delivered"])]


def funnel_figure(funnel: dict, lang: str) -> dict:
    stages = funnel_values(funnel)
    if not funnel["events"]:
        return empty(t("tour.timeline.empty", lang), lang)
    figure = styled({"data": [{
        "type": "funnel", "y": [t(f"tour.funnel.{name}", lang) for name, _ in stages],
        "x": [value for _, value in stages], "textinfo": "value", "texttemplate": "%{x:,.0f}",
        "textfont": {"size": 15}, "marker": {"color": list(STAGE_COLOURS)},
        "connector": {"fillcolor": "#e8eef7", "line": {"width": 0}},
        "hovertemplate": "%{y}" + colon(lang) + "%{x:,.0f}<extra></extra>"}]}, lang,
        height=330)
    merge(figure["layout"], {"margin": {"l": 16, "r": 16, "t": 8, "b": 8},
                             "showlegend": False})
    update_axes(figure, "y", showgrid=False)
    return figure


def funnel_summary(funnel: dict, lang: str) -> str:
    reached, converted = funnel["schools_reached"], funnel["schools_with_project"]
    share = None if not reached else converted * 100.0 / reached
    return t("tour.funnel.summary", lang,
             events=tn("tour.count.events_reached", funnel["events"], lang),
             schools=tn("tour.count.schools", reached, lang),
             converted=tn("tour.count.converted", converted, lang),
             share=_share(share, reached, lang),
             delivered=tn("tour.count.delivered", funnel["projects_delivered"], lang))


def _funnel_card(figures: dict, lang: str):
    funnel = figures["conversion"]["funnel"]
    table = pd.DataFrame({t("tour.funnel.stage", lang): [t(f"tour.funnel.{name}", lang)
                                                         for name, _ in funnel_values(funnel)],
                          t("tour.funnel.value", lang): [v for _, v in funnel_values(funnel)]})
    return chart_card(ids.TOUR_FUNNEL, funnel_figure(funnel, lang), lang,
                      title=t("tour.funnel.title", lang), summary=funnel_summary(funnel, lang),
                      table=table, note=t("tour.funnel.note", lang))


def _share_bars(labels: list[str], shares: list[float | None], counts: list[tuple[int, int]],
                lang: str, *, horizontal: bool = False, height: int = 300) -> dict:
    """Shares in percent with "k/n" on each bar; under FRAGILE_MIN: grey and said in words."""
    fragile = [n < FRAGILE_MIN for _, n in counts]
    texts = []
    for share, (k, n), weak in zip(shares, counts, fragile):
        text = f"{fmt_pct(share, lang)} ({fmt_int(k, lang)}/{fmt_int(n, lang)})"
        texts.append(f"{text} · {t('tour.fragile', lang)}" if weak and n else text)
    values = [0 if share is None else share for share in shares]
    colours = [FRAGILE_COLOUR if weak else PALETTE[0] for weak in fragile]
    figure = styled({"data": [{
        "type": "bar", "x": values if horizontal else list(labels),
        "y": list(labels) if horizontal else values,
        "orientation": "h" if horizontal else "v", "marker": {"color": colours},
        "text": texts, "textposition": "outside", "constraintext": "none",
        "cliponaxis": False, "textfont": {"size": 12, "color": TEXT_COLOUR},
        "hovertext": [f"{label}{colon(lang)}{text}" for label, text in zip(labels, texts)],
        "hovertemplate": "%{hovertext}<extra></extra>", "showlegend": False}]}, lang,
        height=height)
    # the labels spelled out: with tickvals, plotly.js showed no ticksuffix
    update_axes(figure, "x" if horizontal else "y", range=[0, 140 if horizontal else 115],
                tickvals=[0, 25, 50, 75, 100],
                ticktext=[fmt_pct(v, lang) for v in (0, 25, 50, 75, 100)])
    if horizontal:
        update_axes(figure, "y", autorange="reversed", showgrid=False)
        update_axes(figure, "x", showgrid=True, gridcolor="#e5e7eb")
        merge(figure["layout"], {"margin": {"r": 24}})
    return figure


def _conversion_edition_card(figures: dict, lang: str):
    by_edition = figures["conversion"]["by_edition"]
    editions, reached, converted, shares = (by_edition[column].tolist() for column in (
        "edition", "schools_reached", "schools_with_project", "share_pct"))
    rows = [i for i, n in enumerate(reached) if n > 0]
    if not rows:
        figure, summary = (empty(t("tour.conv_edition.empty", lang), lang),
                           t("tour.conv_edition.empty", lang))
    else:
        figure = _share_bars([editions[i] for i in rows], [shares[i] for i in rows],
                             [(int(converted[i]), int(reached[i])) for i in rows], lang,
                             horizontal=True, height=max(200, 36 * len(rows) + 60))
        separator = "\u00a0; " if lang == "fr" else "; "  # French: a space before ";"
        items = separator.join(
            t("tour.conv_edition.item", lang, edition=editions[i],
              share=_share(shares[i], int(reached[i]), lang),
              converted=fmt_int(converted[i], lang), reached=fmt_int(reached[i], lang))
            for i in rows)
        summary = t("tour.conv_edition.summary", lang, items=items)
    table = pd.DataFrame({
        t("tour.col.edition", lang): editions,
        t("tour.col.reached", lang): [int(n) for n in reached],
        t("tour.col.converted", lang): [int(n) for n in converted],
        t("tour.col.share", lang): [_share(s, int(n), lang) for s, n in zip(shares, reached)],
    })
    return chart_card(ids.TOUR_CONVERSION_EDITION, figure, lang,
                      title=t("tour.conv_edition.title", lang), summary=summary, table=table,
                      note=t("tour.fragile_note", lang))


def _conversion_region_card(figures: dict, lang: str):
    by_region = figures["conversion"]["by_region"]
    names, dates, counts = (by_region[column].tolist() for column in (
        "region_name", "first_event_date", "new_organisations"))
    toured = sorted((i for i, date in enumerate(dates) if not pd.isna(date)),
                    key=lambda i: (-counts[i], names[i]))
    names, dates, counts = ([column[i] for i in toured] for column in (names, dates, counts))
    table = pd.DataFrame({
        t("tour.col.region", lang): names,
        t("tour.col.first_event", lang): [fmt_date(d, lang) for d in dates],
        t("tour.col.new_organisations", lang): [int(n) for n in counts],
    })
    if not toured:
        figure, summary = (empty(t("tour.conv_region.empty", lang), lang),
                           t("tour.conv_region.empty", lang))
    else:
        hovers = [
            f"<b>{name}</b><br>{t('tour.col.first_event', lang)}{colon(lang)}"
            f"{fmt_date(date, lang)}<br>"
            f"{t('tour.col.new_organisations', lang)}{colon(lang)}"
            f"{fmt_int(n, lang)}" for name, date, n in zip(names, dates, counts)]
        figure = bar(pd.DataFrame({"region_name": names, "new_organisations": counts,
                                   "hover": hovers}),
                     "region_name", "new_organisations", lang, horizontal=True, hover="hover")
        figure["layout"]["height"] = max(220, 28 * len(toured) + 50)
        update_axes(figure, "x", showticklabels=False, showgrid=False)
        converted = [(name, n) for name, n in zip(names, counts) if n > 0]
        if not converted:
            summary = t("tour.conv_region.summary_none", lang)
        else:
            summary = t("tour.conv_region.summary", lang,
                        organisations=tn("tour.count.organisations",
                                         int(sum(n for _, n in converted)), lang),
                        regions=", ".join(name for name, _ in converted))
    return chart_card(ids.TOUR_CONVERSION_REGION, figure, lang,
                      title=t("tour.conv_region.title", lang), summary=summary, table=table,
                      note=t("tour.conv_region.note", lang))


# ---- the guide -------------------------------------------------------------------------------

def _channel_label(channel: str, lang: str) -> str:
    return t(f"tour.channel.{channel}", lang)


def guide_timeline_figure(timeline: pd.DataFrame, lang: str) -> dict:
    """Cumulative copies per channel, stacked: the top edge is the total."""
    if timeline.empty:
        return empty(t("tour.guide.timeline.empty", lang), lang)
    months = sorted(set(timeline["month"].tolist()))
    x = [f"{m}-01" for m in months]
    traces = []
    colours = dict(zip(CHANNELS, (PALETTE[0], PALETTE[4], PALETTE[1], PALETTE[2])))
    lines = _by_month(timeline, "channel", "cumulative_copies", months)
    for channel in _ordered(lines, CHANNELS):
        label = _channel_label(channel, lang)
        traces.append({
            "type": "scatter", "x": x, "y": lines[channel], "name": label,
            "mode": "lines", "stackgroup": "copies",
            "line": {"width": 1, "color": colours.get(channel, MUTED_COLOUR)},
            "hovertemplate": f"{label}{colon(lang)}%{{y:,.0f}}<extra></extra>"})
    figure = styled({"data": traces}, lang, height=340)
    merge(figure["layout"], {"hovermode": "x unified", "margin": {"t": 48}})
    update_axes(figure, "x", type="date", tickformat="%b %Y", hoverformat="%B %Y")
    update_axes(figure, "y", rangemode="tozero", tickformat=",d")
    return figure


def guide_timeline_table(timeline: pd.DataFrame, lang: str) -> pd.DataFrame:
    months, channels, copies, total_copies = _happened(
        timeline, "copies", "month", "channel", "copies", "total_cumulative_copies")
    return pd.DataFrame({
        t("tour.col.month", lang): [_month_text(m, lang) for m in months],
        t("tour.col.channel", lang): [_channel_label(c, lang) for c in channels],
        t("tour.col.copies", lang): [int(v) for v in copies],
        t("tour.col.cumulative_copies", lang): [int(v) for v in total_copies],
    })


def _guide_timeline_card(figures: dict, lang: str):
    timeline = figures["guide_timeline"]
    if timeline.empty:
        summary = t("tour.guide.timeline.empty", lang)
    else:
        months, = _happened(timeline, "copies", "month")
        copies = timeline["copies"].tolist()
        totals = _totals(timeline["channel"].tolist(), copies)
        top = _first_largest({channel: totals[channel] for channel in sorted(totals)})
        summary = t("tour.guide.timeline.summary", lang,
                    start=_month_text(min(months), lang), end=_month_text(max(months), lang),
                    copies=tn("tour.count.copies", int(sum(copies)), lang),
                    top=_channel_label(top, lang).lower(),
                    count=tn("tour.count.copies", int(totals[top]), lang))
    return chart_card(ids.TOUR_GUIDE_TIMELINE, guide_timeline_figure(timeline, lang), lang,
                      title=t("tour.guide.timeline.title", lang), summary=summary,
                      table=guide_timeline_table(timeline, lang))


def _guide_audience_card(figures: dict, lang: str):
    audience = figures["guide_audience"]
    labels = [t(f"tour.audience.{a}", lang) for a in audience["audience"].tolist()]
    copies, records = audience["copies"].tolist(), audience["records"].tolist()
    total = int(sum(copies))
    if not total:
        figure = empty(t("tour.guide.timeline.empty", lang), lang)
        summary = t("tour.guide.timeline.empty", lang)
    else:
        figure = bar(pd.DataFrame({"label": labels, "copies": copies}), "label", "copies",
                     lang, horizontal=True)
        for trace in figure["data"]:
            trace["marker"]["color"] = GUIDE_COLOUR
        figure["layout"]["height"] = 280
        update_axes(figure, "x", showticklabels=False, showgrid=False)
        top = _first_largest(dict(enumerate(copies)))
        summary = t("tour.guide.audience.summary", lang, top=labels[top].lower(),
                    copies=tn("tour.count.copies", int(copies[top]), lang),
                    total=fmt_int(total, lang))
    table = pd.DataFrame({t("tour.col.audience", lang): labels,
                          t("tour.col.copies", lang): [int(v) for v in copies],
                          t("tour.col.records", lang): [int(v) for v in records]})
    return chart_card(ids.TOUR_GUIDE_AUDIENCE, figure, lang,
                      title=t("tour.guide.audience.title", lang), summary=summary, table=table)


def _conversion_item(figures: dict, kind: str, lang: str) -> str:
    data = figures["guide_conversion"][kind]
    if not data["recipients"]:
        return t("tour.guide.conversion.none", lang)
    return t("tour.guide.conversion.item", lang,
             share=_share(data["share_pct"], data["recipients"], lang),
             converted=fmt_int(data["converted"], lang),
             recipients=fmt_int(data["recipients"], lang))


def _guide_conversion_card(figures: dict, lang: str):
    conversion = figures["guide_conversion"]
    kinds = ("schools", "organisations")
    labels = [t(f"tour.guide.{kind}", lang) for kind in kinds]
    if not any(conversion[kind]["recipients"] for kind in kinds):
        figure = empty(t("tour.guide.timeline.empty", lang), lang)
    else:
        figure = _share_bars(labels, [conversion[kind]["share_pct"] for kind in kinds],
                             [(conversion[kind]["converted"], conversion[kind]["recipients"])
                              for kind in kinds], lang, horizontal=True, height=220)
    table = pd.DataFrame({
        t("tour.col.recipient_kind", lang): labels,
        t("tour.col.recipients", lang): [conversion[kind]["recipients"] for kind in kinds],
        t("tour.col.converted", lang): [conversion[kind]["converted"] for kind in kinds],
        t("tour.col.share", lang): [_share(conversion[kind]["share_pct"],
                                           conversion[kind]["recipients"], lang)
                                    for kind in kinds],
    })
    summary = t("tour.guide.conversion.summary", lang,
                schools=_conversion_item(figures, "schools", lang),
                organisations=_conversion_item(figures, "organisations", lang))
    return chart_card(ids.TOUR_GUIDE_CONVERSION, figure, lang,
                      title=t("tour.guide.conversion.title", lang), summary=summary,
                      table=table, note=t("tour.guide.conversion.note", lang))


def guide_summary_lines(figures: dict, lang: str) -> list[str]:
    guide = figures["guide"]
    lines = [t("tour.guide.summary.copies", lang,
               copies=tn("tour.count.copies", guide["copies"], lang),
               downloads=fmt_int(guide["downloads"], lang),
               print=fmt_int(guide["print_copies"], lang),
               event=fmt_int(guide["event_copies"], lang),
               mailing=fmt_int(guide["mailing_copies"], lang)),
             t("tour.guide.summary.recipients", lang,
               schools=tn("tour.count.schools", guide["schools_reached"], lang),
               organisations=tn("tour.count.organisations", guide["organisations_reached"],
                                lang))]
    if guide["events"]:
        lines.append(t("tour.guide.summary.events", lang,
                       share=fmt_pct(guide["events_with_guide_pct"], lang),
                       with_guide=fmt_int(guide["events_with_guide"], lang),
                       events=fmt_int(guide["events"], lang)))
    else:
        lines.append(t("tour.guide.summary.events_none", lang))
    conversion = figures["guide_conversion"]
    lines.append(t("tour.guide.summary.conversion", lang, **{
        kind: _share(conversion[kind]["share_pct"], conversion[kind]["recipients"], lang)
        for kind in ("schools", "organisations")}))
    return lines


def _guide_summary(figures: dict, lang: str) -> html.Section:
    return html.Section(
        className="summary-card", **{"aria-labelledby": ids.TOUR_GUIDE_SUMMARY_TITLE},
        style={"borderTop": f"4px solid {GUIDE_COLOUR}"}, children=[
            html.H2(t("tour.guide.summary.title", lang), id=ids.TOUR_GUIDE_SUMMARY_TITLE,
                    className="chart-title"),
            html.Ul([html.Li(line) for line in guide_summary_lines(figures, lang)],
                    className="summary-list")])


# ---- exports ---------------------------------------------------------------------------------

def export_bar(lang: str) -> html.Section:
    buttons = [html.Button(t(f"tour.export.{fmt}", lang), type="button", n_clicks=0,
                           id={"type": ids.TOUR_EXPORT, "format": fmt},
                           className="btn btn-sm btn-outline-secondary")
               for fmt in EXPORT_FORMATS]
    return html.Section(
        className="summary-card d-flex flex-wrap align-items-center gap-3 mt-2",
        **{"aria-labelledby": "tour-export-title"}, children=[
            html.Div([html.H2(t("tour.export.title", lang), id="tour-export-title",
                              className="chart-title mb-0"),
                      html.Span(t("tour.export.detail", lang), className="text-muted small")],
                     className="me-auto"),
            html.Div(buttons, className="d-flex gap-2", role="group",
                     **{"aria-label": t("tour.export.title", lang)})])


register_map_controls(__name__, map_id=ids.TOUR_MAP, measure_type=ids.TOUR_MEASURE,
                      download_id=ids.TOUR_EXPORT_DOWNLOAD, export_type=ids.TOUR_EXPORT,
                      figure="reach", measures=MEASURES, default=DEFAULT_MEASURE,
                      export_file=export_file)
