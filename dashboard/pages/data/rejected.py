"""The rejected rows of a batch, the unknown schools and their aliases, and re-running the rows
once an alias is added.
"""

from __future__ import annotations

import time

import dash_ag_grid as dag
from dash import ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import ids, uploads
from dashboard.components.filters import dropdown_labels
from dashboard.i18n import fmt_int, t, tn
from dashboard.pages import context
from dashboard.pages.data.base import (
    AG_GRID_FR, BATCH_PARAM, GRID_ROWS, JOB_PARAM, ROW_PREFIX, alert_box, dom_id, reason_label,
    reasons_text, rows_text, whole_number)
from dashboard.view import with_params


def render_rejected(search, _changed, _job_done):
    view = context(search)
    batch_id = whole_number(view.params.get(BATCH_PARAM))
    # A message about one batch goes when another batch is opened, not when this one redraws.
    result = None if ctx.triggered_id in (None, ids.URL) else no_update
    if batch_id is None or not uploads.is_staff():
        return None, result
    batch = uploads.batch_info(batch_id)
    if batch is None:
        return html.Div(t("data.rejected.unknown", view.lang, batch_id=batch_id),
                        className="alert alert-warning"), result
    return rejected_panel(batch, view.lang, view.search()), result


def rejected_panel(batch: dict, lang: str, search: str) -> html.Section:
    batch_id = batch["batch_id"]
    reasons = uploads.rejected_reasons(batch_id)
    total = sum(reasons.values())
    close = dcc.Link(t("data.rejected.close", lang),
                     href=with_params(search, **{BATCH_PARAM: None}), className="data-close")
    head = html.Div(className="data-card-head", children=[
        html.H2(t("data.rejected.title", lang, batch_id=batch_id, file=batch["file_name"]),
                id=ids.DATA_REJECTED_TITLE, className="section-title", tabIndex="-1"), close])
    body = []
    moved = (batch["rows_rejected"] or 0) - total
    if total:
        body.append(html.P(tn("data.rejected.summary", total, lang,
                              reasons=reasons_text(reasons, lang))))
    else:
        body.append(html.P(t("data.rejected.none", lang)))
    if moved > 0 and batch["status"] == "loaded":
        body.append(html.P(t("data.rejected.moved", lang, n=fmt_int(moved, lang)),
                           className="data-muted"))
    if total:
        body.append(_downloads(batch_id, lang))
        names = uploads.unknown_school_names(batch_id)
        if names:
            body.append(alias_block(names, lang))
        body.append(rerun_block(uploads.rerun_plan(batch_id), lang))
        body.append(rejected_grid(uploads.rejected_records(batch_id, limit=GRID_ROWS), total,
                                  lang))
    return html.Section(className="data-card data-rejected", children=[head, *body], **{
        "aria-labelledby": ids.DATA_REJECTED_TITLE, "data-reveal": f"batch-{batch_id}",
        "data-reveal-focus": ""})


def _downloads(batch_id: int, lang: str) -> html.Div:
    href = f"/upload/batches/{batch_id}/rejected.csv"
    return html.Div(className="data-downloads", children=[
        html.Span(t("data.rejected.download", lang)), " ",
        html.A(t("data.rejected.csv", lang), href=href, download=f"rejets-lot-{batch_id}.csv",
               className="btn btn-sm btn-outline-primary"), " ",
        html.A(t("data.rejected.csv_fr", lang), href=f"{href}?format=excel-fr",
               download=f"rejets-lot-{batch_id}-excel-fr.csv",
               className="btn btn-sm btn-outline-primary"),
        html.P(t("data.rejected.download_help", lang), className="data-help data-help-small"),
    ])


def alias_block(names: list[tuple[str, int]], lang: str) -> html.Div:
    """One line per unknown name: the school it stands for, or a dropdown to say it."""
    from etl.reference import SchoolResolver

    choices = uploads.school_choices()
    labels = {o["value"]: o["label"] for o in choices}
    resolver = SchoolResolver.from_engine(uploads.warehouse_engine())
    lines = []
    for position, (name, rows) in enumerate(names):
        quoted = [html.Span(t("data.alias.name", lang, name=name), className="data-alias-name"),
                  " ", html.Span(t("data.alias.rows", lang, rows=rows_text(rows, lang)),
                                 className="data-muted")]
        known = resolver.resolve(name)
        if known:
            lines.append(html.Li(className="data-alias is-known", children=[
                *quoted, " ", html.Span("✓", **{"aria-hidden": "true"}), " ",
                t("data.alias.known", lang, school=labels.get(known, known))]))
            continue
        lines.append(choice_line(
            quoted, {"type": ids.DATA_ALIAS_SCHOOL, "index": position}, choices,
            t("data.alias.choose", lang, name=name),
            {"type": ids.DATA_ALIAS_ADD, "index": position}, t("data.alias.add", lang),
            t("data.alias.add_label", lang, name=name), lang, searchable=True))
    return html.Div(className="data-aliases", children=[
        html.H3(t("data.alias.title", lang), className="data-subtitle"),
        html.P(t("data.alias.help", lang), className="data-help"),
        html.Ul(lines, className="data-alias-list"),
        dcc.Store(id=ids.DATA_ALIAS_NAMES, data=[name for name, _ in names]),
    ])


def choice_line(quoted: list, dropdown_id: dict, options: list[dict], choose: str,
                button_id: dict, button: str, button_label: str, lang: str, *,
                searchable: bool) -> html.Li:
    """One thing to name (a school's name, an answer's label): what it is, a dropdown of
    what it may stand for, and the button that saves the choice."""
    return html.Li(className="data-alias", children=[
        html.Div(quoted, className="data-alias-quoted"),
        html.Label(choose, className="visually-hidden", htmlFor=dom_id(dropdown_id)),
        # The placeholder names the field: Dash 4's dropdown takes its name from it.
        dcc.Dropdown(id=dropdown_id, options=options, value=None, searchable=searchable,
                     clearable=True, placeholder=choose, labels=dropdown_labels(lang),
                     className="data-dropdown data-alias-dropdown"),
        html.Button(button, type="button", n_clicks=0, id=button_id,
                    className="btn btn-sm btn-primary", **{"aria-label": button_label}),
    ])


