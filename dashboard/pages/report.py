"""Rapport: the funder report of the selection on screen, as PDF, and its publication.

The view is the URL's (editions, schools, regions, language) within the signed-in account's
scope, computed on the server (`context(search)`): the PDF and the pack are rendered from the
same server-side view, never from what the browser sends back. A funder or school account sees
the published version of an edition when one exists for its audience; staff see the live
figures. Either way, for a published edition the page says when it was published and which
figures the current data now give differently.

Staff only (checked on the server, in the callbacks): "Publier cette édition" freezes the
national report and the report of every funder and school account that may see the edition
(`snapshots.publish_edition`); "Pack rapport annuel" downloads the XLSX and the charts.

`view_data` and `body` are plain functions of a view: tests call them without a browser.
"""

from __future__ import annotations

import datetime as dt
import logging

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import ids, maps
from dashboard.components.commentary import report_comments
from dashboard.components.kpi import kpi_card, kpi_grid
from dashboard.components.page import page_error, page_header
from dashboard.components.table_toggle import scroll_region
from dashboard.figures import graph
from dashboard.i18n import (
    MISSING,
    fmt_date,
    fmt_decimal,
    fmt_int,
    fmt_pct,
    fmt_points,
    t,
)
from dashboard.pages import context
from dashboard.report import charts, render, snapshots
from dashboard.report.view import ReportView, view_data

log = logging.getLogger(__name__)

dash.register_page(
    __name__, path="/rapport", order=10, name="Rapport", nav_key="report.nav",
    title="Rapport · Latitudes Impact",
    description="Le rapport financeur d'une édition, prêt à imprimer et à télécharger en PDF.",
)

# The headline figures of `snapshots.HEADLINE_FIGURES`: their label and how to write them.
DIFF_LABELS = {
    "reach_kpis.events": "report.reach.events",
    "reach_kpis.regions_covered": "report.reach.regions",
    "reach_kpis.attendees": "report.reach.attendees",
    "guide_kpis.copies": "report.reach.guide",
    "awareness_headline.paired.n_matched": "report.diff.n_matched",
    "awareness_headline.paired.pre_pct": "report.diff.pre_pct",
    "awareness_headline.paired.post_pct": "report.diff.post_pct",
    "awareness_headline.paired.diff_pp": "report.diff.diff_pp",
    "outcomes_kpis.projects": "report.outcomes.projects",
    "outcomes_kpis.delivery_rate_pct": "report.outcomes.delivery",
    "outcomes_kpis.in_use_rate_pct": "report.outcomes.in_use",
    "outcomes_kpis.mean_satisfaction": "report.outcomes.satisfaction",
}


def layout(**_query) -> html.Div:
    # The buttons live in the layout, not in the body: buttons re-created by a callback would
    # fire their callbacks at every redraw. `action_texts` labels them and shows staff theirs.
    button = "btn btn-{} me-2 mb-2"
    return html.Div(className="page page-report", children=[
        dcc.Store(id=ids.REPORT_REFRESH, data=0),
        dcc.Download(id=ids.REPORT_PDF_DOWNLOAD),
        dcc.Download(id=ids.REPORT_PACK_DOWNLOAD),
        html.Div(id=ids.REPORT_HEAD),
        html.Div(id=ids.REPORT_ACTIONS, className="report-actions mb-3", children=[
            html.Button(id=ids.REPORT_PDF_BUTTON, n_clicks=0, type="button",
                        className=button.format("primary")),
            html.Button(id=ids.REPORT_PACK_BUTTON, n_clicks=0, type="button", hidden=True,
                        className=button.format("outline-primary")),
            html.Button(id=ids.REPORT_PUBLISH_BUTTON, n_clicks=0, type="button", hidden=True,
                        className=button.format("outline-secondary")),
            html.Small(id=ids.REPORT_ACTIONS_NOTE, className="text-muted d-block"),
            dcc.Loading(html.Div(id=ids.REPORT_PDF_STATUS, role="status",
                                 className="small mt-1"), type="dot"),
            html.Div(id=ids.REPORT_PUBLISH_STATUS, role="status", className="mt-2"),
        ]),
        dcc.Loading(html.Div(id=ids.REPORT_BODY), type="circle", delay_show=400,
                    overlay_style={"visibility": "visible", "opacity": 0.55}),
    ])


