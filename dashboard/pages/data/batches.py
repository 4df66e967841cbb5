"""The warehouse and its load batches, and undoing a batch.
"""

from __future__ import annotations

import logging
import time

from dash import ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import ids, uploads
from dashboard.components.badges import demo_banner, freshness_badge
from dashboard.components.page import page_error
from dashboard.i18n import fmt_int, t
from dashboard.pages import context
from dashboard.pages.data.base import (
    BATCHES_SHOWN, BATCH_PARAM, COUNTED_TABLES, alert_box, kind_label, refusal_text, rows_text,
    tool_label, when_text, whole_number)
from dashboard.view import FILTER_PARAMS, with_params


log = logging.getLogger(__name__)


# ---- the warehouse and its batches ----

def render_status(search, _changed, _job_done):
    from sqlalchemy.exc import SQLAlchemyError

    from etl.db import get_engine
    from etl.status import warehouse_status

    view = context(search)
    if not uploads.is_staff():
        return None
    try:
        status = warehouse_status(get_engine(), COUNTED_TABLES)
    except SQLAlchemyError:
        log.exception("data page: the warehouse status failed")
        return page_error(view.lang)
    selected = whole_number(view.params.get(BATCH_PARAM))
    return status_sections(status, view.lang, view.search(), selected)


def status_sections(status: dict, lang: str, search: str, selected: int | None) -> list:
    counts = status["counts"]
    tiles = [html.Div(className="data-count", children=[
        html.Span(fmt_int(counts.get(table, 0), lang), className="data-count-value"),
        html.Span(t(f"data.table.{table}", lang), className="data-count-label")])
        for table in COUNTED_TABLES]
    return [
        html.Section(className="data-card", **{"aria-labelledby": ids.DATA_STATUS_TITLE},
                     children=[html.H2(t("data.status.title", lang), id=ids.DATA_STATUS_TITLE,
                                       className="section-title"),
                               html.Div(tiles, className="data-counts")]),
        html.Section(className="data-card", **{"aria-labelledby": ids.DATA_BATCHES_TITLE},
                     children=[html.H2(t("data.batches.title", lang), id=ids.DATA_BATCHES_TITLE,
                                       className="section-title"),
                               html.P(t("data.batches.caption", lang), className="data-help"),
                               batch_table(status["batches"], lang, search, selected)]),
    ]


def batch_table(batches: list[dict], lang: str, search: str, selected: int | None):
    if not batches:
        return html.P(t("data.batches.none", lang), className="data-muted")
    shown = batches[:BATCHES_SHOWN]
    columns = ("batch", "file", "kind", "when", "read", "loaded", "rejected", "status",
               "action")
    numeric = {"read", "loaded", "rejected"}
    head = html.Thead(html.Tr([html.Th(t(f"data.col.{c}", lang), scope="col",
                                       className="text-end" if c in numeric else None)
                               for c in columns]))
    rows = [_batch_row(b, lang, search, b["batch_id"] == selected) for b in shown]
    more = (html.P(t("data.batches.more", lang, shown=fmt_int(len(shown), lang),
                     total=fmt_int(len(batches), lang)), className="data-muted")
            if len(batches) > len(shown) else None)
    return html.Div([html.Div(html.Table([head, html.Tbody(rows)],
                                         className="table table-sm data-table data-batches"),
                              className="table-responsive"), more])


def _batch_row(batch: dict, lang: str, search: str, selected: bool) -> html.Tr:
    batch_id, status = batch["batch_id"], batch["status"]
    rejected = batch["rows_rejected"] or 0
    see = t("data.batches.see", lang, n=fmt_int(rejected, lang), batch_id=batch_id)
    rejected_cell = (dcc.Link([fmt_int(rejected, lang),
                               html.Span(f" ({see})", className="visually-hidden")],
                              href=with_params(search, **{BATCH_PARAM: str(batch_id)}),
                              title=see, className="data-link")
                     if rejected else fmt_int(0, lang))
    status_cell = [html.Span(t(f"data.status.{status}", lang), className=f"data-badge is-{status}")]
    if batch.get("is_demo"):
        status_cell.append(html.Span(t("data.demo_tag", lang), className="data-badge is-demo"))
    action = (html.Button(t("data.undo.button", lang), type="button", n_clicks=0,
                          id={"type": ids.DATA_UNDO, "index": batch_id},
                          className="btn btn-sm btn-outline-danger",
                          **{"aria-label": t("data.undo.label", lang, batch_id=batch_id,
                                             file=batch["file"])})
              if status == "loaded" else None)
    kind = kind_label(batch["kind"], lang)
    if batch.get("tool"):
        kind = f"{kind} · {tool_label(batch['tool'], lang)}"
    return html.Tr(className="table-active" if selected else None,
                   **({"aria-current": "true"} if selected else {}), children=[
        html.Td(fmt_int(batch_id, lang)),
        html.Td(batch["file"], className="data-file-name"),
        html.Td(kind),
        html.Td(when_text(batch["started_at"], lang), className="text-nowrap"),
        html.Td(fmt_int(batch["rows_read"], lang), className="text-end"),
        html.Td(fmt_int(batch["rows_loaded"], lang), className="text-end"),
        html.Td(rejected_cell, className="text-end"),
        html.Td(status_cell),
        html.Td(action),
    ])


def refresh_shell(_changed, _job_done, search):
    """The shell follows a load or an undo without a page reload: the freshness badge, the
    demo banner and the filters' choices (a new edition, a new school)."""
    from dashboard.queries.base import freshness
    from dashboard.queries.overview import filter_options

    view = context(search)
    fresh = freshness()
    as_of = fresh.as_of.isoformat() if fresh.as_of else None
    state = {"as_of": as_of, "is_demo": fresh.is_demo, "ok": True}
    options = filter_options(view.scope)
    return (freshness_badge(as_of, view.lang), state, demo_banner(fresh.is_demo, view.lang),
            not fresh.is_demo, *[options.get(param, []) for param in FILTER_PARAMS])


# ---- undo ----

def ask_undo(clicks, search):
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(clicks or []):
        raise PreventUpdate
    batch = uploads.batch_info(trigger["index"])
    if batch is None:
        raise PreventUpdate
    lang = context(search).lang
    return (t("data.undo.confirm", lang, batch_id=batch["batch_id"], file=batch["file_name"],
              rows=rows_text(batch["rows_loaded"] or 0, lang)), True, batch["batch_id"])


def confirm_undo(submitted, batch_id, search):
    """The user confirmed: take the batch out, say what left, redraw the figures."""
    if not submitted or batch_id is None:
        raise PreventUpdate
    lang = context(search).lang
    if not uploads.is_staff():
        return alert_box(t("data.forbidden", lang), "warning"), no_update
    return undo_message(int(batch_id), lang), time.time()


def undo_message(batch_id: int, lang: str):
    from etl.load import LoadError

    try:
        removed = uploads.unload_batch(batch_id)
    except LoadError as error:
        return alert_box(t("data.undo.refused", lang, batch_id=batch_id,
                        why=refusal_text(str(error), lang)), "danger")
    parts = [f"{t(f'data.table.{table}', lang)} : {fmt_int(n, lang)}" if lang == "fr"
             else f"{t(f'data.table.{table}', lang)}: {fmt_int(n, lang)}"
             for table, n in removed.items()]
    return alert_box(t("data.undo.done", lang, batch_id=batch_id,
                    removed=", ".join(parts) or t("data.undo.nothing", lang)), "success")
