"""Load files into the warehouse: one transaction and one load_batch row per file.

A file is read, recognised, transformed and written completely or not at all. Rows are compared
with what the warehouse holds through their natural key and a digest of their values, so a
re-load updates or leaves rows unchanged and never duplicates; the very same file (same sha256)
is not loaded twice. Writes are set-based: COPY on PostgreSQL, `executemany` of prebuilt tuples
on SQLite.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd
from sqlalchemy import and_, bindparam, delete, func, select, tuple_, update
from sqlalchemy.engine import Connection, Engine, NestedTransaction
from sqlalchemy.exc import SQLAlchemyError

from etl import marts, survey_formats
from etl.db import get_engine
from etl.extract import SUPPORTED_SUFFIXES, ExtractError, RawTable, file_sha256, read_table
from etl.schema import (
    KINDS, edition, guide_record, load_batch, org_followup, organisation, project,
    rejected_row, student, survey_answer, survey_response, tour_event,
)
from etl.settings import get_settings
from etl.transform import tables
from etl.transform.common import edition_dates
from etl.transform.context import LoadContext, MissingPseudonymKey
from etl.transform.surveys import ITEM_COLUMNS, surveys
from etl.transform.tables import FileRefused, Transformed

LOAD_ORDER = ("organisations", "projects", "students", "events", "guide", "survey", "org-survey")
TABLE_OF_KIND = {
    "organisations": (organisation, ("org_id",)),
    "projects": (project, ("project_id",)),
    "students": (student, ("pseudonym", "edition")),
    "events": (tour_event, ("event_id",)),
    "guide": (guide_record, ("record_id",)),
    "org-survey": (org_followup, ("project_id", "wave")),
}
PEOPLE_KINDS = ("students", "survey")
WAVES_OF_KIND = {"survey": ("pre", "post"), "org-survey": ("end", "six_months")}


class LoadError(RuntimeError):
    """A load cannot go on (the message is for a person)."""


@dataclass
class FileReport:
    file: str
    kind: str | None = None
    tool: str | None = None
    sha256: str | None = None
    rows_read: int = 0
    rows_new: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    rows_rejected: int = 0
    reasons: Counter = field(default_factory=Counter)
    ignored_columns: list[str] = field(default_factory=list)
    batch_id: int | None = None
    status: str = "pending"          # loaded, dry_run, skipped (already loaded), failed
    message: str | None = None
    editions: set = field(default_factory=set)

    @property
    def rows_loaded(self) -> int:
        return self.rows_new + self.rows_updated + self.rows_unchanged

    @property
    def ok(self) -> bool:
        return self.status != "failed"


Progress = Callable[[str, str], None]  # (file, stage)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[FileReport]]:
    """Expand folders into their supported files; report paths that do not exist."""
    files, missing = [], []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file()
                                and p.suffix.lower() in SUPPORTED_SUFFIXES
                                and not p.name.startswith((".", "~$"))))
        elif path.exists():
            files.append(path)
        else:
            missing.append(FileReport(file=str(path), status="failed",
                                      message=f"{path}: no such file or folder"))
    return files, missing


def detect_kind(raw: RawTable) -> str | None:
    if survey_formats.looks_like_student_survey(raw):
        return "survey"
    scores = {kind: tables.recognise_score(raw, kind) for kind in tables.REQUIRED}
    best = max(scores, key=scores.get)
    return best if scores[best] else None


def closest_kind(raw: RawTable) -> str | None:
    """The kind whose required columns the headers mostly hold, to name the ones missing."""
    shares = {}
    for kind, required in tables.REQUIRED.items():
        found = len(required) + (kind == "students") - len(tables.missing_columns(raw, kind))
        if found >= 2:
            shares[kind] = found / (len(required) + (kind == "students"))
    best = max(shares, key=shares.get, default=None)
    return best if best and shares[best] >= 0.5 else None


def unrecognised_message(raw: RawTable) -> str:
    columns = {kind: list(cols) for kind, cols in tables.REQUIRED.items()}
    columns["students"] = ["email or student_number", *columns["students"]]
    expected = "; ".join(f"{kind}: {', '.join(cols)}" for kind, cols in columns.items())
    return (f"{raw.file_name}: cannot tell which kind of data this is from its headers "
            f"({', '.join(h for h in raw.headers[:8] if h)}{'...' if len(raw.headers) > 8 else ''}). "
            f"Pass --kind (one of {', '.join(KINDS)}); expected headers: {expected}; "
            f"survey: the questionnaire's questions")


def load_paths(paths, *, kind: str | None = None, wave: str | None = None,
               edition_arg: str | None = None, dry_run: bool = False, engine: Engine | None = None,
               is_demo: bool = False, progress: Progress | None = None) -> list[FileReport]:
    """Load files and folders in reference order (organisations before projects, ...)."""
    engine = engine or get_engine()
    files, reports = collect_files(paths)
    prepared = []
    for path in files:
        report = FileReport(file=path.name)
        try:
            report.sha256 = file_sha256(path)
            raw = read_table(path)
            file_kind = kind or detect_kind(raw)
            if file_kind is None:
                near = closest_kind(raw)
                if near:
                    tables.refuse_missing_columns(raw, near)
                raise FileRefused(unrecognised_message(raw))
            report.kind = file_kind
            prepared.append((LOAD_ORDER.index(file_kind), len(prepared), path, raw, report))
        except (ExtractError, FileRefused, survey_formats.SurveyFormatError) as error:
            _failed(report, str(error))
            reports.append(report)
        except Exception as error:  # noqa: BLE001 - one unreadable file must not stop the others
            _failed(report, _unexpected(error))
            reports.append(report)
    ordered = [(raw, report) for _, _, _, raw, report in sorted(prepared, key=lambda p: p[:2])]
    options = {"wave": wave, "edition_arg": edition_arg, "is_demo": is_demo}
    if not dry_run:
        for raw, report in ordered:
            if progress:
                progress(report.file, "loading")
            reports.append(load_table(raw, report, engine=engine, **options))
        return reports
    # A dry run of several files keeps each file's writes (in a savepoint) until the end, so
    # projects see the organisations of the same run, as they would in the real load.
    with engine.connect() as conn:
        outer = conn.begin()
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN")  # pysqlite defers BEGIN; a savepoint alone would commit
        try:
            for raw, report in ordered:
                if progress:
                    progress(report.file, "checking")
                reports.append(load_table(raw, report, engine=engine, dry_run=True,
                                          connection=conn, **options))
        finally:
            outer.rollback()
    return reports


def load_table(raw: RawTable, report: FileReport, *, engine: Engine, wave=None,
               edition_arg=None, dry_run=False, is_demo=False,
               connection: Connection | None = None) -> FileReport:
    """Transform and write one file in one transaction; the report says what happened.

    With `connection` (a dry run of several files), the file's writes go into a savepoint of
    the caller's transaction, which the caller rolls back.
    """
    if connection is not None:
        return _load_in(connection, connection.begin_nested(), raw, report, wave=wave,
                        edition_arg=edition_arg, dry_run=dry_run, is_demo=is_demo)
    with engine.connect() as conn:
        return _load_in(conn, conn.begin(), raw, report, wave=wave, edition_arg=edition_arg,
                        dry_run=dry_run, is_demo=is_demo)


def _load_in(conn: Connection, transaction, raw: RawTable, report: FileReport, *, wave,
             edition_arg, dry_run, is_demo) -> FileReport:
    settings = get_settings()
    report.rows_read = len(raw.frame)
    nested = isinstance(transaction, NestedTransaction)
    try:
        already = conn.execute(
            select(load_batch.c.batch_id).where(load_batch.c.sha256 == report.sha256,
                                                load_batch.c.status == "loaded")).scalar()
        if already is not None:
            transaction.rollback()
            report.status, report.batch_id = "skipped", already
            report.message = f"{report.file}: already loaded as batch {already}; nothing written"
            return report
        _check_wave(report.kind, wave, raw.file_name)
        ctx = LoadContext.read(conn, pseudonym_key=settings.pseudonym_key, wave=wave,
                               edition=edition_arg)
        if report.kind in PEOPLE_KINDS and not settings.pseudonym_key:
            ctx.pseudonymiser()  # raises the clear message
        transformed = (surveys(raw, ctx) if report.kind == "survey"
                       else tables.TRANSFORMS[report.kind](raw, ctx))
        report.tool = transformed.tool
        report.ignored_columns = transformed.ignored_columns
        batch_id = _start_batch(conn, report, raw, wave, is_demo)
        _write(conn, report, transformed, batch_id)
        _finish_batch(conn, report, batch_id)
        if dry_run:
            if nested:
                transaction.commit()  # released into the dry run's transaction
            else:
                transaction.rollback()
            report.status, report.batch_id = "dry_run", None
        else:
            transaction.commit()
            report.status, report.batch_id = "loaded", batch_id
    except (FileRefused, MissingPseudonymKey, survey_formats.SurveyFormatError,
            LoadError) as error:
        transaction.rollback()
        _failed(report, str(error))
    except SQLAlchemyError as error:
        transaction.rollback()
        first = str(error.orig if hasattr(error, "orig") else error).splitlines()[0]
        _failed(report, f"the warehouse refused the data ({first})")
    except Exception as error:  # noqa: BLE001 - a bug on one file must not stop the others
        transaction.rollback()
        _failed(report, _unexpected(error))
    return report


def _failed(report: FileReport, message: str) -> None:
    """A file not loaded; the message names the file once."""
    report.status = "failed"
    report.message = (message if message.startswith(report.file)
                      else f"{report.file}: {message}")


_EMAIL_LIKE = re.compile(r"[^\s@'\"]+@[^\s@'\"]+")


def _unexpected(error: Exception) -> str:
    """An error the loader did not foresee, in one line and without anyone's e-mail."""
    first = (str(error).splitlines() or [""])[0][:200]
    first = _EMAIL_LIKE.sub("<e-mail>", first)
    return (f"could not be loaded because of an unexpected error ({type(error).__name__}"
            f"{': ' + first if first else ''}); nothing of this file was written")


