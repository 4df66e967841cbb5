"""Load files into the warehouse: one transaction and one load_batch row per file.

A file is read, recognised, transformed and written completely or not at all. Rows are compared
with what the warehouse holds through their natural key and a digest of their values, so a
re-load updates or leaves rows unchanged and never duplicates; the very same file (same sha256)
is not loaded twice. Writes are set-based: COPY on PostgreSQL, `executemany` of multi-row
INSERTs on SQLite; values are converted a column at a time, never cell by cell (bench/README.md
has the figures of a national file).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import math
import re
from collections import Counter
from itertools import chain, groupby
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd
from sqlalchemy import (Boolean, Column, Date, DateTime, Float, Integer, MetaData, Table, Text,
                        and_, bindparam, delete, func, select, text, tuple_, update)
from sqlalchemy.engine import Connection, Engine, NestedTransaction
from sqlalchemy.schema import (AddConstraint, CreateIndex, DropConstraint, DropIndex,
                               UniqueConstraint)
from sqlalchemy.exc import SQLAlchemyError

from etl import marts, survey_formats
from etl.db import get_engine
from etl.extract import SUPPORTED_SUFFIXES, ExtractError, RawTable, file_sha256, read_table
from etl.labels import label_maps
from etl.schema import (
    KINDS, edition, guide_record, load_batch, org_followup, organisation, project,
    rejected_row, row_lineage, student, survey_answer, survey_response, tour_event,
)
from etl.settings import get_settings
from etl.transform import tables
from etl.transform.common import edition_dates
from etl.transform.context import LoadContext, MissingPseudonymKey
from etl.transform.surveys import ITEM_COLUMNS, surveys
from etl.transform.tables import FileRefused, Transformed

log = logging.getLogger(__name__)

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
    answers_set_aside: int = 0       # answers no vocabulary label nor staff mapping reads
    # [{"question", "label", "count"}] of the answers set aside, largest count first
    set_aside_by_label: list = field(default_factory=list)

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
    editions = set(rows["edition"].dropna().unique()) if "edition" in rows else set()
    _ensure_editions(conn, editions)
    if report.kind == "survey":
        rejected_more, answers = _write_survey(conn, report, rows, batch_id)
        marts.refresh(conn, editions, fresh_answers=answers)
        if answers is not None:
            answers.drop(conn)
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


def _row_hashes(columns: list[list]) -> list[str]:
    """Each row's digest (row_hash): MD5 of its values as text ('' for None) joined by \\x1f,
    from its values given column by column."""
    texts = [_texts(cells) for cells in columns]
    return [hashlib.md5("\x1f".join(parts).encode("utf-8")).hexdigest() for parts in zip(*texts)]


def _texts(cells: list) -> list[str]:
    """str() of each value, '' for None."""
    if set(map(type, cells)) <= {str, type(None)}:
        return [cell or "" for cell in cells]
    return ["" if cell is None else str(cell) for cell in cells]


# Values _clean leaves as they are: a column holding only these needs no per-cell work.
_DRIVER_READY = frozenset({str, int, bool, type(None), dt.date, dt.datetime})


def _column(values: pd.Series) -> list:
    """A column's cells as _clean makes them (None for missing, Python scalars), converted a
    column at a time: the per-cell call was the load's main cost at national scale."""
    if values.dtype.kind == "M" and getattr(values.dtype, "tz", None) is None:
        # Naive datetimes: converted by pandas at once (_clean's to_pydatetime, per cell).
        return values.dt.to_pydatetime().where(values.notna(), None).tolist()
    cells = values.to_numpy(dtype=object).tolist()  # Python scalars, without pandas' iteration
    kinds = set(map(type, cells))
    if kinds <= _DRIVER_READY:
        return cells
    if kinds <= _DRIVER_READY | {float}:
        return [None if cell != cell else cell for cell in cells]  # only NaN differs from itself
    return [_clean(cell) for cell in cells]


def _upsert(conn, report, table, keys, rows: pd.DataFrame, batch_id: int) -> None:
    columns = [c.name for c in table.columns if c.name not in ("batch_id", "row_hash")]
    cells = [_column(rows[c]) for c in columns] if len(rows) else []
    records = list(zip(*cells))
    key_positions = [columns.index(k) for k in keys]
    existing = {tuple(r[:-1]): r[-1] for r in conn.execute(
        select(*[table.c[k] for k in keys], table.c.row_hash))}
    new, changed, held = [], [], []
    for record, digest in zip(records, _row_hashes(cells)):
        key = tuple(record[p] for p in key_positions)
        if key not in existing:
            new.append(record + (batch_id, digest))
        elif existing[key] != digest:
            changed.append(record + (batch_id, digest))
        else:
            report.rows_unchanged += 1
            held.append(key)
    _record_upsert_lineage(conn, table, keys, batch_id,
                           [tuple(r[p] for p in key_positions) for r in new],
                           [tuple(r[p] for p in key_positions) for r in changed], held)
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
    """COPY on PostgreSQL, executemany of multi-row INSERTs on SQLite."""
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
    kinds = set(map(type, chain.from_iterable(records)))
    if any(issubclass(kind, (dt.date, bool)) for kind in kinds):
        rows = list(zip(*(_sqlite_column(cells) for cells in zip(*records))))
    else:
        rows = records
    _sqlite_insert(conn, table, columns, rows)


