"""Student survey parse -> canonical responses: schools resolved, keys made, duplicates settled.

The form tools' formats are read by etl.survey_formats; this step gives each response its
natural key (pseudonym, or the tool's response id for anonymous forms, else a hash of its
timestamp and answers), resolves the school, and keeps, within one wave and edition, a
respondent's latest response (by timestamp, then file order); the earlier ones are reported as
superseded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from etl import survey_formats
from etl.extract import RawTable
from etl.transform.common import is_blank, show
from etl.transform.context import LoadContext
from etl.transform.tables import FileRefused, Transformed

# Tools whose response ids count 1, 2, 3 per form: the form's header fingerprint goes in the key.
PER_FORM_IDS = {"limesurvey", "microsoft_forms", "framaforms", "google_forms", "google_sheets",
                "template"}
ITEM_COLUMNS = list(survey_formats.ITEMS) + ["ess_structures_choices"]


def _data(row) -> dict:
    """A response as kept in the rejected rows: answers only, no identifier."""
    data = {item: (None if pd.isna(getattr(row, item)) else getattr(row, item))
            for item in survey_formats.ITEMS if hasattr(row, item)}
    data["school"] = None if is_blank(row.school) else show(row.school)
    if row.pseudonym:
        data["pseudonym"] = row.pseudonym
    return data


FRAME_COLUMNS = ["respondent_key", "pseudonym", "edition", "wave", "school_id", "submitted_at",
                 "tool", "row_number", *ITEM_COLUMNS]


def surveys(raw: RawTable, ctx: LoadContext,
            label_maps: dict[str, dict[str, str]] | None = None) -> Transformed:
    """`label_maps`: the staff's answer mappings (etl.labels.label_maps)."""
    parse = survey_formats.parse_survey(raw, pseudonymise=ctx.pseudonymiser(), wave=ctx.wave,
                                        edition=ctx.edition, label_maps=label_maps)
    responses = parse.responses
    rejected = [dict(r) for r in parse.rejected.to_dict("records")]
    if len(responses) and responses["wave"].isna().all():
        raise FileRefused(f"{raw.file_name}: the survey wave (pre or post) is unknown: "
                          f"pass --wave pre or --wave post")
    # Column at a time: a national export has 100,000 responses, and each distinct school name
    # is resolved once.
    editions = _editions(responses)
    school_ids = _school_ids(responses, editions, ctx)
    reasons = _reasons(responses, editions, school_ids)
    keep = np.array([reason is None for reason in reasons], dtype=bool)
    for row, (code, text) in zip(responses[~keep].itertuples(index=False),
                                 [reason for reason in reasons if reason is not None]):
        rejected.append({"row_number": row.row_number, "reason_code": code,
                         "reason": f"row {row.row_number}: {text}", "data": _data(row)})
    frame = _canonical(responses[keep], editions[keep], school_ids[keep], parse.tool,
                       raw.header_fingerprint)
    frame["set_aside"] = _set_aside_by_row(frame["row_number"], parse.set_aside)
    frame, superseded = supersede(frame)
    for old, new in superseded:
        rejected.append({"row_number": int(old.row_number), "reason_code": "superseded",
                         "reason": f"row {old.row_number}: superseded by a later response of the "
                                   f"same respondent (row {new.row_number})",
                         "data": _data_from_frame(old)})
    return Transformed(rows=frame, rejected=rejected, ignored_columns=parse.ignored_columns,
                       tool=parse.tool)


def _set_aside_by_row(row_numbers: pd.Series, set_aside: pd.DataFrame) -> list:
    """Each response's answers the vocabulary could not read (a list of records), or None;
    they travel with their response, so a superseded one's go with it."""
    if set_aside.empty:
        return [None] * len(row_numbers)
    groups: dict[int, list[dict]] = {}
    for record in set_aside.to_dict("records"):
        groups.setdefault(int(record["row_number"]), []).append(record)
    return [groups.get(int(number)) for number in row_numbers]


def _blank(values: pd.Series) -> pd.Series:
    """is_blank of each cell, computed once per distinct value."""
    lookup = {value: is_blank(value) for value in values.dropna().unique()}
    return values.map(lookup).fillna(True).astype(bool)


def _present(values: pd.Series) -> pd.Series:
    """Cells that are truthy (not None, NaN or '')."""
    return values.notna() & values.astype(object).ne("")


def _none_for_missing(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), None)


