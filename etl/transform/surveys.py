"""Student survey parse -> canonical responses: schools resolved, keys made, duplicates settled.

The form tools' formats are read by etl.survey_formats; this step gives each response its
natural key (pseudonym, or the tool's response id for anonymous forms, else a hash of its
timestamp and answers), resolves the school, and keeps, within one wave and edition, a
respondent's latest response (by timestamp, then file order); the earlier ones are reported as
superseded.
"""

from __future__ import annotations

import pandas as pd

from etl import survey_formats
from etl.extract import RawTable
from etl.transform.common import edition_of, is_blank, show
from etl.transform.context import LoadContext
from etl.transform.tables import FileRefused, Transformed

# Tools whose response ids count 1, 2, 3 per form: the form's header fingerprint goes in the key.
PER_FORM_IDS = {"limesurvey", "microsoft_forms", "framaforms", "google_forms", "google_sheets",
                "template"}
ITEM_COLUMNS = list(survey_formats.ITEMS) + ["ess_structures_choices"]


def respondent_key(row, tool: str, fingerprint: str) -> str:
    if row.pseudonym:
        return row.pseudonym
    if not is_blank(row.tool_response_id):
        scope = f"{tool}:{fingerprint}" if tool in PER_FORM_IDS else tool
        return f"anon:{scope}:{row.tool_response_id}"[:120]
    return f"anon:{row.answers_hash[:40]}"


def _data(row) -> dict:
    """A response as kept in the rejected rows: answers only, no identifier."""
    data = {item: (None if pd.isna(getattr(row, item)) else getattr(row, item))
            for item in survey_formats.ITEMS if hasattr(row, item)}
    data["school"] = None if is_blank(row.school) else show(row.school)
    if row.pseudonym:
        data["pseudonym"] = row.pseudonym
    return data


def surveys(raw: RawTable, ctx: LoadContext) -> Transformed:
    parse = survey_formats.parse_survey(raw, pseudonymise=ctx.pseudonymiser(), wave=ctx.wave,
                                        edition=ctx.edition)
    responses = parse.responses
    rejected = [dict(r) for r in parse.rejected.to_dict("records")]
    if len(responses) and responses["wave"].isna().all():
        raise FileRefused(f"{raw.file_name}: the survey wave (pre or post) is unknown: "
                          f"pass --wave pre or --wave post")
    rows, positions = [], []
    for row in responses.itertuples(index=False):
        reason = None
        school_id = ctx.schools.resolve(row.school) if not is_blank(row.school) else None
        edition = row.edition or (edition_of(row.submitted_at)
                                  if not pd.isna(row.submitted_at) else None)
        if school_id is None and row.pseudonym and edition:
            school_id = ctx.roster_schools.get((row.pseudonym, edition))
        if is_blank(row.wave):
            reason = ("missing_wave", "the wave (pre or post) is empty: pass --wave")
        elif edition is None:
            reason = ("missing_edition", "no date and no edition: pass --edition")
        elif school_id is None:
            reason = (("unknown_school", f"unknown school '{show(row.school)}'")
                      if not is_blank(row.school) else ("missing_value", "the school is empty"))
        if reason:
            rejected.append({"row_number": row.row_number, "reason_code": reason[0],
                             "reason": f"row {row.row_number}: {reason[1]}", "data": _data(row)})
            continue
        rows.append({
            "respondent_key": respondent_key(row, parse.tool, raw.header_fingerprint),
            "pseudonym": row.pseudonym or None, "edition": edition, "wave": row.wave,
            "school_id": school_id,
            "submitted_at": None if pd.isna(row.submitted_at) else row.submitted_at.to_pydatetime(),
            "tool": parse.tool, "row_number": row.row_number,
            **{c: getattr(row, c) for c in ITEM_COLUMNS if hasattr(row, c)},
        })
        positions.append(row)
    frame = pd.DataFrame(rows, columns=["respondent_key", "pseudonym", "edition", "wave",
                                        "school_id", "submitted_at", "tool", "row_number",
                                        *ITEM_COLUMNS])
    frame, superseded = supersede(frame)
    for old, new in superseded:
        rejected.append({"row_number": int(old.row_number), "reason_code": "superseded",
                         "reason": f"row {old.row_number}: superseded by a later response of the "
                                   f"same respondent (row {new.row_number})",
                         "data": _data_from_frame(old)})
    return Transformed(rows=frame, rejected=rejected, ignored_columns=parse.ignored_columns,
                       tool=parse.tool)


def _data_from_frame(row) -> dict:
    data = {c: (None if pd.isna(row[c]) else row[c]) for c in survey_formats.ITEMS if c in row}
    data["school_id"] = row["school_id"]
    if row["pseudonym"]:
        data["pseudonym"] = row["pseudonym"]
    return data


def supersede(frame: pd.DataFrame) -> tuple[pd.DataFrame, list]:
    """Keep each respondent's latest response per wave and edition (timestamp, then file order)."""
    if frame.empty:
        return frame, []
    order = frame.assign(_ts=pd.to_datetime(frame["submitted_at"]))
    order = order.sort_values(["_ts", "row_number"], na_position="first", kind="stable")
    keys = ["respondent_key", "edition", "wave"]
    latest = order.drop_duplicates(keys, keep="last")
    if len(latest) == len(frame):
        return frame.reset_index(drop=True), []
    winners = latest.set_index(keys)["row_number"]
    losers = order.drop(index=latest.index)
    superseded = [(row, frame.loc[frame["row_number"] == winners.loc[tuple(row[k] for k in keys)]]
                   .iloc[0]) for _, row in losers.iterrows()]
    kept = latest.drop(columns="_ts").sort_values("row_number").reset_index(drop=True)
    return kept, superseded