def _check_wave(kind: str, wave: str | None, file_name: str) -> None:
    if wave is None:
        return
    allowed = WAVES_OF_KIND.get(kind)
    if allowed is None:
        raise FileRefused(f"{file_name}: --wave applies to surveys only, not to '{kind}'")
    if wave not in allowed:
        raise FileRefused(f"{file_name}: --wave for '{kind}' must be {' or '.join(allowed)}, "
                          f"not '{wave}'")


def _start_batch(conn: Connection, report: FileReport, raw: RawTable, wave, is_demo) -> int:
    return conn.execute(load_batch.insert().values(
        file_name=report.file, sha256=report.sha256, kind=report.kind, tool=report.tool,
        wave=wave, started_at=_now(), status="running", is_demo=is_demo,
        rows_read=report.rows_read).returning(load_batch.c.batch_id)).scalar_one()


def _finish_batch(conn: Connection, report: FileReport, batch_id: int) -> None:
    conn.execute(update(load_batch).where(load_batch.c.batch_id == batch_id).values(
        finished_at=_now(), rows_loaded=report.rows_loaded, rows_new=report.rows_new,
        rows_updated=report.rows_updated, rows_unchanged=report.rows_unchanged,
        rows_rejected=report.rows_rejected, status="loaded",
        columns_ignored=json.dumps(report.ignored_columns, ensure_ascii=False)))


