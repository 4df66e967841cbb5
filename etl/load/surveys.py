"""Writing a survey file: its responses (a response superseded by a later version of the same
answers keeps its place), their answers, the answers set aside; a large file is written in
bulk mode, its keys and indexes built once after the insert.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
from collections import Counter

import pandas as pd
from sqlalchemy import (
    Column, Float, Integer, MetaData, Table, Text, bindparam, delete, func, select, text, update)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.schema import (
    AddConstraint, CreateIndex, DropConstraint, DropIndex, UniqueConstraint)

from etl.load.base import FileReport, LoadError
from etl.load.bulk import bulk_insert, bulk_insert_columns, clean_value, driver_column, row_hashes
from etl.load.lineage import SET_ASIDE_KEPT, record_survey_lineage
from etl.schema import row_lineage, survey_answer, survey_response
from etl.transform.surveys import ITEM_COLUMNS


log = logging.getLogger(__name__)

RESPONSE_COLUMNS = ["respondent_key", "pseudonym", "edition", "wave", "school_id",
                    "submitted_at", "tool"]


def write_survey(conn, report, rows: pd.DataFrame,
                  batch_id: int) -> tuple[list[dict], Table | None]:
    """Responses by natural key (respondent, edition, wave); the latest submission wins.
    Returns the rejected rows (superseded) and the temporary table of the written answers,
    wide, for the marts (the caller drops it)."""
    if rows.empty:
        return [], None
    item_columns = [c for c in ITEM_COLUMNS if c in rows.columns]
    base = {c: driver_column(rows[c]) for c in RESPONSE_COLUMNS}
    items = {c: driver_column(rows[c]) for c in item_columns}
    set_aside = rows["set_aside"].tolist() if "set_aside" in rows else [None] * len(rows)
    digests = row_hashes([base[c] for c in RESPONSE_COLUMNS[1:]]
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
        record_survey_lineage(conn, batch_id, keys, bool(new), changed, held, outdated)
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


SET_ASIDE_WRITTEN = ("batch_id", "response_id", *SET_ASIDE_KEPT)


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
    return {"row_number": clean_value(row_number), "reason_code": "superseded",
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
        (driver_column(rows[c].astype(float)) for c in scored)]
    choices = driver_column(rows["ess_structures_choices"]) if multi else None
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
