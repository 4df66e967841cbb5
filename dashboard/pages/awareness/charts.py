"""The awareness page's charts: traces and layouts as plain dicts (dashboard/figures.py says
why), dots with their intervals, bars, Likert distributions.
"""

from __future__ import annotations

from dashboard.components.kpi import suppressed_text
from dashboard.figures import (
    AFTER_COLOUR, BEFORE_COLOUR, MUTED_COLOUR, REFERENCE_COLOUR, TEXT_COLOUR, empty,
    layout as base_layout)
from dashboard.i18n import fmt_pct, fmt_points, t
from dashboard.pages.awareness.base import (
    FRAGILE_HATCH, GRID, LIKERT_COLOURS, NAVY, colon, hidden_or, interval_text, item_label, missing,
    people_text)
from dashboard.queries.awareness.items import LIKERT_LABELS


def _merged(base: dict, extra: dict) -> dict:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _merged(base[key], value)
        else:
            merged[key] = value
    return merged


TOP_LEGEND = {"y": 1.0, "yanchor": "bottom", "x": 0, "xanchor": "left"}


def make_figure(traces: list[dict], lang: str, **layout) -> dict:
    return {"data": traces, "layout": _merged(base_layout(lang, height=None), layout)}


def share_axis(lang: str) -> dict:
    # plotly.js drops ticksuffix on an axis with tickvals: the labels are given as text.
    ticks = (0, 25, 50, 75, 100)
    return {"range": [-2, 104], "tickvals": list(ticks),
            "ticktext": [fmt_pct(v, lang) for v in ticks], "showgrid": True, "gridcolor": GRID,
            "zeroline": False, "fixedrange": True}


def category_axis(categories: list, size: int = 13) -> dict:
    """Categories top to bottom in their order, with no empty band above or below."""
    return {"type": "category", "categoryorder": "array", "categoryarray": categories,
            "range": [len(categories) - 0.5, -0.5], "autorange": False, "showgrid": False,
            "ticks": "", "fixedrange": True, "tickfont": {"size": size, "color": TEXT_COLOUR}}


def error_bar(values, lows, highs, colour: str, *, width: int = 5) -> dict:
    plus = [None if missing(v) or missing(h) else h - v for v, h in zip(values, highs)]
    minus = [None if missing(v) or missing(lo) else v - lo for v, lo in zip(values, lows)]
    return {"type": "data", "symmetric": False, "array": plus, "arrayminus": minus,
            "color": colour, "thickness": 2, "width": width}


def symbols(base: str, fragile) -> list[str]:
    return [f"{base}-open" if flag else base for flag in fragile]


def fragile_legend(lang: str, *, bar: bool = False) -> dict:
    """A legend entry saying what an outline (dots) or a hatch (bars) means."""
    marker = ({"symbol": "square", "size": 13, "color": MUTED_COLOUR,
               "pattern": {"shape": FRAGILE_HATCH}} if bar else
              {"symbol": "circle-open", "size": 11, "color": TEXT_COLOUR, "line": {"width": 2}})
    if bar:  # a scatter marker cannot be hatched: a bar with no value draws the legend swatch
        return {"type": "bar", "x": [None], "y": [None], "orientation": "h",
                "name": t("awareness.legend.fragile_bar", lang), "hoverinfo": "skip",
                "marker": {"color": MUTED_COLOUR, "pattern": {
                    "shape": FRAGILE_HATCH, "fgcolor": "white", "fillmode": "overlay",
                    "size": 6}}}
    return {"type": "scatter", "x": [None], "y": [None], "mode": "markers",
            "name": t("awareness.legend.fragile", lang), "hoverinfo": "skip", "marker": marker}


def legend_entry(name: str, symbol: str, colour: str, size: int = 12) -> dict:
    """A legend entry drawn filled, whatever the first point of its series looks like."""
    return {"type": "scatter", "x": [None], "y": [None], "mode": "markers", "name": name,
            "hoverinfo": "skip", "legendgroup": name,
            "marker": {"symbol": symbol, "size": size, "color": colour}}


