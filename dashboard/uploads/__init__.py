"""Uploads for the "Données" page: a Flask route for the files, background load jobs, and the
page's reads and writes of the warehouse (batches, rejected rows, school aliases, re-runs).

Why a route and not `dcc.Upload`: dcc.Upload sends each file base64-encoded inside a callback's
JSON, which tens of megabytes do not survive. The browser (`assets/upload.js`) posts the files
as multipart form data to `POST /upload`; the size limit is Flask's MAX_CONTENT_LENGTH, from
IMPACT_MAX_UPLOAD_MB (a larger request gets a JSON 413). The route saves the files, starts the
load in a thread of the server process and answers at once with a job id, so no request waits
for a load. The load is `etl.load.load_paths`, the one `impact load` runs, and the job keeps its
reports (`report_dict`: the same fields the command prints).

Job state is one JSON file per job, `<storage>/jobs/<job_id>.json`, replaced atomically at each
step, so any worker can answer the page's polls. Several workers on one machine share it as is;
several machines need `<storage>` on a shared disk (IMPACT_UPLOAD_DIR), or the uploads sent to
one machine. `<storage>` is `data/` unless IMPACT_UPLOAD_DIR (or the settings' extra
`upload_dir`, for tests) says otherwise; `jobs/` and `uploads/` there ignore themselves in git.

What is kept on disk, and why:
- the uploaded files live in `jobs/<job_id>/` during their load and are deleted after it;
- a loaded file of a kind without people (organisations, projects, events, guide,
  org-survey) is kept as `uploads/<sha256>/<file name>`, the exact bytes behind a load batch;
- a file of people's data (students, survey) is never kept: it holds e-mails, and
  `impact forget` must be able to erase a person everywhere (DESIGN.md section 6);
- job states are pruned after JOB_STATE_DAYS days, left-over job folders after a day.

Re-running rejected rows: a file already loaded is refused by its sha256, so once a school
alias is added (or a missing organisation loaded), `start_rerun` writes the batch's rejected
rows (stored as JSON, without identifiers) into a CSV and loads it as a new batch; the re-run
rows then leave the first batch (they live on in the new one, loaded or rejected again). Rows of
people's data cannot be re-run: their identifiers were never stored, by design; the original
file must be loaded again after its batch is undone.

The package: `base` (the refusal the page shows), `batches` (batches, rejected rows, undo),
`jobs` (storage, job states, the load thread), `reruns` (school aliases, re-runs), `route`
(the Flask routes, `register`). This face hands on what the data page and the app use.
"""

from dashboard.uploads.base import UploadRefused
from dashboard.uploads.batches import (
    batch_info, data_columns, rejected_csv, rejected_reasons, rejected_records, unload_batch,
    warehouse_engine)
from dashboard.uploads.jobs import (
    FINISHED, JOB_STATE_DAYS, new_job_folder, read_job, report_dict, wait_for_job, write_state)
from dashboard.uploads.reruns import (
    add_school_alias, rerun_plan, resolve_school, school_choices, start_rerun,
    unknown_school_names)
from dashboard.uploads.route import AUTO_KIND, WAVES, csrf_token, is_staff, register

__all__ = [
    "AUTO_KIND", "FINISHED", "JOB_STATE_DAYS", "WAVES", "UploadRefused", "add_school_alias",
    "batch_info", "csrf_token", "data_columns", "is_staff", "new_job_folder", "read_job",
    "register", "rejected_csv", "rejected_reasons", "rejected_records", "report_dict",
    "rerun_plan", "resolve_school", "school_choices", "start_rerun", "unknown_school_names",
    "unload_batch", "wait_for_job", "warehouse_engine", "write_state",
]
