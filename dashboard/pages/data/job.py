"""A load job as the page follows it: progress, then each file's report.
"""

from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc
from dash import dcc, html, no_update

from dashboard import ids, uploads
from dashboard.i18n import fmt_int, t, tn
from dashboard.pages import context
from dashboard.pages.data.base import (
    BATCH_PARAM, JOB_PARAM, date_time, kind_label, reasons_text, tool_label)
from dashboard.view import with_params


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
        body.append(html.P(t("data.job.finished_at", lang, **date_time(when, lang)),
                           className="data-muted"))
    return _job_section(key, t("data.job.report", lang), close, body)


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