def _reference_legend(lang: str) -> dict:
    return {"type": "scatter", "x": [None], "y": [None], "mode": "lines", "hoverinfo": "skip",
            "name": t("awareness.reference.name", lang),
            "line": {"dash": "dash", "color": REFERENCE_COLOUR, "width": 1.5}}


def vline(x: float, *, dash: str | None = "dash", colour: str = REFERENCE_COLOUR,
           y0: float = 0, y1: float = 1, yref: str = "paper") -> dict:
    return {"type": "line", "x0": x, "x1": x, "y0": y0, "y1": y1, "xref": "x", "yref": yref,
            "layer": "below", "line": {"dash": dash or "solid", "color": colour, "width": 1.5}}


def wave_hover(label: str, wave: str, pct, low, high, n, k: int, lang: str,
                fragile: bool) -> str:
    parts = [f"<b>{label}</b>",
             f"{t(f'awareness.wave.{wave}', lang)}{colon(lang)}{fmt_pct(pct, lang)}",
             interval_text(low, high, lang, percent=True)]
    if n is not None:
        parts.append(f"n = {people_text(n, k, lang)}")
    if fragile:
        parts.append(t("chart.fragile", lang))
    return "<br>".join(parts)


def dot_interval_figure(rows: list[dict], lang: str, k: int, *, height: int | None = None,
                        references: dict[int, float] | None = None,
                        full_reference: float | None = None) -> dict:
    """Before and after shares (a dot each) with their 95 % intervals, one row per category.

    `rows`: {"label", "hidden", "pre", "pre_low", "pre_high", "post", "post_low", "post_high",
    "n_pre", "n_post", "fragile"}; a hidden row keeps its place and reads "< K". The fragile
    estimates are hollow dots. `references`: row index -> a national baseline (percent) drawn
    across that row only; `full_reference`: one baseline across the whole chart.
    """
    labels = [row["label"] for row in rows]
    fragile = [bool(row.get("fragile")) and not row["hidden"] for row in rows]
    traces, legend = [], []
    for wave, colour, symbol in (("pre", BEFORE_COLOUR, "circle"),
                                 ("post", AFTER_COLOUR, "diamond")):
        values = [None if row["hidden"] else row.get(wave) for row in rows]
        name = t(f"awareness.wave.{wave}", lang)
        legend.append(legend_entry(name, symbol, colour, 12 if wave == "pre" else 14))
        traces.append({
            "type": "scatter", "x": values, "y": labels, "mode": "markers", "name": name,
            "orientation": "h", "offsetgroup": wave, "legendgroup": name,
            "showlegend": False, "cliponaxis": False,
            "marker": {"symbol": symbols(symbol, fragile), "size": 13 if wave == "pre" else 15,
                       "color": colour, "line": {"width": 2.5, "color": colour}},
            "error_x": error_bar(values, [row.get(f"{wave}_low") for row in rows],
                              [row.get(f"{wave}_high") for row in rows], colour),
            "hovertext": [wave_hover(row["label"], wave, row.get(wave), row.get(f"{wave}_low"),
                                      row.get(f"{wave}_high"), row.get(f"n_{wave}"), k, lang,
                                      flag) for row, flag in zip(rows, fragile)],
            "hovertemplate": "%{hovertext}<extra></extra>"})
    hidden = [row["label"] for row in rows if row["hidden"]]
    if hidden:
        traces.append({"type": "scatter", "x": [50] * len(hidden), "y": hidden, "mode": "text",
                       "text": [suppressed_text(k)] * len(hidden), "showlegend": False,
                       "hoverinfo": "skip", "textfont": {"color": MUTED_COLOUR, "size": 15}})
    traces += legend
    if any(fragile):
        traces.append(fragile_legend(lang))
    shapes, annotations = [], []
    for index, value in (references or {}).items():
        shapes.append(vline(value, y0=index - 0.46, y1=index + 0.46, yref="y"))
        annotations.append({
            "x": value, "y": index + 0.46, "xref": "x", "yref": "y", "showarrow": False,
            "text": t("awareness.reference.short", lang, value=fmt_pct(value, lang)),
            "xanchor": "right" if value > 80 else "left", "yanchor": "bottom",
            "xshift": -4 if value > 80 else 4, "font": {"size": 11, "color": REFERENCE_COLOUR}})
    if full_reference is not None:
        shapes.append(vline(full_reference))
    if references or full_reference is not None:
        traces.append(_reference_legend(lang))
    changes = any("change" in row for row in rows)
    if changes:  # a column of the changes on the right, like a table's last column
        annotations.append({"x": 1, "y": 1, "xref": "paper", "yref": "paper",
                            "xanchor": "left", "yanchor": "bottom", "xshift": 14,
                            "showarrow": False, "text": t("awareness.col.change", lang),
                            "font": {"size": 12, "color": MUTED_COLOUR}})
        annotations += [{"x": 1, "y": row["label"], "xref": "paper", "yref": "y",
                         "xanchor": "left", "xshift": 14, "showarrow": False,
                         "text": f"<b>{row['change']}</b>",
                         "font": {"size": 14, "color": NAVY}} for row in rows]
    return make_figure(
        traces, lang, height=height or 100 + 64 * len(rows), shapes=shapes,
        margin={"l": 8, "t": 44, "b": 32, "r": 96 if changes else 16},
        annotations=annotations, xaxis=share_axis(lang), yaxis=category_axis(labels),
        scattermode="group", scattergap=0.5,
        legend=TOP_LEGEND)


