"""The awareness figures split up: answer distributions of the Likert items, the knows_ess
change by school, region or edition, the kinds of structure named; and every figure as a
published snapshot stores it.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from dashboard import stats
from dashboard.cache import cached
from dashboard.queries.awareness.cubes import pair_count, select_cubes, units_gate
from dashboard.queries.awareness.figures import export_table, headline, items_table
from dashboard.queries.awareness.items import (
    BREAKDOWN_COLUMNS, BREAKDOWN_DIMENSIONS, DISTRIBUTION_COLUMNS, DISTRIBUTION_ITEMS,
    EXPORT_COLUMNS, HEADLINE_ITEM, LIKERT_ANSWERS, POST_ONLY_ITEMS, SNAPSHOT_BREAKDOWN,
    SNAPSHOT_DISTRIBUTION, SNAPSHOT_EXPORT, SNAPSHOT_HEADLINE, SNAPSHOT_ITEMS, WAVES)
from dashboard.queries.awareness.rows import (
    _typed_frame, resolve, share_pct, shown_count, with_difference)
from dashboard.queries.base import Filters, Scope, effective
from dashboard.queries.frames import chosen_parts, json_records, stored as stored_figure
from dashboard.queries.versioned import versioned
from etl.db import get_engine
from etl.schema import region, school


# ---- Likert distributions -------------------------------------------------------------------

@cached
def likert_distribution(filters: Filters, scope: Scope, k: int | None,
                        engine: Engine | None = None,
                        snapshot: Mapping | None = None) -> pd.DataFrame:
    """Every answer 1-5 of the Likert items (and satisfaction, after only) per wave, for the
    diverging bars: count and share (0-1) of the wave's respondents to the item; a wave whose
    n is under K has its counts and shares blank and `suppressed` true."""
    stored = stored_figure(snapshot, SNAPSHOT_DISTRIBUTION)
    if stored is not None:
        return _distribution_frame(list(stored))
    engine, k = resolve(engine, k)
    chosen = effective(filters, scope)
    responses, answers = select_cubes(engine, chosen, "responses", "answers")
    gate = units_gate(engine, chosen, k)
    rows = []
    for wave in WAVES:
        sums = (responses.select(Filters(), wave=wave).sums()
                | answers.select(Filters(), wave=wave).sums())
        for item in DISTRIBUTION_ITEMS:
            if wave == "pre" and item in POST_ONLY_ITEMS:
                continue
            n = sums[f"n__{item}"]
            hidden = n < k or not gate.whole(f"{wave}:{item}")
            for answer in LIKERT_ANSWERS:
                count = sums[f"answer_{answer}__{item}"]
                rows.append({"item": item, "wave": wave, "answer": answer,
                             "count": None if hidden else count,
                             "share": None if hidden else count / n,
                             "n": shown_count(n, k, scope), "suppressed": hidden})
    order = {item: i for i, item in enumerate(DISTRIBUTION_ITEMS)}
    rows.sort(key=lambda row: (order[row["item"]], WAVES.index(row["wave"]), row["answer"]))
    return _distribution_frame(rows)


def _distribution_frame(rows: list[dict]) -> pd.DataFrame:
    return _typed_frame(rows, DISTRIBUTION_COLUMNS, ["count", "n"], ["share"])


# ---- breakdown (knows_ess paired change per school, region or edition) ----------------------

def hidden_groups(counts: Mapping[str, int], k: int) -> set[str]:
    """Groups to hide when their n's are shown beside the overall total: `suppress_counts`,
    then more of the smallest shown groups while the hidden ones add up to fewer than K people
    (else the total minus the shown groups would be a cell under K)."""
    total = sum(counts.values())
    hidden = stats.suppress_counts(counts, k, total=total)
    if stats.is_small_cell(total, k):
        return hidden
    shown = sorted((n, key) for key, n in counts.items() if key not in hidden and n > 0)
    while stats.is_small_cell(sum(counts[key] for key in hidden), k) and shown:
        hidden.add(shown.pop(0)[1])
    return hidden


LABEL_COLUMNS = {"school": (school.c.school_id, school.c.name),
                 "region": (region.c.region_code, region.c.name)}


def _group_labels(engine: Engine, dimension: str, groups) -> dict[str, str]:
    """School and region names; an edition is its own label. Every name of the dimension is
    read once per warehouse version (a query per breakdown with hundreds of schools in its
    IN list took milliseconds on PostgreSQL)."""
    if dimension not in LABEL_COLUMNS or not groups:
        return {group: group for group in groups}
    key, name = LABEL_COLUMNS[dimension]
    names = versioned(engine, f"names:{dimension}",
                      lambda conn: dict(conn.execute(select(key, name)).all()))
    return {group: names[group] for group in groups if group in names}


@cached
def breakdown(dimension: str, filters: Filters, scope: Scope, k: int | None,
              engine: Engine | None = None, snapshot: Mapping | None = None) -> pd.DataFrame:
    """knows_ess paired change per school, region or edition (a pair's school and region are
    those of its pre answer), sorted by difference, largest first; the hidden groups last."""
    if dimension not in BREAKDOWN_DIMENSIONS:
        raise ValueError(f"unknown breakdown '{dimension}' "
                         f"({', '.join(BREAKDOWN_DIMENSIONS)})")
    stored = stored_figure(snapshot, SNAPSHOT_BREAKDOWN.format(dimension=dimension))
    if stored is not None:
        return _breakdown_frame(list(stored))
    engine, k = resolve(engine, k)
    chosen = effective(filters, scope)
    [cube] = select_cubes(engine, chosen, "pairs")
    column = BREAKDOWN_DIMENSIONS[dimension]
    pairs = {group: pair for group, sums in cube.sums_by(column).items()
             if (pair := pair_count(sums, HEADLINE_ITEM)).n > 0}
    labels = _group_labels(engine, dimension, pairs)
    # A row is a selection too: shown only when whole (a school pooled with others is hidden);
    # then the total minus the shown rows is a union of whole units as well.
    whole = units_gate(engine, chosen, k).whole_by(column, f"pairs:{HEADLINE_ITEM}")
    hidden = hidden_groups({group: pair.n for group, pair in pairs.items()}, k) | {
        group for group in pairs if not whole.get(group, True)}
    shown = [group for group in pairs if group not in hidden]
    # every shown group's interval and p-value in one vectorised call
    differences = dict(zip(shown, stats.paired_differences(
        [(pairs[g].both, pairs[g].pre_only, pairs[g].post_only, pairs[g].neither)
         for g in shown])))
    rows = []
    for group, pair in pairs.items():
        row = {"group": group, "label": labels.get(group, group), "n_matched": None,
               **dict.fromkeys(["pre_pct", "post_pct", "diff_pp", "ci_low_pp", "ci_high_pp",
                                "fragile"]), "suppressed": group in hidden}
        if not row["suppressed"]:
            row.update(n_matched=pair.n, pre_pct=share_pct(pair.pre_positive, pair.n),
                       post_pct=share_pct(pair.post_positive, pair.n))
            with_difference(row, differences[group], pair.n)
        rows.append(row)
    rows.sort(key=lambda r: (r["suppressed"], -(r["diff_pp"] or 0), str(r["group"])))
    return _breakdown_frame(rows)


def _breakdown_frame(rows: list[dict]) -> pd.DataFrame:
    return _typed_frame(rows, BREAKDOWN_COLUMNS, ["n_matched"],
                        ["pre_pct", "post_pct", "diff_pp", "ci_low_pp", "ci_high_pp"])


# ---- published snapshots --------------------------------------------------------------------

def snapshot_figures(filters: Filters, scope: Scope, k: int | None,
                     engine: Engine | None = None, keys=None) -> dict:
    """Every figure of this module as JSON-ready data, keyed as the `snapshot` argument reads
    them, for a published report to store and replay (`keys`: only those figures)."""
    args = (filters, scope, k, engine)
    items: list = []

    def items_records() -> list[dict]:
        if not items:
            items.extend(json_records(items_table(*args)))
        return items

    def export_records() -> list[dict]:
        if keys is not None and SNAPSHOT_ITEMS not in keys:
            return json_records(export_table(*args))
        # the export's rows are the items table's rows without its extra columns
        return [{column: row[column] for column in EXPORT_COLUMNS} for row in items_records()]
    return chosen_parts({
        SNAPSHOT_EXPORT: export_records,
        SNAPSHOT_ITEMS: items_records,
        SNAPSHOT_HEADLINE: lambda: headline(*args),
        SNAPSHOT_DISTRIBUTION: lambda: json_records(likert_distribution(*args)),
        **{SNAPSHOT_BREAKDOWN.format(dimension=dimension):
           (lambda dimension=dimension: json_records(breakdown(dimension, *args)))
           for dimension in BREAKDOWN_DIMENSIONS},
    }, keys)


# ---- the mean number of kinds of ESS organisations named ------------------------------------
# The share naming at least three kinds is an item like the others; the page also shows the
# mean number named, from the two cubes of sums `structures_responses` and `structures_pairs`.

@cached
def structures_named(filters: Filters, scope: Scope, k: int,
                     engine: Engine | None = None) -> dict:
    """Mean number of kinds of ESS organisations named, before and after: among the matched
    people (`paired`) and among every answer of each wave (`unpaired`). A mean of fewer than K
    people is None (suppressed), like every figure of the page."""
    engine = engine or get_engine()
    chosen = effective(filters, scope)
    responses, pairs = select_cubes(engine, chosen, "structures_responses", "structures_pairs")
    gate = units_gate(engine, chosen, k)
    item = "ess_structures_known"
    pair = pairs.sums()
    paired = {"n": pair["n"], "suppressed": pair["n"] < k or not gate.whole(f"pairs:{item}"),
              "pre_mean": None, "post_mean": None}
    if not paired["suppressed"]:
        paired.update(pre_mean=pair["pre_total"] / pair["n"],
                      post_mean=pair["post_total"] / pair["n"])
    unpaired = {"suppressed": False}
    for wave in WAVES:
        sums = responses.select(Filters(), wave=wave).sums()
        unpaired[f"n_{wave}"] = sums["n"]
        shown = sums["n"] >= k and gate.whole(f"{wave}:{item}")
        unpaired[f"{wave}_mean"] = sums["total"] / sums["n"] if shown else None
        unpaired["suppressed"] |= not shown
    if unpaired["suppressed"]:
        unpaired["pre_mean"] = unpaired["post_mean"] = None
    return {"paired": paired, "unpaired": unpaired}
