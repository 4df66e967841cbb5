"""The figures of the awareness page and of `impact export awareness`: the export table, the
items table, the headline and its sentence.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from sqlalchemy.engine import Engine

from dashboard import stats
from dashboard.cache import cached
from dashboard.i18n import NNBSP, fmt_decimal, fmt_int, fmt_pct, plural_form
from dashboard.queries.awareness.cubes import (
    PairCount, WaveCount, pair_counts, select_cubes, units_gate, wave_counts)
from dashboard.queries.awareness.items import (
    EXPORT_COLUMNS, FIGURE_COLUMNS, HEADLINE_ITEM, ITEMS_TABLE_EXTRA, ITEM_LABELS, LIKERT_CHANGES,
    LIKERT_ITEMS, NATIONAL_BASELINE_PCT, RECOMMEND_SCORES, SNAPSHOT_EXPORT, SNAPSHOT_HEADLINE,
    SNAPSHOT_ITEMS)
from dashboard.queries.awareness.rows import (
    SHARE_INTERVAL_COLUMNS, export_frame, item_rows, mean_change_of, net_promoter_score, paired_row,
    pct, resolve, share_pct, unpaired_row)
from dashboard.queries.base import Filters, Scope, effective
from dashboard.queries.disclosure import Gate
from dashboard.queries.frames import stored as stored_figure


@cached
def export_table(filters: Filters, scope: Scope, k: int | None, engine: Engine | None = None,
                 snapshot: Mapping | None = None) -> pd.DataFrame:
    """The table behind `impact export awareness`: one row per item and analysis, exactly the
    columns of `EXPORT_COLUMNS`, percentages 0-100 and differences in points (post - pre)."""
    stored = stored_figure(snapshot, SNAPSHOT_EXPORT)
    if stored is not None:
        return export_frame(list(stored))
    engine, k = resolve(engine, k)
    chosen = effective(filters, scope)
    responses, pairs = select_cubes(engine, chosen, "responses", "pairs")
    return export_frame(item_rows(wave_counts(responses), pair_counts(pairs), k, scope,
                                    units_gate(engine, chosen, k)))


# ---- items table (the page's table: export rows + labels, intervals, mean change, NPS) ------

@cached
def items_table(filters: Filters, scope: Scope, k: int | None, engine: Engine | None = None,
                snapshot: Mapping | None = None) -> pd.DataFrame:
    """The export rows with item labels (FR/EN), fragile flags, each share's Wilson interval
    (percent), the mean paired change of the Likert items (in answer points, post - pre, with
    its 95 % t interval) and the net promoter score of `recommend` (points, -100 to 100);
    blank where the row is suppressed."""
    columns = EXPORT_COLUMNS + ITEMS_TABLE_EXTRA
    stored = stored_figure(snapshot, SNAPSHOT_ITEMS)
    if stored is not None:
        return export_frame(list(stored), columns)
    engine, k = resolve(engine, k)
    chosen = effective(filters, scope)
    responses, answers, pairs, changes = select_cubes(
        engine, chosen, "responses", "answers", "pairs", "changes")
    change_sums = changes.sums()
    post_answers = answers.select(Filters(), wave="post").sums()
    rows = item_rows(wave_counts(responses), pair_counts(pairs), k, scope,
                      units_gate(engine, chosen, k), intervals=True)
    for row in rows:
        item = row["item"]
        row["label_fr"], row["label_en"] = ITEM_LABELS[item]
        row.update(mean_change=None, mean_change_ci_low=None, mean_change_ci_high=None, nps=None)
        if row["suppressed"]:
            continue
        if row["analysis"] == "paired" and item in LIKERT_ITEMS:
            mean, low, high = mean_change_of(
                tuple(change_sums[f"change_{c}__{item}"] for c in LIKERT_CHANGES))
            row.update(mean_change=mean, mean_change_ci_low=low, mean_change_ci_high=high)
        if item == "recommend":
            row["nps"] = pct(net_promoter_score(
                {s: post_answers[f"answer_{s}__recommend"] for s in RECOMMEND_SCORES}))
    return export_frame(rows, columns)


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
        "lost_pct": None if counts_hidden else share_pct(n_lost, n_identified),
        "lost_pre_pct": (None if n_lost < k or not gate.whole(f"lost:{HEADLINE_ITEM}")
                         else share_pct(lost_positive, n_lost)),
        "completers_pre_pct": (None if pair.n < k or not gate.whole(f"pairs:{HEADLINE_ITEM}")
                               else share_pct(pair.pre_positive, pair.n)),
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
    stored = stored_figure(snapshot, SNAPSHOT_HEADLINE)
    if stored is not None:
        return dict(stored)
    engine, k = resolve(engine, k)
    item = HEADLINE_ITEM
    chosen = effective(filters, scope)
    responses, pairs = select_cubes(engine, chosen, "responses", "pairs")
    gate = units_gate(engine, chosen, k)
    waves, pair = wave_counts(responses), pair_counts(pairs)[item]
    pre, post = waves["pre"][item], waves["post"][item]
    paired = _public(paired_row(item, pre, post, pair, k, scope, gate, intervals=True))
    unpaired = _public(unpaired_row(item, pre, post, pair, k, scope, gate, intervals=True))
    fallback = pair.n < k
    lead = unpaired if fallback else paired
    return {
        "item": item, "k": k, "analysis": "unpaired" if fallback else "paired",
        "fallback_unpaired": fallback, "suppressed": lead["suppressed"],
        "fragile": lead["fragile"], "paired": paired, "unpaired": unpaired,
        "attrition": _attrition(pre, pair, k, scope, gate),
        "baseline_pct": NATIONAL_BASELINE_PCT[item],
    }


@cached
def answered(filters: Filters, scope: Scope, engine: Engine | None = None) -> bool:
    """Somebody in the selection answered the headline's question (perhaps too few to show):
    what the breakdown asks of the headline, without its statistics (`headline`'s unpaired
    `n_pre` or `n_post` is not 0)."""
    engine, _ = resolve(engine, None)
    [responses] = select_cubes(engine, effective(filters, scope), "responses")
    waves = wave_counts(responses)
    return any(waves[wave][HEADLINE_ITEM].n != 0 for wave in waves)


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