def dot_row(row: dict, label: str, k: int, lang: str) -> dict:
    paired = row.get("analysis") == "paired"
    return {"label": label, "hidden": bool(row.get("suppressed")),
            "change": hidden_or(row, k, fmt_points(row.get("diff_pp"), lang)),
            "pre": row.get("pre_pct"), "pre_low": row.get("pre_ci_low_pct"),
            "pre_high": row.get("pre_ci_high_pct"), "post": row.get("post_pct"),
            "post_low": row.get("post_ci_low_pct"), "post_high": row.get("post_ci_high_pct"),
            "n_pre": row.get("n_matched" if paired else "n_pre"),
            "n_post": row.get("n_matched" if paired else "n_post"),
            "fragile": row.get("fragile")}


def bar_figure(labels: list[str], values: list, lows: list, highs: list, colours: list[str],
                fragile: list[bool], texts: list[str], hovers: list[str], lang: str, *,
                height: int, reference: float | None = None) -> dict:
    """Horizontal share bars with their intervals; fragile ones hatched, hidden ones "< K"."""
    traces = [{
        "type": "bar", "x": values, "y": labels,
        "orientation": "h", "showlegend": False, "cliponaxis": False,
        "marker": {"color": colours, "pattern": {
            "shape": [FRAGILE_HATCH if f else "" for f in fragile], "fgcolor": "white",
            "fillmode": "overlay", "size": 8, "solidity": 0.3}},
        "error_x": error_bar(values, lows, highs, TEXT_COLOUR, width=6),
        "hovertext": hovers, "hovertemplate": "%{hovertext}<extra></extra>"}]
    # The value is written past the end of its interval, where no error bar can cross it.
    annotations = [{"x": max(v or 0, 0 if missing(h) else h) + 1.5, "y": label, "xref": "x",
                    "yref": "y", "text": f"<b>{text}</b>", "showarrow": False,
                    "xanchor": "left", "font": {"size": 14, "color": TEXT_COLOUR}}
                   for label, v, h, text in zip(labels, values, highs, texts)]
    shapes = []
    if any(fragile):
        traces.append(fragile_legend(lang, bar=True))
    if reference is not None:
        shapes.append(vline(reference))
        traces.append(_reference_legend(lang))
    return make_figure(traces, lang, height=height, shapes=shapes, annotations=annotations,
                       xaxis=share_axis(lang),
                       yaxis=category_axis(labels), bargap=0.42, barmode="overlay",
                       margin={"l": 8, "t": 40, "b": 32}, legend=TOP_LEGEND)


