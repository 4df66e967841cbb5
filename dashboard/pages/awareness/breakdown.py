"""The knows_ess change by school, region or edition, below the rest of the page (its tab
redraws it alone).
"""

from __future__ import annotations

import pandas as pd
from dash import html

from dashboard import ids
from dashboard.components.kpi import suppressed_text
from dashboard.figures import AFTER_COLOUR, MUTED_COLOUR, TEXT_COLOUR, empty
from dashboard.i18n import MISSING, NNBSP, fmt_pct, fmt_points, t, tn
from dashboard.pages.awareness.base import (
    GRID, TABS, card_with_definition, definition, fragile_mark, frame_records,
    hidden_or, missing, people_text, question, signed)
from dashboard.pages.awareness.charts import (
    TOP_LEGEND, category_axis, error_bar, fragile_legend, legend_entry, make_figure, symbols, vline)


def breakdown_card(breakdown: pd.DataFrame, tab: str, lang: str, k: int) -> html.Section:
    # Joined toggle buttons; the pressed one is the tab in the URL.
    tabs = html.Div(id=ids.AWARENESS_BREAKDOWN_TABS, className="btn-group mb-2", role="group",
                    **{"aria-label": t("awareness.breakdown.tabs_label", lang)}, children=[
        html.Button(t(f"awareness.breakdown.tab.{name}", lang), type="button", n_clicks=0,
                    id={"type": ids.AWARENESS_TAB, "tab": name},
                    className="btn btn-sm btn-outline-primary" + (" active" if name == tab
                                                                  else ""),
                    **{"aria-pressed": "true" if name == tab else "false"})
        for name in TABS])
    records = frame_records(breakdown)
    texts = [group_texts(r, lang, k) for r in records]
    figure, summary = breakdown_figure(records, texts, tab, lang, k), breakdown_summary(
        records, tab, lang, k)
    table = pd.DataFrame([{
        t("awareness.col.group", lang): r["label"],
        t("awareness.col.n", lang): text["people"],
        t("awareness.col.pre", lang): hidden_or(r, k, text["pre"]),
        t("awareness.col.post", lang): hidden_or(r, k, text["post"]),
        t("awareness.col.change", lang): hidden_or(r, k, text["points"] + fragile_mark(r, lang)),
        t("awareness.col.interval", lang): hidden_or(r, k, text["range"]),
    } for r, text in zip(records, texts)], columns=[t(f"awareness.col.{c}", lang) for c in
                                                    ("group", "n", "pre", "post", "change",
                                                     "interval")])
    card = card_with_definition(ids.AWARENESS_BREAKDOWN_GRAPH, figure, lang,
                 title=t("awareness.breakdown.title", lang), summary=summary, table=table,
                 note=t("awareness.breakdown.note", lang, k=k),
                 definition=definition(lang, [
                     ("question", question("knows_ess", lang)),
                     ("counted", t("awareness.def.knows_ess.counted", lang)),
                     ("population", t("awareness.def.breakdown.population", lang)),
                     ("method", t("awareness.def.method.paired", lang)),
                     ("caveats", t("awareness.def.breakdown.caveats", lang, k=k))]))
    card.children.insert(1, html.Div(tabs))
    return card


def breakdown_summary(records: list[dict], tab: str, lang: str, k: int) -> str:
    shown = [r for r in records if not r["suppressed"]]
    hidden = len(records) - len(shown)
    hidden_note = tn("awareness.breakdown.hidden", hidden, lang, k=k) if hidden else ""
    if not records:
        return t("chart.no_data", lang)
    if not shown:
        return f"{t('awareness.breakdown.none', lang)} {hidden_note}".strip()
    top, bottom = shown[0], shown[-1]
    return t("awareness.breakdown.summary", lang,
             dimension=t(f"awareness.breakdown.dimension.{tab}", lang),
             low=fmt_points(bottom["diff_pp"], lang), low_group=bottom["label"],
             high=fmt_points(top["diff_pp"], lang), high_group=top["label"],
             hidden=hidden_note).strip()


