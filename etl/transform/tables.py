"""Staff spreadsheets -> canonical rows, one function per input kind.

Each transform renames the file's headers to the canonical columns (synonyms live in
data/reference/columns.csv), parses and checks every cell, resolves names to reference ids, and
returns the valid rows plus the rejected ones with their reasons. Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from etl.extract import RawTable
from etl.reference import name_key
from etl.transform.common import (
    ColumnParser,
    column_synonyms,
    edition_of,
    is_blank,
    once_per_value,
    show,
)
from etl.transform.context import LoadContext

REQUIRED = {
    "organisations": ("org_id", "name", "legal_form", "cause", "region_code"),
    "projects": ("project_id", "title", "org_id", "edition", "tech_type", "status"),
    "students": ("school", "edition"),
    "events": ("event_id", "date", "city", "region_code", "event_type", "attendees"),
    "guide": ("record_id", "date", "channel", "copies", "audience"),
    "org-survey": ("project_id", "delivered"),
}
NATURAL_KEYS = {
    "organisations": ("org_id",), "projects": ("project_id",),
    "students": ("pseudonym", "edition"), "events": ("event_id",),
    "guide": ("record_id",), "org-survey": ("project_id", "wave"),
}
PERSONAL_COLUMNS = {"email", "student_number", "name"}


class FileRefused(ValueError):
    """The whole file cannot be used (a required column is missing, no wave, ...)."""


@dataclass
class Transformed:
    rows: pd.DataFrame                    # canonical columns, valid rows only, plus row_number
    rejected: list[dict] = field(default_factory=list)  # row_number, reason_code, reason, data
    ignored_columns: list[str] = field(default_factory=list)
    tool: str = "template"


def map_headers(raw: RawTable, kind: str) -> tuple[dict[int, str], list[str]]:
    """File column position -> canonical column, and the headers that matched nothing."""
    synonyms = column_synonyms()[kind]
    mapping, ignored, taken = {}, [], set()
    for position, header in enumerate(raw.headers):
        column = synonyms.get(name_key(header))
        if column and column not in taken:
            mapping[position] = column
            taken.add(column)
        elif header:
            ignored.append(header)
    return mapping, ignored


def recognise_score(raw: RawTable, kind: str) -> int:
    """How many of the kind's required columns the headers hold (kind detection)."""
    mapped = set(map_headers(raw, kind)[0].values())
    required = set(REQUIRED[kind])
    if kind == "students":
        required |= {"email"} if "email" in mapped else {"student_number"}
    return len(required & mapped) if required <= mapped else 0


def missing_columns(raw: RawTable, kind: str) -> list[str]:
    mapped = set(map_headers(raw, kind)[0].values())
    missing = [c for c in REQUIRED[kind] if c not in mapped]
    if kind == "students" and not {"email", "student_number"} & mapped:
        missing.append("email or student_number")
    return missing


def refuse_missing_columns(raw: RawTable, kind: str) -> None:
    missing = missing_columns(raw, kind)
    if missing:
        raise FileRefused(
            f"{raw.file_name}: missing required column(s) {', '.join(repr(m) for m in missing)} "
            f"for kind '{kind}' (found: {', '.join(h for h in raw.headers if h) or 'no headers'})")


def _prepare(raw: RawTable, kind: str) -> tuple[ColumnParser, list[str]]:
    refuse_missing_columns(raw, kind)
    mapping, ignored = map_headers(raw, kind)
    frame = raw.frame[list(mapping)].rename(columns=mapping)
    headers = {column: raw.headers[position] for position, column in mapping.items()}
    return ColumnParser(frame, raw.row_numbers, headers), ignored


def _finish(parser: ColumnParser, values: dict[str, list], kind: str, personal=()) -> Transformed:
    # Object columns keep 20 an int beside an empty cell (pandas would make it 20.0, which
    # PostgreSQL's COPY refuses for an integer column and which changes the row's digest).
    frame = pd.DataFrame({name: pd.Series(column, dtype=object)
                          for name, column in values.items()})
    frame["row_number"] = parser.row_numbers
    rejected = []
    bad = parser.bad_rows()
    seen: dict[tuple, int] = {}
    keep = []
    keys = NATURAL_KEYS[kind]
    for position, row in enumerate(frame.itertuples(index=False)):
        if position in bad:
            rejected.append(_rejection(parser, position, values, personal))
            continue
        key = tuple(getattr(row, k) for k in keys)
        if key in seen:
            names = ["person" if k == "pseudonym" else k for k in keys]
            parser.fail(position, "duplicate_key",
                        f"same {' and '.join(names)} as row {seen[key]}" + _key_text(keys, key))
            rejected.append(_rejection(parser, position, values, personal))
            continue
        seen[key] = row.row_number
        keep.append(position)
    return Transformed(rows=frame.iloc[keep].reset_index(drop=True), rejected=rejected)