def bulk_insert_columns(conn: Connection, table, columns: list[str], cells: list[list]) -> None:
    """bulk_insert of values given a column at a time (a frame's writer has them so): on
    SQLite each column is converted as it is and the rows are built once, rather than rows
    taken apart into columns and put together again (0.1 s per 100,000 rows)."""
    if not cells or not cells[0]:
        return
    if conn.dialect.name == "sqlite":
        _sqlite_insert(conn, table, columns, list(zip(*map(_sqlite_column, cells))))
    else:
        bulk_insert(conn, table, columns, list(zip(*cells)))


def _sqlite_insert(conn: Connection, table, columns: list[str], rows: list[tuple]) -> None:
    names = ", ".join(columns)
    one_row = f"({', '.join('?' for _ in columns)})"
    # Many rows per INSERT: sqlite3 pays its per-statement cost once per hundred rows. 999 is
    # the bound-parameter limit of older SQLite builds.
    per_statement = max(1, min(100, 999 // len(columns)))
    grouped = len(rows) // per_statement * per_statement
    if grouped:
        values = ", ".join([one_row] * per_statement)
        cells = chain.from_iterable(rows[:grouped])
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES {values}",
                             list(zip(*[cells] * (per_statement * len(columns)))))
    if rows[grouped:]:
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES {one_row}",
                             rows[grouped:])


def _sqlite_column(cells: tuple) -> tuple:
    """sqlite3 stores text for dates and 0/1 for booleans; only columns holding them are
    converted (a million answers hold none)."""
    kinds = set(map(type, cells))
    if kinds <= {dt.datetime, type(None)}:  # a survey's times: _sqlite_value, without the calls
        if all(v.tzinfo is None for v in cells if v is not None):
            # The same text as strftime's, in a quarter of its time.
            return tuple(None if v is None else v.isoformat(" ", "microseconds") for v in cells)
        return tuple(None if v is None else v.strftime("%Y-%m-%d %H:%M:%S.%f") for v in cells)
    if any(issubclass(kind, (dt.date, bool)) for kind in kinds):
        return tuple(_sqlite_value(v) for v in cells)
    return cells


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


def _write_survey(conn, report, rows: pd.DataFrame,
                  batch_id: int) -> tuple[list[dict], Table | None]:
    """Responses by natural key (respondent, edition, wave); the latest submission wins.
    Returns the rejected rows (superseded) and the temporary table of the written answers,
    wide, for the marts (the caller drops it)."""
    if rows.empty:
        return [], None
    item_columns = [c for c in ITEM_COLUMNS if c in rows.columns]
    base = {c: _column(rows[c]) for c in RESPONSE_COLUMNS}
    items = {c: _column(rows[c]) for c in item_columns}
    set_aside = rows["set_aside"].tolist() if "set_aside" in rows else [None] * len(rows)
    digests = _row_hashes([base[c] for c in RESPONSE_COLUMNS[1:]]
                          + list(_unread_blanked(items, set_aside).values()))
    digests = _with_set_aside(digests, set_aside)
    keys = list(zip(base["respondent_key"], base["edition"], base["wave"]))
    existing = _existing_responses(conn, set(zip(base["edition"], base["wave"])))
    new, changed, superseded = [], [], []
    held, outdated = [], []  # positions of unchanged and superseded responses (lineage)
    for position, key in enumerate(keys):
        old = existing.get(key)
        submitted = base["submitted_at"][position]
        if old is None:
            new.append(position)
        elif old.submitted_at and submitted and _naive(old.submitted_at) > _naive(submitted):
            outdated.append(position)
            superseded.append(_superseded(rows["row_number"].iat[position], old.batch_id,
                                          base["pseudonym"][position],
                                          {c: items[c][position] for c in item_columns}))
        elif old.row_hash == digests[position]:
            report.rows_unchanged += 1
            held.append(position)
        else:
            changed.append((old.response_id, position))
    bulk = _bulk_load_wanted(conn, len(new) + len(changed))
    with foreign_keys_checked_per_batch(conn, (survey_response, row_lineage), batch_id, bulk):
        with _rebuilt_after(conn, _response_indexes(conn.dialect.name), bulk):
            columns = [base[c] for c in RESPONSE_COLUMNS] + [[batch_id] * len(keys), digests]
            if len(new) < len(keys):
                columns = [[cells[p] for p in new] for cells in columns]
            bulk_insert_columns(conn, survey_response,
                                RESPONSE_COLUMNS + ["batch_id", "row_hash"], columns)
        ids = _response_ids(conn, batch_id) if new else {}
        _record_survey_lineage(conn, batch_id, keys, bool(new), changed, held, outdated)
    if changed:
        _replace_changed(conn, changed, base, digests, batch_id)
    written = [(ids[keys[p]], p) for p in new] + changed
    with _rebuilt_after(conn, _answer_keys(conn.dialect.name), bulk):
        answers = _insert_answers(conn, rows, written, item_columns)
    _write_set_aside(conn, report, set_aside, written, [rid for rid, _ in changed], batch_id)
    report.rows_new += len(new)
    report.rows_updated += len(changed)
    return superseded, answers


