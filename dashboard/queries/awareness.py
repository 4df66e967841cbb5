"""ESS awareness before and after the programme (DESIGN.md section 7): the figures of the page
and the table behind `impact export awareness`.

Every figure is a share of respondents giving the item's positive answer (`POSITIVE_FROM`):
knows_ess "Oui, précisément" (2), at least three kinds of ESS organisations named, a Likert item
or satisfaction agreed (4 or 5), recommend 9 or 10 (promoters). Statistics come from
dashboard.stats (the net promoter score, plain arithmetic, is its definition applied to counts).

Counts come from SQL aggregates over the marts (`mart_response`: one row per kept response;
`mart_pair`: identified respondents with both waves of one edition), never from rows pulled into
pandas. At national scale one scan of mart_response with the ~20 COUNT(CASE ...) the figures
need takes about half a second on SQLite, ten times the budget of a filter change. So each mart
is aggregated once per edition x school (x wave): a `Cube` of a few thousand rows, kept in
memory until the warehouse version changes (`WAREHOUSE_VERSION`: a load, an unload, an erasure,
an answer label mapped or unmapped, or a change of the marts' key ranges; one query of index
lookups per call). A filter or a scope
is then a sum over the cube's rows, in microseconds; the statistics of counts already seen are
remembered too. The first call after a load pays the scans (about a second per mart on SQLite
at national scale).

- paired: the people of `mart_pair` who answered the item in both waves (`n_matched`); their
  2x2 table of positive answers gives the shares, the difference (post - pre, in percentage
  points), Newcombe's method 10 interval and the exact McNemar p-value.
- unpaired: every pre answer against every post answer, anonymous ones included (`n_pre`,
  `n_post`: the non-empty answers of each wave); Newcombe's hybrid score interval and the score
  test p-value. `satisfaction` and `recommend` are asked after only: one unpaired row each, with
  `n_pre` = 0 and blank pre, difference and `n_matched` columns.

Filters: edition, school (`school_id`) and region (the school's `region_code`) as the marts hold
them; a pair belongs to the school of its pre answer. The account's scope narrows them through
`base.effective`.

Small cells (DESIGN.md section 6), decided here for every output of this module:

- a figure is suppressed when fewer than K people stand behind it: a paired row when
  n_matched < K, an unpaired row when min(n_pre, n_post) < K, a post-only row when n_post < K.
  Its shares, difference, interval and p-value are blank and `suppressed` is true, for every
  role. A count of 0 is "< K" as well, so an empty selection reads as suppressed, not as 0 %.
- across selections (docs/disclosure.md): a figure is also suppressed, for every role, when
  the selection is not made of whole publication units of its people (`survey_units`: the
  respondents to the item in each wave it uses, the people matched on it, those lost to
  follow-up), else two selections differing by a few people would give their answers by
  subtraction. The same holds for the distributions, the means of kinds named and each row of
  a breakdown.
- the n columns are the reason for a suppression, so staff and admins (who may read row-level
  data anyway) see them as they are. For funder and school accounts an n of 1 to K - 1 is
  itself a cell of fewer than K people and is left blank too (`is_small_cell`); 0 stays
  visible, it has nobody to protect. `impact export` runs with the staff scope, so the CLI
  contract always carries its n columns.
- breakdowns (by school, region, edition) hide the groups under K and, because the overall
  n_matched is shown beside them, one more group when a single one is hidden
  (`stats.suppress_counts`); then, while the hidden groups add up to fewer than K people, the
  next smallest group is hidden as well, so "total minus shown groups" never gives a cell of
  fewer than K people either.
- attrition: the share aware before the programme among the people lost to follow-up is a
  figure of those people and needs K of them; for funders and schools a count under K among
  identified / matched / lost hides all three counts (any two give the third).
- `export_table` marks in `attrs["suppressed_mask"]` the cells hidden for small counts, which
  the XLSX export shows as "< K", apart from the cells that do not apply (post-only items).

`snapshot`: the figures of a published funder report (`snapshot_figures` builds them, the
publisher stores them as JSON). When a function gets a snapshot holding its figure, it returns
the stored figure and does not touch the warehouse, so a published report can be reproduced.
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import and_, case, func, select
from sqlalchemy.engine import Engine

from dashboard import stats
from dashboard.cache import cached
from dashboard.i18n import NNBSP, fmt_decimal, fmt_int, fmt_pct, plural_form
from dashboard.queries.base import Filters, Scope, effective, min_cell
from dashboard.queries.disclosure import Gate, Partition, partitions
from etl.audit import FIGURE_ACTIONS
from etl.db import get_engine
from etl.schema import audit_log, load_batch, mart_pair, mart_response, region, school

PAIRED_ITEMS = ("knows_ess", "ess_structures_known", "wants_useful", "tech_for_good",
                "consider_ess_career", "intends_volunteer")
POST_ONLY_ITEMS = ("satisfaction", "recommend")
ITEMS = PAIRED_ITEMS + POST_ONLY_ITEMS
LIKERT_ITEMS = ("wants_useful", "tech_for_good", "consider_ess_career", "intends_volunteer")
DISTRIBUTION_ITEMS = LIKERT_ITEMS + ("satisfaction",)
LIKERT_ANSWERS = (1, 2, 3, 4, 5)
RECOMMEND_SCORES = tuple(range(11))
LIKERT_CHANGES = tuple(range(-4, 5))  # post - pre of two answers 1-5
WAVES = ("pre", "post")
HEADLINE_ITEM = "knows_ess"

# The smallest answer that counts as the item's positive outcome.
POSITIVE_FROM = {
    "knows_ess": 2,               # "Oui, précisément" (1 = vaguement, 0 = non)
    "ess_structures_known": 3,    # at least three kinds of ESS organisations named
    "wants_useful": 4, "tech_for_good": 4, "consider_ess_career": 4, "intends_volunteer": 4,
    "satisfaction": 4,            # agree or strongly agree / 4 or 5 out of 5
    "recommend": stats.PROMOTER_MIN_SCORE,  # promoters: 9 or 10
}

EXPORT_COLUMNS = ["item", "analysis", "n_pre", "n_post", "n_matched", "pre_pct", "post_pct",
                  "diff_pp", "ci_low_pp", "ci_high_pp", "p_value", "suppressed"]
COUNT_COLUMNS = ["n_pre", "n_post", "n_matched"]
FIGURE_COLUMNS = ["pre_pct", "post_pct", "diff_pp", "ci_low_pp", "ci_high_pp", "p_value"]
ITEMS_TABLE_EXTRA = ["label_fr", "label_en", "fragile", "pre_ci_low_pct", "pre_ci_high_pct",
                     "post_ci_low_pct", "post_ci_high_pct", "mean_change", "mean_change_ci_low",
                     "mean_change_ci_high", "nps"]
BREAKDOWN_COLUMNS = ["group", "label", "n_matched", "pre_pct", "post_pct", "diff_pp",
                     "ci_low_pp", "ci_high_pp", "fragile", "suppressed"]
DISTRIBUTION_COLUMNS = ["item", "wave", "answer", "count", "share", "n", "suppressed"]
BREAKDOWN_DIMENSIONS = {"school": "school_id", "region": "region_code", "edition": "edition"}

# The outcome each row measures, as the page and the report name it.
ITEM_LABELS = {
    "knows_ess": ("Connaît précisément l'ESS", "Knows precisely what the SSE is"),
    "ess_structures_known": ("Connaît au moins 3 types de structures de l'ESS",
                             "Knows at least 3 kinds of SSE organisations"),
    "wants_useful": ("Veut que son travail soit utile à la société (d'accord)",
                     "Wants their work to be useful to society (agrees)"),
    "tech_for_good": (("Le numérique peut aider à résoudre des problèmes sociaux et "
                       "environnementaux (d'accord)"),
                      ("Digital technologies can help solve social and environmental "
                       "problems (agrees)")),
    "consider_ess_career": (("Envisage de travailler dans l'ESS ou pour l'intérêt général "
                             "(d'accord)"),
                            "Considers working in the SSE or for the public interest (agrees)"),
    "intends_volunteer": (("A l'intention de mettre ses compétences au service d'une "
                           "association (d'accord)"),
                          "Intends to put their skills at the service of a non-profit (agrees)"),
    "satisfaction": ("Satisfait du programme (4 ou 5 sur 5)",
                     "Satisfied with the programme (4 or 5 out of 5)"),
    "recommend": ("Recommanderait le programme (promoteurs\u00a0: 9 ou 10)",
                  "Would recommend the programme (promoters: 9 or 10)"),
}
LIKERT_LABELS = {
    "fr": ("Pas du tout d'accord", "Plutôt pas d'accord", "Ni d'accord ni pas d'accord",
           "Plutôt d'accord", "Tout à fait d'accord"),
    "en": ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
           "Strongly agree"),
}
# BCG / IPSOS study quoted by the funders (DESIGN.md section 1), drawn as reference lines.
NATIONAL_BASELINE_PCT = {"knows_ess": 20.0, "wants_useful": 97.0}

SNAPSHOT_EXPORT = "awareness"
SNAPSHOT_ITEMS = "awareness_items"
SNAPSHOT_HEADLINE = "awareness_headline"
SNAPSHOT_DISTRIBUTION = "awareness_likert"
SNAPSHOT_BREAKDOWN = "awareness_by_{dimension}"


# ---- counts: small cubes of the marts, one scan per warehouse version ----------------------

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
        cubes = {}
        for name, (mart, _) in CUBES.items():
            if mart is not table:
                continue
            labels = [c for c in columns if c.startswith(f"{name}:")]
            counts = np.asarray([values[c] for c in labels], dtype=np.int64)
            cubes[name] = Cube(keys, tuple(c.split(":", 1)[1] for c in labels),
                               counts.reshape(len(labels), len(rows)).T)
        return cubes
    return build


# Changes whenever the marts can have changed: a load or an unload (load_batch), an erasure
# or an answer label mapped or unmapped (a row of audit_log of etl.audit.FIGURE_ACTIONS;
# sign-ins and downloads leave the figures alone). Rows written
# into the marts by other means (tests, a manual refresh) are seen
# when they move the marts' key range; code that rewrites them in place calls clear_cache().
# Index lookups only: counting the marts' rows would cost 40 ms on PostgreSQL at national scale.
WAREHOUSE_VERSION = select(
    select(func.count()).select_from(load_batch).scalar_subquery(),
    select(func.max(load_batch.c.batch_id)).scalar_subquery(),
    select(func.count()).select_from(load_batch)
    .where(load_batch.c.status == "loaded").scalar_subquery(),
    select(func.max(load_batch.c.finished_at)).scalar_subquery(),
    select(func.max(audit_log.c.audit_id))
    .where(audit_log.c.action.in_(FIGURE_ACTIONS)).scalar_subquery(),
    select(func.min(mart_response.c.response_id)).scalar_subquery(),
    select(func.max(mart_response.c.response_id)).scalar_subquery(),
    select(func.min(mart_pair.c.pseudonym)).scalar_subquery(),
    select(func.max(mart_pair.c.pseudonym)).scalar_subquery(),
)


@dataclass(frozen=True)
class Cube:
    """Counts of one mart, one row per edition and school (and wave, for the responses): the
    key columns (`region_code` is the school's) and a matrix of counts, one column per measure.
    At national scale a few thousand rows: a selection sums them in microseconds."""

    keys: Mapping[str, np.ndarray]
    measures: tuple[str, ...]
    counts: np.ndarray

    def select(self, filters: Filters, wave: str | None = None) -> Cube:
        """The rows inside the filters (already narrowed to the account's scope)."""
        keep = np.ones(len(self.counts), dtype=bool)
        for values, column in ((filters.editions, "edition"), (filters.schools, "school_id"),
                               (filters.regions, "region_code")):
            if values:
                keep &= np.isin(self.keys[column], list(values))
        if wave is not None:
            keep &= self.keys["wave"] == wave
        return Cube({c: v[keep] for c, v in self.keys.items()}, self.measures, self.counts[keep])

    def sums(self) -> dict[str, int]:
        return dict(zip(self.measures, self.counts.sum(axis=0).tolist()))

    def sums_by(self, column: str) -> dict[str, dict[str, int]]:
        groups, position = np.unique(self.keys[column].astype(str), return_inverse=True)
        totals = np.zeros((len(groups), len(self.measures)), dtype=np.int64)
        np.add.at(totals, position, self.counts)
        return {group: dict(zip(self.measures, row)) for group, row in
                zip(groups.tolist(), totals.tolist())}


@dataclass
class _CachedCubes:
    version: tuple
    cubes: dict = field(default_factory=dict)


_CACHE: dict[str, _CachedCubes] = {}
_CACHE_LOCK = threading.Lock()


def clear_cache() -> None:
    """Forget the cubes (for code that rewrites mart rows in place, outside load/unload/forget)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def versioned(engine: Engine, name: str, build):
    """A structure derived from the warehouse (`build(conn)`), kept in memory until the
    warehouse version changes: a cube, or another module's index (the overview's people)."""
    key = engine.url.render_as_string(hide_password=True)
    version = _version(engine, key)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is None or cached.version != version:
            cached = _CACHE[key] = _CachedCubes(version)
        found = cached.cubes.get(name)
    if found is None:
        with engine.connect() as conn:
            found = cached.cubes[name] = build(conn)
    return found


def _version(engine: Engine, key: str) -> tuple:
    """WAREHOUSE_VERSION, read once per request (a page asks for eight or nine structures:
    0.9 ms each on PostgreSQL), else at each call."""
    from flask import g, has_request_context

    def read() -> tuple:
        with engine.connect() as conn:
            return tuple(conn.execute(WAREHOUSE_VERSION).one())

    if not has_request_context():
        return read()
    versions = g.setdefault("_impact_structure_versions", {})
    if key not in versions:
        versions[key] = read()
    return versions[key]


def _cubes(engine: Engine, filters: Filters, *names: str) -> list[Cube]:
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


def _gate(engine: Engine, chosen: Filters, k: int) -> Gate:
    return Gate(survey_units(engine, k), chosen)


def _wave_counts(responses: Cube) -> dict[str, dict[str, WaveCount]]:
    counts = {}
    for wave in WAVES:
        sums = responses.select(Filters(), wave=wave).sums()
        counts[wave] = {item: WaveCount(sums[f"n__{item}"], sums[f"positive__{item}"],
                                        sums.get(f"n_identified__{item}", 0),
                                        sums.get(f"positive_identified__{item}", 0))
                        for item in ITEMS}
    return counts


def _pair_count(sums: Mapping[str, int], item: str) -> PairCount:
    n, both = sums[f"matched__{item}"], sums[f"both__{item}"]
    pre_only = sums[f"pre_positive__{item}"] - both
    post_only = sums[f"post_positive__{item}"] - both
    return PairCount(both, pre_only, post_only, n - both - pre_only - post_only)


def _pair_counts(pairs: Cube) -> dict[str, PairCount]:
    sums = pairs.sums()
    return {item: _pair_count(sums, item) for item in PAIRED_ITEMS}


# The statistics are pure functions of counts, and a page asks for the same counts again and
# again (a filter toggled back, the export after the page): remember the last few thousand.
_wilson = functools.lru_cache(maxsize=8192)(stats.wilson)
_paired_difference = functools.lru_cache(maxsize=8192)(stats.paired_difference)
_unpaired_difference = functools.lru_cache(maxsize=8192)(stats.unpaired_difference)


@functools.lru_cache(maxsize=1024)
def _mean_change_of(people_by_change: tuple[int, ...]) -> tuple:
    # Each matched person's change (post - pre), rebuilt from how many people changed by how
    # much; measured from 0, since only the change enters the mean and its interval.
    changes = np.repeat(np.asarray(LIKERT_CHANGES, dtype=float), people_by_change)
    return stats.mean_paired_change(np.zeros(len(changes)), changes)


def _net_promoter_score(people_by_score: Mapping[int, int]) -> float | None:
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


def _pct(fraction: float | None) -> float | None:
    return None if fraction is None else 100 * fraction


def _share_pct(k: int, n: int) -> float | None:
    return None if n == 0 else 100 * k / n


def _shown_count(n: int | None, k: int, scope: Scope) -> int | None:
    """A count of people as a funder or school may see it: blank from 1 to K - 1."""
    if n is None or (not scope.full_view and stats.is_small_cell(n, k)):
        return None
    return n


def _blank_row(item: str, analysis: str) -> dict:
    return {"item": item, "analysis": analysis, **dict.fromkeys(COUNT_COLUMNS + FIGURE_COLUMNS),
            "suppressed": True, "fragile": None, **dict.fromkeys(SHARE_INTERVAL_COLUMNS)}


def _with_share(row: dict, wave: str, k: int, n: int, intervals: bool) -> None:
    row[f"{wave}_pct"] = _share_pct(k, n)
    if intervals:
        share = _wilson(k, n)
        row[f"{wave}_ci_low_pct"], row[f"{wave}_ci_high_pct"] = (_pct(share.ci_low),
                                                                 _pct(share.ci_high))


def _with_difference(row: dict, difference: stats.Difference, n: int) -> dict:
    row.update(diff_pp=_pct(difference.diff), ci_low_pp=_pct(difference.ci_low),
               ci_high_pp=_pct(difference.ci_high), p_value=difference.p_value,
               fragile=stats.is_fragile(n, difference.ci_low, difference.ci_high))
    return row


def _paired_row(item: str, pre: WaveCount, post: WaveCount, pair: PairCount, k: int,
                scope: Scope, gate: Gate, intervals: bool = False) -> dict:
    row = _blank_row(item, "paired")
    row.update(n_pre=_shown_count(pre.n, k, scope), n_post=_shown_count(post.n, k, scope),
               n_matched=_shown_count(pair.n, k, scope),
               suppressed=pair.n < k or not gate.whole(f"pairs:{item}"))
    if row["suppressed"]:
        return row
    _with_share(row, "pre", pair.pre_positive, pair.n, intervals)
    _with_share(row, "post", pair.post_positive, pair.n, intervals)
    difference = _paired_difference(pair.both, pair.pre_only, pair.post_only, pair.neither)
    return _with_difference(row, difference, pair.n)


def _unpaired_row(item: str, pre: WaveCount, post: WaveCount, pair: PairCount, k: int,
                  scope: Scope, gate: Gate, intervals: bool = False) -> dict:
    row = _blank_row(item, "unpaired")
    row.update(n_pre=_shown_count(pre.n, k, scope), n_post=_shown_count(post.n, k, scope),
               n_matched=_shown_count(pair.n, k, scope),
               suppressed=min(pre.n, post.n) < k or not gate.whole(f"pre:{item}",
                                                                    f"post:{item}"))
    if row["suppressed"]:
        return row
    _with_share(row, "pre", pre.positive, pre.n, intervals)
    _with_share(row, "post", post.positive, post.n, intervals)
    difference = _unpaired_difference(pre.positive, pre.n, post.positive, post.n)
    return _with_difference(row, difference, min(pre.n, post.n))


def _post_only_row(item: str, post: WaveCount, k: int, scope: Scope, gate: Gate,
                   intervals: bool = False) -> dict:
    row = _blank_row(item, "unpaired")
    row.update(n_pre=0, n_post=_shown_count(post.n, k, scope),
               suppressed=post.n < k or not gate.whole(f"post:{item}"))
    if row["suppressed"]:
        return row
    _with_share(row, "post", post.positive, post.n, intervals)
    share = _wilson(post.positive, post.n)
    row["fragile"] = stats.is_fragile(post.n, share.ci_low, share.ci_high)
    return row


def _item_rows(waves: dict[str, dict[str, WaveCount]], pairs: dict[str, PairCount], k: int,
               scope: Scope, gate: Gate, intervals: bool = False) -> list[dict]:
    rows = []
    for item in PAIRED_ITEMS:
        pre, post = waves["pre"][item], waves["post"][item]
        rows.append(_paired_row(item, pre, post, pairs[item], k, scope, gate, intervals))
        rows.append(_unpaired_row(item, pre, post, pairs[item], k, scope, gate, intervals))
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


def _export_frame(rows: list[dict], columns: list[str] = EXPORT_COLUMNS) -> pd.DataFrame:
    frame = _typed_frame(rows, columns, COUNT_COLUMNS, FIGURE_COLUMNS)
    frame.attrs["suppressed_mask"] = suppressed_cells(frame)
    return frame


def suppressed_cells(frame: pd.DataFrame) -> pd.DataFrame:
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
    return pd.DataFrame(mask, index=frame.index, columns=frame.columns)


def _resolve(engine: Engine | None, k: int | None) -> tuple[Engine, int]:
    k = min_cell() if k is None else int(k)
    if k < 1:
        raise ValueError(f"the small-cell threshold K must be at least 1, got {k}")
    return engine or get_engine(), k


def _stored(snapshot: Mapping | None, name: str):
    """The figure `name` of a published snapshot; None for live figures."""
    if snapshot is None:
        return None
    if snapshot.get(name) is None:
        raise KeyError(f"the published snapshot holds no '{name}' figure")
    return snapshot[name]


@cached
def export_table(filters: Filters, scope: Scope, k: int | None, engine: Engine | None = None,
                 snapshot: Mapping | None = None) -> pd.DataFrame:
    """The table behind `impact export awareness`: one row per item and analysis, exactly the
    columns of `EXPORT_COLUMNS`, percentages 0-100 and differences in points (post - pre)."""
    stored = _stored(snapshot, SNAPSHOT_EXPORT)
    if stored is not None:
        return _export_frame(list(stored))
    engine, k = _resolve(engine, k)
    chosen = effective(filters, scope)
    responses, pairs = _cubes(engine, chosen, "responses", "pairs")
    return _export_frame(_item_rows(_wave_counts(responses), _pair_counts(pairs), k, scope,
                                    _gate(engine, chosen, k)))


# ---- items table (the page's table: export rows + labels, intervals, mean change, NPS) ------

@cached
def items_table(filters: Filters, scope: Scope, k: int | None, engine: Engine | None = None,
                snapshot: Mapping | None = None) -> pd.DataFrame:
    """The export rows with item labels (FR/EN), fragile flags, each share's Wilson interval
    (percent), the mean paired change of the Likert items (in answer points, post - pre, with
    its 95 % t interval) and the net promoter score of `recommend` (points, -100 to 100);
    blank where the row is suppressed."""
    columns = EXPORT_COLUMNS + ITEMS_TABLE_EXTRA
    stored = _stored(snapshot, SNAPSHOT_ITEMS)
    if stored is not None:
        return _export_frame(list(stored), columns)
    engine, k = _resolve(engine, k)
    chosen = effective(filters, scope)
    responses, answers, pairs, changes = _cubes(
        engine, chosen, "responses", "answers", "pairs", "changes")
    change_sums = changes.sums()
    post_answers = answers.select(Filters(), wave="post").sums()
    rows = _item_rows(_wave_counts(responses), _pair_counts(pairs), k, scope,
                      _gate(engine, chosen, k), intervals=True)
    for row in rows:
        item = row["item"]
        row["label_fr"], row["label_en"] = ITEM_LABELS[item]
        row.update(mean_change=None, mean_change_ci_low=None, mean_change_ci_high=None, nps=None)
        if row["suppressed"]:
            continue
        if row["analysis"] == "paired" and item in LIKERT_ITEMS:
            mean, low, high = _mean_change_of(
                tuple(change_sums[f"change_{c}__{item}"] for c in LIKERT_CHANGES))
            row.update(mean_change=mean, mean_change_ci_low=low, mean_change_ci_high=high)
        if item == "recommend":
            row["nps"] = _pct(_net_promoter_score(
                {s: post_answers[f"answer_{s}__recommend"] for s in RECOMMEND_SCORES}))
    return _export_frame(rows, columns)


# ---- headline (knows_ess) -------------------------------------------------------------------

def _attrition(pre: WaveCount, pair: PairCount, k: int, scope: Scope, gate: Gate) -> dict:
    """Identified pre respondents who answered the item, and those of them lost to follow-up
    (no post answer to the item in the same edition), with both groups' pre shares."""
    n_identified, n_lost = pre.n_identified, pre.n_identified - pair.n
    lost_positive = pre.positive_identified - pair.pre_positive
    counts_hidden = not scope.full_view and any(
        stats.is_small_cell(n, k) for n in (n_identified, pair.n, n_lost))
    return {
        "n_pre_identified": None if counts_hidden else n_identified,
        "n_matched": None if counts_hidden else pair.n,
        "n_lost": None if counts_hidden else n_lost,
        "lost_pct": None if counts_hidden else _share_pct(n_lost, n_identified),
        "lost_pre_pct": (None if n_lost < k or not gate.whole(f"lost:{HEADLINE_ITEM}")
                         else _share_pct(lost_positive, n_lost)),
        "completers_pre_pct": (None if pair.n < k or not gate.whole(f"pairs:{HEADLINE_ITEM}")
                               else _share_pct(pair.pre_positive, pair.n)),
    }


def _public(row: dict) -> dict:
    names = ["n_pre", "n_post", "n_matched", *FIGURE_COLUMNS, *SHARE_INTERVAL_COLUMNS,
             "suppressed", "fragile"]
    return {name: row[name] for name in names}


@cached
def headline(filters: Filters, scope: Scope, k: int | None, engine: Engine | None = None,
             snapshot: Mapping | None = None) -> dict:
    """The headline of the page, on knows_ess: the paired estimate, the attrition, the unpaired
    estimate, and which of the two leads (`analysis`: the paired one unless fewer than K people
    are matched, then `fallback_unpaired` is true and the unpaired one leads). Shares and
    differences in percent and points; each share with its Wilson interval."""
    stored = _stored(snapshot, SNAPSHOT_HEADLINE)
    if stored is not None:
        return dict(stored)
    engine, k = _resolve(engine, k)
    item = HEADLINE_ITEM
    chosen = effective(filters, scope)
    responses, pairs = _cubes(engine, chosen, "responses", "pairs")
    gate = _gate(engine, chosen, k)
    waves, pair = _wave_counts(responses), _pair_counts(pairs)[item]
    pre, post = waves["pre"][item], waves["post"][item]
    paired = _public(_paired_row(item, pre, post, pair, k, scope, gate, intervals=True))
    unpaired = _public(_unpaired_row(item, pre, post, pair, k, scope, gate, intervals=True))
    fallback = pair.n < k
    lead = unpaired if fallback else paired
    return {
        "item": item, "k": k, "analysis": "unpaired" if fallback else "paired",
        "fallback_unpaired": fallback, "suppressed": lead["suppressed"],
        "fragile": lead["fragile"], "paired": paired, "unpaired": unpaired,
        "attrition": _attrition(pre, pair, k, scope, gate),
        "baseline_pct": NATIONAL_BASELINE_PCT[item],
    }


# ---- the headline as a sentence -------------------------------------------------------------

NBSP = "\u00a0"  # French: a no-break space before a colon (NNBSP before % and ; and thousands)


def _signed(points: float, lang: str) -> str:
    text = fmt_decimal(points, lang, 0)
    if text in ("0", "-0"):
        return "0"
    return text if text.startswith("-") else f"+{text}"


def _change(figures: dict, lang: str) -> str:
    points = abs(round(figures["diff_pp"]))
    unit = "point" if plural_form(points, lang) == "one" else "points"
    low, high = _signed(figures["ci_low_pp"], lang), _signed(figures["ci_high_pp"], lang)
    if lang == "fr":
        return f"{_signed(figures['diff_pp'], lang)} {unit}, IC 95{NNBSP}%{NBSP}: {low} à {high}"
    return f"{_signed(figures['diff_pp'], lang)} {unit}, 95% CI: {low} to {high}"


SENTENCES = {
    "fr": {
        "paired": "Parmi les {n} étudiants ayant répondu avant et après, {pre} connaissaient "
                  "précisément l'ESS avant le programme et {post} après ({change}).",
        "unpaired": "Trop peu d'étudiants ont répondu avant et après (moins de {k}) pour une "
                    "comparaison appariée\u202f; sur l'ensemble des réponses, {pre} des {n_pre} "
                    "répondants connaissaient précisément l'ESS avant le programme et {post} des "
                    "{n_post} répondants après ({change}).",
        "suppressed": "Trop peu de réponses (moins de {k} par vague) pour mesurer l'évolution "
                      "de la connaissance de l'ESS.",
        "fragile": " Estimation fragile (moins de 30 personnes ou intervalle de plus de "
                   "30 points).",
    },
    "en": {
        "paired": "Among the {n} students who answered before and after, {pre} knew precisely "
                  "what the SSE is before the programme and {post} after ({change}).",
        "unpaired": "Too few students answered both before and after (fewer than {k}) for a "
                    "paired comparison; across all responses, {pre} of the {n_pre} respondents "
                    "knew precisely what the SSE is before the programme and {post} of the "
                    "{n_post} respondents after ({change}).",
        "suppressed": "Too few responses (fewer than {k} per wave) to measure the change in "
                      "awareness of the SSE.",
        "fragile": " Fragile estimate (fewer than 30 people or an interval wider than "
                   "30 points).",
    },
}


def sentence(figures: dict, lang: str = "fr") -> str:
    """The headline in plain words, French (default) or English, with the language's number
    typography (dashboard.i18n: in French a decimal comma and a narrow no-break space before
    % and between thousands). Shares and points are rounded to whole numbers."""
    if lang not in SENTENCES:
        raise ValueError(f"unknown language '{lang}' (fr, en)")
    words = SENTENCES[lang]
    if figures["suppressed"]:
        return words["suppressed"].format(k=figures["k"])
    lead = figures["unpaired" if figures["fallback_unpaired"] else "paired"]
    text = words["unpaired" if figures["fallback_unpaired"] else "paired"].format(
        k=figures["k"], n=fmt_int(lead.get("n_matched"), lang),
        n_pre=fmt_int(lead.get("n_pre"), lang), n_post=fmt_int(lead.get("n_post"), lang),
        pre=fmt_pct(lead["pre_pct"], lang),
        post=fmt_pct(lead["post_pct"], lang), change=_change(lead, lang))
    if figures["fragile"]:
        text += words["fragile"]
    return text


# ---- Likert distributions -------------------------------------------------------------------

@cached
def likert_distribution(filters: Filters, scope: Scope, k: int | None,
                        engine: Engine | None = None,
                        snapshot: Mapping | None = None) -> pd.DataFrame:
    """Every answer 1-5 of the Likert items (and satisfaction, after only) per wave, for the
    diverging bars: count and share (0-1) of the wave's respondents to the item; a wave whose
    n is under K has its counts and shares blank and `suppressed` true."""
    stored = _stored(snapshot, SNAPSHOT_DISTRIBUTION)
    if stored is not None:
        return _distribution_frame(list(stored))
    engine, k = _resolve(engine, k)
    chosen = effective(filters, scope)
    responses, answers = _cubes(engine, chosen, "responses", "answers")
    gate = _gate(engine, chosen, k)
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
                             "n": _shown_count(n, k, scope), "suppressed": hidden})
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
    """School and region names; an edition is its own label."""
    if dimension not in LABEL_COLUMNS or not groups:
        return {group: group for group in groups}
    key, name = LABEL_COLUMNS[dimension]
    with engine.connect() as conn:
        return dict(conn.execute(select(key, name).where(key.in_(list(groups)))).all())


