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
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import os
import re
import shutil
import socket
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import fields
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, has_app_context, jsonify, request
from werkzeug.exceptions import Forbidden, HTTPException, RequestEntityTooLarge

from dashboard.i18n import normalise_lang, t

log = logging.getLogger(__name__)

STAFF_ROLES = ("admin", "staff")
FILE_FIELD = "files"
AUTO_KIND = "auto"
WAVES = ("pre", "post", "end", "six_months")
JOB_ID = re.compile(r"^[0-9a-f]{32}$")
FINISHED = ("done", "failed", "lost")
JOB_STATE_DAYS = 30
JOB_FILES_HOURS = 24
STALE_AFTER = dt.timedelta(hours=6)  # a job silent this long on another machine has died
SHORTENED = re.compile(r"^.{57}\.\.\.$", re.DOTALL)  # etl.transform.common.show cuts texts at 60
HIDDEN_EMAIL = "<an e-mail address, not shown>"
EMAIL_LIKE = re.compile(r"[^\s@'\"]+@[^\s@'\"]+")  # never in a job's state (DESIGN.md 6)
RERUN_NAME = "rejets-du-lot-{batch_id}.csv"


class UploadRefused(ValueError):
    """A request or an action the page refuses; `key` and `fields` make its message."""

    def __init__(self, key: str, status: int = 400, **fields):
        super().__init__(key)
        self.key, self.status, self.fields = key, status, fields

    def message(self, lang: str) -> str:
        return t(self.key, lang, **self.fields)


# ---- where files and job states live ----

def storage_root() -> Path:
    """`data/`, or IMPACT_UPLOAD_DIR (a folder all the web servers share)."""
    from etl.settings import DATA_DIR, get_settings

    settings = get_settings()
    configured = settings.extra.get("upload_dir") or settings.upload_dir
    return Path(configured) if configured else DATA_DIR


def _own_folder(path: Path) -> Path:
    """A folder that git ignores by itself (it holds uploads and job states, never code)."""
    path.mkdir(parents=True, exist_ok=True)
    marker = path / ".gitignore"
    if not marker.exists():
        marker.write_text("*\n", encoding="utf-8")
    return path


def jobs_dir() -> Path:
    return _own_folder(storage_root() / "jobs")


def kept_dir() -> Path:
    return _own_folder(storage_root() / "uploads")


# ---- job state ----

def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _state_path(job_id: str) -> Path:
    if not JOB_ID.match(job_id or ""):
        raise UploadRefused("data.upload.error.not_found", 404, days=JOB_STATE_DAYS)
    return jobs_dir() / f"{job_id}.json"


def write_state(state: dict) -> None:
    state["updated_at"] = _now()
    path = _state_path(state["job_id"])
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".job-", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(state, out, ensure_ascii=False, default=str)
    os.replace(temporary, path)  # a reader sees the old state or the new one, never half


def read_job(job_id: str) -> dict | None:
    """A job's state, or None when there is no such job (or it was pruned)."""
    try:
        path = _state_path(job_id)
    except UploadRefused:
        return None
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    if state["status"] not in FINISHED and _has_died(state):
        state["status"] = "lost"
    return state


def _has_died(state: dict) -> bool:
    """A job whose process is gone (a restarted worker) will never finish. Another machine's
    processes cannot be asked: a job silent for STALE_AFTER has died there too."""
    updated = dt.datetime.fromisoformat(state["updated_at"])
    if dt.datetime.now(dt.UTC) - updated > STALE_AFTER:
        return True
    if state.get("host") != socket.gethostname():
        return False
    try:
        os.kill(int(state["pid"]), 0)
    except ProcessLookupError:
        return True
    except (OSError, ValueError, TypeError):
        return False
    return False


def report_dict(report) -> dict:
    """A FileReport as JSON: every field `impact load` prints, plus rows_loaded."""
    out = {}
    for name in (f.name for f in fields(report)):
        value = getattr(report, name)
        if isinstance(value, Counter):
            value = dict(value.most_common())
        elif isinstance(value, (set, frozenset)):
            value = sorted(value)
        out[name] = value
    out["rows_loaded"] = report.rows_loaded
    return out


