"""The projects by status, tech type, cause and edition; satisfaction and use by tech type.
"""

from __future__ import annotations

from collections import namedtuple
from functools import lru_cache

import pandas as pd

from dashboard import ids
from dashboard.components.kpi import suppressed_text
from dashboard.components.table_toggle import chart_card
from dashboard.figures import (
    FRAGILE_COLOUR, PALETTE, bar, colon, empty, merge, percent_suffix, styled, update_axes)
from dashboard.i18n import MISSING, fmt_decimal, fmt_int, fmt_pct, t, tn
from dashboard.pages.outcomes.base import (
    FRAGILE_MIN, count_text, first_largest, is_missing, rate_text, vocabulary_label)


YES_COLOUR, PARTIAL_COLOUR = "#0072B2", "#56B4E9"

# ---- breakdowns ------------------------------------------------------------------------------

BREAKDOWNS = {  # dimension -> (graph id, title key, column key)
    "status": (ids.OUTCOMES_STATUS, "outcomes.status.title", "outcomes.col.status"),
    "tech_type": (ids.OUTCOMES_TECH, "outcomes.tech.title", "outcomes.col.tech_type"),
    "cause": (ids.OUTCOMES_CAUSE, "outcomes.cause.title", "outcomes.col.cause"),
}


def breakdown_card(figures: dict, dim: str, lang: str):
    graph_id, title_key, column_key = BREAKDOWNS[dim]
    frame = figures[f"by_{dim}"]
    values, counts = frame[dim].tolist(), frame["projects"].tolist()
    labels = [vocabulary_label(dim, v, lang) for v in values]
    total = int(sum(counts))
    if not total:
        figure, summary = empty(t("outcomes.empty", lang), lang), t("outcomes.empty", lang)
    else:
        figure = bar(pd.DataFrame({"label": labels, "projects": counts}), "label", "projects",
                     lang, horizontal=True)
        figure["layout"]["height"] = max(220, 30 * len(frame) + 50)
        update_axes(figure, "x", tickformat=",d", showticklabels=False, showgrid=False)
        if dim == "status":
            colours = {"delivered": "#009E73", "abandoned": "#D55E00"}
            for trace in figure["data"]:
                trace["marker"]["color"] = [colours.get(v, PALETTE[0]) for v in values]
        top = first_largest(counts)
        summary = t("outcomes.breakdown.summary", lang,
                    projects=tn("outcomes.count.projects", total, lang), top=labels[top],
                    count=tn("outcomes.count.projects", int(counts[top]), lang))
    table = pd.DataFrame({t(column_key, lang): labels,
                          t("outcomes.col.projects", lang): [int(v) for v in counts]})
    return chart_card(graph_id, figure, lang, title=t(title_key, lang), summary=summary,
                      table=table)


def edition_card(figures: dict, lang: str):
    frame = figures["by_edition"]
    editions, counts = frame["edition"].tolist(), frame["projects"].tolist()
    total = int(sum(counts)) if counts else 0
    if not total:
        figure, summary = empty(t("outcomes.empty", lang), lang), t("outcomes.empty", lang)
    else:
        figure = bar(frame, "edition", "projects", lang)
        figure["layout"]["height"] = 260
        update_axes(figure, "x", tickvals=editions, tickangle=0,
                    ticktext=[e.replace("-", "-<br>", 1) for e in editions])
        update_axes(figure, "y", tickformat=",d", showticklabels=False, showgrid=False)
        top = first_largest(counts)
        summary = t("outcomes.edition.summary", lang,
                    projects=tn("outcomes.count.projects", total, lang),
                    first=editions[0], last=editions[-1], top=editions[top],
                    count=tn("outcomes.count.projects", int(counts[top]), lang))
    table = pd.DataFrame({t("outcomes.col.edition", lang): editions,
                          t("outcomes.col.projects", lang): [int(v) for v in counts]})
    return chart_card(ids.OUTCOMES_EDITION, figure, lang, title=t("outcomes.edition.title", lang),
                      summary=summary, table=table)


