"""dashboard.stats against published worked examples and hand arithmetic.

Published limits are printed to 4 decimals, so a computed limit agrees when it is within half a
unit of the last printed digit (`PRINTED_4DP`). Sources:

- Wilson: Newcombe RG. Two-sided confidence intervals for the single proportion: comparison of
  seven methods. Statistics in Medicine 1998;17:857-872, worked examples, score method without
  continuity correction. The 15/148, 0/20 and 1/29 limits are also asserted by the tests of the
  R package ratesci (petelaud/ratesci, tests/testthat/test3.R).
- Unpaired: Newcombe RG. Interval estimation for the difference between independent
  proportions: comparison of eleven methods. Statistics in Medicine 1998;17:873-890, Table II,
  examples (a) to (h), method 10. Example (d) is also asserted by ratesci.
- Paired: Newcombe RG. Improved confidence intervals for the difference between binomial
  proportions based on paired data. Statistics in Medicine 1998;17:2635-2650, the method 10
  limits of its worked examples (Table III in the public re-implementations we checked against;
  the example 20, 12, 2, 16 -> 0.0562 to 0.3292 is also asserted by ratesci). The primary PDF
  was not available to us: these values are transcriptions that our own computation reproduces.
"""

from __future__ import annotations

import math

import pytest
from scipy.stats import chi2

from dashboard.stats import (
    Difference,
    Proportion,
    is_fragile,
    is_small_cell,
    mean_paired_change,
    nps,
    paired_difference,
    paired_differences,
    suppress_counts,
    unpaired_difference,
    wilson,
    wilson_many,
)

PRINTED_4DP = 0.5e-4
# Newcombe computed with z = 1.96, we use the exact 97.5 % normal quantile (1.959964); and one
# transcribed limit (0.8736 for the 1, 97, 1, 1 table) is 0.7e-4 from ours at either z. So the
# paired examples are held to one unit of the 4th decimal rather than half of one.
PAIRED_4DP = 1e-4


# --- wilson ----------------------------------------------------------------------------------

# (k, n) -> (lower, upper), Newcombe 1998, Stat Med 17:857-872.
NEWCOMBE_SINGLE_PROPORTION = [
    ((81, 263), (0.2553, 0.3662)),
    ((15, 148), (0.0624, 0.1605)),
    ((0, 20), (0.0, 0.1611)),
    ((1, 29), (0.0061, 0.1718)),
]


@pytest.mark.parametrize(("counts", "published"), NEWCOMBE_SINGLE_PROPORTION)
def test_wilson_matches_newcombe_single_proportion_examples(counts, published):
    k, n = counts
    result = wilson(k, n)
    assert result.k == k and result.n == n
    assert result.share == pytest.approx(k / n)
    assert result.ci_low == pytest.approx(published[0], abs=PRINTED_4DP)
    assert result.ci_high == pytest.approx(published[1], abs=PRINTED_4DP)


def test_wilson_of_nobody_has_no_figure():
    assert wilson(0, 0) == Proportion(k=0, n=0, share=None, ci_low=None, ci_high=None)


def test_wilson_returns_plain_floats():
    result = wilson(3, 10)
    assert type(result.ci_low) is float and type(result.ci_high) is float


@pytest.mark.parametrize(("k", "n"), [(6, 5), (-1, 5), (0, -1)])
def test_wilson_refuses_impossible_counts(k, n):
    with pytest.raises(ValueError, match=f"k = {k} of n = {n}"):
        wilson(k, n)


def test_wilson_many_gives_each_share_its_wilson_interval():
    counts = [pair for pair, _ in NEWCOMBE_SINGLE_PROPORTION] + [(0, 0), (3, 10), (81, 263)]

    results = wilson_many(counts)

    assert results == [wilson(k, n) for k, n in counts]
    for result, (_, published) in zip(results, NEWCOMBE_SINGLE_PROPORTION):
        assert result.ci_low == pytest.approx(published[0], abs=PRINTED_4DP)
        assert result.ci_high == pytest.approx(published[1], abs=PRINTED_4DP)
    assert all(type(r.ci_low) is float for r in results if r.n)


def test_wilson_many_refuses_impossible_counts():
    with pytest.raises(ValueError, match="k = 6 of n = 5"):
        wilson_many([(3, 10), (6, 5)])


# --- unpaired_difference ---------------------------------------------------------------------

