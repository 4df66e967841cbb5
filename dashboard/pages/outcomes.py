"""Résultats des projets: what the projects produced for the organisations.

Headline figures (projects, organisations, delivery, use at six months, satisfaction,
beneficiaries, students and mentors), a map by the organisation's region, projects by status,
tech type, cause and edition, satisfaction and use by tech type, and, for staff only, the table
of projects. Every figure comes from `dashboard.queries.outcomes`, which applies the filters,
the account's scope and the small-cell rule; the page formats and labels.

Rules the page adds (DESIGN.md sections 6 and 7):
- a rate computed on fewer than 5 answered projects is shown with its n and the words
  "estimation fragile" (not only a grey colour);
- project counts are never hidden; a student count or an organisation-survey figure hidden
  by the query layer shows "< K";
- the table of projects is row-level data: `render` asks for it only when the account has the
  full view (`scope.full_view`), so the rows never leave the server for funders and schools.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import namedtuple
from functools import lru_cache

import dash
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import ids, maps
from dashboard.components import paged_grid
from dashboard.components.commentary import commentary_slot
from dashboard.components.kpi import kpi_card, kpi_grid, suppressed_text
from dashboard.components.page import page_error, page_header, section_title
from dashboard.components.table_toggle import chart_card
from dashboard.figures import (
    FRAGILE_COLOUR, PALETTE, bar, colon, empty, merge, percent_suffix, styled, update_axes,
)
from dashboard.i18n import MISSING, fmt_decimal, fmt_int, fmt_pct, t, tn
from dashboard.maps import (
    MEASURE_PARAM, geojson_url, map_card, region_map, register_map_controls, view_key,
)
from dashboard.pages import context

log = logging.getLogger(__name__)

MEASURES = {  # URL value -> (column of outcomes.export_table, n column or None, percent)
    "projects": ("projects", None, False),
    "delivery": ("delivery_rate_pct", "decided", True),
    "in_use": ("in_use_rate_pct", "in_use_answers", True),
}
DEFAULT_MEASURE = "projects"
FRAGILE_MIN = 5  # = dashboard.queries.outcomes.FRAGILE_MIN_ANSWERS
EXPORT_FORMATS = ("csv", "csv-fr", "xlsx")
STATUSES = ("submitted", "selected", "in_progress", "delivered", "abandoned")
TECH_TYPES = ("web_app", "mobile_app", "data_analysis", "algorithm_ai", "blockchain", "iot",
              "website", "other")
CAUSES = ("education", "sante", "environnement", "inclusion", "emploi", "culture",
          "solidarite_internationale", "autre")
IN_USE_ANSWERS = ("oui", "partiellement", "non")
YES_COLOUR, PARTIAL_COLOUR = "#0072B2", "#56B4E9"
SECTION_STYLE = {"fontSize": "1.3rem", "fontWeight": 700, "color": "#14213d",
                 "margin": "2rem 0 0.9rem"}
ROW = "row g-3 mb-3 align-items-start"

dash.register_page(
    __name__, path="/resultats", order=2, name="Résultats des projets",
    nav_key="outcomes.nav", title="Résultats des projets · Latitudes Impact",
    description="Les projets Tech for Good livrés aux organisations de l'ESS et leur usage.",
)


# ---- layout and callbacks ------------------------------------------------------------------

def layout(**_query) -> html.Div:
    return html.Div(className="page page-outcomes", children=[
        dcc.Loading(html.Div(id=ids.OUTCOMES_BODY), type="circle", delay_show=400,
                    overlay_style={"visibility": "visible", "opacity": 0.55}),
        dcc.Download(id=ids.OUTCOMES_EXPORT_DOWNLOAD),
        dcc.Store(id=ids.OUTCOMES_VIEW),
    ])


@callback(Output(ids.OUTCOMES_BODY, "children"), Output(ids.OUTCOMES_VIEW, "data"),
          Input(ids.URL, "search"), State(ids.OUTCOMES_VIEW, "data"))
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
        log.exception("outcomes: a query failed for %s", search)
        return [page_header(t("outcomes.title", view.lang)), page_error(view.lang)], None
    return body(figures, view.lang, view.k, measure=view.params.get(MEASURE_PARAM),
                selected=view.filters.regions), key


@callback(Output(ids.OUTCOMES_MAP_SLOT, "children"), Input(ids.URL, "search"),
          State(ids.OUTCOMES_VIEW, "data"), prevent_initial_call=True)
def redraw_map(search: str | None, shown: str | None):
    """A new measure on the same view: the map alone is redrawn (two queries, one figure)."""
    if shown is None or view_key(search) != shown:
        return no_update  # `render` redraws the whole page, this map included
    from dashboard.queries import outcomes

    view = context(search)
    figures = {"regions": outcomes.export_table(view.filters, view.scope, view.k)}
    return map_section(figures, view.lang, view.k, _measure(view.params.get(MEASURE_PARAM)),
                       view.filters.regions)


def _measure(value: str | None) -> str:
    return value if value in MEASURES else DEFAULT_MEASURE


def measure_search(search: str | None, measure: str) -> str:
    """The query string showing `measure` on the map (the default is left out of the URL)."""
    return maps.measure_search(search, measure, MEASURES, DEFAULT_MEASURE)


def export_file(search: str | None, fmt: str) -> tuple[bytes, str]:
    """The `outcomes` contract table of the view (aggregated per region, hidden cells kept
    hidden), as CSV, CSV Excel (FR) or XLSX, and its file name."""
    from dashboard.exports import ExportMeta, figure_table, write
    from dashboard.queries.base import freshness

    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format '{fmt}'")
    view = context(search)
    frame, mask = figure_table("outcomes", view.filters, view.scope, view.k)
    meta = ExportMeta(figure="outcomes", k=view.k, as_of=freshness().as_of,
                      scope=view.scope.role,
                      filters={"editions": list(view.filters.editions),
                               "schools": list(view.filters.schools),
                               "regions": list(view.filters.regions)})
    data = write(frame, meta, fmt, None, mask)
    suffix = {"csv": ".csv", "csv-fr": "-excel-fr.csv", "xlsx": ".xlsx"}[fmt]
    return data, f"latitudes-impact-resultats-{dt.date.today().isoformat()}{suffix}"


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


def body(figures: dict, lang: str, k: int, *, measure: str | None = None,
         selected: tuple[str, ...] = ()) -> list:
    """The page's content for what `collect` returned (a pure function of its arguments)."""
    measure = _measure(measure)
    children = [
        page_header(t("outcomes.title", lang), t("outcomes.lede", lang)),
        kpi_grid(kpi_cards(figures["kpis"], lang, k)),
        _row((html.Div(map_section(figures, lang, k, measure, selected),
                       id=ids.OUTCOMES_MAP_SLOT), "col-xl-7"),
             (html.Div([_breakdown_card(figures, "status", lang),
                        _edition_card(figures, lang)],
                       className="d-flex flex-column gap-3"), "col-xl-5")),
        commentary_slot("outcomes"),
        section_title(t("outcomes.breakdown.section", lang), id="outcomes-breakdown-section"),
        _row((_breakdown_card(figures, "tech_type", lang), "col-lg-6"),
             (_breakdown_card(figures, "cause", lang), "col-lg-6")),
        section_title(t("outcomes.quality.section", lang), id="outcomes-quality-section"),
        _row((_satisfaction_card(figures, lang, k), "col-lg-6"),
             (_in_use_card(figures, lang, k), "col-lg-6")),
    ]
    if figures.get("projects") is not None:
        children.append(projects_section(figures["projects"], lang))
    children.append(export_bar(lang))
    for child in children:
        if isinstance(child, html.H2):
            child.style = SECTION_STYLE
    return children


