"""Données: staff load files, read each load's report, undo a batch, fix rejected rows, and say
what the survey answers set aside mean.

Staff only (`roles=("admin", "staff")`), checked again on the server by every callback that
reads or changes the warehouse (`uploads.is_staff`), not only by the page registry.

How an upload travels: `assets/upload.js` adds a file input to the drop zone; the "Charger"
button runs a clientside callback that posts the files to `POST /upload` (`dashboard.uploads`,
a Flask route: no base64 through a callback) and puts the job id into the URL (`?job=<id>`).
The job panel reads the job's state (a JSON file any worker can read) every second until the
load ends, then shows each file's report, the fields `impact load` prints, and tells the rest
of the page (the batch list, the counts, the freshness badge of the shell) to redraw.

Answers set aside (`etl.labels`): an answer whose label no one could read waits, its response
counted for its other items. The page lists them by label (with the columns they came from and
their count) beside a dropdown of the scale's answers; saving calls `etl.labels.map_label` as
the signed-in account, which re-reads them at once and rebuilds the figures; the saved labels
are listed with a button that calls `unmap_label`.

The view is the URL: `?job=<id>` shows a load's report, `?batch=<id>` a batch's rejected rows;
both can be bookmarked or sent to a colleague. Everything else is computed per request; the
pure functions (`job_panel`, `report_card`, `batch_table`, `rejected_panel`...) take plain data,
so the tests call them, and the callbacks, as plain functions.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import logging
import re
import time
from zoneinfo import ZoneInfo

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import (
    ALL,
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
    dcc,
    html,
    no_update,
)
from dash.exceptions import PreventUpdate

from dashboard import ids, uploads
from dashboard.components.badges import demo_banner, freshness_badge
from dashboard.components.filters import FILTERS, dropdown_labels
from dashboard.components.page import page_error, page_header
from dashboard.i18n import fmt_date, fmt_decimal, fmt_int, t, tn
from dashboard.pages import FILTER_PARAMS, context, parse_search, with_params

log = logging.getLogger(__name__)

dash.register_page(
    __name__, path="/donnees", order=90, name="Données", nav_key="data.nav",
    title="Données · Latitudes Impact", roles=("admin", "staff"),
    description="Charger les fichiers du programme et vérifier chaque chargement.",
)

JOB_PARAM, BATCH_PARAM = "job", "batch"
FILTER_DROPDOWNS = [dropdown for _param, dropdown, *_ in FILTERS]  # in FILTER_PARAMS order
KINDS = ("organisations", "projects", "students", "events", "guide", "survey", "org-survey")
WAVES_OF_KIND = {"survey": ("pre", "post"), "org-survey": ("end", "six_months")}
ACCEPT = ".csv,.tsv,.txt,.xlsx,.xlsm,.zip"
POLL_MS = 1000
BATCHES_SHOWN = 100
GRID_ROWS = 1000
PARIS = ZoneInfo("Europe/Paris")
COUNTED_TABLES = ("organisation", "project", "student", "tour_event", "guide_record",
                  "survey_response", "org_followup", "rejected_row")
TOOLS = {"google_forms": "Google Forms", "google_sheets": "Google Sheets",
         "microsoft_forms": "Microsoft Forms", "kobotoolbox": "KoboToolbox",
         "limesurvey": "LimeSurvey", "typeform": "Typeform", "framaforms": "Framaforms"}
ROW_PREFIX = re.compile(r"^row \d+: ")  # the grid shows the row number in its own column
REFERENCED = re.compile(r"cannot be taken out: (\d+) (.+?) loaded by other batches")

AG_GRID_FR = {  # the texts AG Grid draws itself (English by default)
    "page": "Page", "of": "sur", "to": "à", "more": "plus", "next": "Suivante",
    "last": "Dernière", "first": "Première", "previous": "Précédente",
    "firstPage": "Première page", "lastPage": "Dernière page", "nextPage": "Page suivante",
    "previousPage": "Page précédente", "pageSizeSelectorLabel": "Lignes par page :",
    "noRowsToShow": "Aucune ligne", "loadingOoo": "Chargement…", "filterOoo": "Filtrer…",
    "equals": "Égal à", "notEqual": "Différent de", "contains": "Contient",
    "notContains": "Ne contient pas", "startsWith": "Commence par", "endsWith": "Finit par",
    "blank": "Vide", "notBlank": "Non vide", "andCondition": "ET", "orCondition": "OU",
    "ariaFilterValue": "Valeur du filtre", "ariaFilterInput": "Champ de filtre",
    "sortAscending": "Tri croissant", "sortDescending": "Tri décroissant",
}


def layout(**_query) -> html.Div:
    return html.Div(className="page page-data", children=[
        dcc.Store(id=ids.DATA_FORM_LANG),
        dcc.Store(id=ids.DATA_UPLOAD_CONFIG),
        dcc.Store(id=ids.DATA_FILES, data=[]),
        dcc.Store(id=ids.DATA_JOB_DONE),
        dcc.Store(id=ids.DATA_CHANGED, data=0),
        dcc.Store(id=ids.DATA_UNDO_PENDING),
        dcc.Interval(id=ids.DATA_POLL, interval=POLL_MS, disabled=True),
        dcc.ConfirmDialog(id=ids.DATA_UNDO_CONFIRM),
        html.Div(id=ids.DATA_REVEAL, hidden=True),
        html.Div(id=ids.DATA_INTRO),
        html.Div(id=ids.DATA_JOB, className="data-job"),
        html.Div(id=ids.DATA_REJECTED_RESULT, role="status", className="data-action-result"),
        html.Div(id=ids.DATA_REJECTED),
        html.Div(id=ids.DATA_LABELS_RESULT, role="status", className="data-action-result"),
        html.Div(id=ids.DATA_LABELS),
        html.Div(id=ids.DATA_ACTION_RESULT, role="status", className="data-action-result"),
        html.Div(id=ids.DATA_STATUS),
    ])


# ---- formats ----

def kind_label(kind: str | None, lang: str) -> str:
    return t(f"data.kind.{kind}", lang) if kind in KINDS else (kind or "—")


def tool_label(tool: str | None, lang: str) -> str:
    if tool == "template":
        return t("data.tool.template", lang)
    return TOOLS.get(tool or "", tool or "—")


def reason_label(code: str, lang: str) -> str:
    key = f"data.reason.{code}"
    from dashboard.i18n import MESSAGES

    return t(key, lang) if key in MESSAGES else code.replace("_", " ")


def reasons_text(reasons: dict, lang: str) -> str:
    """'école inconnue (2), valeur invalide (1)': the reasons, most rows first."""
    return ", ".join(f"{reason_label(code, lang)} ({fmt_int(n, lang)})"
                     for code, n in sorted(reasons.items(), key=lambda item: -item[1]))


def when_text(value, lang: str) -> str:
    """A UTC timestamp of the warehouse, in Paris time: 23/11/2026 à 14:05."""
    if not value:
        return "—"
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone(PARIS)
    return t("data.when", lang, date=fmt_date(local, lang), time=local.strftime("%H:%M"))


def size_text(size: int, lang: str) -> str:
    units = ("o", "ko", "Mo", "Go") if lang == "fr" else ("B", "KB", "MB", "GB")
    value, unit = float(size), 0
    while value >= 1000 and unit < len(units) - 1:
        value, unit = value / 1000, unit + 1
    number = fmt_int(value, lang) if unit == 0 else fmt_decimal(value, lang)
    return f"{number}\u202f{units[unit]}" if lang == "fr" else f"{number} {units[unit]}"


def _rows(n: int, lang: str) -> str:
    return tn("data.count.rows", n, lang)


# ---- the upload form ----

def upload_form(lang: str, max_mb: int) -> html.Section:
    kind_options = [{"label": t("data.upload.kind.auto", lang), "value": uploads.AUTO_KIND}] + [
        {"label": kind_label(kind, lang), "value": kind} for kind in KINDS]
    zone = html.Label(
        htmlFor=ids.DATA_FILE_INPUT, id=ids.DATA_DROPZONE, className="data-dropzone",
        **{"data-upload-zone": "", "data-input-id": ids.DATA_FILE_INPUT, "data-accept": ACCEPT,
           "data-files-store": ids.DATA_FILES, "data-describedby": ids.DATA_FORMATS_HELP},
        children=[
            html.Span("↑", className="data-dropzone-icon", **{"aria-hidden": "true"}),
            html.Strong(t("data.upload.drop", lang), className="data-dropzone-title"),
            html.Span(t("data.upload.browse", lang), className="data-dropzone-browse"),
            html.Span(t("data.upload.formats", lang, max_mb=fmt_int(max_mb, lang)),
                      id=ids.DATA_FORMATS_HELP, className=ids.DATA_FORMATS_HELP),
        ])
    field = "data-field"
    return html.Section(className="data-card data-upload", **{
        "aria-labelledby": ids.DATA_UPLOAD_TITLE}, children=[
        html.H2(t("data.upload.title", lang), id=ids.DATA_UPLOAD_TITLE, className="section-title"),
        html.P(t("data.upload.intro", lang), className="data-help"),
        zone,
        html.Div(file_list([], lang), id=ids.DATA_FILE_LIST, className="data-file-list",
                 **{"aria-live": "polite"}),
        html.Div(className="data-options", children=[
            # Dash 4's dropdown names itself after its value (aria-labelledby), not after a
            # <label for>: the group carries the field's name for screen readers.
            html.Div(className=field, role="group", **{"aria-labelledby": f"{ids.DATA_KIND}-label"},
                     children=[
                html.Label(t("data.upload.kind", lang), htmlFor=ids.DATA_KIND,
                           id=f"{ids.DATA_KIND}-label", className="data-label"),
                dcc.Dropdown(id=ids.DATA_KIND, options=kind_options, value=uploads.AUTO_KIND,
                             clearable=False, searchable=False, labels=dropdown_labels(lang),
                             className="data-dropdown")]),
            html.Div(className=field, role="group", **{"aria-labelledby": f"{ids.DATA_WAVE}-label"},
                     children=[
                html.Label(t("data.upload.wave", lang), htmlFor=ids.DATA_WAVE,
                           id=f"{ids.DATA_WAVE}-label", className="data-label"),
                dcc.Dropdown(id=ids.DATA_WAVE, options=wave_options(uploads.AUTO_KIND, lang),
                             value=None, clearable=True, searchable=False,
                             placeholder=t("data.upload.wave.none", lang),
                             labels=dropdown_labels(lang),
                             className="data-dropdown")]),
            html.Div(className=field, children=[
                html.Label(t("data.upload.edition", lang), htmlFor=ids.DATA_EDITION,
                           className="data-label"),
                dcc.Input(id=ids.DATA_EDITION, type="text", value="", debounce=False,
                          placeholder=t("data.upload.edition.placeholder", lang),
                          pattern=r"\d{4}\s*[-/]\s*\d{2,4}", autoComplete="off",
                          className="form-control data-edition")]),
        ]),
        html.P(t("data.upload.options_help", lang), className="data-help data-help-small"),
        html.Div(className="data-submit-row", children=[
            html.Button(t("data.upload.submit", lang), id=ids.DATA_SUBMIT, type="button",
                        n_clicks=0, disabled=True, className="btn btn-primary"),
            html.Div(id=ids.DATA_UPLOAD_STATUS, role="status", className="data-upload-status"),
        ]),
    ])


def wave_options(kind: str | None, lang: str) -> list[dict]:
    waves = WAVES_OF_KIND.get(kind or "", uploads.WAVES)
    return [{"label": t(f"data.wave.{wave}", lang), "value": wave} for wave in waves]


def file_list(files: list[dict] | None, lang: str) -> list:
    if not files:
        return [html.Span(t("data.upload.none", lang), className="data-muted")]
    return [html.Span(tn("data.upload.chosen", len(files), lang)),
            html.Ul([html.Li([html.Span(f["name"], className="data-file-name"), " ",
                              html.Span(size_text(int(f.get("size") or 0), lang),
                                        className="data-muted")])
                     for f in files], className="data-files")]


def upload_config(lang: str, max_mb: int, csrf: str) -> dict:
    """What upload.js needs: where to post, the token, the limit and its messages."""
    return {
        "url": "/upload", "csrf": csrf, "lang": lang, "max_mb": max_mb,
        "max_bytes": max_mb * 1024 * 1024, "input_id": ids.DATA_FILE_INPUT,
        "status_id": ids.DATA_UPLOAD_STATUS, "submit_id": ids.DATA_SUBMIT,
        "job_param": JOB_PARAM,
        "texts": {
            "sending": t("data.upload.sending", lang, pct="{pct}"),
            "started": t("data.upload.started", lang),
            "network": t("data.upload.network", lang),
            "session": t("data.upload.session", lang),
            "no_file": t("data.upload.error.no_file", lang),
            "too_large": t("data.upload.too_large_local", lang, size="{size}",
                           max_mb=fmt_int(max_mb, lang)),
            "failed": t("data.upload.error.failed", lang, status="{status}"),
        },
    }


@callback(Output(ids.DATA_INTRO, "children"), Output(ids.DATA_UPLOAD_CONFIG, "data"),
          Output(ids.DATA_FORM_LANG, "data"),
          Input(ids.URL, "search"), State(ids.DATA_FORM_LANG, "data"))
def render_intro(search, drawn_lang):
    """The header and the form, drawn again only when the language changes (a ?job= or
    ?batch= change must not clear the options the user chose)."""
    from etl.settings import get_settings

    view = context(search)
    if drawn_lang == view.lang:
        raise PreventUpdate
    header = page_header(t("data.title", view.lang), t("data.lede", view.lang))
    if not uploads.is_staff():
        return [header, html.Div(t("data.forbidden", view.lang), role="alert",
                                 className="alert alert-warning")], None, view.lang
    max_mb = get_settings().max_upload_mb
    return ([header, upload_form(view.lang, max_mb)],
            upload_config(view.lang, max_mb, uploads.csrf_token()), view.lang)


@callback(Output(ids.DATA_WAVE, "options"), Output(ids.DATA_WAVE, "value"),
          Input(ids.DATA_KIND, "value"), State(ids.DATA_WAVE, "value"),
          State(ids.URL, "search"), prevent_initial_call=True)
def follow_kind(kind, wave, search):
    options = wave_options(kind, context(search).lang)
    return options, wave if wave in {o["value"] for o in options} else None


@callback(Output(ids.DATA_FILE_LIST, "children"), Output(ids.DATA_SUBMIT, "disabled"),
          Input(ids.DATA_FILES, "data"), State(ids.URL, "search"), prevent_initial_call=True)
def show_files(files, search):
    return file_list(files, context(search).lang), not files


clientside_callback(
    ClientsideFunction(namespace="impactData", function_name="upload"),
    Output(ids.URL, "search", allow_duplicate=True),
    Output(ids.DATA_UPLOAD_STATUS, "children"),
    Output(ids.DATA_FILES, "data", allow_duplicate=True),
    Input(ids.DATA_SUBMIT, "n_clicks"),
    State(ids.DATA_KIND, "value"), State(ids.DATA_WAVE, "value"),
    State(ids.DATA_EDITION, "value"), State(ids.DATA_UPLOAD_CONFIG, "data"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction(namespace="impactData", function_name="reveal"),
    Output(ids.DATA_REVEAL, "children"),
    Input(ids.DATA_JOB, "children"), Input(ids.DATA_REJECTED, "children"),
    prevent_initial_call=True,
)


# ---- the job: progress, then the report ----

@callback(Output(ids.DATA_JOB, "children"), Output(ids.DATA_POLL, "disabled"),
          Output(ids.DATA_JOB_DONE, "data"),
          Input(ids.URL, "search"), Input(ids.DATA_POLL, "n_intervals"),
          State(ids.DATA_JOB_DONE, "data"))
def follow_job(search, _tick, applied):
    """The job of ?job=: its progress while it runs (polling), then its report. When a job's
    end has not been applied yet, DATA_JOB_DONE changes, and the rest of the page redraws."""
    view = context(search)
    job_id = view.params.get(JOB_PARAM)
    if not job_id or not uploads.is_staff():
        return None, True, no_update
    state = uploads.read_job(job_id)
    panel = job_panel(state, view.lang, view.search())
    if state is None or state["status"] not in uploads.FINISHED:
        return panel, state is None, no_update
    return panel, True, job_id if applied != job_id else no_update


def job_panel(state: dict | None, lang: str, search: str) -> html.Section:
    """Progress of a running job, or the report of a finished one."""
    close = dcc.Link(t("data.job.close", lang), href=with_params(search, **{JOB_PARAM: None}),
                     className="data-close")
    if state is None:
        return _job_section("unknown", t("data.job.report", lang), close, [
            html.P(t("data.job.unknown", lang, days=uploads.JOB_STATE_DAYS))])
    key = f"job-{state['job_id']}"
    if state["status"] not in uploads.FINISHED:
        return _job_section(key, t("data.job.running", lang), None, _progress(state, lang))
    body = []
    if state["status"] == "failed":
        body.append(html.Div(t("data.job.failed", lang, error=state.get("error") or "?"),
                             role="alert", className="alert alert-danger"))
    elif state["status"] == "lost":
        body.append(html.Div(t("data.job.lost", lang), role="alert",
                             className="alert alert-warning"))
    reports = state.get("reports") or []
    if reports:
        body.append(html.P(job_summary(reports, lang), className="data-job-summary"))
        body.extend(report_card(report, lang, search) for report in reports)
    if state.get("finished_at"):
        when = dt.datetime.fromisoformat(state["finished_at"])
        body.append(html.P(t("data.job.finished_at", lang, **_date_time(when, lang)),
                           className="data-muted"))
    return _job_section(key, t("data.job.report", lang), close, body)


def _date_time(value: dt.datetime, lang: str) -> dict:
    local = value.astimezone(PARIS) if value.tzinfo else value.replace(tzinfo=dt.UTC).astimezone(
        PARIS)
    return {"date": fmt_date(local, lang), "time": local.strftime("%H:%M")}


def _job_section(key: str, title: str, close, body: list) -> html.Section:
    return html.Section(className="data-card data-job-card", **{
        "aria-labelledby": ids.DATA_JOB_TITLE, "data-reveal": key}, children=[
        html.Div(className="data-card-head", children=[
            html.H2(title, id=ids.DATA_JOB_TITLE, className="section-title", tabIndex="-1"),
            close]),
        *body])


def _progress(state: dict, lang: str) -> list:
    total, done = state.get("files_total") or 0, state.get("files_done") or 0
    stage = state.get("stage")
    if stage in ("reading", "waiting") or not state.get("current_file"):
        current = t("data.job.reading" if stage == "reading" else "data.job.waiting", lang)
    else:
        current = t("data.job.current", lang, file=state["current_file"])
    label = t("data.job.progress", lang, done=fmt_int(done, lang), total=fmt_int(total, lang))
    return [
        dbc.Progress(value=done, max=max(total, 1), label=label, striped=True, animated=True,
                     className="data-progress", style={"height": "1.6rem"}),
        html.P(current, className="data-current"),
    ]


def job_summary(reports: list[dict], lang: str) -> str:
    """'3 fichiers : 2 chargés, 1 refusé.'"""
    statuses = [r["status"] for r in reports]
    parts = [tn(key, statuses.count(status), lang) for status, key in (
        ("loaded", "data.job.loaded"), ("skipped", "data.job.skipped"),
        ("failed", "data.job.failed_files")) if statuses.count(status)]
    return t("data.job.summary", lang, files=tn("data.count.files", len(reports), lang),
             parts=", ".join(parts) or "—")


def report_lines(report: dict, lang: str) -> list[str]:
    """One file's report, as `impact load` prints it, in sentences for the page."""
    if report["status"] == "failed":
        return [report.get("message") or "?", t("data.report.failed_help", lang)]
    if report["status"] == "skipped":
        return [t("data.report.skipped_detail", lang, batch_id=report["batch_id"])]
    lines = [
        t("data.report.recognised", lang, kind=kind_label(report["kind"], lang),
          tool=tool_label(report["tool"], lang)),
        " · ".join([
            tn("data.report.read", report["rows_read"], lang),
            t("data.report.loaded_rows", lang,
              n=tn("data.report.loaded", report["rows_loaded"], lang),
              new=tn("data.report.new", report["rows_new"], lang),
              updated=tn("data.report.updated", report["rows_updated"], lang),
              unchanged=tn("data.report.unchanged", report["rows_unchanged"], lang)),
            tn("data.report.rejected", report["rows_rejected"], lang)]),
    ]
    if report.get("reasons"):
        lines.append(t("data.report.reasons", lang, reasons=reasons_text(report["reasons"],
                                                                         lang)))
    if report.get("answers_set_aside"):
        lines.append(tn("data.report.set_aside", report["answers_set_aside"], lang))
    if report.get("ignored_columns"):
        lines.append(t("data.report.ignored", lang,
                       columns=", ".join(report["ignored_columns"])))
    return lines