def _prune() -> None:
    """Forget old job states, and delete job folders a dead load left behind."""
    now = time.time()
    for path in jobs_dir().iterdir():
        age = now - path.stat().st_mtime
        if path.is_dir() and age > JOB_FILES_HOURS * 3600:
            shutil.rmtree(path, ignore_errors=True)
        elif path.suffix == ".json" and age > JOB_STATE_DAYS * 86400:
            path.unlink(missing_ok=True)


# ---- jobs ----

def new_job_folder() -> tuple[str, Path]:
    job_id = uuid.uuid4().hex
    return job_id, _own_folder(jobs_dir() / job_id)


def start_job(job_id: str, paths: list[Path], *, kind: str | None = None,
              wave: str | None = None, edition: str | None = None,
              rerun: dict | None = None) -> str:
    """Record the job and load `paths` in a background thread; returns at once."""
    _prune()
    state = {
        "job_id": job_id, "status": "queued", "created_at": _now(), "finished_at": None,
        "files": [p.name for p in paths], "files_total": len(paths), "files_done": 0,
        "current_file": None, "stage": "waiting",
        "options": {"kind": kind, "wave": wave, "edition": edition}, "rerun": rerun,
        "reports": [], "error": None, "pid": os.getpid(), "host": socket.gethostname(),
    }
    write_state(state)
    app = current_app._get_current_object() if has_app_context() else None
    thread = threading.Thread(target=run_job, args=(state, paths, app), daemon=True,
                              name=f"load-{job_id[:8]}")
    thread.start()
    return job_id


def run_job(state: dict, paths: list[Path], app=None) -> dict:
    """Load the files, recording progress and the reports in the job's state; then, when a
    file was loaded, warm the new version's figures in the app's figure cache
    (dashboard/warm.py) before the job says it is done."""
    from etl.db import get_engine
    from etl.load import load_paths

    started = []

    def progress(file_name: str, stage: str) -> None:
        started.append(file_name)
        state.update(files_done=len(started) - 1, current_file=file_name, stage=stage)
        write_state(state)

    options = state["options"]
    state.update(status="running", stage="reading")
    write_state(state)
    try:
        engine = get_engine()
        reports = load_paths(paths, kind=options["kind"], wave=options["wave"],
                             edition_arg=options["edition"], engine=engine, progress=progress)
        if state.get("rerun"):
            _retire_rerun_rows(state["rerun"], reports, engine)
        _keep_originals(paths, reports)
        if app is not None and any(r.status == "loaded" for r in reports):
            _warm(app)
        state.update(status="done", reports=[report_dict(r) for r in reports])
    except Exception as error:
        log.exception("load job %s failed", state["job_id"])
        first = EMAIL_LIKE.sub("<e-mail>", (str(error).splitlines() or [""])[0][:300])
        state.update(status="failed", error=f"{type(error).__name__}: {first}")
    finally:
        shutil.rmtree(jobs_dir() / state["job_id"], ignore_errors=True)
    state.update(files_done=state["files_total"], current_file=None, stage="finished",
                 finished_at=_now())
    write_state(state)
    return state


def _keep_originals(paths: list[Path], reports) -> None:
    """Keep the loaded files without people's data, by sha256 (see the module's docstring)."""
    from etl.extract import file_sha256
    from etl.load import PEOPLE_KINDS

    keep = {r.sha256: r for r in reports
            if r.status == "loaded" and r.sha256 and r.kind not in PEOPLE_KINDS}
    for path in paths:
        if not keep or not path.exists():
            continue
        sha = file_sha256(path)
        if sha in keep:
            target = kept_dir() / sha / path.name
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)


# ---- the upload route ----

def request_lang() -> str:
    from dashboard.pages import default_lang

    asked = request.args.get("lang") or request.headers.get("X-Impact-Lang")
    return normalise_lang(asked, default_lang())


def is_staff() -> bool:
    """The signed-in account may load data (checked on the server, for every action)."""
    from dashboard.pages import current_scope

    try:
        return current_scope().role in STAFF_ROLES
    except HTTPException:
        return False


def _require_staff() -> None:
    if not is_staff():
        raise UploadRefused("data.upload.error.forbidden", 403)