# (k1, n1, k2, n2) -> (lower, upper) for p1 - p2; Newcombe 1998, Stat Med 17:873-890, Table II,
# method 10. The first proportion plays "post", the second "pre".
NEWCOMBE_UNPAIRED = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),  # (a)
    ((9, 10, 3, 10), (0.1705, 0.8090)),  # (b)
    ((6, 7, 2, 7), (0.0582, 0.8062)),  # (c)
    ((5, 56, 0, 29), (-0.0381, 0.1926)),  # (d)
    ((0, 10, 0, 20), (-0.1611, 0.2775)),  # (e)
    ((0, 10, 0, 10), (-0.2775, 0.2775)),  # (f)
    ((10, 10, 0, 20), (0.6791, 1.0)),  # (g)
    ((10, 10, 0, 10), (0.6075, 1.0)),  # (h)
]


@pytest.mark.parametrize(("counts", "published"), NEWCOMBE_UNPAIRED)
def test_unpaired_interval_matches_newcombe_table_ii(counts, published):
    k_post, n_post, k_pre, n_pre = counts
    result = unpaired_difference(k_pre, n_pre, k_post, n_post)
    assert result.diff == pytest.approx(k_post / n_post - k_pre / n_pre)
    assert result.ci_low == pytest.approx(published[0], abs=PRINTED_4DP)
    assert result.ci_high == pytest.approx(published[1], abs=PRINTED_4DP)


def test_unpaired_difference_is_post_minus_pre():
    rise = unpaired_difference(k_pre=48, n_pre=80, k_post=56, n_post=70)
    fall = unpaired_difference(k_pre=56, n_pre=70, k_post=48, n_post=80)
    assert rise.diff == pytest.approx(0.2) and fall.diff == pytest.approx(-0.2)
    assert (fall.ci_low, fall.ci_high) == pytest.approx((-rise.ci_high, -rise.ci_low))


def test_unpaired_p_value_is_the_n_minus_1_chi_square():
    k_post, n_post, k_pre, n_pre = 56, 70, 48, 80
    total = n_post + n_pre
    pooled = (k_post + k_pre) / total
    pearson = (k_post / n_post - k_pre / n_pre) ** 2 / (
        pooled * (1 - pooled) * (1 / n_post + 1 / n_pre))
    expected = chi2.sf(pearson * (total - 1) / total, df=1)
    result = unpaired_difference(k_pre, n_pre, k_post, n_post)
    assert result.p_value == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(("k_pre", "k_post"), [(0, 0), (10, 10)])
def test_unpaired_p_value_is_1_when_every_answer_is_the_same(k_pre, k_post):
    assert unpaired_difference(k_pre, 10, k_post, 10).p_value == 1.0


@pytest.mark.parametrize("sizes", [(0, 10), (10, 0), (0, 0)])
def test_unpaired_difference_of_an_empty_wave_has_no_figure(sizes):
    n_pre, n_post = sizes
    assert unpaired_difference(0, n_pre, 0, n_post) == Difference(None, None, None, None)


# --- paired_difference -----------------------------------------------------------------------

# Newcombe's (e, f, g, h) = (both, post_only, pre_only, neither): his theta = (f - g) / n.
# -> (lower, upper), method 10, Newcombe 1998, Stat Med 17:2635-2650.
NEWCOMBE_PAIRED = [
    ((36, 12, 2, 0), (0.0569, 0.3404)),
    ((20, 12, 2, 16), (0.0562, 0.3292)),
    ((18, 12, 2, 18), (0.0562, 0.3290)),
    ((36, 14, 0, 0), (0.1528, 0.4167)),  # g + h = 0: phi set to 0
    ((35, 14, 0, 1), (0.1461, 0.4175)),
    ((18, 14, 0, 18), (0.1441, 0.3963)),
    ((2, 97, 1, 0), (0.8721, 0.9854)),
    ((1, 97, 1, 1), (0.8736, 0.9850)),
    ((0, 29, 1, 0), (0.6666, 0.9882)),
    ((2, 98, 0, 0), (0.9178, 0.9945)),
    ((1, 98, 0, 1), (0.9171, 0.9916)),
    ((0, 30, 0, 0), (0.8395, 1.0)),
    ((54, 0, 0, 0), (-0.0664, 0.0664)),  # every margin but one is 0: phi set to 0
    ((53, 0, 0, 1), (-0.0729, 0.0729)),
    ((30, 0, 0, 24), (-0.0358, 0.0358)),
    ((29, 0, 0, 25), (-0.0354, 0.0354)),
    ((28, 0, 0, 26), (-0.0352, 0.0352)),
    ((27, 0, 0, 27), (-0.0351, 0.0351)),
]