def report_card(report: dict, lang: str, search: str) -> html.Article:
    status = report["status"]
    mark = {"loaded": "✓", "skipped": "=", "failed": "✗"}.get(status, "•")
    badge = t(f"data.report.{status}", lang) if status in (
        "loaded", "skipped", "failed", "dry_run") else status
    head = [html.Span(mark, className="data-mark", **{"aria-hidden": "true"}),
            html.Span(report["file"], className="data-report-file"),
            html.Span(badge, className=f"data-badge is-{status}")]
    if report.get("batch_id") and status == "loaded":
        head.append(html.Span(t("data.report.batch", lang, batch_id=report["batch_id"]),
                              className="data-muted"))
    lines = report_lines(report, lang)
    body = [html.P(line, className="data-report-line" + (
        " data-report-error" if status == "failed" and i == 0 else "")) for i, line in
        enumerate(lines)]
    if status == "loaded" and report.get("rows_rejected"):
        body.append(dcc.Link(t("data.report.see_rejected", lang),
                             href=with_params(search, **{BATCH_PARAM: str(report["batch_id"])}),
                             className="data-link"))
    return html.Article(className=f"data-report is-{status}", children=[
        html.H3(head, className="data-report-head"), *body])


# ---- the warehouse and its batches ----

@callback(Output(ids.DATA_STATUS, "children"),
          Input(ids.URL, "search"), Input(ids.DATA_CHANGED, "data"),
          Input(ids.DATA_JOB_DONE, "data"))
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
    selected = _int(view.params.get(BATCH_PARAM))
    return status_sections(status, view.lang, view.search(), selected)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


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


