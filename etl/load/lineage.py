"""Row lineage: which batches hold which row, and the version of a row a batch replaced
(`row_lineage`), so that a batch can be taken back out exactly.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select, text, tuple_

from etl.load.base import TABLE_OF_KIND
from etl.load.bulk import bulk_insert
from etl.schema import answer_set_aside, row_lineage, survey_answer, survey_response


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


def key_parts(table_name: str, row_key: str) -> list:
    parts = row_key.rsplit("|", len(ROW_KEYS[table_name]) - 1)
    return [int(parts[0])] if table_name == "rejected_row" else parts


def _row_key_sql(table_name: str) -> str:
    return " || '|' || ".join(ROW_KEYS[table_name])


def _json_value(value):
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def _version_json(row, answers: list | None = None, set_aside: list | None = None) -> str:
    """A row as it was (every column but its batch_id), with a response's answers and its
    answers set aside (SET_ASIDE_KEPT, no identifier: the labels as the file wrote them)."""
    content = {"row": {name: _json_value(value) for name, value in row._mapping.items()
                       if name not in ("batch_id", "response_id")}}
    if answers is not None:
        content["answers"] = answers
    if set_aside is not None:
        content["set_aside"] = set_aside
    return json.dumps(content, ensure_ascii=False)


SET_ASIDE_KEPT = ("row_number", "item", "scale", "question", "label", "label_key", "option",
                  "known_choices")


def chunks(values: list, size: int = 500):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _key_condition(table, keys: tuple, chunk: list[tuple]):
    if len(keys) == 1:
        return table.c[keys[0]].in_([key[0] for key in chunk])
    return tuple_(*[table.c[k] for k in keys]).in_(chunk)


def record_upsert_lineage(conn, table, keys, batch_id: int, added: list[tuple],
                           changed: list[tuple], unchanged: list[tuple]) -> None:
    """Called before the changed rows are overwritten: their versions are read here."""
    entries = ([(batch_id, table.name, _row_key(k), "added", None) for k in added]
               + [(batch_id, table.name, _row_key(k), "unchanged", None) for k in unchanged])
    for chunk in chunks(changed):
        entries += [(batch_id, table.name, _row_key([row._mapping[k] for k in keys]), "changed",
                     _version_json(row))
                    for row in conn.execute(select(table).where(
                        _key_condition(table, keys, chunk)))]
    bulk_insert(conn, row_lineage, LINEAGE_COLUMNS, entries)


def record_survey_lineage(conn, batch_id: int, keys: list[tuple], any_new: bool,
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
    for chunk in chunks([rid for rid, _ in changed]):
        answers, set_aside = {}, {}
        for rid, item, value, choices in conn.execute(
                select(survey_answer).where(survey_answer.c.response_id.in_(chunk))):
            answers.setdefault(rid, []).append([item, value, choices])
        for rid, *kept in conn.execute(
                select(answer_set_aside.c.response_id,
                       *(answer_set_aside.c[c] for c in SET_ASIDE_KEPT))
                .where(answer_set_aside.c.response_id.in_(chunk))
                .order_by(answer_set_aside.c.set_aside_id)):
            set_aside.setdefault(rid, []).append(kept)
        entries += [(batch_id, "survey_response",
                     _row_key([row.respondent_key, row.edition, row.wave]), "changed",
                     _version_json(row, answers.get(row.response_id, []),
                                   set_aside.get(row.response_id, [])))
                    for row in conn.execute(select(survey_response).where(
                        survey_response.c.response_id.in_(chunk)))]
    bulk_insert(conn, row_lineage, LINEAGE_COLUMNS, entries)