def _row(*cells) -> html.Div:
    columns = []
    for card, width in cells:
        columns.append(html.Div(card, className=f"col-12 {width}"))
    return html.Div(columns, className=ROW)


# ---- formatting ------------------------------------------------------------------------------

def _label(kind: str, value: str, lang: str) -> str:
    key = {"status": "outcomes.status", "tech_type": "outcomes.tech",
           "cause": "outcomes.cause"}[kind]
    try:
        return t(f"{key}.{value}", lang)
    except KeyError:
        return str(value)


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def rate_text(rate: float | None, n, lang: str, k: int, *, hidden: bool = False) -> str:
    """"81 % (n = 47)"; with ", estimation fragile" under 5 answers; "< K" when hidden."""
    if hidden:
        return suppressed_text(k)
    if _missing(rate) or _missing(n) or not n:
        return MISSING
    text = t("outcomes.rate_n", lang, rate=fmt_pct(rate, lang), n=fmt_int(n, lang))
    return f"{text}, {t('outcomes.fragile', lang)}" if int(n) < FRAGILE_MIN else text


def _count_text(value, lang: str, k: int) -> str:
    return suppressed_text(k) if _missing(value) else fmt_int(value, lang)


# ---- KPI cards -------------------------------------------------------------------------------

def _with_detail(card: html.Div, detail: str) -> html.Div:
    card.children[2] = html.Div(detail, className="kpi-detail")
    return card


def kpi_cards(kpis: dict, lang: str, k: int) -> list:
    hidden = set(kpis.get("suppressed") or [])
    fragile = kpis.get("fragile") or {}
    fragile_text = f" · {t('outcomes.fragile', lang)}"
    cards = [
        kpi_card("projects", t("outcomes.kpi.projects", lang), fmt_int(kpis["projects"], lang),
                 detail=t("outcomes.kpi.projects.detail", lang,
                          in_progress=fmt_int(kpis["in_progress"], lang),
                          abandoned=fmt_int(kpis["abandoned"], lang)), lang=lang),
        kpi_card("organisations", t("outcomes.kpi.organisations", lang),
                 fmt_int(kpis["organisations"], lang),
                 detail=t("outcomes.kpi.organisations.detail", lang), lang=lang),
        kpi_card("delivered", t("outcomes.kpi.delivered", lang),
                 fmt_int(kpis["delivered"], lang),
                 detail=t("outcomes.kpi.delivered.detail", lang,
                          n=fmt_int(kpis["delivery_n"], lang)), lang=lang),
    ]
    if kpis["delivery_n"]:
        detail = t("outcomes.kpi.delivery_rate.detail", lang, n=fmt_int(kpis["delivery_n"], lang))
        if fragile.get("delivery_rate_pct"):
            detail += fragile_text
        cards.append(kpi_card("delivery-rate", t("outcomes.kpi.delivery_rate", lang),
                              fmt_pct(kpis["delivery_rate_pct"], lang), detail=detail,
                              lang=lang))
    else:
        cards.append(kpi_card("delivery-rate", t("outcomes.kpi.delivery_rate", lang), MISSING,
                              detail=t("outcomes.kpi.no_finished", lang), lang=lang))
    cards.append(_in_use_kpi(kpis, lang, k, hidden, fragile_text))
    cards.append(_satisfaction_kpi(kpis, lang, k, hidden, fragile_text))
    if "beneficiaries_reached" in hidden:
        cards.append(_with_detail(
            kpi_card("beneficiaries", t("outcomes.kpi.beneficiaries", lang), "", k=k,
                     lang=lang, suppressed=True), t("outcomes.kpi.hidden_orgs", lang, k=k)))
    else:
        cards.append(kpi_card("beneficiaries", t("outcomes.kpi.beneficiaries", lang),
                              fmt_int(kpis["beneficiaries_reached"], lang),
                              detail=t("outcomes.kpi.beneficiaries.detail", lang), lang=lang))
    mentors = fmt_int(kpis["mentors"], lang)
    if "students" in hidden:
        cards.append(_with_detail(
            kpi_card("students", t("outcomes.kpi.students", lang), "", k=k, lang=lang,
                     suppressed=True),
            t("outcomes.kpi.students.hidden", lang, k=k, mentors=mentors)))
    else:
        cards.append(kpi_card("students", t("outcomes.kpi.students", lang),
                              fmt_int(kpis["students"], lang),
                              detail=t("outcomes.kpi.students.detail", lang, mentors=mentors),
                              lang=lang))
    return cards


