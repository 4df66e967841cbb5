"""The events and their attendees month by month.
"""

from __future__ import annotations

import pandas as pd

from dashboard import ids
from dashboard.components.table_toggle import chart_card
from dashboard.figures import PALETTE, TEXT_COLOUR, colon, empty, merge, styled, update_axes
from dashboard.i18n import t, tn
from dashboard.pages.tour.base import (
    EVENT_TYPES, first_largest, month_text, ordered, totals_of, type_label)


def by_month(timeline: pd.DataFrame, key: str | None, column: str,
              months: list[str]) -> dict:
    """`column` per `key` value (None: the first row of each month), aligned on `months`
    (None where a month has no row): a few plain lists instead of a filter, an index and a
    reindex per line."""
    keys = timeline[key].tolist() if key else [None] * len(timeline)
    cells: dict = {}
    for group, month, number in zip(keys, timeline["month"].tolist(),
                                    timeline[column].tolist()):
        row = cells.setdefault(group, {})
        if key or month not in row:
            row[month] = None if pd.isna(number) else number
    return {group: [row.get(month) for month in months] for group, row in cells.items()}


def timeline_figure(timeline: pd.DataFrame, value: str, lang: str) -> dict:
    """Cumulative `value` (events or attendees) per month: a line per event type and the
    total, as steps (a cumulative count only moves when something happens)."""
    if timeline.empty:
        return empty(t("tour.timeline.empty", lang), lang)
    traces = []
    months = sorted(set(timeline["month"].tolist()))
    x = [f"{m}-01" for m in months]
    lines = by_month(timeline, "event_type", f"cumulative_{value}", months)
    for index, event_type in enumerate(ordered(lines, EVENT_TYPES)):
        traces.append({
            "type": "scatter", "x": x, "y": lines[event_type],
            "name": type_label(event_type, lang), "mode": "lines",
            "line": {"shape": "hv", "width": 2, "color": PALETTE[index % 7]},
            "hovertemplate": f"{type_label(event_type, lang)}{colon(lang)}%{{y:,.0f}}"
                             "<extra></extra>"})
    traces.append({
        "type": "scatter", "x": x,
        "y": by_month(timeline, None, f"total_cumulative_{value}", months)[None],
        "name": t("tour.type.total", lang), "mode": "lines",
        "line": {"shape": "hv", "width": 2.5, "color": TEXT_COLOUR, "dash": "dot"},
        "hovertemplate": f"{t('tour.type.total', lang)}{colon(lang)}%{{y:,.0f}}"
                         "<extra></extra>"})
    figure = styled({"data": traces}, lang, height=270)
    merge(figure["layout"], {"hovermode": "x unified", "margin": {"t": 56, "b": 32}})
    update_axes(figure, "x", type="date", tickformat="%b %Y", hoverformat="%B %Y")
    update_axes(figure, "y", rangemode="tozero", tickformat=",d")
    return figure


def happened(frame: pd.DataFrame, count: str, *columns: str) -> list[list]:
    """`columns` of the rows where `count` > 0, as lists (a boolean filter of the frame costs
    more than these few hundred rows)."""
    keep = [i for i, n in enumerate(frame[count].tolist()) if n > 0]
    values = [frame[column].tolist() for column in columns]
    return [[column[i] for i in keep] for column in values]


def timeline_table(timeline: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The months with events, per type: what happened, and where the running totals stood."""
    months, types, events, attendees, total_events, total_attendees = happened(
        timeline, "events", "month", "event_type", "events", "attendees",
        "total_cumulative_events", "total_cumulative_attendees")
    return pd.DataFrame({
        t("tour.col.month", lang): [month_text(m, lang) for m in months],
        t("tour.col.type", lang): [type_label(e, lang) for e in types],
        t("tour.col.events", lang): [int(v) for v in events],
        t("tour.col.attendees", lang): [int(v) for v in attendees],
        t("tour.col.cumulative_events", lang): [int(v) for v in total_events],
        t("tour.col.cumulative_attendees", lang): [int(v) for v in total_attendees],
    })


def timeline_summary(timeline: pd.DataFrame, value: str, lang: str) -> str:
    if timeline.empty:
        return t("tour.timeline.empty", lang)
    months, = happened(timeline, "events", "month")
    start, end = month_text(min(months), lang), month_text(max(months), lang)
    values = timeline[value].tolist()
    by_type = totals_of(timeline["event_type"].tolist(), values)
    top = first_largest(by_type)
    total = int(sum(values))
    if value == "events":
        return t("tour.timeline.events.summary", lang, start=start, end=end,
                 events=tn("tour.count.events", total, lang), top=type_label(top, lang),
                 count=tn("tour.count.events", int(by_type[top]), lang))
    return t("tour.timeline.attendees.summary", lang, start=start, end=end,
             attendees=tn("tour.count.attendees", total, lang), top=type_label(top, lang),
             count=tn("tour.count.attendees", int(by_type[top]), lang))


def timeline_card(timeline: pd.DataFrame, value: str, lang: str,
                   table: pd.DataFrame | None = None):
    """`table`: `timeline_table`, when the caller has it already (both cards show it)."""
    graph_id = ids.TOUR_TIMELINE_EVENTS if value == "events" else ids.TOUR_TIMELINE_ATTENDEES
    return chart_card(graph_id, timeline_figure(timeline, value, lang), lang,
                      title=t(f"tour.timeline.{value}.title", lang),
                      summary=timeline_summary(timeline, value, lang),
                      table=timeline_table(timeline, lang) if table is None else table)