def _key_text(keys, key) -> str:
    shown = [f"{k} '{v}'" for k, v in zip(keys, key) if k != "pseudonym"]
    return f" ({', '.join(shown)})" if shown else ""


def _rejection(parser: ColumnParser, position: int, values: dict[str, list], personal) -> dict:
    errors = parser.errors[position]
    raw_cells = {c: parser.frame[c].iloc[position] for c in parser.frame.columns
                 if c not in PERSONAL_COLUMNS and c not in personal}
    data = {c: (None if is_blank(v) else show(v)) for c, v in raw_cells.items()}
    pseudonym = values.get("pseudonym", [None] * (position + 1))[position]
    if pseudonym:
        data["pseudonym"] = pseudonym
    prefix = f"row {parser.row_numbers[position]}: "
    reasons = [errors[0][1]] + [message.removeprefix(prefix) for _, message in errors[1:]]
    return {"row_number": parser.row_numbers[position], "reason_code": errors[0][0],
            "reason": "; ".join(reasons), "data": data}


def _region(parser: ColumnParser, ctx: LoadContext, name: str, required: bool) -> list:
    from etl.transform.common import parse_region

    return parser.parse(name, lambda v: parse_region(v, ctx.regions), required=required,
                        what="an INSEE region code such as 84 or a region's name")


def _school(parser: ColumnParser, ctx: LoadContext, name: str, required: bool) -> list:
    header = parser.headers.get(name, name)
    resolve = once_per_value(ctx.schools.resolve)
    values = []
    for position, cell in enumerate(parser.column(name).tolist()):
        if is_blank(cell):
            if required:
                parser.fail(position, "missing_value", f"'{header}' is empty")
            values.append(None)
            continue
        school_id = resolve(cell)
        if school_id is None:
            parser.fail(position, "unknown_school", f"unknown school '{show(cell)}'")
        values.append(school_id)
    return values


def _reference(parser: ColumnParser, name: str, known, what: str, values: list) -> list:
    header = parser.headers.get(name, name)
    for position, value in enumerate(values):
        if value is not None and value not in known:
            parser.fail(position, f"unknown_{what.replace(' ', '_')}",
                        f"unknown {what} '{show(value)}' in '{header}'")
    return values


def organisations(raw: RawTable, ctx: LoadContext) -> Transformed:
    parser, ignored = _prepare(raw, "organisations")
    values = {
        "org_id": parser.identifier("org_id", required=True),
        "name": parser.text("name", required=True),
        "legal_form": parser.vocabulary("legal_form", "legal_form", required=True),
        "cause": parser.vocabulary("cause", "cause", required=True),
        "city": parser.text("city", required=False),
        "region_code": _region(parser, ctx, "region_code", True),
    }
    return _with_ignored(_finish(parser, values, "organisations"), ignored)


def projects(raw: RawTable, ctx: LoadContext) -> Transformed:
    parser, ignored = _prepare(raw, "projects")
    values = {
        "project_id": parser.identifier("project_id", required=True),
        "title": parser.text("title", required=True),
        "org_id": parser.identifier("org_id", required=True),
        "school_id": _school(parser, ctx, "school_id", False),
        "edition": parser.edition("edition", required=True),
        "tech_type": parser.vocabulary("tech_type", "tech_type", required=True),
        "status": parser.vocabulary("status", "status", required=True),
        "students_count": parser.integer("students_count", required=False, maximum=10000),
        "mentors_count": parser.integer("mentors_count", required=False, maximum=10000),
        "start_date": parser.date("start_date", required=False),
        "end_date": parser.date("end_date", required=False),
    }
    _reference(parser, "org_id", ctx.org_regions.keys() | ctx.extra_org_regions.keys(),
               "organisation", values["org_id"])
    for position, (start, end) in enumerate(zip(values["start_date"], values["end_date"])):
        if start and end and end < start:
            parser.fail(position, "invalid_dates", f"end date {end} is before start date {start}")
    return _with_ignored(_finish(parser, values, "projects"), ignored)