def _unread_blanked(items: dict[str, list], set_aside: list) -> dict[str, list]:
    """The items as a digest sees them: an answer the vocabulary cannot read counts by its
    label (below), read by a staff mapping or not, so that mapping a label between two loads
    of one export leaves its responses unchanged (the mapping has already read them)."""
    if not any(set_aside):
        return items
    blanked = {item: list(values) for item, values in items.items()}
    for position, records in enumerate(set_aside):
        for r in records or ():
            for item in (r["item"], "ess_structures_choices"
                         if r["item"] == "ess_structures_known" else None):
                if item in blanked:
                    blanked[item][position] = None
    return blanked


def _with_set_aside(digests: list[str], set_aside: list) -> list[str]:
    """A response's digest covers the labels of its unreadable answers too (a new label for
    the same unreadable answer is a change); responses without any keep their digest."""
    return [digest if not records else hashlib.md5("\x1f".join(
        [digest, *sorted(f"{r['item']}={r['label_key'] or '?'}" for r in records)])
        .encode("utf-8")).hexdigest() for digest, records in zip(digests, set_aside)]


SET_ASIDE_WRITTEN = ("batch_id", "response_id", "row_number", "item", "scale", "question",
                     "label", "label_key", "option", "known_choices")


def _write_set_aside(conn: Connection, report: FileReport, set_aside: list,
                     written: list[tuple[int, int]], changed_ids: list[int], batch_id: int) -> None:
    """The answers of the written responses that the vocabulary could not read (etl.labels);
    an updated response's earlier ones go. The report counts those set aside (not read by a
    staff mapping), by question and label."""
    from etl.labels import NOT_SHOWN
    from etl.schema import answer_set_aside

    for start in range(0, len(changed_ids), 5000):
        conn.execute(delete(answer_set_aside).where(
            answer_set_aside.c.response_id.in_(changed_ids[start:start + 5000])))
    records, unread, by_label = [], set(), Counter()
    for response_id, position in written:
        for r in set_aside[position] or ():
            records.append((batch_id, response_id, int(r["row_number"]), r["item"], r["scale"],
                            r["question"], r["label"], r["label_key"], r["option"],
                            r["known_choices"]))
            if not r["read"]:
                unread.add((response_id, r["item"]))
                by_label[(r["question"], r["label"] or NOT_SHOWN)] += 1
    bulk_insert(conn, answer_set_aside, list(SET_ASIDE_WRITTEN), records)
    report.answers_set_aside += len(unread)
    report.set_aside_by_label = [{"question": question, "label": label, "count": n}
                                 for (question, label), n in by_label.most_common()]


def _superseded(row_number, batch_id: int, pseudonym, answers: dict) -> dict:
    return {"row_number": _clean(row_number), "reason_code": "superseded",
            "reason": f"row {row_number}: superseded by a later response of the same "
                      f"respondent already loaded (batch {batch_id})",
            "data": answers | ({"pseudonym": pseudonym} if pseudonym else {})}


def _response_ids(conn, batch_id: int) -> dict[tuple, int]:
    """response_id of each response the batch inserted, by natural key: 100,000 for a national
    file, read as the driver's tuples (SQLAlchemy's rows cost twice as much to unpack)."""
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute("SELECT respondent_key, edition, wave, response_id FROM survey_response "
                       f"WHERE batch_id = {mark}", (batch_id,))
        return {(key, edition_name, wave): response_id
                for key, edition_name, wave, response_id in cursor.fetchall()}
    finally:
        cursor.close()


# ---- bulk mode: keys and indexes built once after a large insert

# From this many responses written, and a quarter of what the warehouse holds.
BULK_LOAD_RESPONSES = 20_000


def _bulk_load_wanted(conn: Connection, responses: int) -> bool:
    """A database grows an index entry by entry and, on PostgreSQL, checks a foreign key with
    one query per inserted row: for a national file (100,000 responses, 800,000 answers) that
    was most of the load. Dropping the indexes (on PostgreSQL also the answers' keys) and
    building them again after the insert builds each index in one sort and checks every row
    in one join, as PostgreSQL advises for bulk loads. It all happens inside the load's
    transaction: a failed load gets them back with everything else. The price, on PostgreSQL:
    until the load commits, readers of survey_response and survey_answer wait (seconds at
    national scale; the dashboard reads the marts). SQLite readers see the last commit."""
    if responses < BULK_LOAD_RESPONSES:
        return False
    held = conn.execute(select(func.count()).select_from(survey_response)).scalar()
    if 4 * responses < held:  # rebuilding would cost more than it saves
        return False
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))  # index sorts in memory
    return True


def _response_indexes(dialect: str) -> list[tuple]:
    """(drop, create) of survey_response's indexes and, on PostgreSQL, its unique key (SQLite's
    is part of the table). The primary key stays."""
    unique = sorted((c for c in survey_response.constraints if isinstance(c, UniqueConstraint)),
                    key=lambda c: c.name) if dialect == "postgresql" else []
    indexes = sorted(survey_response.indexes, key=lambda i: i.name)
    return ([(DropConstraint(c), AddConstraint(c)) for c in unique]
            + [(DropIndex(i), CreateIndex(i)) for i in indexes])


