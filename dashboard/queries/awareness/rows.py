"""Counts -> the rows of the awareness tables: shares, intervals, differences and p-values
(dashboard.stats, remembered for counts already seen), each row suppressed when fewer than K
people stand behind it or its selection is not made of whole publication units.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from dashboard import stats
from dashboard.queries.awareness.cubes import PairCount, WaveCount
from dashboard.queries.awareness.items import (
    COUNT_COLUMNS, EXPORT_COLUMNS, FIGURE_COLUMNS, LIKERT_CHANGES, PAIRED_ITEMS, POST_ONLY_ITEMS)
from dashboard.queries.base import Scope, min_cell
from dashboard.queries.disclosure import Gate
from dashboard.queries.frames import Mask
from etl.db import get_engine


class _Remembered:
    """A statistic of counts (dashboard.stats), remembered for the counts already seen: a page
    asks for the same counts again and again (a filter toggled back, the export after the
    page). `prefetch` computes those of a whole table in one call of the statistic's `many`
    form: one statsmodels call per figure costs a quarter of a millisecond, and the items
    table has about forty."""

    LIMIT = 50_000  # counts remembered before the memory starts again

    def __init__(self, one, many):
        self.one, self.many = one, many
        self.seen: dict[tuple[int, ...], object] = {}

    def __call__(self, *counts: int):
        found = self.seen.get(counts)
        if found is None:
            found = self.one(*counts)
            self._keep({counts: found})
        return found

    def prefetch(self, tables) -> None:
        new = list({tuple(counts) for counts in tables} - self.seen.keys())
        if not new:
            return
        try:
            found = self.many(new)
        except ValueError:
            return  # impossible counts: the figure that needs them says so (`one`)
        self._keep(dict(zip(new, found)))

    def _keep(self, found: dict) -> None:
        if len(self.seen) + len(found) > self.LIMIT:
            self.seen = {}
        self.seen.update(found)


_wilson = _Remembered(stats.wilson, stats.wilson_many)
paired_difference = _Remembered(stats.paired_difference, stats.paired_differences)
_unpaired_difference = _Remembered(stats.unpaired_difference, stats.unpaired_differences)


@functools.lru_cache(maxsize=1024)
def mean_change_of(people_by_change: tuple[int, ...]) -> tuple:
    # Each matched person's change (post - pre), rebuilt from how many people changed by how
    # much; measured from 0, since only the change enters the mean and its interval.
    changes = np.repeat(np.asarray(LIKERT_CHANGES, dtype=float), people_by_change)
    return stats.mean_paired_change(np.zeros(len(changes)), changes)


def net_promoter_score(people_by_score: Mapping[int, int]) -> float | None:
    """stats.nps from the count of each score 0-10: stats.nps reads the scores one by one,
    ~100,000 Python steps at national scale; this is its definition (and its constants) on the
    counts, checked against it in the tests."""
    n = sum(people_by_score.values())
    if n == 0:
        return None
    promoters = sum(p for s, p in people_by_score.items() if s >= stats.PROMOTER_MIN_SCORE)
    detractors = sum(p for s, p in people_by_score.items() if s <= stats.DETRACTOR_MAX_SCORE)
    return (promoters - detractors) / n


# ---- figures --------------------------------------------------------------------------------

SHARE_INTERVAL_COLUMNS = ["pre_ci_low_pct", "pre_ci_high_pct", "post_ci_low_pct",
                          "post_ci_high_pct"]


def pct(fraction: float | None) -> float | None:
    return None if fraction is None else 100 * fraction


def share_pct(k: int, n: int) -> float | None:
    return None if n == 0 else 100 * k / n


def shown_count(n: int | None, k: int, scope: Scope) -> int | None:
    """A count of people as a funder or school may see it: blank from 1 to K - 1."""
    if n is None or (not scope.full_view and stats.is_small_cell(n, k)):
        return None
    return n


def _blank_row(item: str, analysis: str) -> dict:
    return {"item": item, "analysis": analysis, **dict.fromkeys(COUNT_COLUMNS + FIGURE_COLUMNS),
            "suppressed": True, "fragile": None, **dict.fromkeys(SHARE_INTERVAL_COLUMNS)}


def _with_share(row: dict, wave: str, k: int, n: int, intervals: bool) -> None:
    row[f"{wave}_pct"] = share_pct(k, n)
    if intervals:
        share = _wilson(k, n)
        row[f"{wave}_ci_low_pct"], row[f"{wave}_ci_high_pct"] = (pct(share.ci_low),
                                                                 pct(share.ci_high))


def with_difference(row: dict, difference: stats.Difference, n: int) -> dict:
    row.update(diff_pp=pct(difference.diff), ci_low_pp=pct(difference.ci_low),
               ci_high_pp=pct(difference.ci_high), p_value=difference.p_value,
               fragile=stats.is_fragile(n, difference.ci_low, difference.ci_high))
    return row


def paired_row(item: str, pre: WaveCount, post: WaveCount, pair: PairCount, k: int,
                scope: Scope, gate: Gate, intervals: bool = False) -> dict:
    row = _blank_row(item, "paired")
    row.update(n_pre=shown_count(pre.n, k, scope), n_post=shown_count(post.n, k, scope),
               n_matched=shown_count(pair.n, k, scope),
               suppressed=pair.n < k or not gate.whole(f"pairs:{item}"))
    if row["suppressed"]:
        return row
    _with_share(row, "pre", pair.pre_positive, pair.n, intervals)
    _with_share(row, "post", pair.post_positive, pair.n, intervals)
    difference = paired_difference(pair.both, pair.pre_only, pair.post_only, pair.neither)
    return with_difference(row, difference, pair.n)


def unpaired_row(item: str, pre: WaveCount, post: WaveCount, pair: PairCount, k: int,
                  scope: Scope, gate: Gate, intervals: bool = False) -> dict:
    row = _blank_row(item, "unpaired")
    row.update(n_pre=shown_count(pre.n, k, scope), n_post=shown_count(post.n, k, scope),
               n_matched=shown_count(pair.n, k, scope),
               suppressed=min(pre.n, post.n) < k or not gate.whole(f"pre:{item}",
                                                                    f"post:{item}"))
    if row["suppressed"]:
        return row
    _with_share(row, "pre", pre.positive, pre.n, intervals)
    _with_share(row, "post", post.positive, post.n, intervals)
    difference = _unpaired_difference(pre.positive, pre.n, post.positive, post.n)
    return with_difference(row, difference, min(pre.n, post.n))


def _post_only_row(item: str, post: WaveCount, k: int, scope: Scope, gate: Gate,
                   intervals: bool = False) -> dict:
    row = _blank_row(item, "unpaired")
    row.update(n_pre=0, n_post=shown_count(post.n, k, scope),
               suppressed=post.n < k or not gate.whole(f"post:{item}"))
    if row["suppressed"]:
        return row
    _with_share(row, "post", post.positive, post.n, intervals)
    share = _wilson(post.positive, post.n)
    row["fragile"] = stats.is_fragile(post.n, share.ci_low, share.ci_high)
    return row


def _prefetch(waves: dict[str, dict[str, WaveCount]], pairs: dict[str, PairCount],
              intervals: bool) -> None:
    """The statistics `item_rows` will ask for, each kind in one call."""
    paired_difference.prefetch([(p.both, p.pre_only, p.post_only, p.neither)
                                for p in (pairs[item] for item in PAIRED_ITEMS)])
    _unpaired_difference.prefetch([
        (waves["pre"][item].positive, waves["pre"][item].n,
         waves["post"][item].positive, waves["post"][item].n) for item in PAIRED_ITEMS])
    if intervals:
        _wilson.prefetch([(pairs[item].pre_positive, pairs[item].n) for item in PAIRED_ITEMS]
                         + [(pairs[item].post_positive, pairs[item].n) for item in PAIRED_ITEMS]
                         + [(count.positive, count.n) for wave in ("pre", "post")
                            for count in waves[wave].values()])


def item_rows(waves: dict[str, dict[str, WaveCount]], pairs: dict[str, PairCount], k: int,
               scope: Scope, gate: Gate, intervals: bool = False) -> list[dict]:
    _prefetch(waves, pairs, intervals)
    rows = []
    for item in PAIRED_ITEMS:
        pre, post = waves["pre"][item], waves["post"][item]
        rows.append(paired_row(item, pre, post, pairs[item], k, scope, gate, intervals))
        rows.append(unpaired_row(item, pre, post, pairs[item], k, scope, gate, intervals))
    for item in POST_ONLY_ITEMS:
        rows.append(_post_only_row(item, waves["post"][item], k, scope, gate, intervals))
    return rows


def _typed_frame(rows: list[dict], columns: list[str], counts=(), figures=(),
                 flags=("suppressed",)) -> pd.DataFrame:
    """Rows as a frame, each column built once with its type (nullable counts, float figures,
    boolean flags; the others inferred): converting the columns of a built frame one group
    after the other costs five times more."""
    data = {}
    for column in columns:
        values = [row.get(column) for row in rows]
        if column in counts:
            data[column] = pd.array(values, dtype="Int64")
        elif column in figures:
            data[column] = np.array(values, dtype="float64")  # None -> NaN
        elif column in flags:
            data[column] = np.array(values, dtype=bool)  # None -> False
        else:
            data[column] = values
    return pd.DataFrame(data, columns=columns)


def export_frame(rows: list[dict], columns: list[str] = EXPORT_COLUMNS) -> pd.DataFrame:
    frame = _typed_frame(rows, columns, COUNT_COLUMNS, FIGURE_COLUMNS)
    frame.attrs["suppressed_mask"] = suppressed_cells(frame)
    return frame


def suppressed_cells(frame: pd.DataFrame) -> Mask:
    """The cells hidden for small counts (XLSX shows them as "< K"), as opposed to the cells
    that do not apply (a post-only item has no pre share, difference or matched count)."""
    applies = ~frame["item"].isin(POST_ONLY_ITEMS).to_numpy(dtype=bool)
    hidden = frame["suppressed"].to_numpy(dtype=bool)
    mask = {column: np.zeros(len(frame), dtype=bool) for column in frame.columns}
    for column in FIGURE_COLUMNS:
        mask[column] = hidden & applies if column != "post_pct" else hidden.copy()
    for column in COUNT_COLUMNS:
        missing = frame[column].isna().to_numpy(dtype=bool)
        mask[column] = missing & applies if column == "n_matched" else missing
    # one frame built from whole columns: setting them one by one costs ten times more
    return Mask(mask, index=frame.index, columns=frame.columns)


def resolve(engine: Engine | None, k: int | None) -> tuple[Engine, int]:
    k = min_cell() if k is None else int(k)
    if k < 1:
        raise ValueError(f"the small-cell threshold K must be at least 1, got {k}")
    return engine or get_engine(), k
