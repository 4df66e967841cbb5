"""Background load jobs: where the files and the job states live, one JSON state per job
replaced atomically at each step (any worker answers the page's polls), the load itself in a
thread, and what is kept of the files afterwards.
"""

from __future__ import annotations

import datetime as dt
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

from flask import current_app, has_app_context

from dashboard.uploads.base import UploadRefused
from dashboard.uploads.batches import retire_rerun_rows


log = logging.getLogger(__name__)

JOB_ID = re.compile(r"^[0-9a-f]{32}$")
FINISHED = ("done", "failed", "lost")
JOB_STATE_DAYS = 30
JOB_FILES_HOURS = 24
STALE_AFTER = dt.timedelta(hours=6)  # a job silent this long on another machine has died
SHORTENED = re.compile(r"^.{57}\.\.\.$", re.DOTALL)  # etl.transform.common.show cuts texts at 60
HIDDEN_EMAIL = "<an e-mail address, not shown>"
EMAIL_LIKE = re.compile(r"[^\s@'\"]+@[^\s@'\"]+")  # never in a job's state (DESIGN.md 6)


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
            retire_rerun_rows(state["rerun"], reports, engine)
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


def _warm(app) -> None:
    from dashboard import warm

    try:
        warm.warm_in_app(app)
    except Exception:  # noqa: BLE001 - the load is done; visitors will compute the figures
        log.exception("warming the figures after the load failed")


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