@cached
def breakdown(dimension: str, filters: Filters, scope: Scope, k: int | None,
              engine: Engine | None = None, snapshot: Mapping | None = None) -> pd.DataFrame:
    """knows_ess paired change per school, region or edition (a pair's school and region are
    those of its pre answer), sorted by difference, largest first; the hidden groups last."""
    if dimension not in BREAKDOWN_DIMENSIONS:
        raise ValueError(f"unknown breakdown '{dimension}' "
                         f"({', '.join(BREAKDOWN_DIMENSIONS)})")
    stored = _stored(snapshot, SNAPSHOT_BREAKDOWN.format(dimension=dimension))
    if stored is not None:
        return _breakdown_frame(list(stored))
    engine, k = _resolve(engine, k)
    chosen = effective(filters, scope)
    [cube] = _cubes(engine, chosen, "pairs")
    column = BREAKDOWN_DIMENSIONS[dimension]
    pairs = {group: pair for group, sums in cube.sums_by(column).items()
             if (pair := _pair_count(sums, HEADLINE_ITEM)).n > 0}
    labels = _group_labels(engine, dimension, pairs)
    # A row is a selection too: shown only when whole (a school pooled with others is hidden);
    # then the total minus the shown rows is a union of whole units as well.
    whole = _gate(engine, chosen, k).whole_by(column, f"pairs:{HEADLINE_ITEM}")
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
            row.update(n_matched=pair.n, pre_pct=_share_pct(pair.pre_positive, pair.n),
                       post_pct=_share_pct(pair.post_positive, pair.n))
            _with_difference(row, differences[group], pair.n)
        rows.append(row)
    rows.sort(key=lambda r: (r["suppressed"], -(r["diff_pp"] or 0), str(r["group"])))
    return _breakdown_frame(rows)


