"""Unknown schools and their aliases, and re-running a batch's rejected rows once an alias is
added (or a missing organisation loaded): written into a CSV, loaded as a new batch.
"""

from __future__ import annotations

import csv
import re
from collections import Counter

from dashboard.uploads.base import UploadRefused
from dashboard.uploads.batches import (
    audit_action, batch_info, cell_text, data_columns, rejected_records, warehouse_engine)
from dashboard.uploads.jobs import HIDDEN_EMAIL, SHORTENED, new_job_folder, start_job


RERUN_NAME = "rejets-du-lot-{batch_id}.csv"


# ---- unknown schools and aliases ----

def unknown_school_names(batch_id: int, engine=None) -> list[tuple[str, int]]:
    """The school names a batch did not recognise, with their row counts, most rows first."""
    counts: Counter = Counter()
    for record in rejected_records(batch_id, engine, reason_code="unknown_school"):
        name = quoted_school(record)
        if name:
            counts[name] += 1
    return counts.most_common()


def quoted_school(record: dict) -> str | None:
    """The name in "unknown school 'X'", taken from the row's own cell when it is there."""
    for column in ("school_id", "school"):
        value = record["data"].get(column)
        if value and f"unknown school '{value}'" in record["reason"]:
            return value
    match = re.search(r"unknown school '(.+?)'(?:;|$)", record["reason"])
    return match.group(1) if match else None


def school_choices(engine=None) -> list[dict]:
    """Every school of the warehouse as dropdown options, by name."""
    from sqlalchemy import select

    from etl.schema import school

    with (engine or warehouse_engine()).connect() as conn:
        rows = conn.execute(select(school.c.school_id, school.c.name, school.c.city)
                            .order_by(school.c.name)).all()
    return [{"label": f"{r.name} ({r.city})" if r.city else r.name, "value": r.school_id}
            for r in rows]


def resolve_school(name: str, engine=None) -> str | None:
    from etl.reference import SchoolResolver

    return SchoolResolver.from_engine(engine or warehouse_engine()).resolve(name)


def add_school_alias(name: str, school_id: str, engine=None) -> str:
    """Write `name` as an alias of `school_id` and refresh the warehouse's aliases.

    Returns "added", or "known" when the name already means that school. Raises
    UploadRefused for a name that cannot be an alias or an unknown school.
    """
    from etl import reference

    engine = engine or warehouse_engine()
    name = (name or "").strip()
    if not reference.name_key(name) or name == HIDDEN_EMAIL or SHORTENED.match(name):
        raise UploadRefused("data.alias.error.name", name=name)
    if school_id not in {o["value"] for o in school_choices(engine)}:
        raise UploadRefused("data.alias.error.school", school=school_id or "")
    current = resolve_school(name, engine)
    if current == school_id:
        return "known"
    if current is not None:
        label = next((o["label"] for o in school_choices(engine) if o["value"] == current),
                     current)
        raise UploadRefused("data.alias.error.taken", name=name, school=label)
    reference.add_alias(name, school_id, path=reference.ALIASES_CSV)
    reference.sync(engine)
    audit_action("school_alias", {"alias": name, "school_id": school_id})
    return "added"


# ---- re-running rejected rows ----

def rerun_plan(batch_id: int, engine=None) -> dict:
    """Which rejected rows of a batch can be loaded again, and why the others cannot.

    {"possible": bool, "why_not": None | "people" | "columns" | "not_loaded",
     "rows": [records], "skipped": {"duplicate_key": n, "shortened": n},
     "missing": [required columns the stored rows lack]}
    """
    from etl.load import PEOPLE_KINDS

    batch = batch_info(batch_id, engine)
    plan = {"possible": False, "why_not": None, "rows": [], "skipped": Counter(),
            "missing": []}
    if batch is None or batch["status"] != "loaded":
        plan["why_not"] = "not_loaded"
        return plan
    if batch["kind"] in PEOPLE_KINDS:
        plan["why_not"] = "people"
        return plan
    records = rejected_records(batch_id, engine)
    plan["missing"] = missing_columns(batch["kind"], data_columns(records))
    if plan["missing"]:
        plan["why_not"] = "columns"
        return plan
    for record in records:
        if record["reason_code"] == "duplicate_key":
            plan["skipped"]["duplicate_key"] += 1  # loading it would overwrite the first row
        elif any(isinstance(v, str) and (SHORTENED.match(v) or v == HIDDEN_EMAIL)
                 for v in record["data"].values()):
            plan["skipped"]["shortened"] += 1  # the stored cell is not the file's cell
        else:
            plan["rows"].append(record)
    plan["possible"] = bool(plan["rows"])
    return plan


def missing_columns(kind: str, columns: list[str]) -> list[str]:
    """Required columns of the kind that the stored rows lack (the loader never stores a
    column it treats as personal, such as `name`, even an organisation's)."""
    from etl.transform.tables import PERSONAL_COLUMNS, REQUIRED

    stored = set(columns)
    return [c for c in REQUIRED.get(kind, ()) if c not in stored and c in PERSONAL_COLUMNS]


def start_rerun(batch_id: int, engine=None) -> str:
    """Load the batch's re-runnable rejected rows as a new batch, in a job; returns its id."""
    plan = rerun_plan(batch_id, engine)
    if not plan["possible"]:
        raise UploadRefused(f"data.rerun.error.{plan['why_not'] or 'nothing'}")
    batch = batch_info(batch_id, engine)
    records = plan["rows"]
    columns = data_columns(records)
    job_id, folder = new_job_folder()
    path = folder / "001" / RERUN_NAME.format(batch_id=batch_id)
    path.parent.mkdir(parents=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for record in records:
            writer.writerow([cell_text(record["data"].get(c)) for c in columns])
    start_job(job_id, [path], kind=batch["kind"], wave=batch["wave"],
              rerun={"batch_id": batch_id, "rejected_ids": [r["rejected_id"] for r in records]})
    audit_action("rerun_rejected", {"batch_id": batch_id, "job_id": job_id, "rows": len(records)})
    return job_id