def _write(conn: Connection, report: FileReport, transformed: Transformed, batch_id: int) -> None:
    rows = transformed.rows
    editions = set(rows["edition"].dropna()) if "edition" in rows else set()
    _ensure_editions(conn, editions)
    if report.kind == "survey":
        rejected_more = _write_survey(conn, report, rows, batch_id)
        marts.refresh(conn, editions)
    else:
        table, keys = TABLE_OF_KIND[report.kind]
        _upsert(conn, report, table, keys, rows, batch_id)
        rejected_more = []
    rejected = transformed.rejected + rejected_more
    report.rows_rejected = len(rejected)
    report.reasons = Counter(r["reason_code"] for r in rejected)
    report.editions = editions
    _write_rejected(conn, rejected, batch_id)


def _ensure_editions(conn: Connection, editions: set[str]) -> None:
    known = set(conn.scalars(select(edition.c.edition)))
    for name in sorted(editions - known):
        start, end = edition_dates(name)
        conn.execute(edition.insert().values(edition=name, start_date=start, end_date=end))


def _clean(value):
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()  # numpy scalars
    return value


def row_hash(values: Iterable) -> str:
    text = "\x1f".join("" if v is None else str(v) for v in values)
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def _records(rows: pd.DataFrame, columns: list[str]) -> list[tuple]:
    return [tuple(_clean(v) for v in values)
            for values in zip(*(rows[c].tolist() for c in columns))] if len(rows) else []


