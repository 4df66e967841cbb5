"""`POST /upload` and the job and rejected-rows routes: staff only, CSRF-checked, the files
saved and their load started as a job; the answer never waits for a load.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import Forbidden, HTTPException, RequestEntityTooLarge

from dashboard.i18n import t
from dashboard.uploads.base import UploadRefused
from dashboard.uploads.batches import audit_action, batch_info, rejected_csv
from dashboard.uploads.jobs import JOB_STATE_DAYS, new_job_folder, read_job, start_job


STAFF_ROLES = ("admin", "staff")
FILE_FIELD = "files"
AUTO_KIND = "auto"
WAVES = ("pre", "post", "end", "six_months")


def request_lang() -> str:
    from dashboard.view import lang_of

    return lang_of(request.args.get("lang") or request.headers.get("X-Impact-Lang"))


def is_staff() -> bool:
    """The signed-in account may load data (checked on the server, for every action)."""
    from dashboard.auth import current_scope

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