@callback(Output(ids.FRESHNESS_BADGE, "children", allow_duplicate=True),
          Output(ids.FRESHNESS_STORE, "data", allow_duplicate=True),
          Output(ids.DEMO_BANNER, "children", allow_duplicate=True),
          Output(ids.DEMO_BANNER, "hidden", allow_duplicate=True),
          *[Output(dropdown, "options", allow_duplicate=True) for dropdown in FILTER_DROPDOWNS],
          Input(ids.DATA_CHANGED, "data"), Input(ids.DATA_JOB_DONE, "data"),
          State(ids.URL, "search"), prevent_initial_call=True)
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

@callback(Output(ids.DATA_UNDO_CONFIRM, "message"), Output(ids.DATA_UNDO_CONFIRM, "displayed"),
          Output(ids.DATA_UNDO_PENDING, "data"),
          Input({"type": ids.DATA_UNDO, "index": ALL}, "n_clicks"), State(ids.URL, "search"),
          prevent_initial_call=True)
def ask_undo(clicks, search):
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(clicks or []):
        raise PreventUpdate
    batch = uploads.batch_info(trigger["index"])
    if batch is None:
        raise PreventUpdate
    lang = context(search).lang
    return (t("data.undo.confirm", lang, batch_id=batch["batch_id"], file=batch["file_name"],
              rows=_rows(batch["rows_loaded"] or 0, lang)), True, batch["batch_id"])