def _check_csrf() -> None:
    from dashboard.security import CSRFError, check_csrf

    if not current_app.secret_key:
        raise UploadRefused("data.upload.error.no_secret", 503)
    try:
        check_csrf(request)  # CSRF: the session's token, sent by upload.js as X-CSRF-Token
    except CSRFError:
        raise UploadRefused("data.upload.error.csrf", 403)


def csrf_token() -> str:
    """The token the page gives upload.js ("" when the server cannot keep sessions)."""
    from dashboard.security import csrf_token as session_token

    return session_token() if current_app.secret_key else ""


def upload_options(form) -> dict:
    """kind, wave and edition from the form, checked as `impact load` checks its options."""
    from etl.load import WAVES_OF_KIND
    from etl.schema import KINDS
    from etl.transform.common import parse_edition_value

    kind = (form.get("kind") or "").strip() or None
    kind = None if kind == AUTO_KIND else kind
    if kind is not None and kind not in KINDS:
        raise UploadRefused("data.upload.error.kind", value=kind)
    wave = (form.get("wave") or "").strip() or None
    if wave is not None and wave not in WAVES:
        raise UploadRefused("data.upload.error.wave", value=wave)
    if wave and kind and wave not in WAVES_OF_KIND.get(kind, ()):
        raise UploadRefused("data.upload.error.wave_kind", wave=wave, kind=kind)
    edition = (form.get("edition") or "").strip() or None
    if edition is not None:
        normalised = parse_edition_value(edition)
        if normalised is None:
            raise UploadRefused("data.upload.error.edition", value=edition)
        edition = normalised
    return {"kind": kind, "wave": wave, "edition": edition}


def safe_file_name(name: str | None) -> str:
    """The file's own name (accents and spaces kept, any folder part dropped)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(c for c in base if c.isprintable()).strip().lstrip(".")
    return base[:200] or "fichier"


def save_uploads(files, folder: Path) -> list[Path]:
    """Each file in its own numbered folder: two files of the same name do not collide."""
    paths = []
    for position, storage in enumerate(files, start=1):
        target = folder / f"{position:03d}" / safe_file_name(storage.filename)
        target.parent.mkdir(parents=True)
        storage.save(target)
        paths.append(target)
    return paths


def upload():
    """POST /upload: files (multipart field "files"), kind, wave, edition -> 202 {job_id}."""
    _require_staff()
    _check_csrf()  # reads the form: a request over MAX_CONTENT_LENGTH fails here with 413
    options = upload_options(request.form)
    files = [f for f in request.files.getlist(FILE_FIELD) if f and f.filename]
    if not files:
        raise UploadRefused("data.upload.error.no_file")
    job_id, folder = new_job_folder()
    paths = save_uploads(files, folder)
    start_job(job_id, paths, **options)
    audit_action("upload", {"job_id": job_id, "files": [p.name for p in paths], **options})
    return jsonify(job_id=job_id, files=[p.name for p in paths],
                   status_url=f"/upload/jobs/{job_id}"), 202


def job_status(job_id: str):
    """GET /upload/jobs/<job_id>: the job's state as JSON."""
    _require_staff()
    state = read_job(job_id)
    if state is None:
        raise UploadRefused("data.upload.error.not_found", 404, days=JOB_STATE_DAYS)
    return jsonify(state)