def action_texts(search: str | None) -> dict:
    """The buttons' labels in the view's language; the staff-only ones shown to staff only
    (the callbacks check the role again: hiding a button protects nothing)."""
    view = context(search)
    filters = view.filters
    staff = view.scope.full_view
    publishable = len(filters.editions) == 1 and not filters.schools and not filters.regions
    return {
        "pdf": t("report.download_pdf", view.lang),
        "pack": t("report.download_pack", view.lang), "pack_hidden": not staff,
        "publish": t("report.publish", view.lang), "publish_hidden": not staff,
        "publish_disabled": not publishable, "publish_title": t("report.publish_help",
                                                                view.lang),
        "note": (t("report.publish_help" if publishable else "report.publish_one_edition",
                   view.lang) if staff else ""),
    }


@callback(output={
    "pdf": Output(ids.REPORT_PDF_BUTTON, "children"),
    "pack": Output(ids.REPORT_PACK_BUTTON, "children"),
    "pack_hidden": Output(ids.REPORT_PACK_BUTTON, "hidden"),
    "publish": Output(ids.REPORT_PUBLISH_BUTTON, "children"),
    "publish_hidden": Output(ids.REPORT_PUBLISH_BUTTON, "hidden"),
    "publish_disabled": Output(ids.REPORT_PUBLISH_BUTTON, "disabled"),
    "publish_title": Output(ids.REPORT_PUBLISH_BUTTON, "title"),
    "note": Output(ids.REPORT_ACTIONS_NOTE, "children"),
}, inputs={"search": Input(ids.URL, "search")})
def label_actions(search):
    return action_texts(search)


@callback(Output(ids.REPORT_HEAD, "children"), Output(ids.REPORT_BODY, "children"),
          Input(ids.URL, "search"), Input(ids.REPORT_REFRESH, "data"))
def render_page(search: str | None, _refresh) -> tuple[list, list]:
    """(the title and the publication status, the report): the buttons go between them."""
    from sqlalchemy.exc import SQLAlchemyError

    view = context(search)
    try:
        report = view_data(view.filters, view.scope, view.k)
    except (SQLAlchemyError, snapshots.SnapshotError):
        log.exception("report: the view could not be computed for %s", search)
        return [page_header(t("report.title", view.lang)), page_error(view.lang)], []
    content = body(report, view.lang, filters=view.filters)
    return content[:2], content[2:]


# ---- the page's content (pure functions) ----------------------------------------------------

def _time(moment: dt.datetime, lang: str) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}" if lang == "en" else \
        f"{moment.hour:02d}\u202fh\u202f{moment.minute:02d}"


def _diff_value(name: str, value, lang: str) -> str:
    if value is None:
        return MISSING
    if name.endswith("diff_pp"):
        return fmt_points(value, lang, 1)
    if name.endswith("_pct"):
        return fmt_pct(value, lang, 1)
    if name.endswith("mean_satisfaction"):
        return fmt_decimal(value, lang, 2)
    return fmt_int(value, lang)


def status_block(report: ReportView, lang: str, filters) -> html.Div:
    """Published or live, and how the current data differ from the published figures."""
    if report.snapshot is None:
        key = "report.status.live" if len(filters.editions) == 1 else "report.status.live_range"
        return html.Div(t(key, lang), className="alert alert-secondary report-status",
                        role="status")
    snap = report.snapshot
    words = {"date": fmt_date(snap.published_at, lang), "time": _time(snap.published_at, lang),
             "hash": snap.content_hash[:12]}
    key = "report.status.published" if report.shows_published else \
        "report.status.published_staff"
    changes = snapshots.diff(snap.data, report.live)
    children = [html.P(t(key, lang, **words), className="mb-2")]
    if changes.same:
        children.append(html.P(t("report.diff.none", lang), className="mb-0"))
    else:
        children.append(html.P(t("report.diff.some", lang), className="mb-1"))
        if changes.changes:
            children.append(scroll_region(html.Table(
                className="table table-sm data-table mb-1", children=[
                html.Thead(html.Tr([html.Th(t(f"report.diff.{c}", lang), scope="col")
                                    for c in ("figure", "published", "live")])),
                html.Tbody([html.Tr([
                    html.Td(t(DIFF_LABELS.get(change.figure, change.figure), lang)
                            if change.figure in DIFF_LABELS else change.figure),
                    html.Td(_diff_value(change.figure, change.published, lang)),
                    html.Td(_diff_value(change.figure, change.live, lang)),
                ]) for change in changes.changes]),
            ]), t("report.diff.some", lang)))
        if changes.other_cells:
            children.append(html.P(t("report.diff.other_cells", lang, n=changes.other_cells),
                                   className="mb-1 small"))
        if changes.batches_added:
            children.append(html.P(t("report.diff.batches", lang, added=", ".join(
                str(b) for b in changes.batches_added)), className="mb-0 small"))
    return html.Div(children, className="alert alert-info report-status", role="status")


