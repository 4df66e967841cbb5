"""The top of the awareness page: the headline and its cards, the paired and unpaired
comparison of knows_ess, and the people lost to follow-up.
"""

from __future__ import annotations

import pandas as pd
from dash import html

from dashboard import ids
from dashboard.components.kpi import kpi_card, kpi_grid, suppressed_text
from dashboard.figures import AFTER_COLOUR, PALETTE
from dashboard.i18n import fmt_pct, fmt_points, t
from dashboard.pages.awareness.base import (
    NAVY, attrition_counts_shown, card_with_definition, change_text, definition, fragile_mark,
    hidden_or, interval_text, n_text, p_text, people_text, question, share_with_interval)
from dashboard.pages.awareness.charts import bar_figure, dot_interval_figure, dot_row
from dashboard.queries.awareness.items import WAVES


# ---- the headline ---------------------------------------------------------------------------

def headline_section(headline: dict, lang: str, k: int) -> html.Section:
    from dashboard.queries.awareness import sentence

    notice = None
    if headline["fallback_unpaired"] and not headline["suppressed"]:
        notice = html.Div(t("awareness.fallback", lang, k=k), id=ids.AWARENESS_FALLBACK,
                          role="status", className="alert alert-warning",
                          style={"marginBottom": "1rem", "fontSize": "0.95rem"})
    return html.Section(
        className="chart-card", **{"aria-labelledby": ids.AWARENESS_HEADLINE_LABEL},
        style={"borderLeft": f"6px solid {AFTER_COLOUR}", "marginBottom": "1.25rem",
               "padding": "1.2rem 1.5rem 0.6rem"},
        children=[
            html.H2(t("awareness.headline.label", lang), id=ids.AWARENESS_HEADLINE_LABEL,
                    className="kpi-label", style={"margin": "0 0 0.4rem"}),
            html.P(sentence(headline, lang), id=ids.AWARENESS_HEADLINE,
                   style={"fontSize": "1.4rem", "fontWeight": 600, "lineHeight": 1.4,
                          "color": NAVY, "margin": "0 0 1.1rem", "maxWidth": "70rem"}),
            notice,
            kpi_grid(headline_cards(headline, lang, k)),
            html.P(t("awareness.reference.note", lang), className="chart-note",
                   style={"margin": "-0.4rem 0 0.4rem"}),
        ])


def headline_cards(headline: dict, lang: str, k: int) -> list:
    """Before, after, change and matched people of the headline's analysis."""
    lead = headline[headline["analysis"]]
    hidden = bool(lead["suppressed"])
    cards = []
    for wave in WAVES:
        interval = interval_text(lead.get(f"{wave}_ci_low_pct"), lead.get(f"{wave}_ci_high_pct"),
                                 lang, percent=True)
        cards.append(kpi_card(f"awareness-{wave}", t(f"awareness.kpi.{wave}", lang),
                              fmt_pct(lead.get(f"{wave}_pct"), lang), k=k, lang=lang,
                              suppressed=hidden,
                              detail=t("awareness.kpi.share.detail", lang, interval=interval)))
    test = "mcnemar" if headline["analysis"] == "paired" else "score"
    change = t("awareness.kpi.change.detail", lang,
               interval=interval_text(lead.get("ci_low_pp"), lead.get("ci_high_pp"), lang),
               test=t(f"awareness.test.{test}", lang, p=p_text(lead.get("p_value"), lang)))
    cards.append(kpi_card("awareness-change", t("awareness.kpi.change", lang),
                          fmt_points(lead.get("diff_pp"), lang), k=k, lang=lang,
                          suppressed=hidden, detail=change))
    cards.append(_matched_card(headline, lang, k))
    return cards


def _matched_card(headline: dict, lang: str, k: int):
    attrition, paired, unpaired = headline["attrition"], headline["paired"], headline["unpaired"]
    label = t("awareness.kpi.matched", lang)
    value = people_text(paired.get("n_matched"), k, lang)
    if headline["fallback_unpaired"]:
        return kpi_card("awareness-matched", label, value, lang=lang, detail=t(
            "awareness.kpi.matched.unpaired", lang,
            n_pre=people_text(unpaired.get("n_pre"), k, lang),
            n_post=people_text(unpaired.get("n_post"), k, lang)))
    lost = (t("awareness.kpi.lost", lang, share=fmt_pct(attrition["lost_pct"], lang))
            if attrition_counts_shown(attrition, k) and attrition.get("lost_pct") is not None
            else t("awareness.kpi.lost_hidden", lang))
    return kpi_card("awareness-matched", label, value, lang=lang,
                    detail=t("awareness.kpi.matched.detail", lang, lost=lost))


# ---- comparison card (knows_ess, paired and unpaired) ---------------------------------------

ANALYSES = ("paired", "unpaired")