def _upsert(conn, report, table, keys, rows: pd.DataFrame, batch_id: int) -> None:
    columns = [c.name for c in table.columns if c.name not in ("batch_id", "row_hash")]
    records = _records(rows, columns)
    key_positions = [columns.index(k) for k in keys]
    existing = {tuple(r[:-1]): r[-1] for r in conn.execute(
        select(*[table.c[k] for k in keys], table.c.row_hash))}
    new, changed = [], []
    for record in records:
        digest = row_hash(record)
        key = tuple(record[p] for p in key_positions)
        if key not in existing:
            new.append(record + (batch_id, digest))
        elif existing[key] != digest:
            changed.append(record + (batch_id, digest))
        else:
            report.rows_unchanged += 1
    bulk_insert(conn, table, columns + ["batch_id", "row_hash"], new)
    if changed:
        all_columns = columns + ["batch_id", "row_hash"]
        statement = update(table).where(and_(*[table.c[k] == bindparam(f"key_{k}") for k in keys]))
        statement = statement.values({c: bindparam(f"v_{c}") for c in all_columns if c not in keys})
        conn.execute(statement, [
            {**{f"key_{k}": r[all_columns.index(k)] for k in keys},
             **{f"v_{c}": r[i] for i, c in enumerate(all_columns) if c not in keys}}
            for r in changed])
    report.rows_new += len(new)
    report.rows_updated += len(changed)


def bulk_insert(conn: Connection, table, columns: list[str], records: list[tuple]) -> None:
    """COPY on PostgreSQL, executemany of prebuilt tuples on SQLite."""
    if not records:
        return
    names = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        import psycopg

        cursor = conn.connection.driver_connection.cursor()
        try:
            with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for record in records:
                    copy.write_row(record)
        except psycopg.Error as error:
            # The driver's own cursor: SQLAlchemy does not wrap its errors, so say it here.
            first = (str(error).splitlines() or [type(error).__name__])[0]
            raise LoadError(f"the warehouse refused the data ({first})") from error
        return
    placeholders = ", ".join("?" for _ in columns)
    conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({placeholders})",
                         [tuple(_sqlite_value(v) for v in r) for r in records])


def _sqlite_value(value):
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


RESPONSE_COLUMNS = ["respondent_key", "pseudonym", "edition", "wave", "school_id",
                    "submitted_at", "tool"]