def _in_use_kpi(kpis: dict, lang: str, k: int, hidden: set, fragile_text: str) -> html.Div:
    label = t("outcomes.kpi.in_use", lang)
    if "in_use_rate_pct" in hidden:
        return _with_detail(kpi_card("in-use", label, "", k=k, lang=lang, suppressed=True),
                            t("outcomes.kpi.hidden_orgs", lang, k=k))
    if not kpis["in_use_n"]:
        return kpi_card("in-use", label, MISSING, detail=t("outcomes.kpi.no_answer", lang),
                        lang=lang)
    detail = t("outcomes.kpi.in_use.detail", lang,
               partial=fmt_pct(kpis["in_use_partial_pct"], lang),
               n=fmt_int(kpis["in_use_n"], lang))
    if (kpis.get("fragile") or {}).get("in_use_rate_pct"):
        detail += fragile_text
    return kpi_card("in-use", label, fmt_pct(kpis["in_use_rate_pct"], lang), detail=detail,
                    lang=lang)


def _satisfaction_kpi(kpis: dict, lang: str, k: int, hidden: set,
                      fragile_text: str) -> html.Div:
    label = t("outcomes.kpi.satisfaction", lang)
    if "mean_satisfaction" in hidden:
        return _with_detail(kpi_card("satisfaction", label, "", k=k, lang=lang,
                                     suppressed=True), t("outcomes.kpi.hidden_orgs", lang, k=k))
    if not kpis["satisfaction_n"]:
        return kpi_card("satisfaction", label, MISSING,
                        detail=t("outcomes.kpi.no_answer", lang), lang=lang)
    detail = t("outcomes.kpi.satisfaction.detail", lang, n=fmt_int(kpis["satisfaction_n"], lang))
    if (kpis.get("fragile") or {}).get("mean_satisfaction"):
        detail += fragile_text
    value = t("outcomes.kpi.satisfaction.value", lang,
              mean=fmt_decimal(kpis["mean_satisfaction"], lang))
    return kpi_card("satisfaction", label, value, detail=detail, lang=lang)


# ---- the map ---------------------------------------------------------------------------------

def _region_columns(regions: pd.DataFrame) -> dict[str, list]:
    """The columns of the export table the map reads, as lists (one value per region, in the
    table's order), with `decided` (delivered + abandoned): plain lists instead of a copy of
    the frame and a row object per region."""
    columns = {name: regions[name].tolist() for name in (
        "region_code", "region_name", "projects", "delivered", "abandoned",
        "delivery_rate_pct", "in_use_answers", "in_use_rate_pct", "beneficiaries_reached",
        "students", "mentors")}
    columns["decided"] = [None if _missing(a) or _missing(b) else a + b
                          for a, b in zip(columns["delivered"], columns["abandoned"])]
    return columns


def _hidden(regions: pd.DataFrame, column: str) -> list[bool]:
    """Per region, whether the query layer hid its `column` (the table's suppression mask)."""
    mask = regions.attrs.get("suppressed_mask")
    if mask is None or column not in mask.columns:
        return [False] * len(regions)
    if not mask.index.equals(regions.index):
        return mask[column].reindex(regions.index).fillna(False).astype(bool).tolist()
    return [bool(hidden) for hidden in mask[column].tolist()]


def _measure_label(measure: str, lang: str) -> str:
    return t(f"outcomes.measure.{measure}", lang)


def map_table(regions: pd.DataFrame, lang: str, k: int) -> pd.DataFrame:
    """The 18 regions and their figures, hidden cells as "< K": the map's table view."""
    rows = _region_columns(regions)
    in_use_hidden = _hidden(regions, "in_use_rate_pct")
    return pd.DataFrame({
        t("outcomes.col.region", lang): rows["region_name"],
        t("outcomes.col.projects", lang): [int(v) for v in rows["projects"]],
        t("outcomes.col.delivered", lang): [int(v) for v in rows["delivered"]],
        t("outcomes.col.abandoned", lang): [int(v) for v in rows["abandoned"]],
        t("outcomes.col.delivery_rate", lang): [
            rate_text(rate, n, lang, k) for rate, n in zip(rows["delivery_rate_pct"],
                                                          rows["decided"])],
        t("outcomes.col.in_use_rate", lang): [
            rate_text(rate, n, lang, k, hidden=hidden) for rate, n, hidden in
            zip(rows["in_use_rate_pct"], rows["in_use_answers"], in_use_hidden)],
        t("outcomes.col.beneficiaries", lang): [
            _count_text(v, lang, k) for v in rows["beneficiaries_reached"]],
        t("outcomes.col.students", lang): [_count_text(v, lang, k) for v in rows["students"]],
        t("outcomes.col.mentors", lang): [int(v) for v in rows["mentors"]],
    })