def _answer_keys(dialect: str) -> list[tuple]:
    """(drop, create) of survey_answer's foreign and primary keys on PostgreSQL; SQLite's are
    part of the table."""
    if dialect != "postgresql":
        return []
    foreign = sorted(survey_answer.foreign_key_constraints, key=lambda c: c.name)
    return ([(DropConstraint(c), AddConstraint(c)) for c in foreign]
            + [(DropConstraint(survey_answer.primary_key),
                AddConstraint(survey_answer.primary_key))])


@contextlib.contextmanager
def _rebuilt_after(conn: Connection, ddl: list[tuple], wanted: bool):
    """Drop, run the block, create again (in reverse order); nothing when not wanted. On an
    error the load's rollback restores them."""
    if not wanted:
        yield
        return
    for drop, _ in ddl:
        conn.execute(drop)
    yield
    for _, create in reversed(ddl):
        conn.execute(create)


@contextlib.contextmanager
def foreign_keys_checked_per_batch(conn: Connection, tables: tuple[Table, ...], batch_id: int,
                                   wanted: bool = True):
    """PostgreSQL checks a foreign key with one query per inserted row: the three keys of a
    national file's 100,000 responses and the batch key of their 100,000 lineage rows cost
    more server time than the COPY itself. Inside the block, rows are inserted with those
    per-row checks off (`session_replication_role = replica`, for this transaction only),
    then every foreign key of `tables` (each with a batch_id) is checked once, in one query
    over the batch's rows, which raises the error PostgreSQL would have raised. The
    constraints stay, so readers and later writers are checked as before. The block must only
    insert rows (with the role off, a delete would not cascade). Where the role may not be
    changed (not a superuser), or on SQLite, or when not wanted, the rows are checked one by
    one as usual."""
    if not wanted or conn.dialect.name != "postgresql" or not _per_row_checks_off(conn):
        yield
        return
    yield
    conn.exec_driver_sql("SET LOCAL session_replication_role = origin")
    for table in tables:
        for constraint in sorted(table.foreign_key_constraints, key=lambda c: c.name):
            _check_foreign_key(conn, table, constraint, batch_id)


def _per_row_checks_off(conn: Connection) -> bool:
    """Turns the per-row foreign key checks off for the rest of the transaction, if allowed."""
    try:
        with conn.begin_nested():
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
    except SQLAlchemyError as error:
        first = str(getattr(error, "orig", error)).splitlines()[0]
        log.info("foreign keys checked row by row: %s", first)
        return False
    return True


def _check_foreign_key(conn: Connection, table: Table, constraint, batch_id: int) -> None:
    """One anti-join over the batch's rows of `table`; the same one-line error as PostgreSQL's
    own check when a row names a missing parent."""
    parent = constraint.referred_table.name
    pairs = [(element.parent.name, element.column.name) for element in constraint.elements]
    present = " AND ".join(f"c.{child} IS NOT NULL" for child, _ in pairs)
    joined = " AND ".join(f"p.{referred} = c.{child}" for child, referred in pairs)
    missing = conn.execute(text(
        f"SELECT 1 FROM {table.name} c WHERE c.batch_id = :batch AND {present} "
        f"AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE {joined}) LIMIT 1"),
        {"batch": batch_id}).first()
    if missing is not None:
        raise LoadError(f'the warehouse refused the data (insert or update on table '
                        f'"{table.name}" violates foreign key constraint "{constraint.name}")')


def _existing_responses(conn, pairs: set[tuple]) -> dict:
    """The warehouse's responses of these (edition, wave) pairs, by natural key."""
    existing = {}
    for edition_name, wave in pairs:
        for r in conn.execute(select(
                survey_response.c.respondent_key, survey_response.c.response_id,
                survey_response.c.submitted_at, survey_response.c.row_hash,
                survey_response.c.batch_id).where(
                survey_response.c.edition == edition_name, survey_response.c.wave == wave)):
            existing[(r.respondent_key, edition_name, wave)] = r
    return existing


def _replace_changed(conn, changed: list[tuple], base: dict[str, list], digests: list[str],
                     batch_id: int) -> None:
    """Updated responses take their new values; their answers are written again."""
    conn.execute(update(survey_response).where(
        survey_response.c.response_id == bindparam("rid")).values(
        {c: bindparam(f"v_{c}") for c in RESPONSE_COLUMNS[1:] + ["batch_id", "row_hash"]}), [
        {"rid": rid, **{f"v_{c}": base[c][p] for c in RESPONSE_COLUMNS[1:]},
         "v_batch_id": batch_id, "v_row_hash": digests[p]} for rid, p in changed])
    changed_ids = [rid for rid, _ in changed]
    for start in range(0, len(changed_ids), 5000):
        conn.execute(delete(survey_answer).where(
            survey_answer.c.response_id.in_(changed_ids[start:start + 5000])))