def _write_survey(conn, report, rows: pd.DataFrame, batch_id: int) -> list[dict]:
    """Responses by natural key (respondent, edition, wave); the latest submission wins."""
    if rows.empty:
        return []
    item_columns = [c for c in ITEM_COLUMNS if c in rows.columns]
    records = _records(rows, RESPONSE_COLUMNS + item_columns + ["row_number"])
    pairs = {(r[2], r[3]) for r in records}
    existing = {}
    for edition_name, wave in pairs:
        for r in conn.execute(select(
                survey_response.c.respondent_key, survey_response.c.response_id,
                survey_response.c.submitted_at, survey_response.c.row_hash,
                survey_response.c.batch_id).where(
                survey_response.c.edition == edition_name, survey_response.c.wave == wave)):
            existing[(r.respondent_key, edition_name, wave)] = r
    new, changed, superseded = [], [], []
    n_base = len(RESPONSE_COLUMNS)
    for record in records:
        base, items, row_number = record[:n_base], record[n_base:-1], record[-1]
        digest = row_hash(base[1:] + items)
        old = existing.get((base[0], base[2], base[3]))
        if old is None:
            new.append((base, items, digest))
        elif old.submitted_at and base[5] and _naive(old.submitted_at) > _naive(base[5]):
            superseded.append({"row_number": row_number, "reason_code": "superseded",
                               "reason": f"row {row_number}: superseded by a later response of "
                                         f"the same respondent already loaded (batch {old.batch_id})",
                               "data": dict(zip(item_columns, items)) | (
                                   {"pseudonym": base[1]} if base[1] else {})})
        elif old.row_hash == digest:
            report.rows_unchanged += 1
        else:
            changed.append((old.response_id, base, items, digest))
    bulk_insert(conn, survey_response, RESPONSE_COLUMNS + ["batch_id", "row_hash"],
                [base + (batch_id, digest) for base, _, digest in new])
    ids = {}
    if new:
        ids = {(r.respondent_key, r.edition, r.wave): r.response_id for r in conn.execute(
            select(survey_response.c.respondent_key, survey_response.c.edition,
                   survey_response.c.wave, survey_response.c.response_id)
            .where(survey_response.c.batch_id == batch_id))}
    if changed:
        conn.execute(update(survey_response).where(
            survey_response.c.response_id == bindparam("rid")).values(
            {c: bindparam(f"v_{c}") for c in RESPONSE_COLUMNS[1:] + ["batch_id", "row_hash"]}), [
            {"rid": rid, **{f"v_{c}": v for c, v in zip(RESPONSE_COLUMNS[1:], base[1:])},
             "v_batch_id": batch_id, "v_row_hash": digest} for rid, base, _, digest in changed])
        changed_ids = [rid for rid, *_ in changed]
        for start in range(0, len(changed_ids), 5000):
            conn.execute(delete(survey_answer).where(
                survey_answer.c.response_id.in_(changed_ids[start:start + 5000])))
    answers = []
    for response_id, items in ([(ids[(b[0], b[2], b[3])], i) for b, i, _ in new]
                               + [(rid, i) for rid, _, i, _ in changed]):
        values = dict(zip(item_columns, items))
        choices = values.pop("ess_structures_choices", None)
        for item, value in values.items():
            if value is not None:
                answers.append((response_id, item, float(value),
                                choices if item == "ess_structures_known" else None))
    bulk_insert(conn, survey_answer, ["response_id", "item", "value", "choices"], answers)
    report.rows_new += len(new)
    report.rows_updated += len(changed)
    return superseded


def _naive(value) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=None)


def _write_rejected(conn, rejected: list[dict], batch_id: int) -> None:
    bulk_insert(conn, rejected_row, ["batch_id", "row_number", "reason", "reason_code", "data"],
                [(batch_id, int(r["row_number"]), r["reason"], r["reason_code"],
                  json.dumps(r.get("data") or {}, ensure_ascii=False, default=str))
                 for r in sorted(rejected, key=lambda r: r["row_number"])])


# ---- taking data back out ----

FACT_TABLES_BY_DEPENDENCY = (org_followup, guide_record, survey_response, student, tour_event,
                             project, organisation)