def map_figure(regions: pd.DataFrame, lang: str, k: int, measure: str = DEFAULT_MEASURE,
               selected: tuple[str, ...] = ()) -> dict:
    column, n_column, percent = MEASURES[measure]
    rows = _region_columns(regions)
    count = len(rows["region_code"])
    hidden = _hidden(regions, column) if percent else [False] * count
    in_use_hidden = _hidden(regions, "in_use_rate_pct")
    sep = colon(lang)
    names = {key: t(f"outcomes.col.{key}", lang) + sep
             for key in ("projects", "delivered", "delivery_rate", "in_use_rate")}
    hidden_text = t("outcomes.map.hidden", lang, k=k)
    bold = {"projects": 1, "delivery": 3, "in_use": 4}[measure]
    values, labels, hovers = [], [], []
    for i in range(count):
        value = rows[column][i]
        n = rows[n_column][i] if n_column else None
        if percent and (_missing(value) or hidden[i]):
            values.append(None)
            labels.append("")
        else:
            values.append(float(value))
            if percent:
                labels.append(fmt_pct(value, lang) + ("*" if int(n) < FRAGILE_MIN else ""))
            else:
                labels.append(fmt_int(value, lang) if value else "")
        lines = [f"<b>{rows['region_name'][i]}</b>",
                 f"{names['projects']}{fmt_int(rows['projects'][i], lang)}",
                 f"{names['delivered']}{fmt_int(rows['delivered'][i], lang)}",
                 f"{names['delivery_rate']}"
                 f"{rate_text(rows['delivery_rate_pct'][i], rows['decided'][i], lang, k)}",
                 f"{names['in_use_rate']}"
                 + (hidden_text if in_use_hidden[i] else
                    rate_text(rows["in_use_rate_pct"][i], rows["in_use_answers"][i], lang, k))]
        lines[bold] = f"<b>{lines[bold]}</b>"
        hovers.append("<br>".join(lines))
    data = {"region_code": rows["region_code"], "value": values, "hover": hovers,
            "label": labels}
    return region_map(data, lang, colorbar_title=_measure_label(measure, lang), percent=percent,
                      selected=selected, geojson_url=geojson_url())


def map_summary(figures: dict, lang: str, k: int, measure: str) -> str:
    rows = _region_columns(figures["regions"])
    column, n_column, percent = MEASURES[measure]
    label = _measure_label(measure, lang)
    covered = sum(1 for projects in rows["projects"] if projects > 0)
    if percent:
        hidden = _hidden(figures["regions"], column)
        shown = [i for i, value in enumerate(rows[column])
                 if not _missing(value) and not hidden[i]]
    else:
        shown = [i for i, value in enumerate(rows[column]) if value > 0]
    if not shown:
        return t("outcomes.map.summary_none", lang, measure=label)
    values, codes, names = rows[column], rows["region_code"], rows["region_name"]
    if percent:
        # A leading rate on a handful of projects says little: rank the solid ones first.
        ns = rows[n_column]
        ranked = sorted(shown, key=lambda i: (int(ns[i]) < FRAGILE_MIN, -values[i], -ns[i],
                                              codes[i]))[:3]
        top = ", ".join(f"{names[i]} ({rate_text(values[i], ns[i], lang, k)})" for i in ranked)
    else:
        ranked = sorted(shown, key=lambda i: (-values[i], codes[i]))[:3]
        top = ", ".join(f"{names[i]} ({fmt_int(values[i], lang)})" for i in ranked)
    return t("outcomes.map.summary", lang,
             regions=tn("outcomes.count.regions", covered, lang), measure=label, top=top)


def measure_selector(measure: str, lang: str) -> html.Div:
    buttons = [html.Button(
        _measure_label(name, lang), type="button", n_clicks=0,
        id={"type": ids.OUTCOMES_MEASURE, "measure": name}, role="radio",
        **{"aria-checked": "true" if name == measure else "false"},
        className="btn btn-sm " + ("btn-primary" if name == measure else "btn-outline-primary"))
        for name in MEASURES]
    return html.Div(role="radiogroup", **{"aria-label": t("outcomes.map.measure", lang)},
                    className="d-flex flex-wrap align-items-center gap-2 mb-2", children=[
                        html.Span(t("outcomes.map.measure", lang) + colon(lang).rstrip(),
                                  className="text-muted small me-1"),
                        *buttons])


def map_section(figures: dict, lang: str, k: int, measure: str, selected: tuple[str, ...]):
    card = map_card(ids.OUTCOMES_MAP,
                    map_figure(figures["regions"], lang, k, measure, selected), lang,
                    title=t("outcomes.map.title", lang),
                    summary=map_summary(figures, lang, k, measure),
                    table=map_table(figures["regions"], lang, k),
                    note=t("outcomes.map.note", lang))
    card.children.insert(2, measure_selector(measure, lang))
    return card


# ---- breakdowns ------------------------------------------------------------------------------

BREAKDOWNS = {  # dimension -> (graph id, title key, column key)
    "status": (ids.OUTCOMES_STATUS, "outcomes.status.title", "outcomes.col.status"),
    "tech_type": (ids.OUTCOMES_TECH, "outcomes.tech.title", "outcomes.col.tech_type"),
    "cause": (ids.OUTCOMES_CAUSE, "outcomes.cause.title", "outcomes.col.cause"),
}


def _first_largest(values: list) -> int:
    """The position of the largest value, the first one among equals (what a stable sort in
    descending order puts first)."""
    return max(range(len(values)), key=values.__getitem__)