def rejected_csv_route(batch_id: int):
    """GET /upload/batches/<id>/rejected.csv[?format=excel-fr]: the rows to fix and reload."""
    _require_staff()
    if batch_info(batch_id) is None:
        raise UploadRefused("data.upload.error.batch", 404, batch_id=batch_id)
    excel_fr = request.args.get("format") == "excel-fr"
    from dashboard.auth import audit_later  # after the answer: never waits for a load

    audit_later("download", {"figure": "rejected_rows", "batch_id": batch_id,
                             "format": "csv-fr" if excel_fr else "csv"})
    name = f"rejets-lot-{batch_id}{'-excel-fr' if excel_fr else ''}.csv"
    return Response(rejected_csv(batch_id, excel_fr=excel_fr),
                    mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


def _refused(error: UploadRefused):
    return jsonify(error=error.key.rsplit(".", 1)[-1],
                   message=error.message(request_lang())), error.status


def _too_large(_error: RequestEntityTooLarge):
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    max_mb = _upload_limit_mb()
    return jsonify(error="too_large", max_mb=max_mb, max_bytes=limit,
                   message=t("data.upload.error.too_large", request_lang(),
                             max_mb=max_mb)), 413


def _forbidden(error: Forbidden):
    return jsonify(error="forbidden", message=t("data.upload.error.csrf", request_lang())
                   if "CSRF" in type(error).__name__ else
                   t("data.upload.error.forbidden", request_lang())), 403


def _upload_limit_mb() -> int:
    from etl.settings import get_settings

    return get_settings().max_upload_mb


def register(server: Flask) -> None:
    """The upload routes on the dashboard's Flask server (called once by create_app)."""
    from dashboard import auth
    from dashboard.security import FORM_ENVELOPE_BYTES

    auth.restrict_path("/upload", STAFF_ROLES)  # the gate refuses other roles before the view
    if not server.config.get("MAX_CONTENT_LENGTH"):  # dashboard.security.install sets it too
        server.config["MAX_CONTENT_LENGTH"] = (_upload_limit_mb() * 1024 * 1024
                                               + FORM_ENVELOPE_BYTES)
    routes = Blueprint("uploads", __name__)
    routes.add_url_rule("/upload", "upload", upload, methods=["POST"])
    routes.add_url_rule("/upload/jobs/<job_id>", "job_status", job_status)
    routes.add_url_rule("/upload/batches/<int:batch_id>/rejected.csv", "rejected_csv",
                        rejected_csv_route)
    # The blueprint's handlers answer in JSON for its own routes only; the rest of the app
    # keeps dashboard.security's error pages.
    routes.register_error_handler(UploadRefused, _refused)
    routes.register_error_handler(RequestEntityTooLarge, _too_large)
    routes.register_error_handler(Forbidden, _forbidden)
    server.register_blueprint(routes)


# ---- the warehouse, as the data page sees it ----

def warehouse_engine():
    from etl.db import get_engine

    return get_engine()


def batch_info(batch_id: int, engine=None) -> dict | None:
    from sqlalchemy import select

    from etl.schema import load_batch

    with (engine or warehouse_engine()).connect() as conn:
        row = conn.execute(select(load_batch).where(load_batch.c.batch_id == batch_id)).first()
    return dict(row._mapping) if row else None


def rejected_records(batch_id: int, engine=None, *, limit: int | None = None,
                     reason_code: str | None = None) -> list[dict]:
    """The batch's rejected rows in file order: rejected_id, row_number, reason, reason_code,
    data (a dict)."""
    from sqlalchemy import select

    from etl.schema import rejected_row

    query = (select(rejected_row.c.rejected_id, rejected_row.c.row_number, rejected_row.c.reason,
                    rejected_row.c.reason_code, rejected_row.c.data)
             .where(rejected_row.c.batch_id == batch_id)
             .order_by(rejected_row.c.row_number, rejected_row.c.rejected_id))
    if reason_code:
        query = query.where(rejected_row.c.reason_code == reason_code)
    if limit:
        query = query.limit(limit)
    with (engine or warehouse_engine()).connect() as conn:
        rows = conn.execute(query).all()
    return [{**row._mapping, "data": json.loads(row.data or "{}")} for row in rows]


def rejected_reasons(batch_id: int, engine=None) -> Counter:
    from sqlalchemy import func, select

    from etl.schema import rejected_row

    with (engine or warehouse_engine()).connect() as conn:
        return Counter(dict(conn.execute(
            select(rejected_row.c.reason_code, func.count())
            .where(rejected_row.c.batch_id == batch_id)
            .group_by(rejected_row.c.reason_code)).all()))


def data_columns(records: list[dict]) -> list[str]:
    """The rows' own columns, in the order the file had them."""
    columns: dict[str, None] = {}
    for record in records:
        columns.update(dict.fromkeys(record["data"]))
    return list(columns)


def rejected_csv(batch_id: int, *, excel_fr: bool = False, engine=None) -> str:
    """row_number, reason, then the row's columns: fix the cells, then load the file again.

    The extra columns row_number and reason are reported as ignored when the file is
    reloaded. `excel_fr`: semicolons and a BOM, for a French Excel. The cells came from an
    uploaded file, headers included: those a spreadsheet would run as a formula are
    neutralised (`dashboard.exports.neutralise`).
    """
    from dashboard.exports import neutralise

    records = rejected_records(batch_id, engine)
    columns = data_columns(records)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if excel_fr else ",", lineterminator="\r\n")
    writer.writerow(["row_number", "reason", *(neutralise(c) for c in columns)])
    for record in records:
        writer.writerow([record["row_number"], neutralise(record["reason"]),
                         *[neutralise(_cell(record["data"].get(c))) for c in columns]])
    return ("\ufeff" if excel_fr else "") + out.getvalue()