def _tiles(kpis: list[dict], prefix: str, k: int, lang: str) -> html.Div:
    return kpi_grid([kpi_card(f"report-{prefix}-{i}", kpi["label"], kpi["value"],
                              detail=kpi["detail"], lang=lang, k=k)
                     for i, kpi in enumerate(kpis)])


def _table(table: dict) -> html.Div:
    def cell(tag, value, first):
        return tag(value, className=None if first else "text-end")

    rows = [html.Tr([cell(html.Td, v, i == 0) for i, v in enumerate(row)])
            for row in table["rows"]]
    if table.get("total"):
        rows.append(html.Tr([cell(html.Th, v, i == 0) for i, v in enumerate(table["total"])]))
    return scroll_region(html.Table(className="table table-sm data-table", children=[
        html.Caption(table["caption"]),
        html.Thead(html.Tr([html.Th(c, scope="col", className=None if i == 0 else "text-end")
                            for i, c in enumerate(table["columns"])])),
        html.Tbody(rows)]), table["caption"])


def _chart(graph_id: str, figure: dict, title: str, caption: str, lang: str,
           *extra) -> html.Section:
    figure["layout"].pop("width", None)
    figure["layout"]["autosize"] = True
    return html.Section(className="chart-card mb-3", children=[
        html.H2(title, className="chart-title"),
        html.P(caption, className="chart-note"),
        graph(graph_id, figure, lang),
        *extra,
    ])


def body(report: ReportView, lang: str, *, filters) -> list:
    """[the title, the publication status, the report itself]."""
    data, k = report.data, report.data["k"]
    model = render.report_model(data, lang, published=report.stamp)
    awareness = model["awareness"]
    big = None
    if awareness["big"]:
        big = html.Div(className="kpi-card", children=[
            html.Div(awareness["big_label"], className="kpi-label"),
            html.Div(f"{awareness['big'][0]} → {awareness['big'][1]}", className="kpi-value"),
            html.Div(awareness["note"], className="kpi-detail")])
    graphs = model["charts"]
    return [
        page_header(t("report.title", lang), t("report.lede", lang)),
        status_block(report, lang, filters),
        html.Article(className="report-paper", children=[
            html.Header(className="mb-3", children=[
                html.Div(model["brand"], className="text-uppercase small fw-semibold"),
                html.H2(f"{model['title']} · {model['editions']}", className="section-title"),
                html.P(model["audience"], className="fw-semibold mb-1"),
                html.P(" · ".join(x for x in (model["as_of"], model["status"], model["account"])
                                  if x), className="text-muted small mb-1"),
                html.P(model["demo"], className="alert alert-warning py-1 small")
                if model["demo"] else None,
                html.P(model["intro"]),
            ]),
            html.Section([html.H2(model["reach"]["title"], className="section-title"),
                          _tiles(model["reach"]["kpis"], "reach", k, lang),
                          html.P(model["reach"]["summary"]),
                          report_comments(data, ("tour", "guide"), lang)]),
            html.Section([html.H2(awareness["title"], className="section-title"),
                          big, html.P(awareness["sentence"], className="mt-2"),
                          html.P(awareness["baseline"], className="text-muted small"),
                          report_comments(data, ("awareness",), lang)]),
            html.Section([html.H2(model["outcomes"]["title"], className="section-title"),
                          _tiles(model["outcomes"]["kpis"], "outcomes", k, lang),
                          html.P(model["outcomes"]["summary"]),
                          report_comments(data, ("outcomes",), lang)]),
            _chart(ids.REPORT_MAP_GRAPH,
                   charts.reach_map(data, lang, geojson_url=maps.geojson_url()),
                   graphs["reach_map"]["title"], graphs["reach_map"]["caption"], lang,
                   _table(model["tables"]["regions"]) if model["tables"]["regions"]["rows"]
                   else None),
            _chart(ids.REPORT_AWARENESS_GRAPH, charts.awareness_chart(data, lang),
                   graphs["awareness"]["title"], graphs["awareness"]["caption"], lang,
                   _table(model["tables"]["statements"])
                   if model["tables"]["statements"]["rows"] else None),
            _chart(ids.REPORT_OUTCOMES_GRAPH, charts.outcomes_chart(data, lang),
                   graphs["outcomes_by_region"]["title"],
                   graphs["outcomes_by_region"]["caption"], lang),
            html.Section(className="summary-card", children=[
                html.H2(model["method"]["title"], className="chart-title"),
                *[html.P([html.Strong(p["lead"]) if p["lead"] else None, " ", p["text"]],
                         className="small") for p in model["method"]["paragraphs"]],
            ]),
        ]),
    ]