def group_texts(r: dict, lang: str, k: int) -> dict[str, str]:
    """A group's figures as text, formatted once for its dot, its hover and its table row
    (a breakdown by school has 200 groups)."""
    people = people_text(None if r["suppressed"] else r["n_matched"], k, lang)
    if missing(r["ci_low_pp"]) or missing(r["ci_high_pp"]):
        interval = bounds = MISSING
    else:
        ends = {"low": signed(r["ci_low_pp"], lang), "high": signed(r["ci_high_pp"], lang)}
        interval, bounds = t("awareness.interval", lang, **ends), t("awareness.range", lang,
                                                                     **ends)
    return {"people": people, "n": f"n {people}" if people.startswith("<") else f"n = {people}",
            "pre": fmt_pct(r["pre_pct"], lang), "post": fmt_pct(r["post_pct"], lang),
            "points": fmt_points(r["diff_pp"], lang), "interval": interval, "range": bounds}


def breakdown_figure(records: list[dict], texts: list[dict], tab: str, lang: str,
                     k: int) -> dict:
    """The change per group (a dot and its 95 % interval), largest first (the query's order);
    the hidden groups last, reading "< K" and no figure. `texts`: each group's `group_texts`."""
    if not records:
        return empty(t("chart.no_data", lang), lang)
    labels = {id(r): f"{r['label']} ({text['n']})" for r, text in zip(records, texts)}
    shown = [(r, text) for r, text in zip(records, texts) if not r["suppressed"]]
    hidden = [r for r in records if r["suppressed"]]

    def label(r):
        return labels[id(r)]

    fragile = [bool(r["fragile"]) for r, _ in shown]
    values = [r["diff_pp"] for r, _ in shown]
    name = t("awareness.breakdown.change", lang)
    traces = [{
        "type": "scatter", "x": values, "y": [label(r) for r, _ in shown], "mode": "markers",
        "name": name, "legendgroup": name, "showlegend": False, "cliponaxis": False,
        "marker": {"symbol": symbols("circle", fragile), "size": 11, "color": AFTER_COLOUR,
                   "line": {"width": 2, "color": AFTER_COLOUR}},
        "error_x": error_bar(values, [r["ci_low_pp"] for r, _ in shown],
                          [r["ci_high_pp"] for r, _ in shown], AFTER_COLOUR, width=4),
        "hovertext": [f"<b>{r['label']}</b><br>{text['points']} "
                      f"({text['pre']} → {text['post']})<br>{text['interval']}<br>"
                      f"n = {text['people']}"
                      + (f"<br>{t('chart.fragile', lang)}" if r["fragile"] else "")
                      for r, text in shown],
        "hovertemplate": "%{hovertext}<extra></extra>"}, legend_entry(name, "circle",
                                                                         AFTER_COLOUR, 11)]
    if hidden:
        traces.append({"type": "scatter", "x": [0] * len(hidden),
                       "y": [label(r) for r in hidden], "mode": "text",
                       "text": [suppressed_text(k)] * len(hidden),
                       "textposition": "middle right", "showlegend": False,
                       "hoverinfo": "skip", "textfont": {"color": MUTED_COLOUR, "size": 13}})
    if any(fragile):
        traces.append(fragile_legend(lang))
    lows = [r["ci_low_pp"] for r, _ in shown if not missing(r["ci_low_pp"])] or [0]
    highs = [r["ci_high_pp"] for r, _ in shown if not missing(r["ci_high_pp"])] or [10]
    unit = f"{NNBSP if lang == 'fr' else ' '}pts"
    return make_figure(
        traces, lang, height=110 + 27 * len(records), shapes=[vline(0, dash=None,
                                                                    colour=TEXT_COLOUR)],
        margin={"l": 8, "t": 44, "b": 48}, legend=TOP_LEGEND,
        xaxis={"range": [min(-10, min(lows) - 5), max(10, max(highs) + 5)],
               "ticksuffix": unit, "showgrid": True, "gridcolor": GRID, "zeroline": False,
               "fixedrange": True, "title": {"text": t("awareness.breakdown.axis", lang),
                                             "font": {"size": 12, "color": MUTED_COLOUR}}},
        yaxis=category_axis([label(r) for r in records], 12))


def breakdown_body(figures: dict, lang: str, k: int) -> list:
    """The breakdown card below the body (nothing when nobody answered the survey)."""
    if not figures["answered"]:
        return []
    return [breakdown_card(figures["breakdown"], figures["tab"], lang, k)]