def _cell(value) -> str:
    return "" if value is None else str(value)


# ---- unknown schools and aliases ----

def unknown_school_names(batch_id: int, engine=None) -> list[tuple[str, int]]:
    """The school names a batch did not recognise, with their row counts, most rows first."""
    counts: Counter = Counter()
    for record in rejected_records(batch_id, engine, reason_code="unknown_school"):
        name = quoted_school(record)
        if name:
            counts[name] += 1
    return counts.most_common()


def quoted_school(record: dict) -> str | None:
    """The name in "unknown school 'X'", taken from the row's own cell when it is there."""
    for column in ("school_id", "school"):
        value = record["data"].get(column)
        if value and f"unknown school '{value}'" in record["reason"]:
            return value
    match = re.search(r"unknown school '(.+?)'(?:;|$)", record["reason"])
    return match.group(1) if match else None


def school_choices(engine=None) -> list[dict]:
    """Every school of the warehouse as dropdown options, by name."""
    from sqlalchemy import select

    from etl.schema import school

    with (engine or warehouse_engine()).connect() as conn:
        rows = conn.execute(select(school.c.school_id, school.c.name, school.c.city)
                            .order_by(school.c.name)).all()
    return [{"label": f"{r.name} ({r.city})" if r.city else r.name, "value": r.school_id}
            for r in rows]


def resolve_school(name: str, engine=None) -> str | None:
    from etl.reference import SchoolResolver

    return SchoolResolver.from_engine(engine or warehouse_engine()).resolve(name)


def add_school_alias(name: str, school_id: str, engine=None) -> str:
    """Write `name` as an alias of `school_id` and refresh the warehouse's aliases.

    Returns "added", or "known" when the name already means that school. Raises
    UploadRefused for a name that cannot be an alias or an unknown school.
    """
    from etl import reference

    engine = engine or warehouse_engine()
    name = (name or "").strip()
    if not reference.name_key(name) or name == HIDDEN_EMAIL or SHORTENED.match(name):
        raise UploadRefused("data.alias.error.name", name=name)
    if school_id not in {o["value"] for o in school_choices(engine)}:
        raise UploadRefused("data.alias.error.school", school=school_id or "")
    current = resolve_school(name, engine)
    if current == school_id:
        return "known"
    if current is not None:
        label = next((o["label"] for o in school_choices(engine) if o["value"] == current),
                     current)
        raise UploadRefused("data.alias.error.taken", name=name, school=label)
    reference.add_alias(name, school_id, path=reference.ALIASES_CSV)
    reference.sync(engine)
    audit_action("school_alias", {"alias": name, "school_id": school_id})
    return "added"


# ---- re-running rejected rows ----

def rerun_plan(batch_id: int, engine=None) -> dict:
    """Which rejected rows of a batch can be loaded again, and why the others cannot.

    {"possible": bool, "why_not": None | "people" | "columns" | "not_loaded",
     "rows": [records], "skipped": {"duplicate_key": n, "shortened": n},
     "missing": [required columns the stored rows lack]}
    """
    from etl.load import PEOPLE_KINDS

    batch = batch_info(batch_id, engine)
    plan = {"possible": False, "why_not": None, "rows": [], "skipped": Counter(),
            "missing": []}
    if batch is None or batch["status"] != "loaded":
        plan["why_not"] = "not_loaded"
        return plan
    if batch["kind"] in PEOPLE_KINDS:
        plan["why_not"] = "people"
        return plan
    records = rejected_records(batch_id, engine)
    plan["missing"] = missing_columns(batch["kind"], data_columns(records))
    if plan["missing"]:
        plan["why_not"] = "columns"
        return plan
    for record in records:
        if record["reason_code"] == "duplicate_key":
            plan["skipped"]["duplicate_key"] += 1  # loading it would overwrite the first row
        elif any(isinstance(v, str) and (SHORTENED.match(v) or v == HIDDEN_EMAIL)
                 for v in record["data"].values()):
            plan["skipped"]["shortened"] += 1  # the stored cell is not the file's cell
        else:
            plan["rows"].append(record)
    plan["possible"] = bool(plan["rows"])
    return plan