def students(raw: RawTable, ctx: LoadContext) -> Transformed:
    parser, ignored = _prepare(raw, "students")
    pseudonymise = ctx.pseudonymiser()
    identifiers = []
    for position, (email, number) in enumerate(zip(parser.column("email").tolist(),
                                                  parser.column("student_number").tolist())):
        identifier = email if not is_blank(email) else number
        if is_blank(identifier):
            parser.fail(position, "missing_identifier", "no e-mail or student number")
            identifiers.append(None)
        else:
            if isinstance(identifier, float) and identifier == int(identifier):
                identifier = str(int(identifier))
            identifiers.append(pseudonymise(str(identifier)))
    values = {
        "pseudonym": identifiers,
        "edition": parser.edition("edition", required=True),
        "school_id": _school(parser, ctx, "school", True),
        "project_id": parser.identifier("project_id", required=False),
        "year_of_study": parser.integer("year_of_study", required=False, minimum=1, maximum=8),
        "gender": parser.vocabulary("gender", "gender", required=False),
    }
    _reference(parser, "project_id", ctx.project_ids, "project", values["project_id"])
    return _with_ignored(_finish(parser, values, "students"), ignored)


def events(raw: RawTable, ctx: LoadContext) -> Transformed:
    parser, ignored = _prepare(raw, "events")
    values = {
        "event_id": parser.identifier("event_id", required=True),
        "date": parser.date("date", required=True),
        "city": parser.text("city", required=True),
        "region_code": _region(parser, ctx, "region_code", True),
        "school_id": _school(parser, ctx, "school_id", False),
        "event_type": parser.vocabulary("event_type", "event_type", required=True),
        "attendees": parser.integer("attendees", required=True, maximum=1_000_000),
        "students_attending": parser.integer("students_attending", required=False,
                                             maximum=1_000_000),
        "organisations_attending": parser.integer("organisations_attending", required=False,
                                                  maximum=1_000_000),
    }
    for position, (total, students_) in enumerate(zip(values["attendees"],
                                                      values["students_attending"])):
        if total is not None and students_ is not None and students_ > total:
            parser.fail(position, "inconsistent_counts",
                        f"students attending ({students_}) exceed attendees ({total})")
    values["edition"] = [edition_of(d) for d in values["date"]]
    return _with_ignored(_finish(parser, values, "events"), ignored)


def guide(raw: RawTable, ctx: LoadContext) -> Transformed:
    parser, ignored = _prepare(raw, "guide")
    values = {
        "record_id": parser.identifier("record_id", required=True),
        "date": parser.date("date", required=True),
        "channel": parser.vocabulary("channel", "channel", required=True),
        "copies": parser.integer("copies", required=True, maximum=10_000_000),
        "region_code": _region(parser, ctx, "region_code", False),
        "school_id": _school(parser, ctx, "school_id", False),
        "org_id": parser.identifier("org_id", required=False),
        "event_id": parser.identifier("event_id", required=False),
        "audience": parser.vocabulary("audience", "audience", required=True),
    }
    _reference(parser, "org_id", ctx.org_regions.keys(), "organisation", values["org_id"])
    _reference(parser, "event_id", ctx.event_regions.keys(), "event", values["event_id"])
    values["edition"] = [edition_of(d) for d in values["date"]]
    return _with_ignored(_finish(parser, values, "guide"), ignored)


def org_survey(raw: RawTable, ctx: LoadContext) -> Transformed:
    parser, ignored = _prepare(raw, "org-survey")
    if ctx.wave:
        waves = [ctx.wave] * len(parser.frame)
    elif "wave" in parser.frame.columns:
        waves = parser.vocabulary("wave", "org_survey_wave", required=True)
    else:
        raise FileRefused(f"{raw.file_name}: the follow-up wave is unknown: pass --wave end "
                          f"or --wave six_months (or add a 'wave' column)")
    values = {
        "project_id": parser.identifier("project_id", required=True),
        "wave": waves,
        "delivered": parser.vocabulary("delivered", "boolean", required=True),
        "in_use": parser.vocabulary("in_use", "in_use", required=False),
        "satisfaction": parser.integer("satisfaction", required=False, minimum=1, maximum=5),
        "mission_impact": parser.integer("mission_impact", required=False, minimum=1, maximum=5),
        "beneficiaries_reached": parser.integer("beneficiaries_reached", required=False,
                                                maximum=100_000_000),
        "would_apply_again": parser.vocabulary("would_apply_again", "boolean", required=False),
    }
    values["delivered"] = [None if v is None else v == "true" for v in values["delivered"]]
    values["would_apply_again"] = [None if v is None else v == "true"
                                   for v in values["would_apply_again"]]
    _reference(parser, "project_id", ctx.project_ids, "project", values["project_id"])
    return _with_ignored(_finish(parser, values, "org-survey"), ignored)


def _with_ignored(result: Transformed, ignored: list[str]) -> Transformed:
    result.ignored_columns = ignored
    return result


TRANSFORMS = {
    "organisations": organisations, "projects": projects, "students": students,
    "events": events, "guide": guide, "org-survey": org_survey,
}