@callback(Output(ids.DATA_ACTION_RESULT, "children"),
          Output(ids.DATA_CHANGED, "data", allow_duplicate=True),
          Input(ids.DATA_UNDO_CONFIRM, "submit_n_clicks"), State(ids.DATA_UNDO_PENDING, "data"),
          State(ids.URL, "search"), prevent_initial_call=True)
def confirm_undo(submitted, batch_id, search):
    """The user confirmed: take the batch out, say what left, redraw the figures."""
    if not submitted or batch_id is None:
        raise PreventUpdate
    lang = context(search).lang
    if not uploads.is_staff():
        return _alert(t("data.forbidden", lang), "warning"), no_update
    return undo_message(int(batch_id), lang), time.time()


def undo_message(batch_id: int, lang: str):
    from etl.load import LoadError

    try:
        removed = uploads.unload_batch(batch_id)
    except LoadError as error:
        return _alert(t("data.undo.refused", lang, batch_id=batch_id,
                        why=_refusal(str(error), lang)), "danger")
    parts = [f"{t(f'data.table.{table}', lang)} : {fmt_int(n, lang)}" if lang == "fr"
             else f"{t(f'data.table.{table}', lang)}: {fmt_int(n, lang)}"
             for table, n in removed.items()]
    return _alert(t("data.undo.done", lang, batch_id=batch_id,
                    removed=", ".join(parts) or t("data.undo.nothing", lang)), "success")


