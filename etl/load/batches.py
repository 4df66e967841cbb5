"""One file, one transaction, one load_batch row: read, recognise, transform and write a file
completely or not at all (`load_paths`, `load_table`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections import Counter
from pathlib import Path
from typing import Iterable

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Engine, NestedTransaction
from sqlalchemy.exc import SQLAlchemyError

from etl import marts, survey_formats
from etl.db import get_engine
from etl.extract import SUPPORTED_SUFFIXES, ExtractError, RawTable, file_sha256, read_table
from etl.labels import label_maps
from etl.load.base import (
    LOAD_ORDER, PEOPLE_KINDS, TABLE_OF_KIND, WAVES_OF_KIND, FileReport, LoadError, Progress,
    collector_paused, utc_now)
from etl.load.rows import upsert, write_rejected
from etl.load.surveys import write_survey
from etl.schema import KINDS, edition, load_batch
from etl.settings import get_settings
from etl.transform import tables
from etl.transform.common import edition_dates
from etl.transform.context import LoadContext, MissingPseudonymKey
from etl.transform.surveys import surveys
from etl.transform.tables import FileRefused, Transformed


log = logging.getLogger(__name__)


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
    with collector_paused():
        return _load_paths(paths, kind=kind, wave=wave, edition_arg=edition_arg,
                           dry_run=dry_run, engine=engine or get_engine(), is_demo=is_demo,
                           progress=progress)


def _load_paths(paths, *, kind, wave, edition_arg, dry_run, engine, is_demo,
                progress) -> list[FileReport]:
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
    survey = report.kind == "survey"
    if connection is not None:
        with _large_page_cache(connection, survey):
            return _load_in(connection, connection.begin_nested(), raw, report, wave=wave,
                            edition_arg=edition_arg, dry_run=dry_run, is_demo=is_demo)
    with engine.connect() as conn, _large_page_cache(conn, survey):
        _load_in(conn, conn.begin(), raw, report, wave=wave, edition_arg=edition_arg,
                 dry_run=dry_run, is_demo=is_demo)
        if report.status == "loaded":
            refresh_statistics(conn, report.kind)
        return report


def refresh_statistics(conn: Connection, kind: str) -> None:
    """PostgreSQL plans from table statistics, which a bulk load leaves out of date until
    autovacuum passes (never, where it is off): a 5,000-project query planned for 11 rows ran
    in 450 ms with nested loops instead of 30 ms. ANALYZE samples the table a load wrote (a
    few ms for these tables), after the commit, so the next page is planned on the real sizes.

    Surveys are left to autovacuum: the dashboard reads their tables only through whole-table
    aggregates (the awareness cubes), whose plans do not depend on statistics, and analysing
    them would add 0.7 s to a national load. SQLite's planner needs no statistics here."""
    if conn.dialect.name != "postgresql" or kind not in TABLE_OF_KIND:
        return
    names = conn.dialect.identifier_preparer.format_table(TABLE_OF_KIND[kind][0])
    try:
        with conn.begin():
            conn.exec_driver_sql(f"ANALYZE {names}")
    except SQLAlchemyError as error:  # statistics are a help to the planner, not the load's
        log.warning("ANALYZE after the load failed: %s", str(error).splitlines()[0])


LOAD_PAGE_CACHE_KIB = 256 * 1024


@contextlib.contextmanager
def _large_page_cache(conn: Connection, wanted: bool):
    """SQLite's default page cache (2 MiB) is far smaller than the indexes a survey writes into
    (responses, answers and marts: over 100 MB for a national file): the load would spill and
    re-read pages all along (1 to 1.5 s of a national load). The cache grows only as pages are
    used, and the connection gets its own size back for the web pages' queries. Other kinds
    keep the default: their files are small, and their pages reach the WAL as they are written
    (tests/test_load_atomic.py watches a big file's load do so)."""
    if conn.dialect.name != "sqlite" or not wanted:
        yield
        return
    # On the driver's connection: through SQLAlchemy the PRAGMA would begin a transaction.
    driver = conn.connection.driver_connection
    previous = driver.execute("PRAGMA cache_size").fetchone()[0]
    driver.execute(f"PRAGMA cache_size = -{LOAD_PAGE_CACHE_KIB}")
    try:
        yield
    finally:
        driver.execute(f"PRAGMA cache_size = {int(previous)}")


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
        transformed = (surveys(raw, ctx, label_maps(conn)) if report.kind == "survey"
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
        wave=wave, started_at=utc_now(), status="running", is_demo=is_demo,
        rows_read=report.rows_read).returning(load_batch.c.batch_id)).scalar_one()


def _finish_batch(conn: Connection, report: FileReport, batch_id: int) -> None:
    conn.execute(update(load_batch).where(load_batch.c.batch_id == batch_id).values(
        finished_at=utc_now(), rows_loaded=report.rows_loaded, rows_new=report.rows_new,
        rows_updated=report.rows_updated, rows_unchanged=report.rows_unchanged,
        rows_rejected=report.rows_rejected, status="loaded",
        columns_ignored=json.dumps(report.ignored_columns, ensure_ascii=False)))


def _write(conn: Connection, report: FileReport, transformed: Transformed, batch_id: int) -> None:
    rows = transformed.rows
    editions = set(rows["edition"].dropna().unique()) if "edition" in rows else set()
    _ensure_editions(conn, editions)
    if report.kind == "survey":
        rejected_more, answers = write_survey(conn, report, rows, batch_id)
        marts.refresh(conn, editions, fresh_answers=answers)
        if answers is not None:
            answers.drop(conn)
    else:
        table, keys = TABLE_OF_KIND[report.kind]
        upsert(conn, report, table, keys, rows, batch_id)
        rejected_more = []
    rejected = transformed.rejected + rejected_more
    report.rows_rejected = len(rejected)
    report.reasons = Counter(r["reason_code"] for r in rejected)
    report.editions = editions
    write_rejected(conn, rejected, batch_id)


def _ensure_editions(conn: Connection, editions: set[str]) -> None:
    known = set(conn.scalars(select(edition.c.edition)))
    for name in sorted(editions - known):
        start, end = edition_dates(name)
        conn.execute(edition.insert().values(edition=name, start_date=start, end_date=end))