def rerun_block(plan: dict, lang: str) -> html.Div | None:
    if plan["why_not"] == "not_loaded":
        return None
    children = [html.H3(t("data.rerun.title", lang), className="data-subtitle")]
    if plan["why_not"] == "people":
        children.append(html.P(t("data.rerun.people", lang), className="data-help"))
        return html.Div(children, className="data-rerun")
    if plan["why_not"] == "columns":
        children.append(html.P(t("data.rerun.columns", lang,
                                 columns=", ".join(plan["missing"])), className="data-help"))
        return html.Div(children, className="data-rerun")
    children.append(html.P(t("data.rerun.help", lang), className="data-help"))
    for cause in ("duplicate_key", "shortened"):
        if plan["skipped"].get(cause):
            key = "duplicate" if cause == "duplicate_key" else "shortened"
            children.append(html.P(t(f"data.rerun.skipped_{key}", lang,
                                     n=fmt_int(plan["skipped"][cause], lang)),
                                   className="data-help data-help-small"))
    if plan["possible"]:
        children.append(html.Button(t("data.rerun.button", lang,
                                      rows=rows_text(len(plan["rows"]), lang)),
                                    id=ids.DATA_RERUN, type="button", n_clicks=0,
                                    className="btn btn-outline-primary"))
    return html.Div(children, className="data-rerun")


def rejected_grid(records: list[dict], total: int, lang: str) -> html.Div:
    columns = uploads.data_columns(records)
    row_key, reason_key = "row_number", "reason"
    column_defs = [
        {"field": row_key, "headerName": t("data.col.row", lang), "width": 90,
         "pinned": "left", "type": "numericColumn"},
        {"field": "problem", "headerName": t("data.col.problem", lang), "minWidth": 150,
         "wrapText": True, "autoHeight": True, "cellClass": "data-wrap"},
        {"field": reason_key, "headerName": t("data.col.reason", lang), "minWidth": 320,
         "wrapText": True, "autoHeight": True, "flex": 2, "cellClass": "data-wrap"},
        *[{"field": f"c{i}", "headerName": column, "minWidth": 120, "flex": 1}
          for i, column in enumerate(columns)],
    ]
    rows = [{row_key: r["row_number"], "problem": reason_label(r["reason_code"], lang),
             reason_key: ROW_PREFIX.sub("", r["reason"]),
             **{f"c{i}": r["data"].get(column) for i, column in enumerate(columns)}}
            for r in records]
    grid = dag.AgGrid(
        id=ids.DATA_REJECTED_GRID, rowData=rows, columnDefs=column_defs,
        defaultColDef={"sortable": True, "resizable": True, "filter": True},
        dashGridOptions={"pagination": True, "paginationPageSize": 20,
                         "paginationPageSizeSelector": False, "domLayout": "autoHeight",
                         "localeText": AG_GRID_FR if lang == "fr" else {},
                         "enableCellTextSelection": True, "ensureDomOrder": True},
        className="data-grid", style={"width": "100%"})
    note = (html.P(t("data.rejected.grid_more", lang, shown=fmt_int(len(records), lang),
                     total=fmt_int(total, lang)), className="data-muted")
            if total > len(records) else None)
    return html.Div(className="data-grid-wrap", role="region",
                    **{"aria-label": t("data.rejected.grid_label", lang)},
                    children=[note, grid])


def add_alias(clicks, _schools, names, search):
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(clicks or []):
        raise PreventUpdate
    position = trigger["index"]
    school_id = value_beside(ctx.states_list[0], position)
    return alias_message(names[position], school_id, context(search).lang)


def value_beside(dropdowns: list[dict], position: int):
    """The value of the dropdown beside the clicked button (names already recognised have no
    dropdown, so positions and list indexes differ)."""
    return next((d.get("value") for d in dropdowns if d["id"]["index"] == position), None)


def alias_message(name: str, school_id: str | None, lang: str) -> tuple:
    """Add the alias; (message, DATA_CHANGED) for the page."""
    if not uploads.is_staff():
        return alert_box(t("data.forbidden", lang), "warning"), no_update
    if not school_id:
        return alert_box(t("data.alias.pick_first", lang), "warning"), no_update
    try:
        outcome = uploads.add_school_alias(name, school_id)
    except uploads.UploadRefused as refusal:
        return alert_box(refusal.message(lang), "danger"), no_update
    label = next((o["label"] for o in uploads.school_choices() if o["value"] == school_id),
                 school_id)
    key = "data.alias.added" if outcome == "added" else "data.alias.already"
    return alert_box(t(key, lang, name=name, school=label), "success"), time.time()


def rerun(clicks, search):
    """Load the batch's rejected rows again, as a job: the URL shows its report."""
    if not clicks:
        raise PreventUpdate
    view = context(search)
    batch_id = whole_number(view.params.get(BATCH_PARAM))
    if batch_id is None:
        raise PreventUpdate
    if not uploads.is_staff():
        return no_update, alert_box(t("data.forbidden", view.lang), "warning")
    try:
        job_id = uploads.start_rerun(batch_id)
    except uploads.UploadRefused as refusal:
        return no_update, alert_box(refusal.message(view.lang), "danger")
    return (view.search(**{JOB_PARAM: job_id}),
            alert_box(t("data.rerun.started", view.lang), "info"))