def _refusal(message: str, lang: str) -> str:
    match = REFERENCED.search(message)
    if match:
        return t("data.undo.referenced", lang, n=fmt_int(int(match.group(1)), lang),
                 what=match.group(2))
    return message


def _alert(text: str, colour: str) -> html.Div:
    return html.Div(text, className=f"alert alert-{colour} data-alert",
                    role="alert" if colour in ("danger", "warning") else None)


# ---- rejected rows, unknown schools, re-runs ----

@callback(Output(ids.DATA_REJECTED, "children"),
          Output(ids.DATA_REJECTED_RESULT, "children", allow_duplicate=True),
          Input(ids.URL, "search"), Input(ids.DATA_CHANGED, "data"),
          Input(ids.DATA_JOB_DONE, "data"), prevent_initial_call="initial_duplicate")
def render_rejected(search, _changed, _job_done):
    view = context(search)
    batch_id = _int(view.params.get(BATCH_PARAM))
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
                  " ", html.Span(t("data.alias.rows", lang, rows=_rows(rows, lang)),
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


def dom_id(component_id: dict) -> str:
    """The DOM id Dash gives a pattern-matching id (its stringifyId), for a label's htmlFor."""
    return "{" + ",".join(f"{json.dumps(key)}:{json.dumps(value, ensure_ascii=False)}"
                          for key, value in sorted(component_id.items())) + "}"


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
                                      rows=_rows(len(plan["rows"]), lang)),
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


