"""Sending files: the upload form (kind, wave, edition, the files), its texts in the view's
language, and the list of the files chosen.
"""

from __future__ import annotations

from dash import dcc, html
from dash.exceptions import PreventUpdate

from dashboard import ids, uploads
from dashboard.components.filters import dropdown_labels
from dashboard.components.page import page_header
from dashboard.i18n import fmt_int, t, tn
from dashboard.pages import context
from dashboard.pages.data.base import ACCEPT, JOB_PARAM, KINDS, WAVES_OF_KIND, kind_label, size_text


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


def follow_kind(kind, wave, search):
    options = wave_options(kind, context(search).lang)
    return options, wave if wave in {o["value"] for o in options} else None


def show_files(files, search):
    return file_list(files, context(search).lang), not files