def likert_figure(rows: list, lang: str, k: int) -> dict:
    """Diverging stacked bars (barmode relative): disagreement left of 0, agreement right, the
    neutral answers split across 0. Each bar segment is labelled from 7 % up."""
    if not rows:
        return empty(t("awareness.likert.empty", lang), lang)
    y = [[item_label(item, lang, short=True) for item, *_ in rows],
         [t(f"awareness.wave.{wave}", lang) if answers is not None else
          t("awareness.likert.hidden", lang, wave=t(f"awareness.wave.{wave}", lang), k=k)
          for _item, wave, answers, _n in rows]]
    labels = LIKERT_LABELS[lang]
    traces = []
    # The negative side stacks outwards from 0 in trace order: half the neutral, 2, then 1.
    for answer, side in ((3, -1), (2, -1), (1, -1), (3, 1), (4, 1), (5, 1)):
        half = 0.5 if answer == 3 else 1
        shares = [None if answers is None else answers.get(answer, 0)
                  for *_x, answers, _n in rows]
        labelled = answer != 3 or side > 0  # one legend entry for the two neutral halves
        traces.append({
            "type": "bar", "orientation": "h", "y": y, "name": labels[answer - 1],
            "x": [None if s is None else side * half * s for s in shares],
            "marker": {"color": LIKERT_COLOURS[answer - 1],
                       "line": {"width": 1, "color": "white"}},
            "legendgroup": str(answer), "showlegend": labelled, "legendrank": answer,
            "text": [fmt_pct(s, lang) if answer != 3 and s is not None and s >= 7 else ""
                     for s in shares],
            "textposition": "inside", "insidetextanchor": "middle", "textangle": 0,
            "constraintext": "none",
            "textfont": {"size": 12, "color": "white" if answer in (1, 5) else TEXT_COLOUR},
            "hovertext": [f"<b>{item_label(item, lang, short=True)} · "
                          f"{t(f'awareness.wave.{wave}', lang)}</b><br>"
                          f"{labels[answer - 1]}{colon(lang)}{fmt_pct(s, lang)}"
                          for (item, wave, _a, _n), s in zip(rows, shares)],
            "hovertemplate": "%{hovertext}<extra></extra>"})
    # The neutral share is written once, centred on 0 across its two halves.
    annotations = [{"x": 0, "y": index, "xref": "x", "yref": "y", "showarrow": False,
                    "text": fmt_pct(answers.get(3, 0), lang), "bgcolor": LIKERT_COLOURS[2],
                    "borderpad": 1, "font": {"size": 12, "color": TEXT_COLOUR}}
                   for index, (*_x, answers, _n) in enumerate(rows)
                   if answers is not None and answers.get(3, 0) >= 7]
    ticks = (-100, -50, 0, 50, 100)
    return make_figure(
        traces, lang, height=120 + 38 * len(rows), barmode="relative", bargap=0.28,
        annotations=annotations,
        legend={"y": 1.0, "yanchor": "bottom", "x": 0.5, "xanchor": "center",
                "traceorder": "normal"},
        margin={"l": 8, "t": 44, "b": 32},
        xaxis={"range": [-103, 103], "tickvals": list(ticks), "fixedrange": True,
               "ticktext": [fmt_pct(abs(v), lang) for v in ticks], "showgrid": True,
               "gridcolor": GRID, "zeroline": True, "zerolinecolor": TEXT_COLOUR,
               "zerolinewidth": 1.5},
        yaxis={"autorange": "reversed", "showgrid": False, "ticks": "", "fixedrange": True,
               "tickfont": {"size": 12, "color": TEXT_COLOUR}, "dividercolor": GRID})