@pytest.mark.parametrize(("cells", "published"), NEWCOMBE_PAIRED)
def test_paired_interval_matches_newcombe_method_10(cells, published):
    e, f, g, h = cells
    result = paired_difference(both=e, pre_only=g, post_only=f, neither=h)
    assert result.diff == pytest.approx((f - g) / (e + f + g + h))
    assert result.ci_low == pytest.approx(published[0], abs=PAIRED_4DP)
    assert result.ci_high == pytest.approx(published[1], abs=PAIRED_4DP)


def test_paired_interval_matches_fagerland_2014_example():
    # Fagerland MW, Lydersen S, Laake P. Recommended tests and confidence intervals for paired
    # binomial proportions. Stat Med 2014;33:2850-2875: airway hyper-responsiveness (Bentur
    # 2009), Newcombe's method 10 printed to 3 decimals, as asserted by ratesci's tests.
    result = paired_difference(both=1, pre_only=7, post_only=1, neither=12)
    assert result.diff == pytest.approx((1 - 7) / 21)
    assert result.ci_low == pytest.approx(-0.507, abs=0.5e-3)
    assert result.ci_high == pytest.approx(-0.026, abs=0.5e-3)


def test_paired_difference_is_post_minus_pre():
    rise = paired_difference(both=20, pre_only=2, post_only=12, neither=16)
    fall = paired_difference(both=20, pre_only=12, post_only=2, neither=16)
    assert rise.diff == pytest.approx(0.2) and fall.diff == pytest.approx(-0.2)
    assert (fall.ci_low, fall.ci_high) == pytest.approx((-rise.ci_high, -rise.ci_low))
    assert fall.p_value == rise.p_value


def test_paired_p_value_is_exact_mcnemar():
    # 1 person became unaware, 6 became aware: two-sided binomial test of 1 in 7 at p = 1/2,
    # 2 * (C(7,0) + C(7,1)) / 2^7 = 0.125.
    pre_only, post_only = 1, 6
    discordant = pre_only + post_only
    expected = 2 * sum(math.comb(discordant, i) for i in range(pre_only + 1)) / 2 ** discordant
    assert expected == 0.125
    result = paired_difference(both=5, pre_only=pre_only, post_only=post_only, neither=3)
    assert result.p_value == pytest.approx(expected)


def test_paired_p_value_is_1_without_discordant_pairs():
    assert paired_difference(both=5, pre_only=0, post_only=0, neither=3).p_value == 1.0


def test_paired_difference_of_nobody_has_no_figure():
    assert paired_difference(0, 0, 0, 0) == Difference(None, None, None, None)


def test_paired_difference_refuses_negative_cells():
    with pytest.raises(ValueError, match="pre_only = -1"):
        paired_difference(both=3, pre_only=-1, post_only=2, neither=4)


def test_paired_differences_in_one_call_give_each_table_its_published_interval():
    # Newcombe's tables (and an empty one) in one vectorised call: each keeps its own limits.
    tables = [(e, g, f, h) for (e, f, g, h), _ in NEWCOMBE_PAIRED] + [(0, 0, 0, 0)]
    results = paired_differences(tables)
    assert results[-1] == Difference(None, None, None, None)
    for ((e, f, g, h), published), result in zip(NEWCOMBE_PAIRED, results):
        assert result.diff == pytest.approx((f - g) / (e + f + g + h))
        assert result.ci_low == pytest.approx(published[0], abs=PAIRED_4DP)
        assert result.ci_high == pytest.approx(published[1], abs=PAIRED_4DP)


def test_paired_differences_p_values_are_exact_mcnemar_of_each_table():
    from statsmodels.stats.contingency_tables import mcnemar

    tables = [(5, 1, 6, 3), (5, 0, 0, 3), (40, 9, 9, 2), (1, 30, 2, 0), (0, 0, 0, 7)]
    for (both, pre_only, post_only, neither), result in zip(tables, paired_differences(tables)):
        expected = mcnemar([[both, pre_only], [post_only, neither]], exact=True).pvalue
        assert result.p_value == pytest.approx(expected)
    assert paired_differences(tables)[0].p_value == pytest.approx(0.125)


def test_paired_differences_refuse_a_negative_cell_by_name():
    with pytest.raises(ValueError, match="post_only = -2"):
        paired_differences([(1, 2, 3, 4), (3, 1, -2, 4)])