# ---- satisfaction and use by tech type -------------------------------------------------------

def _tech_axis_label(tech: str, n, hidden: bool, lang: str, k: int) -> str:
    if hidden:
        return f"{vocabulary_label('tech_type', tech, lang)} ({t('outcomes.hidden', lang)})"
    return f"{vocabulary_label('tech_type', tech, lang)} (n = {fmt_int(0 if is_missing(n) else n, lang)})"


def _rows(frame: pd.DataFrame) -> list:
    """The frame's rows as named tuples of plain values: `itertuples(index=False)` at a
    fraction of its cost on these small frames."""
    columns = tuple(str(column) for column in frame.columns)
    values = ([frame[column].tolist() for column in frame.columns] if frame.columns.is_unique
              else [frame.iloc[:, i].tolist() for i in range(len(columns))])
    return list(map(_row_type(columns)._make, zip(*values)))


@lru_cache(maxsize=16)
def _row_type(columns: tuple[str, ...]):
    return namedtuple("Row", columns, rename=True)


def _answered(rows: list, n_column: str) -> list:
    """The rows hidden, or with at least one answer."""
    return [row for row in rows if row.suppressed
            or (not is_missing(getattr(row, n_column)) and getattr(row, n_column) > 0)]


def satisfaction_figure(frame: pd.DataFrame, lang: str, k: int) -> dict:
    answered = _answered(_rows(frame), "satisfaction_n")
    if not answered:
        return empty(t("outcomes.satisfaction.empty", lang), lang)
    labels, values, colours, texts = [], [], [], []
    for row in answered:
        hidden = bool(row.suppressed)
        labels.append(_tech_axis_label(row.tech_type, row.satisfaction_n, hidden, lang, k))
        if hidden:
            values.append(0)
            colours.append(FRAGILE_COLOUR)
            texts.append(suppressed_text(k))
            continue
        weak = int(row.satisfaction_n) < FRAGILE_MIN
        values.append(float(row.mean_satisfaction))
        colours.append(FRAGILE_COLOUR if weak else PALETTE[0])
        text = fmt_decimal(row.mean_satisfaction, lang)
        texts.append(f"{text} · {t('outcomes.fragile_short', lang)}" if weak else text)
    figure = styled({"data": [{
        "type": "bar", "x": values, "y": labels, "orientation": "h",
        "marker": {"color": colours}, "text": texts, "textposition": "outside",
        "cliponaxis": False, "showlegend": False,
        "hovertemplate": "%{y}" + colon(lang) + "%{text}<extra></extra>"}]}, lang,
        height=max(240, 34 * len(labels) + 60))
    update_axes(figure, "x", range=[0, 6.4], tickvals=[1, 2, 3, 4, 5], showgrid=True,
                gridcolor="#e5e7eb")
    update_axes(figure, "y", autorange="reversed", showgrid=False, type="category")
    return figure


def _by_tech_summary(rows: list, n_column: str, item, lang: str) -> str | None:
    """"A 4,2 (n = 9) ; B 3,8 (n = 5). 2 autres types ont moins de 5 réponses : estimation
    fragile." The solid figures in the rows' order; the fragile and the hidden ones are
    counted, not listed."""
    solid, fragile, hidden = [], 0, 0
    for row in rows:
        n = getattr(row, n_column)
        if row.suppressed:
            hidden += 1
        elif not is_missing(n) and 0 < int(n) < FRAGILE_MIN:
            fragile += 1
        elif not is_missing(n) and int(n) >= FRAGILE_MIN:
            solid.append(row)
    if not (solid or fragile or hidden):
        return None
    sentences = [_semicolons(lang).join(item(row) for row in solid)] if solid else []
    if fragile:
        key = "outcomes.count.types" if solid else "outcomes.count.types_all"
        sentences.append(t("outcomes.fragile_count", lang, types=tn(key, fragile, lang)))
    if hidden:
        sentences.append(t("outcomes.hidden_count", lang, types=tn("outcomes.count.hidden",
                                                                   hidden, lang)))
    return ". ".join(sentence.rstrip(".") for sentence in sentences) + "."