def unload(batch_id: int, engine: Engine | None = None) -> dict[str, int]:
    """Delete the rows a batch wrote, refresh the derived tables, mark the batch unloaded."""
    engine = engine or get_engine()
    with engine.begin() as conn:
        batch = conn.execute(select(load_batch).where(load_batch.c.batch_id == batch_id)).first()
        if batch is None:
            raise LoadError(f"there is no load batch {batch_id} (see `impact status`)")
        if batch.status != "loaded":
            raise LoadError(f"batch {batch_id} is {batch.status}, not loaded: nothing to take out")
        _refuse_if_referenced(conn, batch_id)
        editions = set(conn.scalars(select(survey_response.c.edition).where(
            survey_response.c.batch_id == batch_id).distinct()))
        removed = {}
        response_ids = select(survey_response.c.response_id).where(
            survey_response.c.batch_id == batch_id)
        removed["survey_answer"] = conn.execute(
            delete(survey_answer).where(survey_answer.c.response_id.in_(response_ids))).rowcount
        for table in FACT_TABLES_BY_DEPENDENCY:
            removed[table.name] = conn.execute(
                delete(table).where(table.c.batch_id == batch_id)).rowcount
        # Its rejected rows go too: re-loading the file would otherwise count them twice.
        removed[rejected_row.name] = conn.execute(
            delete(rejected_row).where(rejected_row.c.batch_id == batch_id)).rowcount
        marts.refresh(conn, editions)
        conn.execute(update(load_batch).where(load_batch.c.batch_id == batch_id)
                     .values(status="unloaded"))
    return {name: count for name, count in removed.items() if count}


def _refuse_if_referenced(conn: Connection, batch_id: int) -> None:
    checks = (
        (project, project.c.org_id, organisation, organisation.c.org_id, "projects"),
        (guide_record, guide_record.c.org_id, organisation, organisation.c.org_id, "guide records"),
        (student, student.c.project_id, project, project.c.project_id, "students"),
        (org_followup, org_followup.c.project_id, project, project.c.project_id, "follow-up answers"),
        (guide_record, guide_record.c.event_id, tour_event, tour_event.c.event_id, "guide records"),
    )
    for child, child_key, parent, parent_key, what in checks:
        count = conn.execute(select(func.count()).select_from(child).where(
            child.c.batch_id != batch_id,
            child_key.in_(select(parent_key).where(parent.c.batch_id == batch_id)))).scalar()
        if count:
            raise LoadError(f"batch {batch_id} cannot be taken out: {count} {what} loaded by "
                            f"other batches refer to its rows; unload those batches first")


def forget(identifier: str, engine: Engine | None = None, actor: str = "impact forget") -> dict:
    """Erase one person everywhere (answers, roster, derived tables, rejected rows)."""
    from etl.audit import record
    from etl.schema import mart_pair, mart_response
    from etl.transform.context import make_pseudonymiser

    settings = get_settings()
    if not settings.pseudonym_key:
        raise LoadError("IMPACT_PSEUDONYM_KEY is not set: the person's pseudonym cannot be computed")
    pseudonym = make_pseudonymiser(settings.pseudonym_key)(identifier)
    engine = engine or get_engine()
    with engine.begin() as conn:
        response_ids = select(survey_response.c.response_id).where(
            survey_response.c.pseudonym == pseudonym)
        removed = {
            "survey_answer": conn.execute(delete(survey_answer).where(
                survey_answer.c.response_id.in_(response_ids))).rowcount,
            "mart_response": conn.execute(delete(mart_response).where(
                mart_response.c.pseudonym == pseudonym)).rowcount,
            "mart_pair": conn.execute(delete(mart_pair).where(
                mart_pair.c.pseudonym == pseudonym)).rowcount,
            "survey_response": conn.execute(delete(survey_response).where(
                survey_response.c.pseudonym == pseudonym)).rowcount,
            "student": conn.execute(delete(student).where(
                student.c.pseudonym == pseudonym)).rowcount,
            "rejected_row": conn.execute(delete(rejected_row).where(
                rejected_row.c.data.contains(pseudonym))).rowcount,
        }
        record(conn, actor=actor, action="forget",
               detail={"rows_deleted": {k: v for k, v in removed.items() if v}})
    return removed