@callback(Output(ids.DATA_REJECTED_RESULT, "children", allow_duplicate=True),
          Output(ids.DATA_CHANGED, "data", allow_duplicate=True),
          Input({"type": ids.DATA_ALIAS_ADD, "index": ALL}, "n_clicks"),
          State({"type": ids.DATA_ALIAS_SCHOOL, "index": ALL}, "value"),
          State(ids.DATA_ALIAS_NAMES, "data"), State(ids.URL, "search"),
          prevent_initial_call=True)
def add_alias(clicks, _schools, names, search):
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(clicks or []):
        raise PreventUpdate
    position = trigger["index"]
    school_id = _value_beside(ctx.states_list[0], position)
    return alias_message(names[position], school_id, context(search).lang)


def _value_beside(dropdowns: list[dict], position: int):
    """The value of the dropdown beside the clicked button (names already recognised have no
    dropdown, so positions and list indexes differ)."""
    return next((d.get("value") for d in dropdowns if d["id"]["index"] == position), None)


def alias_message(name: str, school_id: str | None, lang: str) -> tuple:
    """Add the alias; (message, DATA_CHANGED) for the page."""
    if not uploads.is_staff():
        return _alert(t("data.forbidden", lang), "warning"), no_update
    if not school_id:
        return _alert(t("data.alias.pick_first", lang), "warning"), no_update
    try:
        outcome = uploads.add_school_alias(name, school_id)
    except uploads.UploadRefused as refusal:
        return _alert(refusal.message(lang), "danger"), no_update
    label = next((o["label"] for o in uploads.school_choices() if o["value"] == school_id),
                 school_id)
    key = "data.alias.added" if outcome == "added" else "data.alias.already"
    return _alert(t(key, lang, name=name, school=label), "success"), time.time()


@callback(Output(ids.URL, "search", allow_duplicate=True),
          Output(ids.DATA_REJECTED_RESULT, "children", allow_duplicate=True),
          Input(ids.DATA_RERUN, "n_clicks"), State(ids.URL, "search"),
          prevent_initial_call=True)
def rerun(clicks, search):
    """Load the batch's rejected rows again, as a job: the URL shows its report."""
    if not clicks:
        raise PreventUpdate
    view = context(search)
    batch_id = _int(view.params.get(BATCH_PARAM))
    if batch_id is None:
        raise PreventUpdate
    if not uploads.is_staff():
        return no_update, _alert(t("data.forbidden", view.lang), "warning")
    try:
        job_id = uploads.start_rerun(batch_id)
    except uploads.UploadRefused as refusal:
        return no_update, _alert(refusal.message(view.lang), "danger")
    return (view.search(**{JOB_PARAM: job_id}),
            _alert(t("data.rerun.started", view.lang), "info"))


# ---- answers set aside: the labels staff map to a step of the scale ----

NUMBERED_SCALES = ("agreement", "satisfaction", "recommend")  # the step's number means something
NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


@functools.cache
def _answer_words() -> dict[tuple[str, str, str], str]:
    """(scale, lang, value) -> the first wording of that answer in the reference vocabulary
    (the words the loader reads), so the page names each step as forms write it."""
    from etl.survey_formats import ANSWERS_CSV

    words = {}
    with ANSWERS_CSV.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            scale = "ess_option" if row["scale"] == "ess_none" else row["scale"]
            value = row["value"] or "none"
            words.setdefault((scale, row["lang"], value), row["label"])
    return words


def scale_name(scale: str, lang: str) -> str:
    from dashboard.i18n import MESSAGES

    key = f"data.scale.{scale}"
    return t(key, lang) if key in MESSAGES else scale


def step_label(scale: str, value: str, lang: str) -> str:
    """'3 – Ni d'accord ni pas d'accord', 'Oui, précisément', '10 – très probable'."""
    from dashboard.i18n import MESSAGES

    key = f"data.step.{scale}.{value}"
    word = t(key, lang) if key in MESSAGES else _answer_words().get((scale, lang, value))
    if scale in NUMBERED_SCALES:
        return f"{value} – {word}" if word else value
    return word or value


def step_options(scale: str, lang: str) -> list[dict]:
    from etl import labels

    return [{"label": step_label(scale, value, lang), "value": value}
            for value in labels.SCALES.get(scale, ())]