def _ranked(rows: list, column: str) -> list:
    """The rows by `column`, largest first, equals in their order, missing values last (a
    stable sort in descending order)."""
    return sorted(rows, key=lambda row: (1, 0) if is_missing(getattr(row, column))
                  else (0, -getattr(row, column)))


def _semicolons(lang: str) -> str:
    """French puts a (no-break) space before a semicolon."""
    return "\u00a0; " if lang == "fr" else "; "


def satisfaction_card(figures: dict, lang: str, k: int):
    frame = figures["satisfaction"]
    ranked = _ranked(_rows(frame), "mean_satisfaction")
    items = _by_tech_summary(ranked, "satisfaction_n", lambda row: t(
        "outcomes.satisfaction.item", lang, tech=vocabulary_label("tech_type", row.tech_type, lang),
        mean=fmt_decimal(row.mean_satisfaction, lang), n=fmt_int(row.satisfaction_n, lang)),
        lang)
    summary = (t("outcomes.satisfaction.summary", lang, items=items) if items
               else t("outcomes.satisfaction.empty", lang))
    table = pd.DataFrame({
        t("outcomes.col.tech_type", lang): [vocabulary_label("tech_type", v, lang)
                                            for v in frame["tech_type"]],
        t("outcomes.col.projects", lang): frame["projects"].astype("int64").tolist(),
        t("outcomes.col.answers", lang): [suppressed_text(k) if hidden else fmt_int(n, lang)
                                          for n, hidden in zip(frame["satisfaction_n"],
                                                               frame["suppressed"])],
        t("outcomes.col.mean_satisfaction", lang): [
            suppressed_text(k) if hidden else
            (MISSING if is_missing(mean) else fmt_decimal(mean, lang)
             + (f" ({t('outcomes.fragile', lang)})" if int(n) < FRAGILE_MIN else ""))
            for mean, n, hidden in zip(frame["mean_satisfaction"], frame["satisfaction_n"],
                                       frame["suppressed"])],
    })
    return chart_card(ids.OUTCOMES_SATISFACTION_TECH, satisfaction_figure(frame, lang, k), lang,
                      title=t("outcomes.satisfaction.title", lang), summary=summary,
                      table=table, note=t("outcomes.satisfaction.note", lang))