def _breakdown_card(figures: dict, dim: str, lang: str):
    graph_id, title_key, column_key = BREAKDOWNS[dim]
    frame = figures[f"by_{dim}"]
    values, counts = frame[dim].tolist(), frame["projects"].tolist()
    labels = [_label(dim, v, lang) for v in values]
    total = int(sum(counts))
    if not total:
        figure, summary = empty(t("outcomes.empty", lang), lang), t("outcomes.empty", lang)
    else:
        figure = bar(pd.DataFrame({"label": labels, "projects": counts}), "label", "projects",
                     lang, horizontal=True)
        figure["layout"]["height"] = max(220, 30 * len(frame) + 50)
        update_axes(figure, "x", tickformat=",d", showticklabels=False, showgrid=False)
        if dim == "status":
            colours = {"delivered": "#009E73", "abandoned": "#D55E00"}
            for trace in figure["data"]:
                trace["marker"]["color"] = [colours.get(v, PALETTE[0]) for v in values]
        top = _first_largest(counts)
        summary = t("outcomes.breakdown.summary", lang,
                    projects=tn("outcomes.count.projects", total, lang), top=labels[top],
                    count=tn("outcomes.count.projects", int(counts[top]), lang))
    table = pd.DataFrame({t(column_key, lang): labels,
                          t("outcomes.col.projects", lang): [int(v) for v in counts]})
    return chart_card(graph_id, figure, lang, title=t(title_key, lang), summary=summary,
                      table=table)


def _edition_card(figures: dict, lang: str):
    frame = figures["by_edition"]
    editions, counts = frame["edition"].tolist(), frame["projects"].tolist()
    total = int(sum(counts)) if counts else 0
    if not total:
        figure, summary = empty(t("outcomes.empty", lang), lang), t("outcomes.empty", lang)
    else:
        figure = bar(frame, "edition", "projects", lang)
        figure["layout"]["height"] = 260
        update_axes(figure, "x", tickvals=editions, tickangle=0,
                    ticktext=[e.replace("-", "-<br>", 1) for e in editions])
        update_axes(figure, "y", tickformat=",d", showticklabels=False, showgrid=False)
        top = _first_largest(counts)
        summary = t("outcomes.edition.summary", lang,
                    projects=tn("outcomes.count.projects", total, lang),
                    first=editions[0], last=editions[-1], top=editions[top],
                    count=tn("outcomes.count.projects", int(counts[top]), lang))
    table = pd.DataFrame({t("outcomes.col.edition", lang): editions,
                          t("outcomes.col.projects", lang): [int(v) for v in counts]})
    return chart_card(ids.OUTCOMES_EDITION, figure, lang, title=t("outcomes.edition.title", lang),
                      summary=summary, table=table)


# ---- satisfaction and use by tech type -------------------------------------------------------

def _tech_axis_label(tech: str, n, hidden: bool, lang: str, k: int) -> str:
    if hidden:
        return f"{_label('tech_type', tech, lang)} ({t('outcomes.hidden', lang)})"
    return f"{_label('tech_type', tech, lang)} (n = {fmt_int(0 if _missing(n) else n, lang)})"


def _rows(frame: pd.DataFrame) -> list:
    """The frame's rows as named tuples of plain values: `itertuples(index=False)` at a
    fraction of its cost on these small frames."""
    columns = tuple(str(column) for column in frame.columns)
    values = ([frame[column].tolist() for column in frame.columns] if frame.columns.is_unique
              else [frame.iloc[:, i].tolist() for i in range(len(columns))])
    return list(map(_row_type(columns)._make, zip(*values)))


@lru_cache(maxsize=16)
def _row_type(columns: tuple[str, ...]):
    return namedtuple("Row", columns, rename=True)


def _answered(rows: list, n_column: str) -> list:
    """The rows hidden, or with at least one answer."""
    return [row for row in rows if row.suppressed
            or (not _missing(getattr(row, n_column)) and getattr(row, n_column) > 0)]


def satisfaction_figure(frame: pd.DataFrame, lang: str, k: int) -> dict:
    answered = _answered(_rows(frame), "satisfaction_n")
    if not answered:
        return empty(t("outcomes.satisfaction.empty", lang), lang)
    labels, values, colours, texts = [], [], [], []
    for row in answered:
        hidden = bool(row.suppressed)
        labels.append(_tech_axis_label(row.tech_type, row.satisfaction_n, hidden, lang, k))
        if hidden:
            values.append(0)
            colours.append(FRAGILE_COLOUR)
            texts.append(suppressed_text(k))
            continue
        weak = int(row.satisfaction_n) < FRAGILE_MIN
        values.append(float(row.mean_satisfaction))
        colours.append(FRAGILE_COLOUR if weak else PALETTE[0])
        text = fmt_decimal(row.mean_satisfaction, lang)
        texts.append(f"{text} · {t('outcomes.fragile_short', lang)}" if weak else text)
    figure = styled({"data": [{
        "type": "bar", "x": values, "y": labels, "orientation": "h",
        "marker": {"color": colours}, "text": texts, "textposition": "outside",
        "cliponaxis": False, "showlegend": False,
        "hovertemplate": "%{y}" + colon(lang) + "%{text}<extra></extra>"}]}, lang,
        height=max(240, 34 * len(labels) + 60))
    update_axes(figure, "x", range=[0, 6.4], tickvals=[1, 2, 3, 4, 5], showgrid=True,
                gridcolor="#e5e7eb")
    update_axes(figure, "y", autorange="reversed", showgrid=False, type="category")
    return figure