def set_aside_groups(rows: list[dict]) -> list[dict]:
    """The rows of `set_aside_by_label` by (scale, label), since one mapping reads a label in
    every question of its scale: {"scale", "label", "count", "questions": [(question, n)]},
    most answers first."""
    groups: dict[tuple[str, str], dict] = {}
    for row in rows:
        group = groups.setdefault((row["scale"], row["label"]), {
            "scale": row["scale"], "label": row["label"], "count": 0, "questions": []})
        group["count"] += row["count"]
        group["questions"].append((row["question"], row["count"]))
    return sorted(groups.values(), key=lambda g: (-g["count"], g["scale"], g["label"]))


@callback(Output(ids.DATA_LABELS, "children"),
          Input(ids.URL, "search"), Input(ids.DATA_CHANGED, "data"),
          Input(ids.DATA_JOB_DONE, "data"))
def render_labels(search, _changed, _job_done):
    from sqlalchemy.exc import SQLAlchemyError

    from etl import labels

    view = context(search)
    if not uploads.is_staff():
        return None
    engine = uploads.warehouse_engine()
    try:
        set_aside, saved = labels.set_aside_by_label(engine), labels.mappings(engine)
    except SQLAlchemyError:
        log.exception("data page: the answers set aside could not be read")
        return page_error(view.lang)
    return labels_section(set_aside, saved, view.lang)


def labels_section(set_aside: list[dict], saved: list[dict], lang: str) -> html.Section:
    """The answers set aside, one line per label with its dropdown, then the saved labels."""
    from etl.answers import answer_key

    groups = set_aside_groups(set_aside)
    saved_values = {(m["scale"], answer_key(m["label"])): str(m["value"]) for m in saved}
    body = [html.P(t("data.labels.help", lang), className="data-help")]
    if groups:
        body.append(html.P(tn("data.labels.summary", sum(g["count"] for g in groups), lang)))
        body.append(html.Ul([label_line(position, group, saved_values.get(
                                 (group["scale"], answer_key(group["label"]))), lang)
                             for position, group in enumerate(groups)],
                            className="data-alias-list data-label-list"))
    else:
        body.append(html.P(t("data.labels.none", lang), className="data-muted"))
    body += [
        dcc.Store(id=ids.DATA_LABEL_KEYS,
                  data=[{"scale": g["scale"], "label": g["label"]} for g in groups]),
        html.H3(t("data.mappings.title", lang), className="data-subtitle"),
        mapping_table(saved, lang),
        dcc.Store(id=ids.DATA_MAPPING_KEYS,
                  data=[{"scale": m["scale"], "label": m["label"]} for m in saved]),
    ]
    return html.Section(className="data-card data-labels", children=[
        html.H2(t("data.labels.title", lang), id=ids.DATA_LABELS_TITLE,
                className="section-title"), *body],
        **{"aria-labelledby": ids.DATA_LABELS_TITLE})


def label_line(position: int, group: dict, mapped: str | None, lang: str) -> html.Li:
    """A label to map; or, when no new mapping can read it, why not (no dropdown then).
    `mapped`: the value the label already reads as (its answers wait for another label)."""
    from etl import labels

    label, scale = group["label"], scale_name(group["scale"], lang)
    questions = " ; " if lang == "fr" else "; "
    where = t("data.labels.where", lang, scale=scale, questions=questions.join(
        t("data.labels.question", lang, question=question, n=fmt_int(n, lang))
        for question, n in group["questions"]))
    shown = label if label != labels.NOT_SHOWN else "…"
    quoted = [html.Span(t("data.alias.name", lang, name=shown), className="data-alias-name"),
              " ", html.Span(t("data.alias.rows", lang,
                               rows=tn("data.labels.answers", group["count"], lang)),
                             className="data-muted"),
              html.Div(where, className="data-help data-help-small data-label-where")]
    why_not = (t("data.labels.hidden", lang) if label == labels.NOT_SHOWN
               else t("data.labels.number", lang) if is_number_outside(label, group["scale"])
               else t("data.labels.waits", lang, step=step_label(group["scale"], mapped, lang))
               if mapped is not None else None)
    if why_not:
        return html.Li(className="data-alias is-waiting", children=[
            html.Div(quoted, className="data-alias-quoted"),
            html.P(why_not, className="data-help data-help-small")])
    return choice_line(
        quoted, {"type": ids.DATA_LABEL_STEP, "index": position},
        step_options(group["scale"], lang), t("data.labels.choose", lang, label=label),
        {"type": ids.DATA_LABEL_SAVE, "index": position}, t("data.labels.save", lang),
        t("data.labels.save_label", lang, label=label, scale=scale), lang,
        searchable=group["scale"] == "recommend")


def is_number_outside(label: str, scale: str) -> bool:
    """A number on a numbered scale was set aside for being outside it: `map_label` refuses
    to make it mean another step (a 7 out of 5 is a typing error, not a wording)."""
    from etl import labels

    return scale in labels.NUMERIC_SCALES and NUMBER.fullmatch(label.strip()) is not None