def _breakdown_frame(rows: list[dict]) -> pd.DataFrame:
    return _typed_frame(rows, BREAKDOWN_COLUMNS, ["n_matched"],
                        ["pre_pct", "post_pct", "diff_pp", "ci_low_pp", "ci_high_pp"])


# ---- published snapshots --------------------------------------------------------------------

def _plain(value):
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _records(frame: pd.DataFrame) -> list[dict]:
    # A shallow copy without attrs: pandas deep-copies them (the XLSX mask, a frame) at every
    # column read.
    bare = frame.copy(deep=False)
    bare.attrs = {}
    columns = list(bare.columns)
    return [{column: _plain(value) for column, value in zip(columns, row)}
            for row in zip(*(bare[c].tolist() for c in columns))]


def snapshot_figures(filters: Filters, scope: Scope, k: int | None,
                     engine: Engine | None = None) -> dict:
    """Every figure of this module as JSON-ready data, keyed as the `snapshot` argument reads
    them, for a published report to store and replay."""
    figures = {
        SNAPSHOT_EXPORT: _records(export_table(filters, scope, k, engine)),
        SNAPSHOT_ITEMS: _records(items_table(filters, scope, k, engine)),
        SNAPSHOT_HEADLINE: headline(filters, scope, k, engine),
        SNAPSHOT_DISTRIBUTION: _records(likert_distribution(filters, scope, k, engine)),
    }
    for dimension in BREAKDOWN_DIMENSIONS:
        figures[SNAPSHOT_BREAKDOWN.format(dimension=dimension)] = _records(
            breakdown(dimension, filters, scope, k, engine))
    return figures


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
    responses, pairs = _cubes(engine, chosen, "structures_responses", "structures_pairs")
    gate = _gate(engine, chosen, k)
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