def _insert_answers(conn: Connection, rows: pd.DataFrame, written: list[tuple[int, int]],
                    item_columns: list[str]) -> Table | None:
    """Every answered item of the written responses, one survey_answer row each; returns the
    temporary table they came through (below), which the marts read too.

    The answers travel wide, one row per response as the file has them, into a temporary
    table, and the database turns them into survey_answer's long rows: a national file's
    800,000 answer rows are then never built nor sent one by one (3x faster on SQLite)."""
    scored = [c for c in item_columns if c != "ess_structures_choices"]
    if not written or not scored:
        return None
    multi = "ess_structures_known" in scored and "ess_structures_choices" in item_columns
    stage = _answer_stage(scored)
    stage.create(conn)
    positions = [p for _, p in written]
    columns = [[rid for rid, _ in written]] + [
        [cells[p] for p in positions] for cells in
        (_column(rows[c].astype(float)) for c in scored)]
    choices = _column(rows["ess_structures_choices"]) if multi else None
    columns.append([choices[p] for p in positions] if multi else [None] * len(written))
    bulk_insert_columns(conn, stage, [c.name for c in stage.columns], columns)
    conn.execute(text(_unpivot_answers(scored, multi)))
    return stage


def _answer_stage(items: list[str]) -> Table:
    """A temporary table: response_id, one column per item, the multi-select codes. The key
    lets the marts find a response in it (SQLite would otherwise scan it once per response)."""
    return Table("answer_stage", MetaData(),
                 Column("response_id", Integer, primary_key=True, autoincrement=False),
                 *[Column(item, Float) for item in items], Column("choices", Text),
                 prefixes=["TEMPORARY"], postgresql_on_commit="DROP")


def _unpivot_answers(items: list[str], multi: bool) -> str:
    """survey_answer's rows from the stage: one per answered item. Each stage row (in key
    order) is crossed with the items (in name order), so the rows come out in key order
    without sorting 800,000 of them (a UNION ALL per item, then ORDER BY, cost 0.2 s more
    on either database for a national file)."""
    names = " UNION ALL ".join(f"SELECT '{item}' AS item" for item in sorted(items))
    value = " ".join(f"WHEN '{item}' THEN s.{item}" for item in items)
    choices = "CASE WHEN i.item = 'ess_structures_known' THEN s.choices END" if multi else "NULL"
    return (f"INSERT INTO survey_answer (response_id, item, value, choices) "
            f"SELECT response_id, item, value, choices FROM ("
            f"SELECT s.response_id AS response_id, i.item AS item, "
            f"CASE i.item {value} END AS value, {choices} AS choices "
            f"FROM answer_stage s CROSS JOIN ({names}) AS i) AS answers "
            f"WHERE value IS NOT NULL")


def _naive(value) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=None)


def _write_rejected(conn, rejected: list[dict], batch_id: int) -> None:
    """The file's rejected rows, except those already recorded, with the same reason and
    content, for a loaded batch of a file of the same name and kind: a file saved again with
    other bytes (CRLF for LF) would otherwise add its rejected rows once more at each load.
    The batch then holds the recorded row (row_lineage), so that it outlives its first batch."""
    records = [(batch_id, int(r["row_number"]), r["reason"], r["reason_code"],
                json.dumps(r.get("data") or {}, ensure_ascii=False, default=str))
               for r in sorted(rejected, key=lambda r: r["row_number"])]
    recorded = _rejected_already_recorded(conn, batch_id) if records else {}
    fresh = [r for r in records if (r[1], r[2], r[4]) not in recorded]
    held = sorted({recorded[key] for key in ((r[1], r[2], r[4]) for r in records)
                   if key in recorded})
    bulk_insert(conn, rejected_row, ["batch_id", "row_number", "reason", "reason_code", "data"],
                fresh)
    if fresh:
        conn.execute(text(
            "INSERT INTO row_lineage (batch_id, table_name, row_key, action) "
            "SELECT batch_id, 'rejected_row', CAST(rejected_id AS VARCHAR(20)), 'added' "
            "FROM rejected_row WHERE batch_id = :batch"), {"batch": batch_id})
    bulk_insert(conn, row_lineage, LINEAGE_COLUMNS,
                [(batch_id, "rejected_row", str(rid), "unchanged", None) for rid in held])


def _rejected_already_recorded(conn, batch_id: int) -> dict[tuple, int]:
    """(row number, reason, data) -> rejected_id, for the rows recorded for loaded batches of
    a file of this batch's name and kind (the earliest when several)."""
    this = conn.execute(select(load_batch.c.file_name, load_batch.c.kind)
                        .where(load_batch.c.batch_id == batch_id)).one()
    recorded = {}
    for rid, number, reason, data in conn.execute(
            select(rejected_row.c.rejected_id, rejected_row.c.row_number, rejected_row.c.reason,
                   rejected_row.c.data)
            .join(load_batch, load_batch.c.batch_id == rejected_row.c.batch_id)
            .where(load_batch.c.file_name == this.file_name, load_batch.c.kind == this.kind,
                   load_batch.c.status == "loaded")
            .order_by(rejected_row.c.rejected_id)):
        recorded.setdefault((number, reason, data), rid)
    return recorded


# ---- lineage: which batches hold which row ----
#
# A fact row's batch_id names the batch that last wrote it; row_lineage also records, per batch,
# the rows its file found unchanged, the versions it replaced (as JSON) and the survey responses
# it set aside as superseded, so that `unload` takes out exactly what no other batch holds.
# Per row, the entries in batch order form a stack of versions: an 'added' or 'changed' entry
# starts one (it is its writer), the 'unchanged' entries after it hold it too, and the writer
# of the next version keeps the one it replaced in `previous`. Every version in the stack has a
# loaded batch holding it; `unload` keeps it so.