def _by_tech_summary(rows: list, n_column: str, item, lang: str) -> str | None:
    """"A 4,2 (n = 9) ; B 3,8 (n = 5). 2 autres types ont moins de 5 réponses : estimation
    fragile." The solid figures in the rows' order; the fragile and the hidden ones are
    counted, not listed."""
    solid, fragile, hidden = [], 0, 0
    for row in rows:
        n = getattr(row, n_column)
        if row.suppressed:
            hidden += 1
        elif not _missing(n) and 0 < int(n) < FRAGILE_MIN:
            fragile += 1
        elif not _missing(n) and int(n) >= FRAGILE_MIN:
            solid.append(row)
    if not (solid or fragile or hidden):
        return None
    sentences = [_semicolons(lang).join(item(row) for row in solid)] if solid else []
    if fragile:
        key = "outcomes.count.types" if solid else "outcomes.count.types_all"
        sentences.append(t("outcomes.fragile_count", lang, types=tn(key, fragile, lang)))
    if hidden:
        sentences.append(t("outcomes.hidden_count", lang, types=tn("outcomes.count.hidden",
                                                                   hidden, lang)))
    return ". ".join(sentence.rstrip(".") for sentence in sentences) + "."


def _ranked(rows: list, column: str) -> list:
    """The rows by `column`, largest first, equals in their order, missing values last (a
    stable sort in descending order)."""
    return sorted(rows, key=lambda row: (1, 0) if _missing(getattr(row, column))
                  else (0, -getattr(row, column)))


def _semicolons(lang: str) -> str:
    """French puts a (no-break) space before a semicolon."""
    return "\u00a0; " if lang == "fr" else "; "


def _satisfaction_card(figures: dict, lang: str, k: int):
    frame = figures["satisfaction"]
    ranked = _ranked(_rows(frame), "mean_satisfaction")
    items = _by_tech_summary(ranked, "satisfaction_n", lambda row: t(
        "outcomes.satisfaction.item", lang, tech=_label("tech_type", row.tech_type, lang),
        mean=fmt_decimal(row.mean_satisfaction, lang), n=fmt_int(row.satisfaction_n, lang)),
        lang)
    summary = (t("outcomes.satisfaction.summary", lang, items=items) if items
               else t("outcomes.satisfaction.empty", lang))
    table = pd.DataFrame({
        t("outcomes.col.tech_type", lang): [_label("tech_type", v, lang)
                                            for v in frame["tech_type"]],
        t("outcomes.col.projects", lang): frame["projects"].astype("int64").tolist(),
        t("outcomes.col.answers", lang): [suppressed_text(k) if hidden else fmt_int(n, lang)
                                          for n, hidden in zip(frame["satisfaction_n"],
                                                               frame["suppressed"])],
        t("outcomes.col.mean_satisfaction", lang): [
            suppressed_text(k) if hidden else
            (MISSING if _missing(mean) else fmt_decimal(mean, lang)
             + (f" ({t('outcomes.fragile', lang)})" if int(n) < FRAGILE_MIN else ""))
            for mean, n, hidden in zip(frame["mean_satisfaction"], frame["satisfaction_n"],
                                       frame["suppressed"])],
    })
    return chart_card(ids.OUTCOMES_SATISFACTION_TECH, satisfaction_figure(frame, lang, k), lang,
                      title=t("outcomes.satisfaction.title", lang), summary=summary,
                      table=table, note=t("outcomes.satisfaction.note", lang))


def in_use_figure(frame: pd.DataFrame, lang: str, k: int) -> dict:
    answered = _answered(_rows(frame), "in_use_answers")
    if not answered:
        return empty(t("outcomes.in_use.empty", lang), lang)
    suffix = percent_suffix(lang)
    labels, yes, partial, texts, weak_rows = [], [], [], [], []
    for row in answered:
        hidden = bool(row.suppressed)
        labels.append(_tech_axis_label(row.tech_type, row.in_use_answers, hidden, lang, k))
        if hidden:
            yes.append(0)
            partial.append(0)
            texts.append(suppressed_text(k))
            weak_rows.append(False)
            continue
        n = int(row.in_use_answers)
        weak = n < FRAGILE_MIN
        yes.append(row.in_use_yes * 100.0 / n)
        partial.append(row.in_use_partial * 100.0 / n)
        texts.append(fmt_pct(row.in_use_rate_pct, lang)
                     + (f" · {t('outcomes.fragile_short', lang)}" if weak else ""))
        weak_rows.append(weak)
    # The legend's own entries: the bars' colours vary (fragile ones are grey).
    traces = [{"type": "bar", "x": [None], "y": [None], "orientation": "h", "name": name,
               "marker": {"color": colour, "pattern": {"shape": pattern}},
               "hoverinfo": "skip", "showlegend": True}
              for name, colour, pattern in ((t("outcomes.in_use.yes", lang), YES_COLOUR, ""),
                                            (t("outcomes.in_use.partial", lang),
                                             PARTIAL_COLOUR, "/"))]
    traces.append({
        "type": "bar", "x": yes, "y": labels, "orientation": "h",
        "name": t("outcomes.in_use.yes", lang), "showlegend": False,
        "marker": {"color": [FRAGILE_COLOUR if weak else YES_COLOUR for weak in weak_rows]},
        "hovertemplate": "%{y}<br>" + t("outcomes.in_use.yes", lang) + colon(lang)
                         + f"%{{x:.0f}}{suffix}<extra></extra>"})
    traces.append({
        "type": "bar", "x": partial, "y": labels, "orientation": "h",
        "name": t("outcomes.in_use.partial", lang), "showlegend": False,
        "marker": {"color": PARTIAL_COLOUR, "pattern": {"shape": "/", "fgcolor": "#ffffff",
                                                        "size": 6}},
        "hovertemplate": "%{y}<br>" + t("outcomes.in_use.partial", lang) + colon(lang)
                         + f"%{{x:.0f}}{suffix}<extra></extra>"})
    # The rates as text after each stack (a bar's own text breaks on a zero-width bar).
    traces.append({
        "type": "scatter", "x": [a + b + 2 for a, b in zip(yes, partial)], "y": labels,
        "mode": "text", "text": texts, "textposition": "middle right", "cliponaxis": False,
        "hoverinfo": "skip", "showlegend": False, "textfont": {"size": 12}})
    figure = styled({"data": traces}, lang, height=max(260, 34 * len(labels) + 80))
    merge(figure["layout"], {"barmode": "stack", "showlegend": True, "margin": {"t": 40},
                             "legend": {"traceorder": "normal"}})
    update_axes(figure, "x", range=[0, 142], tickvals=[0, 25, 50, 75, 100],
                ticktext=[fmt_pct(v, lang) for v in (0, 25, 50, 75, 100)],
                showgrid=True, gridcolor="#e5e7eb")
    update_axes(figure, "y", autorange="reversed", showgrid=False, type="category")
    return figure


