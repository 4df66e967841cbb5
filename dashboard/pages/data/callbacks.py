"""`register_callbacks` hands the data page's callbacks to Dash: each lives with its section
(upload, job, batches, rejected rows, answers set aside).
"""

from __future__ import annotations

from dash import ALL, ClientsideFunction, Input, Output, State, callback, clientside_callback

from dashboard import ids
from dashboard.pages.data.base import FILTER_DROPDOWNS
from dashboard.pages.data.batches import ask_undo, confirm_undo, refresh_shell, render_status
from dashboard.pages.data.job import follow_job
from dashboard.pages.data.labels import remove_mapping, render_labels, save_label
from dashboard.pages.data.rejected import add_alias, render_rejected, rerun
from dashboard.pages.data.upload import follow_kind, render_intro, show_files


def register_callbacks() -> None:
    """Hand this page's callbacks to Dash. The page module calls it each time Dash executes it
    (once per app created), as Dash then expects every callback again."""
    callback(Output(ids.DATA_INTRO, "children"), Output(ids.DATA_UPLOAD_CONFIG, "data"),
             Output(ids.DATA_FORM_LANG, "data"), Input(ids.URL, "search"),
             State(ids.DATA_FORM_LANG, "data"))(render_intro)
    callback(Output(ids.DATA_WAVE, "options"), Output(ids.DATA_WAVE, "value"),
             Input(ids.DATA_KIND, "value"), State(ids.DATA_WAVE, "value"), State(ids.URL, "search"),
             prevent_initial_call=True)(follow_kind)
    callback(Output(ids.DATA_FILE_LIST, "children"), Output(ids.DATA_SUBMIT, "disabled"),
             Input(ids.DATA_FILES, "data"), State(ids.URL, "search"),
             prevent_initial_call=True)(show_files)
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
    callback(Output(ids.DATA_JOB, "children"), Output(ids.DATA_POLL, "disabled"),
             Output(ids.DATA_JOB_DONE, "data"), Input(ids.URL, "search"),
             Input(ids.DATA_POLL, "n_intervals"), State(ids.DATA_JOB_DONE, "data"))(follow_job)
    callback(Output(ids.DATA_STATUS, "children"), Input(ids.URL, "search"),
             Input(ids.DATA_CHANGED, "data"), Input(ids.DATA_JOB_DONE, "data"))(render_status)
    callback(Output(ids.FRESHNESS_BADGE, "children", allow_duplicate=True),
             Output(ids.FRESHNESS_STORE, "data", allow_duplicate=True),
             Output(ids.DEMO_BANNER, "children", allow_duplicate=True),
             Output(ids.DEMO_BANNER, "hidden", allow_duplicate=True),
             *[Output(dropdown, "options", allow_duplicate=True) for dropdown in FILTER_DROPDOWNS],
             Input(ids.DATA_CHANGED, "data"), Input(ids.DATA_JOB_DONE, "data"),
             State(ids.URL, "search"), prevent_initial_call=True)(refresh_shell)
    callback(Output(ids.DATA_UNDO_CONFIRM, "message"), Output(ids.DATA_UNDO_CONFIRM, "displayed"),
             Output(ids.DATA_UNDO_PENDING, "data"),
             Input({"type": ids.DATA_UNDO, "index": ALL}, "n_clicks"), State(ids.URL, "search"),
             prevent_initial_call=True)(ask_undo)
    callback(Output(ids.DATA_ACTION_RESULT, "children"),
             Output(ids.DATA_CHANGED, "data", allow_duplicate=True),
             Input(ids.DATA_UNDO_CONFIRM, "submit_n_clicks"), State(ids.DATA_UNDO_PENDING, "data"),
             State(ids.URL, "search"), prevent_initial_call=True)(confirm_undo)
    callback(Output(ids.DATA_REJECTED, "children"),
             Output(ids.DATA_REJECTED_RESULT, "children", allow_duplicate=True),
             Input(ids.URL, "search"), Input(ids.DATA_CHANGED, "data"),
             Input(ids.DATA_JOB_DONE, "data"),
             prevent_initial_call="initial_duplicate")(render_rejected)
    callback(Output(ids.DATA_REJECTED_RESULT, "children", allow_duplicate=True),
             Output(ids.DATA_CHANGED, "data", allow_duplicate=True),
             Input({"type": ids.DATA_ALIAS_ADD, "index": ALL}, "n_clicks"),
             State({"type": ids.DATA_ALIAS_SCHOOL, "index": ALL}, "value"),
             State(ids.DATA_ALIAS_NAMES, "data"), State(ids.URL, "search"),
             prevent_initial_call=True)(add_alias)
    callback(Output(ids.URL, "search", allow_duplicate=True),
             Output(ids.DATA_REJECTED_RESULT, "children", allow_duplicate=True),
             Input(ids.DATA_RERUN, "n_clicks"), State(ids.URL, "search"),
             prevent_initial_call=True)(rerun)
    callback(Output(ids.DATA_LABELS, "children"), Input(ids.URL, "search"),
             Input(ids.DATA_CHANGED, "data"), Input(ids.DATA_JOB_DONE, "data"))(render_labels)
    callback(Output(ids.DATA_LABELS_RESULT, "children", allow_duplicate=True),
             Output(ids.DATA_CHANGED, "data", allow_duplicate=True),
             Input({"type": ids.DATA_LABEL_SAVE, "index": ALL}, "n_clicks"),
             State({"type": ids.DATA_LABEL_STEP, "index": ALL}, "value"),
             State(ids.DATA_LABEL_KEYS, "data"), State(ids.URL, "search"),
             prevent_initial_call=True)(save_label)
    callback(Output(ids.DATA_LABELS_RESULT, "children", allow_duplicate=True),
             Output(ids.DATA_CHANGED, "data", allow_duplicate=True),
             Input({"type": ids.DATA_MAPPING_REMOVE, "index": ALL}, "n_clicks"),
             State(ids.DATA_MAPPING_KEYS, "data"), State(ids.URL, "search"),
             prevent_initial_call=True)(remove_mapping)