ROW_KEYS = {table.name: keys for table, keys in TABLE_OF_KIND.values()} | {
    "survey_response": ("respondent_key", "edition", "wave"), "rejected_row": ("rejected_id",)}
LINEAGE_COLUMNS = ["batch_id", "table_name", "row_key", "action", "previous"]
WRITES = ("added", "changed")


def _row_key(values) -> str:
    """row_lineage.row_key: only a key's first part is free text (the others are an edition,
    a wave), so joining with '|' stays unambiguous when read back from the right."""
    return "|".join(str(v) for v in values)


def _key_parts(table_name: str, row_key: str) -> list:
    parts = row_key.rsplit("|", len(ROW_KEYS[table_name]) - 1)
    return [int(parts[0])] if table_name == "rejected_row" else parts


def _row_key_sql(table_name: str) -> str:
    return " || '|' || ".join(ROW_KEYS[table_name])


def _json_value(value):
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def _version_json(row, answers: list | None = None) -> str:
    """A row as it was (every column but its batch_id), with a response's answers."""
    content = {"row": {name: _json_value(value) for name, value in row._mapping.items()
                       if name not in ("batch_id", "response_id")}}
    if answers is not None:
        content["answers"] = answers
    return json.dumps(content, ensure_ascii=False)


def _chunks(values: list, size: int = 500):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _key_condition(table, keys: tuple, chunk: list[tuple]):
    if len(keys) == 1:
        return table.c[keys[0]].in_([key[0] for key in chunk])
    return tuple_(*[table.c[k] for k in keys]).in_(chunk)


def _record_upsert_lineage(conn, table, keys, batch_id: int, added: list[tuple],
                           changed: list[tuple], unchanged: list[tuple]) -> None:
    """Called before the changed rows are overwritten: their versions are read here."""
    entries = ([(batch_id, table.name, _row_key(k), "added", None) for k in added]
               + [(batch_id, table.name, _row_key(k), "unchanged", None) for k in unchanged])
    for chunk in _chunks(changed):
        entries += [(batch_id, table.name, _row_key([row._mapping[k] for k in keys]), "changed",
                     _version_json(row))
                    for row in conn.execute(select(table).where(
                        _key_condition(table, keys, chunk)))]
    bulk_insert(conn, row_lineage, LINEAGE_COLUMNS, entries)


def _record_survey_lineage(conn, batch_id: int, keys: list[tuple], any_new: bool,
                           changed: list[tuple[int, int]], held: list[int],
                           set_aside: list[int]) -> None:
    """Called after the new responses are written (theirs are the only rows of the batch yet:
    one statement records them, however many, in key order: the lineage's indexes then grow
    at one end rather than all over, 0.2 s less for a national file on SQLite) and before the
    changed ones are overwritten."""
    if any_new:
        conn.execute(text(
            f"INSERT INTO row_lineage (batch_id, table_name, row_key, action) "
            f"SELECT batch_id, 'survey_response', {_row_key_sql('survey_response')} AS row_key, "
            f"'added' FROM survey_response WHERE batch_id = :batch ORDER BY row_key"),
            {"batch": batch_id})
    entries = ([(batch_id, "survey_response", _row_key(keys[p]), "unchanged", None)
                for p in held]
               + [(batch_id, "survey_response", _row_key(keys[p]), "superseded", None)
                  for p in set_aside])
    for chunk in _chunks([rid for rid, _ in changed]):
        answers = {}
        for rid, item, value, choices in conn.execute(
                select(survey_answer).where(survey_answer.c.response_id.in_(chunk))):
            answers.setdefault(rid, []).append([item, value, choices])
        entries += [(batch_id, "survey_response",
                     _row_key([row.respondent_key, row.edition, row.wave]), "changed",
                     _version_json(row, answers.get(row.response_id, [])))
                    for row in conn.execute(select(survey_response).where(
                        survey_response.c.response_id.in_(chunk)))]
    bulk_insert(conn, row_lineage, LINEAGE_COLUMNS, entries)


# ---- taking data back out ----

FACT_TABLES_BY_DEPENDENCY = (org_followup, guide_record, survey_response, student, tour_event,
                             project, organisation)
TABLES_BY_NAME = {t.name: t for t in FACT_TABLES_BY_DEPENDENCY + (rejected_row,)}
COUNT_OF_ACTION = {"added": "rows_new", "changed": "rows_updated", "unchanged": "rows_unchanged"}


class Unloaded(dict):
    """The rows an unload deleted, by table (what `unload` always returned), with `kept`:
    rows that stayed, by table, because a later batch holds them too (they are its rows now),
    and `restored`: rows brought back to the version an earlier batch had loaded."""

    def __init__(self, deleted: dict, kept: dict, restored: dict):
        super().__init__(deleted)
        self.kept, self.restored = kept, restored


@dataclass
class _Entry:
    batch_id: int
    action: str
    previous: str | None


@dataclass
class _UnloadPlan:
    entry_updates: list[dict] = field(default_factory=list)
    reassigned: dict[str, list[tuple]] = field(default_factory=dict)   # table -> (key, batch)
    restored: dict[str, list[tuple]] = field(default_factory=dict)     # table -> (key, json, batch)
    role_changes: Counter = field(default_factory=Counter)             # (batch, was, now) -> n
    blockers: Counter = field(default_factory=Counter)                 # batch -> rows
    editions: set = field(default_factory=set)


