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

The package, from the bottom up: `items` (items, labels, columns), `cubes` (the marts' counts
and publication units, built once per warehouse version: `dashboard.queries.versioned`), `rows`
(counts -> suppressed rows with their statistics), `figures` (export table, items table,
headline) and `breakdowns` (distributions, breakdowns, kinds named, snapshots). This face hands
on what the pages, reports, command line and tests use.
"""

from dashboard.cache import VERSION as WAREHOUSE_VERSION
from dashboard.queries.awareness.breakdowns import (
    breakdown, hidden_groups, likert_distribution, snapshot_figures, structures_named)
from dashboard.queries.awareness.cubes import survey_units
from dashboard.queries.awareness.figures import (
    answered, export_table, headline, items_table, sentence)
from dashboard.queries.awareness.items import (
    BREAKDOWN_DIMENSIONS, EXPORT_COLUMNS, FIGURE_COLUMNS, HEADLINE_ITEM, ITEM_LABELS, ITEMS,
    LIKERT_ITEMS, NATIONAL_BASELINE_PCT, PAIRED_ITEMS, POST_ONLY_ITEMS, SNAPSHOT_EXPORT,
    SNAPSHOT_HEADLINE)
from dashboard.queries.versioned import clear_cache, versioned

__all__ = [
    "BREAKDOWN_DIMENSIONS", "EXPORT_COLUMNS", "FIGURE_COLUMNS", "HEADLINE_ITEM", "ITEM_LABELS",
    "ITEMS", "LIKERT_ITEMS", "NATIONAL_BASELINE_PCT", "PAIRED_ITEMS", "POST_ONLY_ITEMS",
    "SNAPSHOT_EXPORT", "SNAPSHOT_HEADLINE", "WAREHOUSE_VERSION", "answered", "breakdown",
    "clear_cache", "export_table", "headline", "hidden_groups",
    "items_table", "likert_distribution", "sentence", "snapshot_figures", "structures_named",
    "survey_units", "versioned",
]
