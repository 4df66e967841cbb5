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

The package: `base` (vocabularies and texts), one module per section (`upload`, `job`,
`batches`, `rejected`, `labels`) holding its layout and its callbacks, `layout` (the shell),
`callbacks` (`register_callbacks`); `page` registers the page with Dash.
"""

from dashboard.pages.data.base import job_of, size_text, when_text
from dashboard.pages.data.batches import confirm_undo, render_status, status_sections
from dashboard.pages.data.job import follow_job, job_panel, job_summary, report_card, report_lines
from dashboard.pages.data.labels import (
    map_message, render_labels, step_label, step_options, unmap_message)
from dashboard.pages.data.rejected import alias_message, rejected_panel, rerun

__all__ = [
    "alias_message", "confirm_undo", "follow_job", "job_of", "job_panel", "job_summary",
    "map_message", "rejected_panel", "render_labels", "render_status", "report_card",
    "report_lines", "rerun", "size_text", "status_sections", "step_label", "step_options",
    "unmap_message", "when_text",
]