def unload(batch_id: int, engine: Engine | None = None) -> Unloaded:
    """Take a batch out exactly: a row it alone holds goes; a row a later batch holds too
    stays, as that batch's; a row it changed gets back the version it replaced (row_lineage).
    Derived tables follow; the batch is marked unloaded."""
    engine = engine or get_engine()
    with engine.begin() as conn:
        batch = conn.execute(select(load_batch).where(load_batch.c.batch_id == batch_id)).first()
        if batch is None:
            raise LoadError(f"there is no load batch {batch_id} (see `impact status`)")
        if batch.status != "loaded":
            raise LoadError(f"batch {batch_id} is {batch.status}, not loaded: nothing to take out")
        plan = _plan_unload(conn, batch_id)
        if plan.blockers:
            later = ", ".join(str(b) for b in sorted(plan.blockers))
            raise LoadError(
                f"batch {batch_id} cannot be taken out: batch {later} set aside "
                f"{sum(plan.blockers.values())} earlier survey response(s) of the same "
                f"respondents as superseded by this batch's; unload batch {later} first "
                f"(and load its file again afterwards)")
        editions = plan.editions | set(conn.scalars(select(survey_response.c.edition).where(
            survey_response.c.batch_id == batch_id).distinct()))
        _apply_plan(conn, batch_id, plan)
        _refuse_if_referenced(conn, batch_id)
        removed = {}
        response_ids = select(survey_response.c.response_id).where(
            survey_response.c.batch_id == batch_id)
        removed["survey_answer"] = conn.execute(
            delete(survey_answer).where(survey_answer.c.response_id.in_(response_ids))).rowcount
        for table in FACT_TABLES_BY_DEPENDENCY:
            removed[table.name] = conn.execute(
                delete(table).where(table.c.batch_id == batch_id)).rowcount
        # Its rejected rows go too (those a later file of the same name also had stay, as that
        # batch's): re-loading the file would otherwise count them twice.
        removed[rejected_row.name] = conn.execute(
            delete(rejected_row).where(rejected_row.c.batch_id == batch_id)).rowcount
        marts.refresh(conn, editions)
        _apply_role_changes(conn, plan.role_changes)
        conn.execute(delete(row_lineage).where(row_lineage.c.batch_id == batch_id))
        conn.execute(update(load_batch).where(load_batch.c.batch_id == batch_id)
                     .values(status="unloaded"))
    return Unloaded({name: count for name, count in removed.items() if count},
                    {t: len(rows) for t, rows in plan.reassigned.items()
                     if rows and t != rejected_row.name},
                    {t: len(rows) for t, rows in plan.restored.items() if rows})


def _plan_unload(conn: Connection, batch_id: int) -> _UnloadPlan:
    """What becomes of each row the batch holds, from the history of every batch holding it."""
    mine, every = row_lineage.alias("mine"), row_lineage.alias("every")
    history = conn.execute(
        select(every.c.table_name, every.c.row_key, every.c.batch_id, every.c.action,
               every.c.previous)
        .join(mine, and_(mine.c.table_name == every.c.table_name,
                         mine.c.row_key == every.c.row_key))
        .where(mine.c.batch_id == batch_id)
        .order_by(every.c.table_name, every.c.row_key, every.c.batch_id))
    plan = _UnloadPlan()
    for (table_name, row_key), rows in groupby(history, key=lambda r: (r[0], r[1])):
        entries = [_Entry(r.batch_id, r.action, r.previous) for r in rows]
        _plan_row(plan, table_name, row_key, entries, batch_id)
    return plan


def _plan_row(plan: _UnloadPlan, table_name: str, row_key: str, entries: list[_Entry],
              batch_id: int) -> None:
    at = next(i for i, e in enumerate(entries) if e.batch_id == batch_id)
    gone = entries[at]
    if table_name == survey_response.name:
        plan.editions.add(_key_parts(table_name, row_key)[1])
    if gone.action not in WRITES:
        return  # it only held a version another batch wrote, or set its response aside
    later = entries[at + 1:]
    following = next((i for i, e in enumerate(later) if e.action in WRITES), len(later))
    holders = [e for e in later[:following] if e.action == "unchanged"]
    if holders:  # the version stays, written now by the first batch that found it unchanged
        _rewrite_entry(plan, table_name, row_key, holders[0], gone)
        if following == len(later):
            plan.reassigned.setdefault(table_name, []).append((row_key, holders[0].batch_id))
        return
    if following < len(later):  # its version goes from the middle of the stack
        _rewrite_entry(plan, table_name, row_key, later[following], gone)
        return
    others = [e.batch_id for e in entries if e.action == "superseded" and e.batch_id != batch_id]
    if others:  # their older responses would have to come back: refused, they name the batch
        plan.blockers.update(others)
        return
    writer = next((e for e in reversed(entries[:at]) if e.action in WRITES), None)
    if gone.action == "changed" and writer is not None and gone.previous:
        plan.restored.setdefault(table_name, []).append(
            (row_key, gone.previous, writer.batch_id))
    # else: the row goes with the batch's other rows