def missing_columns(kind: str, columns: list[str]) -> list[str]:
    """Required columns of the kind that the stored rows lack (the loader never stores a
    column it treats as personal, such as `name`, even an organisation's)."""
    from etl.transform.tables import PERSONAL_COLUMNS, REQUIRED

    stored = set(columns)
    return [c for c in REQUIRED.get(kind, ()) if c not in stored and c in PERSONAL_COLUMNS]


def start_rerun(batch_id: int, engine=None) -> str:
    """Load the batch's re-runnable rejected rows as a new batch, in a job; returns its id."""
    plan = rerun_plan(batch_id, engine)
    if not plan["possible"]:
        raise UploadRefused(f"data.rerun.error.{plan['why_not'] or 'nothing'}")
    batch = batch_info(batch_id, engine)
    records = plan["rows"]
    columns = data_columns(records)
    job_id, folder = new_job_folder()
    path = folder / "001" / RERUN_NAME.format(batch_id=batch_id)
    path.parent.mkdir(parents=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for record in records:
            writer.writerow([_cell(record["data"].get(c)) for c in columns])
    start_job(job_id, [path], kind=batch["kind"], wave=batch["wave"],
              rerun={"batch_id": batch_id, "rejected_ids": [r["rejected_id"] for r in records]})
    audit_action("rerun_rejected", {"batch_id": batch_id, "job_id": job_id, "rows": len(records)})
    return job_id


def _retire_rerun_rows(rerun: dict, reports, engine) -> None:
    """Rows re-run into a loaded batch leave the first batch's rejected rows."""
    from sqlalchemy import delete

    from etl.schema import rejected_row

    if not any(r.status == "loaded" for r in reports):
        return
    ids = rerun["rejected_ids"]
    with engine.begin() as conn:
        for start in range(0, len(ids), 500):
            conn.execute(delete(rejected_row).where(
                rejected_row.c.batch_id == rerun["batch_id"],
                rejected_row.c.rejected_id.in_(ids[start:start + 500])))


# ---- undo ----

def unload_batch(batch_id: int, engine=None) -> dict[str, int]:
    """`impact unload`: the batch's rows out of the warehouse (LoadError says why not)."""
    from etl.load import unload

    removed = unload(batch_id, engine or warehouse_engine())
    audit_action("unload", {"batch_id": batch_id, "rows_deleted": removed})
    if has_app_context():  # the new version's figures, built in the background
        from dashboard import warm

        warm.start(current_app._get_current_object())
    return removed


def _warm(app) -> None:
    from dashboard import warm

    try:
        warm.warm_in_app(app)
    except Exception:  # noqa: BLE001 - the load is done; visitors will compute the figures
        log.exception("warming the figures after the load failed")


def audit_action(action: str, detail: dict) -> None:
    """A line of the audit log, by the signed-in account (no person's identifier in it)."""
    from sqlalchemy.exc import SQLAlchemyError

    from dashboard import auth

    try:
        auth.audit(action, detail)
    except SQLAlchemyError:
        log.exception("could not record %s in the audit log", action)


def wait_for_job(job_id: str, timeout: float = 30.0) -> dict:
    """The job's state once finished (tests and scripts)."""
    deadline = time.monotonic() + timeout
    while True:
        state = read_job(job_id)
        if state and state["status"] in FINISHED:
            return state
        if time.monotonic() > deadline:
            raise TimeoutError(f"load job {job_id} still {state and state['status']}")
        time.sleep(0.05)