def _editions(responses: pd.DataFrame) -> pd.Series:
    """The edition given or written, else the academic year of the submission time."""
    given = responses["edition"]
    from_time = survey_formats.edition_of(responses["submitted_at"])
    return _none_for_missing(given.where(_present(given), from_time))


def _school_ids(responses: pd.DataFrame, editions: pd.Series, ctx: LoadContext) -> pd.Series:
    """The school named in the response, else the one of the respondent's roster row."""
    schools = responses["school"]
    lookup = {name: (None if is_blank(name) else ctx.schools.resolve(name))
              for name in schools.dropna().unique()}
    school_ids = _none_for_missing(schools.map(lookup))
    from_roster = (school_ids.isna() & _present(responses["pseudonym"])
                   & _present(editions)).to_numpy()
    if from_roster.any():
        school_ids[from_roster] = [
            ctx.roster_schools.get((pseudonym, edition)) for pseudonym, edition in
            zip(responses["pseudonym"][from_roster], editions[from_roster])]
    return school_ids


def _reasons(responses: pd.DataFrame, editions: pd.Series, school_ids: pd.Series) -> list:
    """Per response, (reason_code, message) when it cannot be kept, else None; the first
    problem wins: wave, then edition, then school."""
    reasons: list = [None] * len(responses)
    no_wave = _blank(responses["wave"]).to_numpy()
    no_edition = editions.isna().to_numpy() & ~no_wave
    no_school = school_ids.isna().to_numpy() & ~no_wave & ~no_edition
    for position in np.flatnonzero(no_wave):
        reasons[position] = ("missing_wave", "the wave (pre or post) is empty: pass --wave")
    for position in np.flatnonzero(no_edition):
        reasons[position] = ("missing_edition", "no date and no edition: pass --edition")
    schools = responses["school"].to_numpy()
    for position in np.flatnonzero(no_school):
        name = schools[position]
        reasons[position] = (("unknown_school", f"unknown school '{show(name)}'")
                             if not is_blank(name) else ("missing_value", "the school is empty"))
    return reasons


def _respondent_keys(kept: pd.DataFrame, tool: str, fingerprint: str) -> list[str]:
    """The pseudonym; for an anonymous response the tool's response id (scoped by the form
    when the tool counts 1, 2, 3 per form), else a hash of its timestamp and answers."""
    keys = pd.Series([f"anon:{digest[:40]}" if isinstance(digest, str) else None
                      for digest in kept["answers_hash"].tolist()], index=kept.index, dtype=object)
    with_id = (~_blank(kept["tool_response_id"])).to_numpy()
    if with_id.any():
        scope = f"{tool}:{fingerprint}" if tool in PER_FORM_IDS else tool
        keys[with_id] = [f"anon:{scope}:{value}"[:120]
                         for value in kept["tool_response_id"][with_id]]
    identified = _present(kept["pseudonym"]).to_numpy()
    keys[identified] = kept["pseudonym"].to_numpy()[identified]
    return keys.tolist()


def _canonical(kept: pd.DataFrame, editions: pd.Series, school_ids: pd.Series, tool: str,
               fingerprint: str) -> pd.DataFrame:
    """The rows the loader writes. Text columns are built from lists, so that their dtypes are
    what pandas infers for them (None in a text column reads NaN downstream, as it always has)."""
    if kept.empty:
        return pd.DataFrame([], columns=FRAME_COLUMNS)
    submitted = kept["submitted_at"]
    columns = {
        "respondent_key": _respondent_keys(kept, tool, fingerprint),
        "pseudonym": [p or None for p in kept["pseudonym"].tolist()],
        "edition": editions.tolist(), "wave": kept["wave"].tolist(),
        "school_id": school_ids.tolist(),
        "submitted_at": (submitted.to_numpy() if submitted.notna().any()
                         else [None] * len(kept)),
        "tool": [tool] * len(kept), "row_number": kept["row_number"].tolist(),
    }
    for column in ITEM_COLUMNS:
        values = kept[column]
        columns[column] = (values.to_numpy() if values.dtype.kind == "f"
                           else values.tolist())
    return pd.DataFrame(columns, columns=FRAME_COLUMNS)


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
    winner_rows = dict(zip(zip(*(latest[k] for k in keys)), latest["row_number"]))
    position_of_row = {number: position for position, number in enumerate(frame["row_number"])}
    losers = order.drop(index=latest.index)
    superseded = [(row, frame.iloc[position_of_row[winner_rows[tuple(row[k] for k in keys)]]])
                  for _, row in losers.iterrows()]
    kept = latest.drop(columns="_ts").sort_values("row_number").reset_index(drop=True)
    return kept, superseded