def _in_use_card(figures: dict, lang: str, k: int):
    frame = figures["in_use"]
    ranked = _ranked(_rows(frame), "in_use_rate_pct")
    items = _by_tech_summary(ranked, "in_use_answers", lambda row: t(
        "outcomes.in_use.item", lang, tech=_label("tech_type", row.tech_type, lang),
        rate=fmt_pct(row.in_use_rate_pct, lang), n=fmt_int(row.in_use_answers, lang)), lang)
    summary = (t("outcomes.in_use.summary", lang, items=items) if items
               else t("outcomes.in_use.empty", lang))
    table = pd.DataFrame({
        t("outcomes.col.tech_type", lang): [_label("tech_type", v, lang)
                                            for v in frame["tech_type"]],
        t("outcomes.col.answers", lang): [_count_text(v, lang, k) for v in frame["in_use_answers"]],
        t("outcomes.col.in_use_yes", lang): [_count_text(v, lang, k) for v in frame["in_use_yes"]],
        t("outcomes.col.in_use_partial", lang): [_count_text(v, lang, k)
                                                 for v in frame["in_use_partial"]],
        t("outcomes.col.in_use_rate", lang): [
            rate_text(rate, n, lang, k, hidden=hidden) for rate, n, hidden in
            zip(frame["in_use_rate_pct"], frame["in_use_answers"], frame["suppressed"])],
    })
    return chart_card(ids.OUTCOMES_IN_USE_TECH, in_use_figure(frame, lang, k), lang,
                      title=t("outcomes.in_use.title", lang), summary=summary, table=table,
                      note=t("outcomes.in_use.note", lang))


# ---- the projects, one by one (staff only) ---------------------------------------------------

GRID_LOCALE_FR = {  # AG Grid's own texts, in French (its default is English)
    "page": "Page", "of": "sur", "to": "à", "more": "plus", "next": "Suivante",
    "last": "Dernière", "first": "Première", "previous": "Précédente",
    "pageSizeSelectorLabel": "Lignes par page :", "loadingOoo": "Chargement…",
    "noRowsToShow": "Aucun projet", "filterOoo": "Filtrer…", "searchOoo": "Rechercher…",
    "equals": "Égal à", "notEqual": "Différent de", "blank": "Vide", "notBlank": "Non vide",
    "empty": "Choisir…", "lessThan": "Inférieur à", "greaterThan": "Supérieur à",
    "lessThanOrEqual": "Inférieur ou égal à", "greaterThanOrEqual": "Supérieur ou égal à",
    "inRange": "Entre", "inRangeStart": "De", "inRangeEnd": "À", "contains": "Contient",
    "notContains": "Ne contient pas", "startsWith": "Commence par", "endsWith": "Finit par",
    "andCondition": "ET", "orCondition": "OU", "applyFilter": "Appliquer",
    "resetFilter": "Réinitialiser", "clearFilter": "Effacer", "cancelFilter": "Annuler",
    "ariaFilterInput": "Saisie du filtre", "ariaFilterValue": "Valeur du filtre",
    "ariaPageSizeSelectorLabel": "Lignes par page", "ariaRowSelect": "Sélectionner la ligne",
    "sortAscending": "Tri croissant", "sortDescending": "Tri décroissant",
}


def projects_rows(projects: pd.DataFrame, lang: str) -> list[dict]:
    """The grid's rows: labels in the language, answers as words, numbers as numbers."""
    answers = {"oui": t("outcomes.in_use.yes", lang),
               "partiellement": t("outcomes.in_use.partial", lang),
               "non": t("outcomes.in_use.no", lang)}

    def labelled(kind: str, values: list) -> list[str]:
        labels: dict = {}  # a few distinct values for thousands of rows
        for value in values:
            if value not in labels:
                labels[value] = _label(kind, value, lang)
        return [labels[value] for value in values]

    def present(name: str) -> list:
        """The column's values, None where one is missing."""
        return [None if missing else value for value, missing in
                zip(projects[name].tolist(), projects[name].isna().tolist())]

    # Column by column, then zipped: plain lists cost far less than pandas' arrays row by row.
    column = {name: projects[name].tolist() for name in (
        "project_id", "title", "organisation", "region_name", "edition", "tech_type", "status")}
    return [{"project_id": project_id, "title": title, "organisation": organisation,
             "school": school, "region": region, "edition": edition, "tech_type": tech_type,
             "status": status, "satisfaction": satisfaction, "in_use": in_use}
            for (project_id, title, organisation, school, region, edition, tech_type, status,
                 satisfaction, in_use) in zip(
                column["project_id"], column["title"], column["organisation"], present("school"),
                column["region_name"], column["edition"],
                labelled("tech_type", column["tech_type"]), labelled("status", column["status"]),
                [None if v is None else int(v) for v in present("end_satisfaction")],
                [None if v is None else answers.get(v) for v in present("six_months_in_use")])]