def mapping_table(saved: list[dict], lang: str):
    if not saved:
        return html.P(t("data.mappings.none", lang), className="data-muted")
    columns = ("label", "scale", "value", "by", "when")
    head = html.Thead(html.Tr([html.Th(t(f"data.mappings.col.{c}", lang), scope="col")
                               for c in columns]
                              + [html.Th(t("data.col.action", lang), scope="col")]))
    rows = []
    for position, mapping in enumerate(saved):
        label, scale = mapping["label"], scale_name(mapping["scale"], lang)
        rows.append(html.Tr([
            html.Td(t("data.alias.name", lang, name=label), className="data-alias-name"),
            html.Td(scale),
            html.Td(step_label(mapping["scale"], str(mapping["value"]), lang)),
            html.Td(mapping.get("created_by") or "—"),
            html.Td(when_text(mapping.get("created_at"), lang), className="text-nowrap"),
            html.Td(html.Button(
                t("data.mappings.remove", lang), type="button", n_clicks=0,
                id={"type": ids.DATA_MAPPING_REMOVE, "index": position},
                className="btn btn-sm btn-outline-danger",
                **{"aria-label": t("data.mappings.remove_label", lang, label=label,
                                   scale=scale)})),
        ]))
    return html.Div([
        html.P(t("data.mappings.help", lang), className="data-help data-help-small"),
        html.Div(html.Table([html.Caption(t("data.mappings.caption", lang),
                                          className="visually-hidden"),
                             head, html.Tbody(rows)],
                            className="table table-sm data-table data-mappings"),
                 className="table-responsive")])


def signed_in_email() -> str | None:
    """Who is saving: the account's e-mail (None outside a request)."""
    from dashboard import auth

    account = auth.current_account()
    return account.email if account is not None else None


@callback(Output(ids.DATA_LABELS_RESULT, "children", allow_duplicate=True),
          Output(ids.DATA_CHANGED, "data", allow_duplicate=True),
          Input({"type": ids.DATA_LABEL_SAVE, "index": ALL}, "n_clicks"),
          State({"type": ids.DATA_LABEL_STEP, "index": ALL}, "value"),
          State(ids.DATA_LABEL_KEYS, "data"), State(ids.URL, "search"),
          prevent_initial_call=True)
def save_label(clicks, _steps, keys, search):
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(clicks or []) or not keys:
        raise PreventUpdate
    position = trigger["index"]
    if position >= len(keys):
        raise PreventUpdate
    value = _value_beside(ctx.states_list[0], position)
    return map_message(keys[position]["label"], keys[position]["scale"], value,
                       context(search).lang, actor=signed_in_email())


@callback(Output(ids.DATA_LABELS_RESULT, "children", allow_duplicate=True),
          Output(ids.DATA_CHANGED, "data", allow_duplicate=True),
          Input({"type": ids.DATA_MAPPING_REMOVE, "index": ALL}, "n_clicks"),
          State(ids.DATA_MAPPING_KEYS, "data"), State(ids.URL, "search"),
          prevent_initial_call=True)
def remove_mapping(clicks, keys, search):
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(clicks or []) or not keys:
        raise PreventUpdate
    position = trigger["index"]
    if position >= len(keys):
        raise PreventUpdate
    return unmap_message(keys[position]["label"], keys[position]["scale"],
                         context(search).lang, actor=signed_in_email())


def map_message(label: str, scale: str, value: str | None, lang: str, *,
                actor: str | None) -> tuple:
    """Map the label, re-read its answers; (message, DATA_CHANGED) for the page."""
    from sqlalchemy.exc import SQLAlchemyError

    from etl import labels

    if not uploads.is_staff():
        return _alert(t("data.forbidden", lang), "warning"), no_update
    if value in (None, ""):
        return _alert(t("data.labels.pick_first", lang), "warning"), no_update
    value = str(value)
    if value not in labels.SCALES.get(scale, ()):
        return _alert(t("data.labels.outside", lang, value=value,
                        scale=scale_name(scale, lang)), "danger"), no_update
    try:
        reread = labels.map_label(label, scale, value, actor=actor,
                                  engine=uploads.warehouse_engine())
    except labels.LabelError as error:
        return _alert(t("data.labels.refused", lang, why=str(error)), "danger"), no_update
    except SQLAlchemyError:
        log.exception("data page: the label could not be saved")
        return _alert(t("data.labels.failed", lang), "danger"), no_update
    return _alert(t("data.labels.mapped", lang, label=label, scale=scale_name(scale, lang),
                    step=step_label(scale, value, lang),
                    reread=tn("data.labels.reread", reread, lang)), "success"), time.time()


def unmap_message(label: str, scale: str, lang: str, *, actor: str | None) -> tuple:
    """Remove the label's mapping, set its answers aside again; (message, DATA_CHANGED)."""
    from sqlalchemy.exc import SQLAlchemyError

    from etl import labels

    if not uploads.is_staff():
        return _alert(t("data.forbidden", lang), "warning"), no_update
    engine = uploads.warehouse_engine()
    try:
        value = next((str(m["value"]) for m in labels.mappings(engine)
                      if m["label"] == label and m["scale"] == scale), None)
        again = labels.unmap_label(label, scale, actor=actor, engine=engine)
    except labels.LabelError as error:
        return _alert(t("data.labels.unmap_refused", lang, why=str(error)), "danger"), no_update
    except SQLAlchemyError:
        log.exception("data page: the label could not be removed")
        return _alert(t("data.labels.failed", lang), "danger"), no_update
    step = step_label(scale, value, lang) if value is not None else "—"
    return _alert(t("data.labels.unmapped", lang, label=label, scale=scale_name(scale, lang),
                    step=step, again=tn("data.labels.again", again, lang)),
                  "success"), time.time()


def job_of(search: str | None) -> str | None:
    """The job id a URL shows (tests)."""
    return parse_search(search).get(JOB_PARAM)