def _rewrite_entry(plan: _UnloadPlan, table_name: str, row_key: str, heir: _Entry,
                   gone: _Entry) -> None:
    """`heir` takes the place of the batch's entry: it now adds the row, or replaces the
    version the batch had replaced."""
    plan.entry_updates.append({"b": heir.batch_id, "t": table_name, "k": row_key,
                               "action": gone.action, "previous": gone.previous})
    if table_name != rejected_row.name and heir.action != gone.action:
        plan.role_changes[(heir.batch_id, heir.action, gone.action)] += 1


def _apply_plan(conn: Connection, batch_id: int, plan: _UnloadPlan) -> None:
    if plan.entry_updates:
        conn.execute(update(row_lineage).where(
            row_lineage.c.batch_id == bindparam("b"), row_lineage.c.table_name == bindparam("t"),
            row_lineage.c.row_key == bindparam("k")).values(
            action=bindparam("action"), previous=bindparam("previous")), plan.entry_updates)
    for table_name, rows in plan.reassigned.items():
        table, keys = TABLES_BY_NAME[table_name], ROW_KEYS[table_name]
        conn.execute(update(table).where(
            *[table.c[k] == bindparam(f"key_{k}") for k in keys]).values(
            batch_id=bindparam("heir")), [
            {"heir": heir, **dict(zip((f"key_{k}" for k in keys), _key_parts(table_name, key)))}
            for key, heir in rows])
    for table_name, rows in plan.restored.items():
        for row_key, previous, writer in rows:
            try:
                _restore(conn, table_name, row_key, json.loads(previous), writer)
            except SQLAlchemyError as error:
                first = str(getattr(error, "orig", error)).splitlines()[0]
                raise LoadError(
                    f"batch {batch_id} cannot be taken out: the earlier version of "
                    f"{table_name} {row_key} (batch {writer}) that it would bring back refers "
                    f"to data no longer loaded ({first}); unload batch {writer} first") from error


def _restore(conn: Connection, table_name: str, row_key: str, content: dict,
             writer: int) -> None:
    table, keys = TABLES_BY_NAME[table_name], ROW_KEYS[table_name]
    where = [table.c[k] == v for k, v in zip(keys, _key_parts(table_name, row_key))]
    values = {name: _from_json(table.c[name], value) for name, value in content["row"].items()
              if name not in keys}
    conn.execute(update(table).where(*where).values(batch_id=writer, **values))
    if "answers" in content:
        response_id = conn.execute(select(table.c.response_id).where(*where)).scalar_one()
        conn.execute(delete(survey_answer).where(survey_answer.c.response_id == response_id))
        if content["answers"]:
            conn.execute(survey_answer.insert(), [
                {"response_id": response_id, "item": item, "value": value, "choices": choices}
                for item, value, choices in content["answers"]])


def _from_json(column, value):
    if value is None:
        return None
    if isinstance(column.type, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return dt.date.fromisoformat(value[:10])
    if isinstance(column.type, Boolean):
        return bool(value)
    return value


def _apply_role_changes(conn: Connection, changes: Counter) -> None:
    """A batch whose entry took over another's now counts those rows as new or updated."""
    for (batch, was, now), count in changes.items():
        was_column = load_batch.c[COUNT_OF_ACTION[was]]
        now_column = load_batch.c[COUNT_OF_ACTION[now]]
        conn.execute(update(load_batch).where(load_batch.c.batch_id == batch).values(
            {was_column: was_column - count, now_column: now_column + count}))


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
    from etl.schema import answer_set_aside, mart_pair, mart_response
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
            "answer_set_aside": conn.execute(delete(answer_set_aside).where(
                answer_set_aside.c.response_id.in_(response_ids))).rowcount,
            "mart_response": conn.execute(delete(mart_response).where(
                mart_response.c.pseudonym == pseudonym)).rowcount,
            "mart_pair": conn.execute(delete(mart_pair).where(
                mart_pair.c.pseudonym == pseudonym)).rowcount,
            "survey_response": conn.execute(delete(survey_response).where(
                survey_response.c.pseudonym == pseudonym)).rowcount,
            "student": conn.execute(delete(student).where(
                student.c.pseudonym == pseudonym)).rowcount,
            "rejected_row": _forget_rejected(conn, pseudonym),
        }
        # The history of the person's rows keys them by pseudonym and keeps earlier versions.
        conn.execute(delete(row_lineage).where(
            row_lineage.c.table_name.in_((student.name, survey_response.name)),
            row_lineage.c.row_key.startswith(f"{pseudonym}|", autoescape=True)))
        record(conn, actor=actor, action="forget",
               detail={"rows_deleted": {k: v for k, v in removed.items() if v}})
    return removed


def _forget_rejected(conn: Connection, pseudonym: str) -> int:
    """The person's rejected rows, and the lineage entries that name them."""
    ids = list(conn.scalars(select(rejected_row.c.rejected_id).where(
        rejected_row.c.data.contains(pseudonym))))
    for chunk in _chunks(ids):
        conn.execute(delete(row_lineage).where(
            row_lineage.c.table_name == rejected_row.name,
            row_lineage.c.row_key.in_([str(rid) for rid in chunk])))
        conn.execute(delete(rejected_row).where(rejected_row.c.rejected_id.in_(chunk)))
    return len(ids)