# --- mean_paired_change ----------------------------------------------------------------------

T_975_DF2 = 4.302653  # Student t, 97.5 % quantile, 2 degrees of freedom (any t table)


def test_mean_paired_change_has_a_t_interval():
    pre, post = [1, 2, 3], [2, 4, 6]  # changes 1, 2, 3: mean 2, standard deviation 1
    mean, low, high = mean_paired_change(pre, post)
    half_width = T_975_DF2 * 1 / math.sqrt(3)
    assert mean == pytest.approx(2)
    assert (low, high) == pytest.approx((2 - half_width, 2 + half_width), abs=1e-5)


def test_mean_paired_change_without_spread_has_a_zero_width_interval():
    assert mean_paired_change([3, 4], [4, 5]) == pytest.approx((1, 1, 1))


@pytest.mark.parametrize("pairs", [0, 1])
def test_mean_paired_change_needs_two_pairs(pairs):
    assert mean_paired_change([3] * pairs, [4] * pairs) == (None, None, None)


def test_mean_paired_change_refuses_unmatched_or_missing_values():
    with pytest.raises(ValueError, match="3 pre values but 2 post values"):
        mean_paired_change([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match=r"missing values at pairs \[1\]"):
        mean_paired_change([1, float("nan"), 3], [1, 2, 3])


# --- is_fragile ------------------------------------------------------------------------------

@pytest.mark.parametrize(("n", "ci", "fragile"), [
    (29, (0.40, 0.50), True),  # fewer than 30 people
    (30, (0.40, 0.50), False),
    (30, (0.35, 0.65), False),  # exactly 30 points wide is not "wider than"
    (30, (0.35, 0.6501), True),
    (500, (-0.20, 0.11), True),  # a difference interval of 31 points
    (30, (None, None), True),  # no interval
    (0, (None, None), True),
])
def test_is_fragile_at_its_edges(n, ci, fragile):
    assert is_fragile(n, *ci) is fragile


# --- nps -------------------------------------------------------------------------------------

def test_nps_counts_promoters_and_detractors_among_those_who_answered():
    scores = [10, 9, 9, 8, 7, 6, 0, None, float("nan")]
    promoters, detractors, answered = 3, 2, 7
    assert nps(scores) == pytest.approx(
        (promoters / answered, (promoters - detractors) / answered))


def test_nps_of_nobody_has_no_figure():
    assert nps([]) == (None, None)
    assert nps([None]) == (None, None)


@pytest.mark.parametrize("bad", [11, -1, 8.5])
def test_nps_refuses_scores_outside_0_to_10(bad):
    with pytest.raises(ValueError, match="whole numbers from 0 to 10"):
        nps([9, bad])


# --- suppress_counts -------------------------------------------------------------------------

K = 5


def test_a_cell_under_k_is_hidden_and_a_cell_of_k_is_not():
    assert suppress_counts({"north": K - 1, "south": K}, K) == {"north"}
    assert is_small_cell(K - 1, K) and not is_small_cell(K, K)


def test_an_empty_cell_is_not_hidden():
    assert suppress_counts({"north": 0, "south": 12}, K, total=12) == set()
    assert not is_small_cell(0, K)


def test_a_lone_hidden_cell_beside_a_total_takes_the_next_smallest_with_it():
    counts = {"north": 3, "south": 40, "east": 7, "west": 0}
    # total - shown cells would give north back; east (7) is the smallest non-empty other cell
    assert suppress_counts(counts, K, total=50) == {"north", "east"}


def test_the_secondary_cell_is_chosen_by_key_on_a_tie():
    counts = {"b": 9, "a": 9, "c": 2}
    assert suppress_counts(counts, K, total=20) == {"c", "a"}


def test_no_secondary_cell_without_a_total():
    assert suppress_counts({"north": 3, "south": 40}, K) == {"north"}


def test_no_secondary_cell_when_the_total_is_itself_hidden():
    assert suppress_counts({"north": 3, "south": 0}, K, total=3) == {"north"}


def test_two_hidden_cells_need_no_secondary_cell():
    counts = {"north": 3, "south": 40, "east": 2}
    assert suppress_counts(counts, K, total=45) == {"north", "east"}


def test_suppress_counts_refuses_negative_counts_and_a_k_under_1():
    with pytest.raises(ValueError, match="'north': -2"):
        suppress_counts({"north": -2}, K)
    with pytest.raises(ValueError, match="k must be at least 1"):
        suppress_counts({"north": 2}, 0)
