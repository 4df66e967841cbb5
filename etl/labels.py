"""Answers set aside, and the staff's mappings that make them readable.

A survey answer worded in a way the vocabulary (data/reference/survey_answers.csv) does not know
is set aside on its own: its response is loaded with its other answers, and the answer is kept
in `answer_set_aside` with the question and the label as written. Staff then say once what such
a label means (`map_label`): the answers set aside with it are read at once, without a new
upload, and every later load reads it too. `unmap_label` undoes it.

An answer is set aside while it has a row in `answer_set_aside` and none in `survey_answer`;
answers a mapping reads keep their `answer_set_aside` row (that is how `unmap_label` finds them).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import math

from sqlalchemy import and_, delete, exists, func, select, tuple_
from sqlalchemy.engine import Connection, Engine

from etl import marts, survey_formats
from etl.answers import answer_key
from etl.audit import LABEL_MAP, LABEL_UNMAP, record
from etl.db import get_engine
from etl.schema import (answer_label_map, answer_set_aside, school, survey_answer,
                        survey_response)

#: Answer scale -> the values a label of it can stand for, as text.
#: knows_ess: "2" = "Oui, précisément", "1" = "Vaguement", "0" = "Non";
#: agreement and satisfaction: "1" (not at all) to "5" (fully); recommend: "0" to "10";
#: ess_option: a kind of ESS structure, or "none" (a label that names none of them);
#: option_ticked: "1" ticked, "0" not ticked (one option column of the multi-select question).
SCALES: dict[str, tuple[str, ...]] = {
    "knows_ess": ("0", "1", "2"),
    "agreement": ("1", "2", "3", "4", "5"),
    "satisfaction": ("1", "2", "3", "4", "5"),
    "recommend": tuple(str(n) for n in range(11)),
    "ess_option": (*survey_formats.ESS_OPTIONS, "none"),
    "option_ticked": ("0", "1"),
}
NUMERIC_SCALES = ("knows_ess", "agreement", "satisfaction", "recommend")
NOT_SHOWN = "(not shown: looks like an identifier)"


class LabelError(ValueError):
    """A mapping that cannot be made or undone; one line, for a person."""


# ---- what is set aside

def _unread():
    """answer_set_aside rows whose answer is still set aside (no survey_answer row)."""
    read = exists().where(survey_answer.c.response_id == answer_set_aside.c.response_id,
                          survey_answer.c.item == answer_set_aside.c.item)
    return ~read


def set_aside_by_label(engine: Engine | None = None, *, conn: Connection | None = None
                       ) -> list[dict]:
    """The answers set aside now, by scale, question and label: [{"scale", "question", "label",
    "count"}], largest count first (a label not stored is shown as NOT_SHOWN)."""
    statement = (select(answer_set_aside.c.scale, answer_set_aside.c.question,
                        func.min(answer_set_aside.c.label).label("label"),
                        func.count().label("count"))
                 .where(_unread())
                 .group_by(answer_set_aside.c.scale, answer_set_aside.c.question,
                           answer_set_aside.c.label_key)
                 .order_by(func.count().desc(), answer_set_aside.c.scale,
                           answer_set_aside.c.question, func.min(answer_set_aside.c.label)))
    with _connection(engine, conn) as connection:
        rows = connection.execute(statement).all()
    return [{"scale": r.scale, "question": r.question,
             "label": r.label if r.label is not None else NOT_SHOWN, "count": int(r.count)}
            for r in rows]


def set_aside_per_batch(conn: Connection) -> dict[int, int]:
    """batch_id -> answers of its responses set aside now."""
    answers = (select(answer_set_aside.c.batch_id, answer_set_aside.c.response_id,
                      answer_set_aside.c.item).where(_unread()).distinct().subquery())
    return {batch_id: int(count) for batch_id, count in conn.execute(
        select(answers.c.batch_id, func.count()).group_by(answers.c.batch_id)).all()}


def set_aside_cells(conn: Connection) -> list[tuple[str, str, str, int]]:
    """Answers set aside by (edition, school, region) of their responses: what
    `set_aside_count` sums for any selection (a response lies in one cell)."""
    answers = (select(answer_set_aside.c.response_id, answer_set_aside.c.item)
               .where(_unread()).distinct().subquery())
    return [tuple(row) for row in conn.execute(
        select(survey_response.c.edition, survey_response.c.school_id, school.c.region_code,
               func.count())
        .select_from(answers)
        .join(survey_response, survey_response.c.response_id == answers.c.response_id)
        .join(school, school.c.school_id == survey_response.c.school_id)
        .group_by(survey_response.c.edition, survey_response.c.school_id, school.c.region_code))]


def set_aside_count(filters, engine: Engine | None = None) -> int:
    """Answers set aside among the responses of a selection. `filters`: any object with
    `editions`, `schools` and `regions` tuples (empty = all), like dashboard Filters."""
    with _connection(engine) as conn:
        return count_in(set_aside_cells(conn), filters)


def count_in(cells: list[tuple[str, str, str, int]], filters) -> int:
    """The answers of `set_aside_cells` inside the filters (a dashboard keeps the cells)."""
    return sum(n for edition, school_id, region_code, n in cells
               if (not filters.editions or edition in filters.editions)
               and (not filters.schools or school_id in filters.schools)
               and (not filters.regions or region_code in filters.regions))


# ---- the staff's mappings

def mappings(engine: Engine | None = None) -> list[dict]:
    """[{"scale", "label", "value", "created_by", "created_at"}], by scale and label."""
    with _connection(engine) as conn:
        rows = conn.execute(select(answer_label_map).order_by(
            answer_label_map.c.scale, answer_label_map.c.label_key)).all()
    return [{"scale": r.scale, "label": r.label, "value": r.value,
             "created_by": r.created_by, "created_at": r.created_at} for r in rows]


def label_maps(conn: Connection) -> dict[str, dict[str, str]]:
    """scale -> answer_key(label) -> value: what a load reads on top of the vocabulary."""
    found: dict[str, dict[str, str]] = {}
    for scale, key, value in conn.execute(select(answer_label_map.c.scale,
                                                 answer_label_map.c.label_key,
                                                 answer_label_map.c.value)):
        found.setdefault(scale, {})[key] = value
    return found


def map_label(label: str, scale: str, value, *, actor: str, engine: Engine | None = None) -> int:
    """Say that `label` means `value` on `scale`; the answers set aside with that label are
    read at once (and the figures of their editions rebuilt). Returns how many were read."""
    label, key = _checked_label(label, scale)
    value = _checked_value(scale, value)
    if scale in NUMERIC_SCALES and re.fullmatch(r"-?\d+(?:[.,]\d+)?", label):
        raise LabelError(f"'{label}' is a number outside scale {scale} "
                         f"({SCALES[scale][0]}-{SCALES[scale][-1]}): it cannot stand for "
                         f"another value")
    if _readable_by_vocabulary(label, scale):
        raise LabelError(f"'{label}' is already read by the vocabulary on scale {scale}: "
                         f"nothing to map")
    engine = engine or get_engine()
    with engine.begin() as conn:
        existing = conn.execute(select(answer_label_map.c.value).where(
            answer_label_map.c.scale == scale, answer_label_map.c.label_key == key)).scalar()
        if existing is not None:
            raise LabelError(f"'{label}' is already mapped to {existing} on scale {scale}: "
                             f"unmap it first (impact labels unmap)")
        conn.execute(answer_label_map.insert().values(
            scale=scale, label_key=key, label=label, value=value, created_by=actor,
            created_at=_now()))
        read, editions = _read_again(conn, scale, key, label_maps(conn))
        marts.refresh(conn, editions)
        record(conn, actor=actor, action=LABEL_MAP,
               detail={"scale": scale, "label": label, "value": value, "answers_read": read})
    return read


def unmap_label(label: str, scale: str, *, actor: str, engine: Engine | None = None) -> int:
    """Remove a mapping; the answers it read go back to set aside. Returns how many."""
    label, key = _checked_label(label, scale)
    engine = engine or get_engine()
    with engine.begin() as conn:
        existing = conn.execute(select(answer_label_map.c.label).where(
            answer_label_map.c.scale == scale, answer_label_map.c.label_key == key)).scalar()
        if existing is None:
            raise LabelError(f"'{label}' is not mapped on scale {scale} "
                             f"(see impact labels list)")
        conn.execute(delete(answer_label_map).where(
            answer_label_map.c.scale == scale, answer_label_map.c.label_key == key))
        answers = conn.execute(
            select(answer_set_aside.c.response_id, answer_set_aside.c.item,
                   survey_response.c.edition)
            .join(survey_response,
                  survey_response.c.response_id == answer_set_aside.c.response_id)
            .where(answer_set_aside.c.scale == scale, answer_set_aside.c.label_key == key,
                   ~_unread()).distinct()).all()
        pairs = [(a.response_id, a.item) for a in answers]
        for start in range(0, len(pairs), 500):
            conn.execute(delete(survey_answer).where(tuple_(
                survey_answer.c.response_id, survey_answer.c.item).in_(pairs[start:start + 500])))
        marts.refresh(conn, {a.edition for a in answers})
        record(conn, actor=actor, action=LABEL_UNMAP,
               detail={"scale": scale, "label": existing, "answers_set_aside": len(pairs)})
    return len(pairs)


# ---- reading set-aside answers again

def _read_again(conn: Connection, scale: str, key: str,
                maps: dict[str, dict[str, str]]) -> tuple[int, set[str]]:
    """survey_answer rows for the answers set aside with (scale, key) that the mappings now
    read whole (a multi-select answer may hold several unknown pieces)."""
    touched = (select(answer_set_aside.c.response_id, answer_set_aside.c.item)
               .where(answer_set_aside.c.scale == scale, answer_set_aside.c.label_key == key,
                      _unread()).distinct().subquery())
    rows = conn.execute(
        select(answer_set_aside, survey_response.c.edition)
        .join(touched, and_(touched.c.response_id == answer_set_aside.c.response_id,
                            touched.c.item == answer_set_aside.c.item))
        .join(survey_response, survey_response.c.response_id == answer_set_aside.c.response_id)
        .order_by(answer_set_aside.c.response_id, answer_set_aside.c.item)).all()
    by_answer: dict[tuple[int, str], list] = {}
    for row in rows:
        by_answer.setdefault((row.response_id, row.item), []).append(row)
    answers, editions = [], set()
    for (response_id, item), parts in by_answer.items():
        read = answer_value(item, parts, maps)
        if read is not None:
            answers.append({"response_id": response_id, "item": item, "value": read[0],
                            "choices": read[1]})
            editions.add(parts[0].edition)
    if answers:
        conn.execute(survey_answer.insert(), answers)
    return len(answers), editions


def answer_value(item: str, parts: list, maps: dict[str, dict[str, str]]
                 ) -> tuple[float, str | None] | None:
    """(value, choices) of one answer from its set-aside parts (rows with scale, label_key,
    option, known_choices), or None while a part is not mapped."""
    values = [maps.get(p.scale, {}).get(p.label_key) if p.label_key else None for p in parts]
    if any(v is None for v in values):
        return None
    if item != "ess_structures_known":
        return float(values[0]), None
    codes = {c for c in (parts[0].known_choices or "").split(";") if c}
    for part, value in zip(parts, values):
        if part.scale == "ess_option" and value != "none":
            codes.add(value)
        elif part.scale == "option_ticked" and value == "1" and part.option:
            codes.add(part.option)
    ordered = [code for code in survey_formats.ESS_OPTIONS if code in codes]
    return float(len(ordered)), ";".join(ordered)


# ---- checks

def _checked_label(label: str, scale: str) -> tuple[str, str]:
    if scale not in SCALES:
        raise LabelError(f"unknown scale '{scale}' (one of {', '.join(SCALES)})")
    label = str(label).strip()
    key = answer_key(label)
    if not key:
        raise LabelError("the label is empty (write it as it appears in the answers)")
    if "@" in label:
        raise LabelError("the label looks like an e-mail address: a person's identifier "
                         "cannot be mapped")
    return label, key


def _checked_value(scale: str, value) -> str:
    text = str(value).strip()
    if isinstance(value, float) and not math.isnan(value) and value.is_integer():
        text = str(int(value))
    if text not in SCALES[scale]:
        raise LabelError(f"value '{text}' is outside scale {scale} "
                         f"(one of {', '.join(SCALES[scale])})")
    return text


def _readable_by_vocabulary(label: str, scale: str) -> bool:
    vocab = survey_formats.load_vocabulary()
    if scale in NUMERIC_SCALES:
        high = int(SCALES[scale][-1])
        low = int(SCALES[scale][0])
        found = survey_formats.scale_value(label, vocab.scales.get(scale, {}), low, high)
        return not math.isnan(found)
    if scale == "ess_option":
        return bool(vocab.option(label)) or answer_key(label) in vocab.scales["ess_none"]
    return answer_key(label) in vocab.scales["option_ticked"]


@contextlib.contextmanager
def _connection(engine: Engine | None, conn: Connection | None = None):
    """The caller's connection, or one of the engine's for the block."""
    if conn is not None:
        yield conn
        return
    with (engine or get_engine()).connect() as opened:
        yield opened


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
