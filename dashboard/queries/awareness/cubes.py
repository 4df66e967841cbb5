"""The survey marts aggregated once per edition x school (x wave): a `Cube` of counts per
measure, summed for a selection in microseconds; the counts of each item and wave, the 2x2
tables of the pairs, and the publication units of every family of survey figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from sqlalchemy import and_, case, func, select
from sqlalchemy.engine import Engine

from dashboard.queries.awareness.items import (
    DISTRIBUTION_ITEMS, HEADLINE_ITEM, ITEMS, LIKERT_ANSWERS, LIKERT_CHANGES, LIKERT_ITEMS,
    PAIRED_ITEMS, POSITIVE_FROM, RECOMMEND_SCORES, WAVES)
from dashboard.queries.base import Filters, among, encoded
from dashboard.queries.disclosure import Gate, Partition, partitions
from dashboard.queries.versioned import versioned
from etl.schema import mart_pair, mart_response


@dataclass(frozen=True)
class WaveCount:
    """Answers to one item in one wave: n answered, positive among them; and the same among
    identified respondents (for the attrition of the headline item)."""

    n: int = 0
    positive: int = 0
    n_identified: int = 0
    positive_identified: int = 0


@dataclass(frozen=True)
class PairCount:
    """The 2x2 table of positive answers of the people who answered an item in both waves."""

    both: int = 0
    pre_only: int = 0
    post_only: int = 0
    neither: int = 0

    @property
    def n(self) -> int:
        return self.both + self.pre_only + self.post_only + self.neither

    @property
    def pre_positive(self) -> int:
        return self.both + self.pre_only

    @property
    def post_positive(self) -> int:
        return self.both + self.post_only


def _count_if(condition):
    # COUNT(CASE WHEN ... THEN 1 END) rather than SUM(CASE ... ELSE 0): the same number, and
    # measurably faster on SQLite, whose cost here is per expression and row.
    return func.count(case((condition, 1)))


def _is_positive(column, item: str):
    return column >= POSITIVE_FROM[item]


def _response_measures() -> dict:
    t = mart_response.c
    measures = {}
    for item in ITEMS:
        measures[f"n__{item}"] = func.count(t[item])
        measures[f"positive__{item}"] = _count_if(_is_positive(t[item], item))
    identified = t.pseudonym.isnot(None)
    measures[f"n_identified__{HEADLINE_ITEM}"] = _count_if(
        and_(identified, t[HEADLINE_ITEM].isnot(None)))
    measures[f"positive_identified__{HEADLINE_ITEM}"] = _count_if(
        and_(identified, _is_positive(t[HEADLINE_ITEM], HEADLINE_ITEM)))
    return measures


def _answer_measures() -> dict:
    t = mart_response.c
    answers = {item: LIKERT_ANSWERS for item in DISTRIBUTION_ITEMS} | {
        "recommend": RECOMMEND_SCORES}
    return {f"answer_{answer}__{item}": _count_if(t[item] == answer)
            for item, values in answers.items() for answer in values}


def _pair_measures() -> dict:
    measures = {}
    for item in PAIRED_ITEMS:
        pre, post = mart_pair.c[f"pre_{item}"], mart_pair.c[f"post_{item}"]
        measures |= {
            f"matched__{item}": _count_if(and_(pre.isnot(None), post.isnot(None))),
            f"both__{item}": _count_if(and_(_is_positive(pre, item), _is_positive(post, item))),
            f"pre_positive__{item}": _count_if(and_(_is_positive(pre, item), post.isnot(None))),
            f"post_positive__{item}": _count_if(and_(_is_positive(post, item), pre.isnot(None))),
        }
    return measures


def _change_measures() -> dict:
    return {f"change_{change}__{item}":
            _count_if(mart_pair.c[f"post_{item}"] - mart_pair.c[f"pre_{item}"] == change)
            for item in LIKERT_ITEMS for change in LIKERT_CHANGES}


def _structures_response_measures() -> dict:
    """Sums for the mean number of kinds of ESS organisations named (`structures_named`)."""
    r = mart_response.c
    return {"n": func.count(r.ess_structures_known),
            "total": func.coalesce(func.sum(r.ess_structures_known), 0)}


def _structures_pair_measures() -> dict:
    p = mart_pair.c
    both = and_(p.pre_ess_structures_known.isnot(None), p.post_ess_structures_known.isnot(None))
    return {"n": func.count(case((both, 1))),
            "pre_total": func.coalesce(func.sum(case((both, p.pre_ess_structures_known))), 0),
            "post_total": func.coalesce(func.sum(case((both, p.post_ess_structures_known))),
                                        0)}


# name: (mart, its measures); a mart's cubes come from one grouped scan (by edition, school,
# and wave for the responses): one scan with every measure costs about half of one per cube.
CUBES = {
    "responses": (mart_response, _response_measures),
    "answers": (mart_response, _answer_measures),
    "structures_responses": (mart_response, _structures_response_measures),
    "pairs": (mart_pair, _pair_measures),
    "changes": (mart_pair, _change_measures),
    "structures_pairs": (mart_pair, _structures_pair_measures),
}
CUBE_KEYS = ["edition", "school_id", "region_code", "wave"]


def _mart_statement(table):
    keys = [table.c.edition, table.c.school_id] + ([table.c.wave] if table is mart_response
                                                   else [])
    measures = [measure.label(f"{name}:{label}") for name, (mart, of) in CUBES.items()
                if mart is table for label, measure in of().items()]
    # A school's region is one value within an edition (an edition's marts are rebuilt
    # together): MIN() carries it without grouping on it, so the scan keeps the filter index's
    # order and needs no sort.
    return (select(*keys, func.min(table.c.region_code).label("region_code"), *measures)
            .group_by(*keys))


def _mart_cubes(table):
    """`build(conn)` of the cubes of one mart, by name."""
    def build(conn) -> dict[str, "Cube"]:
        result = conn.execute(_mart_statement(table))
        columns = list(result.keys())
        rows = result.all()
        values = dict(zip(columns, zip(*rows))) if rows else {c: () for c in columns}
        keys = {c: np.asarray(values[c], dtype=object) for c in columns if c in CUBE_KEYS}
        coded = {c: encoded(keys[c].tolist()) for c in keys}
        cubes = {}
        for name, (mart, _) in CUBES.items():
            if mart is not table:
                continue
            labels = [c for c in columns if c.startswith(f"{name}:")]
            counts = np.asarray([values[c] for c in labels], dtype=np.int64)
            cubes[name] = Cube(keys, tuple(c.split(":", 1)[1] for c in labels),
                               counts.reshape(len(labels), len(rows)).T, coded)
        return cubes
    return build


@dataclass(frozen=True)
class Cube:
    """Counts of one mart, one row per edition and school (and wave, for the responses): the
    key columns (`region_code` is the school's) and a matrix of counts, one column per measure.
    At national scale a few thousand rows: a selection sums them in microseconds."""

    keys: Mapping[str, np.ndarray]
    measures: tuple[str, ...]
    counts: np.ndarray
    # the key columns `encoded` (codes, code of each value): what a selection compares
    coded: Mapping[str, tuple[np.ndarray, dict]]

    def select(self, filters: Filters, wave: str | None = None) -> Cube:
        """The rows inside the filters (already narrowed to the account's scope)."""
        wanted = [(values, column) for values, column in (
            (filters.editions, "edition"), (filters.schools, "school_id"),
            (filters.regions, "region_code"), ((wave,) if wave else (), "wave")) if values]
        if not wanted:
            return self  # a cube is never changed: the whole of it is itself
        keep = np.ones(len(self.counts), dtype=bool)
        for values, column in wanted:
            keep &= among(self.coded[column], values)
        return Cube({c: v[keep] for c, v in self.keys.items()}, self.measures, self.counts[keep],
                    {c: (codes[keep], of) for c, (codes, of) in self.coded.items()})

    def sums(self) -> dict[str, int]:
        return dict(zip(self.measures, self.counts.sum(axis=0).tolist()))

    def sums_by(self, column: str) -> dict[str, dict[str, int]]:
        """Sums per value of `column`, in the values' text order."""
        codes, of = self.coded[column]
        values = list(of)
        totals = np.zeros((len(of), len(self.measures)), dtype=np.int64)
        np.add.at(totals, codes, self.counts)
        present = sorted((values[c] for c in np.unique(codes).tolist()), key=str)
        return {str(group): dict(zip(self.measures, totals[of[group]].tolist()))
                for group in present}


def select_cubes(engine: Engine, filters: Filters, *names: str) -> list[Cube]:
    """The named cubes of the warehouse as it is now, narrowed to the filters: rebuilt by one
    grouped scan of their mart when the warehouse version has changed since they were built,
    else taken from memory."""
    return [versioned(engine, f"cubes:{CUBES[name][0].name}", _mart_cubes(CUBES[name][0]))[name]
            .select(filters) for name in names]


def _cells(cube: Cube) -> list[tuple]:
    return list(zip(*(cube.keys[c].tolist() for c in ("edition", "school_id", "region_code"))))


def survey_units(engine: Engine, k: int) -> dict[str, Partition]:
    """The publication units of every family of survey figures (docs/disclosure.md), over the
    whole warehouse, built from the unfiltered cubes and kept with them:
    `{wave}:{item}` (the respondents who answered the item in the wave: unpaired shares,
    distributions, means), `pairs:{item}` (the people matched on the item: paired figures,
    mean changes) and `lost:knows_ess` (identified pre respondents without a post answer: the
    attrition's share)."""
    def build(_conn) -> dict[str, Partition]:
        [responses, pairs] = [
            versioned(engine, f"cubes:{CUBES[name][0].name}", _mart_cubes(CUBES[name][0]))[name]
            for name in ("responses", "pairs")]
        units = {}
        for wave in WAVES:
            cube = responses.select(Filters(), wave=wave)
            units |= {f"{wave}:{name}": partition for name, partition in partitions(
                _cells(cube), {item: cube.counts[:, cube.measures.index(f"n__{item}")]
                               .tolist() for item in ITEMS}, k).items()}
        units |= {f"pairs:{name}": partition for name, partition in partitions(
            _cells(pairs), {item: pairs.counts[:, pairs.measures.index(f"matched__{item}")]
                            .tolist() for item in PAIRED_ITEMS}, k).items()}
        pre = responses.select(Filters(), wave="pre")
        identified = pre.counts[:, pre.measures.index(f"n_identified__{HEADLINE_ITEM}")]
        matched = pairs.counts[:, pairs.measures.index(f"matched__{HEADLINE_ITEM}")]
        # Lost = identified pre respondents minus the matched ones, cell by cell.
        units[f"lost:{HEADLINE_ITEM}"] = partitions(
            _cells(pre) + _cells(pairs),
            {"lost": identified.tolist() + (-matched).tolist()}, k)["lost"]
        return units
    return versioned(engine, f"units:survey:{k}", build)


def units_gate(engine: Engine, chosen: Filters, k: int) -> Gate:
    return Gate(survey_units(engine, k), chosen)


def wave_counts(responses: Cube) -> dict[str, dict[str, WaveCount]]:
    counts = {}
    for wave in WAVES:
        sums = responses.select(Filters(), wave=wave).sums()
        counts[wave] = {item: WaveCount(sums[f"n__{item}"], sums[f"positive__{item}"],
                                        sums.get(f"n_identified__{item}", 0),
                                        sums.get(f"positive_identified__{item}", 0))
                        for item in ITEMS}
    return counts


def pair_count(sums: Mapping[str, int], item: str) -> PairCount:
    n, both = sums[f"matched__{item}"], sums[f"both__{item}"]
    pre_only = sums[f"pre_positive__{item}"] - both
    post_only = sums[f"post_positive__{item}"] - both
    return PairCount(both, pre_only, post_only, n - both - pre_only - post_only)


def pair_counts(pairs: Cube) -> dict[str, PairCount]:
    sums = pairs.sums()
    return {item: pair_count(sums, item) for item in PAIRED_ITEMS}