def in_use_figure(frame: pd.DataFrame, lang: str, k: int) -> dict:
    answered = _answered(_rows(frame), "in_use_answers")
    if not answered:
        return empty(t("outcomes.in_use.empty", lang), lang)
    suffix = percent_suffix(lang)
    labels, yes, partial, texts, weak_rows = [], [], [], [], []
    for row in answered:
        hidden = bool(row.suppressed)
        labels.append(_tech_axis_label(row.tech_type, row.in_use_answers, hidden, lang, k))
        if hidden:
            yes.append(0)
            partial.append(0)
            texts.append(suppressed_text(k))
            weak_rows.append(False)
            continue
        n = int(row.in_use_answers)
        weak = n < FRAGILE_MIN
        yes.append(row.in_use_yes * 100.0 / n)
        partial.append(row.in_use_partial * 100.0 / n)
        texts.append(fmt_pct(row.in_use_rate_pct, lang)
                     + (f" · {t('outcomes.fragile_short', lang)}" if weak else ""))
        weak_rows.append(weak)
    # The legend's own entries: the bars' colours vary (fragile ones are grey).
    traces = [{"type": "bar", "x": [None], "y": [None], "orientation": "h", "name": name,
               "marker": {"color": colour, "pattern": {"shape": pattern}},
               "hoverinfo": "skip", "showlegend": True}
              for name, colour, pattern in ((t("outcomes.in_use.yes", lang), YES_COLOUR, ""),
                                            (t("outcomes.in_use.partial", lang),
                                             PARTIAL_COLOUR, "/"))]
    traces.append({
        "type": "bar", "x": yes, "y": labels, "orientation": "h",
        "name": t("outcomes.in_use.yes", lang), "showlegend": False,
        "marker": {"color": [FRAGILE_COLOUR if weak else YES_COLOUR for weak in weak_rows]},
        "hovertemplate": "%{y}<br>" + t("outcomes.in_use.yes", lang) + colon(lang)
                         + f"%{{x:.0f}}{suffix}<extra></extra>"})
    traces.append({
        "type": "bar", "x": partial, "y": labels, "orientation": "h",
        "name": t("outcomes.in_use.partial", lang), "showlegend": False,
        "marker": {"color": PARTIAL_COLOUR, "pattern": {"shape": "/", "fgcolor": "#ffffff",
                                                        "size": 6}},
        "hovertemplate": "%{y}<br>" + t("outcomes.in_use.partial", lang) + colon(lang)
                         + f"%{{x:.0f}}{suffix}<extra></extra>"})
    # The rates as text after each stack (a bar's own text breaks on a zero-width bar).
    traces.append({
        "type": "scatter", "x": [a + b + 2 for a, b in zip(yes, partial)], "y": labels,
        "mode": "text", "text": texts, "textposition": "middle right", "cliponaxis": False,
        "hoverinfo": "skip", "showlegend": False, "textfont": {"size": 12}})
    figure = styled({"data": traces}, lang, height=max(260, 34 * len(labels) + 80))
    merge(figure["layout"], {"barmode": "stack", "showlegend": True, "margin": {"t": 40},
                             "legend": {"traceorder": "normal"}})
    update_axes(figure, "x", range=[0, 142], tickvals=[0, 25, 50, 75, 100],
                ticktext=[fmt_pct(v, lang) for v in (0, 25, 50, 75, 100)],
                showgrid=True, gridcolor="#e5e7eb")
    update_axes(figure, "y", autorange="reversed", showgrid=False, type="category")
    return figure


def in_use_card(figures: dict, lang: str, k: int):
    frame = figures["in_use"]
    ranked = _ranked(_rows(frame), "in_use_rate_pct")
    items = _by_tech_summary(ranked, "in_use_answers", lambda row: t(
        "outcomes.in_use.item", lang, tech=vocabulary_label("tech_type", row.tech_type, lang),
        rate=fmt_pct(row.in_use_rate_pct, lang), n=fmt_int(row.in_use_answers, lang)), lang)
    summary = (t("outcomes.in_use.summary", lang, items=items) if items
               else t("outcomes.in_use.empty", lang))
    table = pd.DataFrame({
        t("outcomes.col.tech_type", lang): [vocabulary_label("tech_type", v, lang)
                                            for v in frame["tech_type"]],
        t("outcomes.col.answers", lang): [count_text(v, lang, k) for v in frame["in_use_answers"]],
        t("outcomes.col.in_use_yes", lang): [count_text(v, lang, k) for v in frame["in_use_yes"]],
        t("outcomes.col.in_use_partial", lang): [count_text(v, lang, k)
                                                 for v in frame["in_use_partial"]],
        t("outcomes.col.in_use_rate", lang): [
            rate_text(rate, n, lang, k, hidden=hidden) for rate, n, hidden in
            zip(frame["in_use_rate_pct"], frame["in_use_answers"], frame["suppressed"])],
    })
    return chart_card(ids.OUTCOMES_IN_USE_TECH, in_use_figure(frame, lang, k), lang,
                      title=t("outcomes.in_use.title", lang), summary=summary, table=table,
                      note=t("outcomes.in_use.note", lang))
