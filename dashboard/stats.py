"""Proportions, intervals and paired tests behind the dashboard's figures (DESIGN.md section 7).

Thin wrappers over statsmodels and scipy: counts in, plain Python numbers out. Shares and
differences are fractions (0.25, not 25 %); the caller turns them into percentages or points.
A figure that cannot be computed (nobody answered) comes back as None, never as NaN.

One interval is written here rather than called: the difference of two paired proportions
(Newcombe's method 10), which no released Python library provides. statsmodels 0.15 has none;
its development documentation shows a `confint_proportions_paired(method="newcomb")`, and once
a release ships it `paired_difference` can delegate to it, with the tests below pinning the
published values either way.

The K-suppression rule of DESIGN.md section 6 lives here too (`suppress_counts`), so every
caller hides the same cells. It protects the cells of one output; across selections (a
difference of two filters), dashboard.queries.disclosure decides (docs/disclosure.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
# statsmodels is imported where it is used: it costs about a second at start-up, which every
# web worker would pay before serving its first page.

FRAGILE_MIN_PEOPLE = 30  # DESIGN.md section 7: fewer than 30 people behind an estimate
FRAGILE_MAX_WIDTH = 0.30  # ... or an interval wider than 30 points
PROMOTER_MIN_SCORE = 9  # net promoter score: 9-10 promote, 0-6 detract, 7-8 are passive
DETRACTOR_MAX_SCORE = 6


@dataclass(frozen=True)
class Proportion:
    """k of n people, the share k/n and its Wilson interval; None fields when n == 0."""

    k: int
    n: int
    share: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class Difference:
    """A difference of two shares (post minus pre), its interval and p-value; None when empty."""

    diff: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None


EMPTY_DIFFERENCE = Difference(None, None, None, None)


def wilson(k: int, n: int, alpha: float = 0.05) -> Proportion:
    """Share k/n with its Wilson score interval (statsmodels `proportion_confint`).

    Wilson rather than Wald: the survey cells are small and shares sit near 0 or 1, where the
    Wald interval leaves [0, 1] or collapses to a point (Newcombe 1998, Stat Med 17:857-872).
    """
    _check_count(k, n, "k")
    if n == 0:
        return Proportion(k, n, None, None, None)
    low, high = _wilson_bounds(k, n, alpha)
    return Proportion(k, n, k / n, low, high)


def wilson_many(counts: Sequence[tuple[int, int]], alpha: float = 0.05) -> list[Proportion]:
    """`wilson` of many (k, n) at once: one `proportion_confint` call over arrays, where one
    call per share costs a quarter of a millisecond (the awareness items table has 28)."""
    for k, n in counts:
        _check_count(k, n, "k")
    results = [Proportion(k, n, None, None, None) for k, n in counts]
    counted = [position for position, (_, n) in enumerate(counts) if n > 0]
    if not counted:
        return results
    from statsmodels.stats.proportion import proportion_confint
    k = np.asarray([counts[p][0] for p in counted], dtype=np.int64)
    n = np.asarray([counts[p][1] for p in counted], dtype=np.int64)
    low, high = proportion_confint(k, n, alpha=alpha, method="wilson")
    for position, kk, nn, lo, hi in zip(counted, k.tolist(), n.tolist(), low.tolist(),
                                        high.tolist()):
        results[position] = Proportion(kk, nn, kk / nn, lo, hi)
    return results


def unpaired_difference(k_pre: int, n_pre: int, k_post: int, n_post: int,
                        alpha: float = 0.05) -> Difference:
    """Post share minus pre share of two independent samples.

    Interval: Newcombe's hybrid score interval (method 10 of Newcombe RG, Interval estimation
    for the difference between independent proportions: comparison of eleven methods,
    Statistics in Medicine 1998;17:873-890), from statsmodels. p-value: the score test
    with the Miettinen-Nurminen N/(N-1) variance factor, which for a null difference of 0 is
    the 'N-1' chi-square test of the 2x2 table.
    """
    _check_count(k_pre, n_pre, "k_pre")
    _check_count(k_post, n_post, "k_post")
    if n_pre == 0 or n_post == 0:
        return EMPTY_DIFFERENCE
    from statsmodels.stats.proportion import confint_proportions_2indep
    low, high = confint_proportions_2indep(
        count1=k_post, nobs1=n_post, count2=k_pre, nobs2=n_pre,
        method="newcomb", compare="diff", alpha=alpha)
    return Difference(k_post / n_post - k_pre / n_pre, float(low), float(high),
                      _score_test_p(k_pre, n_pre, k_post, n_post))


def unpaired_differences(tables: Sequence[tuple[int, int, int, int]],
                         alpha: float = 0.05) -> list[Difference]:
    """`unpaired_difference` of many (k_pre, n_pre, k_post, n_post) at once: the interval and
    the score test of statsmodels each called once over arrays."""
    for k_pre, n_pre, k_post, n_post in tables:
        _check_count(k_pre, n_pre, "k_pre")
        _check_count(k_post, n_post, "k_post")
    results = [EMPTY_DIFFERENCE] * len(tables)
    counted = [position for position, (_, n_pre, _, n_post) in enumerate(tables)
               if n_pre and n_post]
    if not counted:
        return results
    from statsmodels.stats.proportion import (
        confint_proportions_2indep, test_proportions_2indep)
    k_pre, n_pre, k_post, n_post = (np.asarray(column, dtype=np.int64) for column in
                                    zip(*(tables[p] for p in counted)))
    lows, highs = confint_proportions_2indep(
        count1=k_post, nobs1=n_post, count2=k_pre, nobs2=n_pre,
        method="newcomb", compare="diff", alpha=alpha)
    with np.errstate(divide="ignore", invalid="ignore"):  # see _score_test_p
        p_values = test_proportions_2indep(k_post, n_post, k_pre, n_pre, method="score",
                                           compare="diff", correction=True).pvalue
    # every answer the same: no evidence of a difference (_score_test_p)
    alike = (k_pre + k_post == 0) | (k_pre + k_post == n_pre + n_post)
    p_values = np.where(alike, 1.0, p_values)
    for position, figures in zip(counted, zip(
            (k_post / n_post - k_pre / n_pre).tolist(), np.asarray(lows).tolist(),
            np.asarray(highs).tolist(), np.asarray(p_values).tolist())):
        results[position] = Difference(*figures)
    return results


def paired_difference(both: int, pre_only: int, post_only: int, neither: int,
                      alpha: float = 0.05) -> Difference:
    """Post share minus pre share of the same people, from their 2x2 table of answers.

    `both` answered positively pre and post, `pre_only` only pre, `post_only` only post,
    `neither` at neither wave. The difference is (post_only - pre_only) / n.

    Interval: method 10 of Newcombe RG. Improved confidence intervals for the difference
    between binomial proportions based on paired data. Statistics in Medicine
    1998;17:2635-2650. It combines the Wilson intervals (l1, u1) of the post share p1 and
    (l2, u2) of the pre share p2, corrected for the correlation phi between the two answers:

        lower = diff - sqrt((p1 - l1)^2 - 2 phi (p1 - l1)(u2 - p2) + (u2 - p2)^2)
        upper = diff + sqrt((u1 - p1)^2 - 2 phi (u1 - p1)(p2 - l2) + (p2 - l2)^2)

    with phi from `_newcombe_phi` (the paper's continuity-corrected phi, set to 0 when a
    margin of the table is 0). Newcombe's notation maps as e = both, f = post_only,
    g = pre_only, h = neither, so his theta = (f - g) / n is our post-minus-pre difference.

    p-value: the exact McNemar test (statsmodels), a two-sided binomial test on the
    discordant pairs.
    """
    return paired_differences([(both, pre_only, post_only, neither)], alpha)[0]


def paired_differences(tables: Sequence[tuple[int, int, int, int]],
                       alpha: float = 0.05) -> list[Difference]:
    """`paired_difference` of many 2x2 tables (both, pre_only, post_only, neither) at once:
    the Wilson bounds of every share in one `proportion_confint` call and the exact McNemar
    p-values in one binomial call, instead of four statsmodels calls per table (a breakdown
    by school has 200 tables)."""
    cells = np.asarray(tables, dtype=np.int64).reshape(-1, 4)
    for position, name in enumerate(("both", "pre_only", "post_only", "neither")):
        negative = cells[:, position] < 0
        if negative.any():
            raise ValueError(f"paired_difference: {name} = {cells[negative, position][0]} "
                             "is negative")
    results = [EMPTY_DIFFERENCE] * len(cells)
    counted = np.flatnonzero(cells.sum(axis=1) > 0)
    if not len(counted):
        return results
    both, pre_only, post_only, neither = cells[counted].T
    n = both + pre_only + post_only + neither
    post, pre = both + post_only, both + pre_only
    p1, p2 = post / n, pre / n
    (l1, l2), (u1, u2) = _wilson_bounds_of(np.concatenate([post, pre]),
                                           np.concatenate([n, n]), alpha)
    phi = np.array([_newcombe_phi(*map(int, table)) for table in
                    zip(both, post_only, pre_only, neither)])
    diff = p1 - p2
    below = _squares_and_add(p1 - l1, u2 - p2, phi)
    above = _squares_and_add(u1 - p1, p2 - l2, phi)
    p_values = _exact_mcnemar(pre_only, post_only)
    lows, highs = np.maximum(-1.0, diff - below), np.minimum(1.0, diff + above)
    for position, *figures in zip(counted, diff.tolist(), lows.tolist(), highs.tolist(),
                                  p_values.tolist()):
        results[position] = Difference(*figures)
    return results


def mean_paired_change(pre: Sequence[float], post: Sequence[float],
                       alpha: float = 0.05) -> tuple[float | None, float | None, float | None]:
    """Mean of (post - pre) over matched people, with its t interval: (mean, low, high).

    All None with fewer than 2 pairs (no spread, so no interval). The pairs must be complete:
    a missing answer is the caller's to drop, and a NaN here is refused.
    """
    if len(pre) != len(post):
        raise ValueError(f"mean_paired_change: {len(pre)} pre values but {len(post)} post values")
    changes = np.asarray(post, dtype=float) - np.asarray(pre, dtype=float)
    if np.isnan(changes).any():
        raise ValueError(f"mean_paired_change: missing values at pairs "
                         f"{np.flatnonzero(np.isnan(changes)).tolist()}")
    if len(changes) < 2:
        return None, None, None
    from statsmodels.stats.weightstats import DescrStatsW
    described = DescrStatsW(changes)
    low, high = described.tconfint_mean(alpha=alpha)
    return float(described.mean), float(low), float(high)


def is_fragile(n: int, ci_low: float | None, ci_high: float | None) -> bool:
    """True when the chart should grey an estimate and say "estimation fragile".

    DESIGN.md section 7: fewer than 30 people behind it, or an interval wider than 30 points.
    An estimate without an interval is fragile. A width of exactly 0.30 is not "wider", and
    the comparison forgives float noise (0.65 - 0.35 is 0.30000000000000004).
    """
    if n < FRAGILE_MIN_PEOPLE or ci_low is None or ci_high is None:
        return True
    return ci_high - ci_low > FRAGILE_MAX_WIDTH + 1e-9


def nps(scores: Iterable[float | None]) -> tuple[float | None, float | None]:
    """(share of promoters, net promoter score) of 0-10 `recommend` answers, as fractions.

    Promoters answer 9 or 10, detractors 0 to 6; the net promoter score is the share of
    promoters minus the share of detractors (from -1 to 1). Missing answers (None, NaN) are
    not respondents and are skipped; (None, None) when nobody answered.
    """
    answered = [score for score in scores if not _is_missing(score)]
    bad = [score for score in answered if score not in range(11)]
    if bad:
        raise ValueError(f"nps: scores must be whole numbers from 0 to 10, got {bad[:5]}")
    if not answered:
        return None, None
    promoters = sum(score >= PROMOTER_MIN_SCORE for score in answered) / len(answered)
    detractors = sum(score <= DETRACTOR_MAX_SCORE for score in answered) / len(answered)
    return promoters, promoters - detractors


def is_small_cell(count: int, k: int) -> bool:
    """True for a count of people that must not be shown: 1 to k - 1 (DESIGN.md section 6)."""
    return 0 < count < k


def suppress_counts(counts: Mapping[str, int], k: int, total: int | None = None) -> set[str]:
    """Keys of a breakdown of people counts to hide, so no cell under k people can be read.

    `counts` maps each cell of one breakdown (a region, an answer...) to its number of people;
    `total` is the total shown beside it, None when no total is shown. The rule:

    - primary: a cell of 1 to k - 1 people is hidden. A cell of 0 people is not: it has no
      person to protect and no share to show (a share of 0 people is None already).
    - secondary: when exactly one cell is hidden and a total is shown, the total minus the
      shown cells would give it back, so the smallest other non-empty cell is hidden as well
      (ties broken by key, so the choice is stable). Hiding an empty cell instead would not
      protect anything, since anyone can guess that a cell is 0.

    A total itself under k people must be hidden by the caller (`is_small_cell(total, k)`);
    then no subtraction is possible and no secondary cell is needed. With two or more hidden
    cells the subtraction only gives their sum, which is all the threat model of section 6
    asks for.
    """
    if k < 1:
        raise ValueError(f"suppress_counts: k must be at least 1, got {k}")
    negative = {key: count for key, count in counts.items() if count < 0}
    if negative:
        raise ValueError(f"suppress_counts: negative counts {negative}")
    hidden = {key for key, count in counts.items() if is_small_cell(count, k)}
    total_shown = total is not None and not is_small_cell(total, k)
    if len(hidden) == 1 and total_shown:
        others = sorted((count, key) for key, count in counts.items()
                        if key not in hidden and count > 0)
        if others:
            hidden.add(others[0][1])
    return hidden


def _wilson_bounds(k: int, n: int, alpha: float) -> tuple[float, float]:
    from statsmodels.stats.proportion import proportion_confint
    low, high = proportion_confint(k, n, alpha=alpha, method="wilson")
    return float(low), float(high)


def _wilson_bounds_of(k: np.ndarray, n: np.ndarray, alpha: float):
    """Wilson bounds of many shares (n > 0) in one call, split in two halves: ((low of the
    first half, low of the second), (high of the first, high of the second))."""
    from statsmodels.stats.proportion import proportion_confint
    low, high = proportion_confint(k, n, alpha=alpha, method="wilson")
    half = len(k) // 2
    return (low[:half], low[half:]), (high[:half], high[half:])


def _exact_mcnemar(pre_only: np.ndarray, post_only: np.ndarray) -> np.ndarray:
    """The exact McNemar test of statsmodels (`mcnemar(exact=True)`) for many tables: twice
    the binomial tail of the smaller discordant count, at most 1."""
    from scipy.stats import binom
    return np.minimum(binom.cdf(np.minimum(pre_only, post_only), pre_only + post_only, 0.5)
                      * 2, 1.0)


def _score_test_p(k_pre: int, n_pre: int, k_post: int, n_post: int) -> float:
    # When every answer is the same (pooled share 0 or 1) the score statistic is 0/0; the two
    # samples then agree perfectly, so there is no evidence of a difference: p = 1.
    if k_pre + k_post in (0, n_pre + n_post):
        return 1.0
    # statsmodels also computes a ratio and an odds ratio on the side, which divide by zero
    # when a share is 0 or 1; the difference test itself is well defined.
    with np.errstate(divide="ignore", invalid="ignore"):
        from statsmodels.stats.proportion import test_proportions_2indep
        result = test_proportions_2indep(k_post, n_post, k_pre, n_pre, method="score",
                                         compare="diff", correction=True)
    return float(result.pvalue)


def _newcombe_phi(e: int, f: int, g: int, h: int) -> float:
    """Newcombe's (1998, method 10) correlation of the paired answers, in his notation.

    phi = C / sqrt(A) with A = (e+f)(g+h)(e+g)(f+h) and B = eh - fg, where C = B - n/2 when
    B > n/2, 0 when 0 <= B <= n/2, and B when B < 0 (a continuity correction that only
    shrinks a positive correlation). When A = 0, that is when any margin of the table is 0,
    the paper sets phi to 0.
    """
    margins = (e + f) * (g + h) * (e + g) * (f + h)
    if margins == 0:
        return 0.0
    n = e + f + g + h
    b = e * h - f * g
    c = b - n / 2 if b > n / 2 else (0.0 if b >= 0 else b)
    return c / math.sqrt(margins)


def _squares_and_add(width_a: np.ndarray, width_b: np.ndarray, phi: np.ndarray) -> np.ndarray:
    # max() absorbs float noise: the radicand is (a - b)^2 + 2(1 - phi)ab >= 0 for |phi| <= 1.
    return np.sqrt(np.maximum(0.0, width_a ** 2 - 2 * phi * width_a * width_b + width_b ** 2))


def _check_count(k: int, n: int, name: str) -> None:
    if n < 0 or not 0 <= k <= n:
        raise ValueError(f"{name} = {k} of n = {n}: need 0 <= {name} <= n")


def _is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
