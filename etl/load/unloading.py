"""Taking data back out: a batch exactly (`unload`: its rows go, rows a later batch holds too
stay, changed rows get their earlier version back), or every row of one person (`forget`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy import Boolean, Date, DateTime, and_, bindparam, delete, func, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from etl import marts
from etl.db import get_engine
from etl.load.base import LoadError
from etl.load.lineage import ROW_KEYS, SET_ASIDE_KEPT, WRITES, chunks, key_parts
from etl.schema import (
    answer_set_aside, guide_record, load_batch, org_followup, organisation, project,
    rejected_row, row_lineage, student, survey_answer, survey_response, tour_event)
from etl.settings import get_settings


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
        plan.editions.add(key_parts(table_name, row_key)[1])
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
            {"heir": heir, **dict(zip((f"key_{k}" for k in keys), key_parts(table_name, key)))}
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
    where = [table.c[k] == v for k, v in zip(keys, key_parts(table_name, row_key))]
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
        # The answers set aside go with the version taken out, and the earlier version's come
        # back (a version recorded before they were kept brings none back).
        conn.execute(delete(answer_set_aside).where(
            answer_set_aside.c.response_id == response_id))
        if content.get("set_aside"):
            conn.execute(answer_set_aside.insert(), [
                {"batch_id": writer, "response_id": response_id,
                 **dict(zip(SET_ASIDE_KEPT, kept))} for kept in content["set_aside"]])


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
    for chunk in chunks(ids):
        conn.execute(delete(row_lineage).where(
            row_lineage.c.table_name == rejected_row.name,
            row_lineage.c.row_key.in_([str(rid) for rid in chunk])))
        conn.execute(delete(rejected_row).where(rejected_row.c.rejected_id.in_(chunk)))
    return len(ids)
