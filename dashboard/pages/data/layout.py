"""The data page's shell: every section's slot, the stores and the poll that follow a job.
"""

from __future__ import annotations

from dash import dcc, html

from dashboard import ids
from dashboard.pages.data.base import POLL_MS


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