# ---- downloads and publication (the server decides the scope) ------------------------------

def pdf_file(search: str | None) -> tuple[bytes, str]:
    """The PDF of the view of `search`, for the signed-in account's scope."""
    view = context(search)
    report = view_data(view.filters, view.scope, view.k)
    pdf = render.render_pdf(report.data, view.lang, published=report.stamp)
    editions = "_".join(view.filters.editions) or "toutes-editions"
    return pdf, f"rapport-latitudes-{editions}.pdf"


def _audit(figure: str, fmt: str, filters) -> None:
    try:
        from dashboard.auth import audit_download
    except ImportError:
        return
    audit_download(figure, fmt, filters)


@callback(Output(ids.REPORT_PDF_DOWNLOAD, "data"), Output(ids.REPORT_PDF_STATUS, "children"),
          Input(ids.REPORT_PDF_BUTTON, "n_clicks"), State(ids.URL, "search"),
          prevent_initial_call=True)
def download_pdf(n_clicks, search):
    if not n_clicks:
        return no_update, no_update
    view = context(search)
    try:
        pdf, name = pdf_file(search)
    except render.ReportUnavailable:
        log.exception("report: cannot render PDFs on this server")
        return no_update, t("report.error", view.lang)
    _audit("report", "pdf", view.filters)
    return dcc.send_bytes(pdf, name), t("report.pdf_ready", view.lang)


@callback(Output(ids.REPORT_PACK_DOWNLOAD, "data"),
          Output(ids.REPORT_PDF_STATUS, "children", allow_duplicate=True),
          Input(ids.REPORT_PACK_BUTTON, "n_clicks"), State(ids.URL, "search"),
          prevent_initial_call=True)
def download_pack(n_clicks, search):
    from dashboard.report import collect, pack

    view = context(search)
    if not n_clicks or not view.scope.full_view:
        return no_update, no_update
    data = collect.collect(view.filters, view.scope, view.k)
    _audit("pack", "zip", view.filters)
    return (dcc.send_bytes(pack.pack_zip(data, view.lang), f"pack-{pack.slug(data)}.zip"),
            t("report.pack_ready", view.lang))


@callback(Output(ids.REPORT_PUBLISH_STATUS, "children"), Output(ids.REPORT_REFRESH, "data"),
          Input(ids.REPORT_PUBLISH_BUTTON, "n_clicks"), State(ids.URL, "search"),
          State(ids.REPORT_REFRESH, "data"), prevent_initial_call=True)
def publish(n_clicks, search, refresh):
    if not n_clicks:
        return no_update, no_update
    return publish_view(search, refresh)


def publish_view(search: str | None, refresh: int | None = 0):
    """Publish the edition of the view (staff only, checked here, on the server)."""
    from etl.db import get_engine

    view = context(search)
    if not view.scope.full_view:
        return html.Div(t("report.publish_denied", view.lang), className="alert alert-danger",
                        role="alert"), no_update
    filters = view.filters
    if len(filters.editions) != 1 or filters.schools or filters.regions:
        return html.Div(t("report.publish_one_edition", view.lang),
                        className="alert alert-warning", role="alert"), no_update
    published = snapshots.publish_edition(filters.editions[0], actor=view.scope.user or "staff",
                                          engine=get_engine(), k=view.k)
    message = t("report.published_now", view.lang, count=len(published))
    return html.Div(message, className="alert alert-success", role="status"), (refresh or 0) + 1