def comparison_card(headline: dict, lang: str, k: int) -> html.Section:
    rows = [dot_row({**headline[analysis], "analysis": analysis},
                     t(f"awareness.analysis.{analysis}", lang), k, lang) for analysis in ANALYSES]
    figure = dot_interval_figure(rows, lang, k, height=260,
                                 full_reference=headline["baseline_pct"])
    lines = {}
    for analysis in ANALYSES:
        row = headline[analysis]
        lines[analysis] = (t("awareness.comparison.hidden", lang, k=k) if row["suppressed"] else
                           t("awareness.comparison.line", lang,
                             pre=fmt_pct(row["pre_pct"], lang),
                             post=fmt_pct(row["post_pct"], lang),
                             change=fmt_points(row["diff_pp"], lang),
                             interval=interval_text(row["ci_low_pp"], row["ci_high_pp"], lang))
                           + fragile_mark(row, lang))
    table = pd.DataFrame([{
        t("awareness.col.analysis", lang): t(f"awareness.analysis.{analysis}.long", lang),
        t("awareness.col.pre", lang): share_with_interval(headline[analysis], "pre", k, lang),
        t("awareness.col.post", lang): share_with_interval(headline[analysis], "post", k, lang),
        t("awareness.col.change", lang): change_text(headline[analysis], k, lang),
        t("awareness.col.p", lang): hidden_or(
            headline[analysis], k, p_text(headline[analysis].get("p_value"), lang,
                                          equals=False)),
        t("awareness.col.n_pre", lang): people_text(headline[analysis].get("n_pre"), k, lang),
        t("awareness.col.n_post", lang): people_text(headline[analysis].get("n_post"), k, lang),
        t("awareness.col.n", lang): people_text(headline[analysis].get("n_matched"), k, lang),
    } for analysis in ANALYSES])
    return card_with_definition(ids.AWARENESS_COMPARISON_GRAPH, figure, lang,
                 title=t("awareness.comparison.title", lang),
                 summary=t("awareness.comparison.summary", lang, **lines), table=table,
                 note=t("awareness.fragile.rule", lang),
                 definition=definition(lang, [
                     ("question", question("knows_ess", lang)),
                     ("counted", t("awareness.def.knows_ess.counted", lang)),
                     ("population", t("awareness.def.population.paired", lang)),
                     ("method", t("awareness.def.method.paired", lang)),
                     ("caveats", t("awareness.def.caveats.general", lang, k=k))]))


# ---- attrition card -------------------------------------------------------------------------

def attrition_groups(headline: dict, lang: str, k: int) -> list[dict]:
    """The completers and the people lost: their pre share of knows_ess, with its interval."""
    from dashboard.stats import is_fragile, wilson

    attrition = headline["attrition"]
    counts_shown = attrition_counts_shown(attrition, k)
    groups = []
    for name, pct, n, colour in (
            ("completers", attrition.get("completers_pre_pct"), attrition.get("n_matched"),
             PALETTE[0]),
            ("lost", attrition.get("lost_pre_pct"), attrition.get("n_lost"), PALETTE[1])):
        group = {"name": t(f"awareness.attrition.{name}", lang), "pct": pct, "n": n,
                 "colour": colour, "low": None, "high": None, "fragile": False}
        if pct is not None and n:
            interval = wilson(round(pct * n / 100), n)
            group.update(low=100 * interval.ci_low, high=100 * interval.ci_high,
                         fragile=is_fragile(n, interval.ci_low, interval.ci_high))
        group["label"] = (f"{group['name']} ({n_text(n, k, lang)})" if counts_shown
                          else group["name"])
        group["text"] = suppressed_text(k) if pct is None else fmt_pct(pct, lang)
        groups.append(group)
    return groups


def attrition_card(headline: dict, lang: str, k: int) -> html.Section:
    attrition, groups = headline["attrition"], attrition_groups(headline, lang, k)
    hovers = [f"<b>{g['label']}</b><br>{g['text']}"
              + (f"<br>{interval_text(g['low'], g['high'], lang, percent=True)}"
                 if g["low"] is not None else "")
              + (f"<br>{t('chart.fragile', lang)}" if g["fragile"] else "") for g in groups]
    figure = bar_figure([g["label"] for g in groups], [g["pct"] for g in groups],
                         [g["low"] for g in groups], [g["high"] for g in groups],
                         [g["colour"] for g in groups], [g["fragile"] for g in groups],
                         [g["text"] for g in groups], hovers, lang, height=260,
                         reference=headline["baseline_pct"])
    table = pd.DataFrame([{
        t("awareness.col.group", lang): g["name"],
        t("awareness.col.n_pre", lang): (people_text(g["n"], k, lang)
                                         if attrition_counts_shown(attrition, k)
                                         else suppressed_text(k)),
        t("awareness.attrition.axis", lang): g["text"] + (
            f" ({interval_text(g['low'], g['high'], lang, percent=True)})"
            if g["low"] is not None else "")
        + (f" ({t('chart.fragile', lang)})" if g["fragile"] else "")} for g in groups])
    if not attrition_counts_shown(attrition, k):
        summary = t("awareness.attrition.counts_hidden", lang, k=k)
    else:
        summary = t("awareness.attrition.summary", lang,
                    identified=people_text(attrition["n_pre_identified"], k, lang),
                    matched=people_text(attrition["n_matched"], k, lang),
                    lost=people_text(attrition["n_lost"], k, lang),
                    share=fmt_pct(attrition["lost_pct"], lang),
                    completers_pre=groups[0]["text"], lost_pre=groups[1]["text"])
    return card_with_definition(ids.AWARENESS_ATTRITION_GRAPH, figure, lang,
                 title=t("awareness.attrition.title", lang), summary=summary, table=table,
                 note=t("awareness.attrition.note", lang),
                 definition=definition(lang, [
                     ("question", question("knows_ess", lang)),
                     ("counted", t("awareness.def.knows_ess.counted", lang)),
                     ("population", t("awareness.def.attrition.population", lang)),
                     ("caveats", t("awareness.def.caveats.general", lang, k=k))]))