def projects_section(projects: pd.DataFrame, lang: str) -> html.Section:
    import dash_ag_grid as dag

    columns = [
        {"field": "title", "headerName": t("outcomes.grid.title", lang), "minWidth": 190,
         "flex": 2, "pinned": "left"},
        {"field": "organisation", "headerName": t("outcomes.grid.organisation", lang),
         "minWidth": 160, "flex": 2},
        {"field": "school", "headerName": t("outcomes.grid.school", lang), "minWidth": 150,
         "flex": 2},
        {"field": "region", "headerName": t("outcomes.grid.region", lang), "minWidth": 140,
         "flex": 1},
        {"field": "edition", "headerName": t("outcomes.grid.edition", lang), "width": 110,
         "sort": "desc"},
        {"field": "tech_type", "headerName": t("outcomes.grid.tech_type", lang),
         "minWidth": 140, "flex": 1},
        {"field": "status", "headerName": t("outcomes.grid.status", lang), "width": 115},
        {"field": "satisfaction", "headerName": t("outcomes.grid.satisfaction", lang),
         "width": 125, "filter": "agNumberColumnFilter", "type": "rightAligned"},
        {"field": "in_use", "headerName": t("outcomes.grid.in_use", lang), "width": 125},
    ]
    # The grid grows with its page (no inner scroll region the keyboard cannot reach), and all
    # nine columns stay drawn (no header row left empty while a scroll redraws them): both
    # keep the accessibility audit clean and cost nothing at one page of rows.
    # The rows stay on the server: the grid asks for the block it shows (`projects_page`),
    # instead of 5,000 rows (1.5 MB) in every unfiltered staff view.
    grid_options = {"pagination": True, "paginationPageSize": 15,
                    "paginationPageSizeSelector": [15, 50, 100], "animateRows": False,
                    "cacheBlockSize": paged_grid.MAX_BLOCK,
                    "enableCellTextSelection": True, "ensureDomOrder": True,
                    "domLayout": "autoHeight", "suppressColumnVirtualisation": True}
    if lang == "fr":
        grid_options["localeText"] = GRID_LOCALE_FR
    grid = dag.AgGrid(
        id=ids.OUTCOMES_PROJECTS_GRID, rowModelType="infinite",
        columnDefs=columns, getRowId="params.data.project_id",
        defaultColDef={"sortable": True, "filter": True, "floatingFilter": True,
                       "resizable": True, "suppressHeaderMenuButton": True,
                       "wrapHeaderText": True, "autoHeaderHeight": True},
        dashGridOptions=grid_options, style={"width": "100%"})
    return html.Section(className="chart-card mb-3",
                        **{"aria-labelledby": ids.OUTCOMES_PROJECTS_TITLE}, children=[
        html.H2(t("outcomes.projects.title", lang), id=ids.OUTCOMES_PROJECTS_TITLE,
                className="chart-title"),
        html.P(t("outcomes.projects.detail", lang,
                 projects=tn("outcomes.count.projects", len(projects), lang)),
               className="chart-summary"),
        grid])


GRID_FIELDS = ("title", "organisation", "school", "region", "edition", "tech_type", "status",
               "satisfaction", "in_use")  # the grid's columns: what a request may sort or filter


@callback(Output(ids.OUTCOMES_PROJECTS_GRID, "getRowsResponse"),
          Input(ids.OUTCOMES_PROJECTS_GRID, "getRowsRequest"), State(ids.URL, "search"),
          prevent_initial_call=True)
def projects_page(request, search: str | None) -> dict:
    """The block of the projects grid the browser shows: the view is the server's (the URL's
    filters within the signed-in account's scope), only paging, sorting and filtering come
    from the request."""
    view = context(search)
    return projects_block(view.filters, view.scope, view.k, view.lang, request)


def projects_block(filters, scope, k: int, lang: str, request, engine=None) -> dict:
    """One block of the grid's rows (`paged_grid.block`); none for an account that may not
    see row-level projects."""
    from dashboard.queries import outcomes

    if not scope.full_view:
        return {"rowData": [], "rowCount": 0}
    rows = projects_rows(outcomes.projects_table(filters, scope, k, engine), lang)
    return paged_grid.block(rows, request, GRID_FIELDS)


# ---- exports ---------------------------------------------------------------------------------

def export_bar(lang: str) -> html.Section:
    buttons = [html.Button(t(f"outcomes.export.{fmt}", lang), type="button", n_clicks=0,
                           id={"type": ids.OUTCOMES_EXPORT, "format": fmt},
                           className="btn btn-sm btn-outline-secondary")
               for fmt in EXPORT_FORMATS]
    return html.Section(
        className="summary-card d-flex flex-wrap align-items-center gap-3 mt-2",
        **{"aria-labelledby": "outcomes-export-title"}, children=[
            html.Div([html.H2(t("outcomes.export.title", lang), id="outcomes-export-title",
                              className="chart-title mb-0"),
                      html.Span(t("outcomes.export.detail", lang),
                                className="text-muted small")],
                     className="me-auto"),
            html.Div(buttons, className="d-flex gap-2", role="group",
                     **{"aria-label": t("outcomes.export.title", lang)})])


register_map_controls(__name__, map_id=ids.OUTCOMES_MAP, measure_type=ids.OUTCOMES_MEASURE,
                      download_id=ids.OUTCOMES_EXPORT_DOWNLOAD, export_type=ids.OUTCOMES_EXPORT,
                      figure="outcomes", measures=MEASURES, default=DEFAULT_MEASURE,
                      export_file=export_file)
