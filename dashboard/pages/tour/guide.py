"""The guide: copies over time, its audiences, and the conversions that followed.
"""

from __future__ import annotations

import pandas as pd
from dash import html

from dashboard import ids
from dashboard.components.table_toggle import chart_card
from dashboard.figures import MUTED_COLOUR, PALETTE, bar, colon, empty, merge, styled, update_axes
from dashboard.i18n import fmt_int, fmt_pct, t, tn
from dashboard.pages.tour.base import (
    CHANNELS, GUIDE_COLOUR, first_largest, month_text, ordered, share_text, totals_of)
from dashboard.pages.tour.conversion import share_bars
from dashboard.pages.tour.timeline import by_month, happened


def _channel_label(channel: str, lang: str) -> str:
    return t(f"tour.channel.{channel}", lang)


def guide_timeline_figure(timeline: pd.DataFrame, lang: str) -> dict:
    """Cumulative copies per channel, stacked: the top edge is the total."""
    if timeline.empty:
        return empty(t("tour.guide.timeline.empty", lang), lang)
    months = sorted(set(timeline["month"].tolist()))
    x = [f"{m}-01" for m in months]
    traces = []
    colours = dict(zip(CHANNELS, (PALETTE[0], PALETTE[4], PALETTE[1], PALETTE[2])))
    lines = by_month(timeline, "channel", "cumulative_copies", months)
    for channel in ordered(lines, CHANNELS):
        label = _channel_label(channel, lang)
        traces.append({
            "type": "scatter", "x": x, "y": lines[channel], "name": label,
            "mode": "lines", "stackgroup": "copies",
            "line": {"width": 1, "color": colours.get(channel, MUTED_COLOUR)},
            "hovertemplate": f"{label}{colon(lang)}%{{y:,.0f}}<extra></extra>"})
    figure = styled({"data": traces}, lang, height=340)
    merge(figure["layout"], {"hovermode": "x unified", "margin": {"t": 48}})
    update_axes(figure, "x", type="date", tickformat="%b %Y", hoverformat="%B %Y")
    update_axes(figure, "y", rangemode="tozero", tickformat=",d")
    return figure


def guide_timeline_table(timeline: pd.DataFrame, lang: str) -> pd.DataFrame:
    months, channels, copies, total_copies = happened(
        timeline, "copies", "month", "channel", "copies", "total_cumulative_copies")
    return pd.DataFrame({
        t("tour.col.month", lang): [month_text(m, lang) for m in months],
        t("tour.col.channel", lang): [_channel_label(c, lang) for c in channels],
        t("tour.col.copies", lang): [int(v) for v in copies],
        t("tour.col.cumulative_copies", lang): [int(v) for v in total_copies],
    })


def guide_timeline_card(figures: dict, lang: str):
    timeline = figures["guide_timeline"]
    if timeline.empty:
        summary = t("tour.guide.timeline.empty", lang)
    else:
        months, = happened(timeline, "copies", "month")
        copies = timeline["copies"].tolist()
        totals = totals_of(timeline["channel"].tolist(), copies)
        top = first_largest({channel: totals[channel] for channel in sorted(totals)})
        summary = t("tour.guide.timeline.summary", lang,
                    start=month_text(min(months), lang), end=month_text(max(months), lang),
                    copies=tn("tour.count.copies", int(sum(copies)), lang),
                    top=_channel_label(top, lang).lower(),
                    count=tn("tour.count.copies", int(totals[top]), lang))
    return chart_card(ids.TOUR_GUIDE_TIMELINE, guide_timeline_figure(timeline, lang), lang,
                      title=t("tour.guide.timeline.title", lang), summary=summary,
                      table=guide_timeline_table(timeline, lang))


def guide_audience_card(figures: dict, lang: str):
    audience = figures["guide_audience"]
    labels = [t(f"tour.audience.{a}", lang) for a in audience["audience"].tolist()]
    copies, records = audience["copies"].tolist(), audience["records"].tolist()
    total = int(sum(copies))
    if not total:
        figure = empty(t("tour.guide.timeline.empty", lang), lang)
        summary = t("tour.guide.timeline.empty", lang)
    else:
        figure = bar(pd.DataFrame({"label": labels, "copies": copies}), "label", "copies",
                     lang, horizontal=True)
        for trace in figure["data"]:
            trace["marker"]["color"] = GUIDE_COLOUR
        figure["layout"]["height"] = 280
        update_axes(figure, "x", showticklabels=False, showgrid=False)
        top = first_largest(dict(enumerate(copies)))
        summary = t("tour.guide.audience.summary", lang, top=labels[top].lower(),
                    copies=tn("tour.count.copies", int(copies[top]), lang),
                    total=fmt_int(total, lang))
    table = pd.DataFrame({t("tour.col.audience", lang): labels,
                          t("tour.col.copies", lang): [int(v) for v in copies],
                          t("tour.col.records", lang): [int(v) for v in records]})
    return chart_card(ids.TOUR_GUIDE_AUDIENCE, figure, lang,
                      title=t("tour.guide.audience.title", lang), summary=summary, table=table)


def _conversion_item(figures: dict, kind: str, lang: str) -> str:
    data = figures["guide_conversion"][kind]
    if not data["recipients"]:
        return t("tour.guide.conversion.none", lang)
    return t("tour.guide.conversion.item", lang,
             share=share_text(data["share_pct"], data["recipients"], lang),
             converted=fmt_int(data["converted"], lang),
             recipients=fmt_int(data["recipients"], lang))


def guide_conversion_card(figures: dict, lang: str):
    conversion = figures["guide_conversion"]
    kinds = ("schools", "organisations")
    labels = [t(f"tour.guide.{kind}", lang) for kind in kinds]
    if not any(conversion[kind]["recipients"] for kind in kinds):
        figure = empty(t("tour.guide.timeline.empty", lang), lang)
    else:
        figure = share_bars(labels, [conversion[kind]["share_pct"] for kind in kinds],
                             [(conversion[kind]["converted"], conversion[kind]["recipients"])
                              for kind in kinds], lang, horizontal=True, height=220)
    table = pd.DataFrame({
        t("tour.col.recipient_kind", lang): labels,
        t("tour.col.recipients", lang): [conversion[kind]["recipients"] for kind in kinds],
        t("tour.col.converted", lang): [conversion[kind]["converted"] for kind in kinds],
        t("tour.col.share", lang): [share_text(conversion[kind]["share_pct"],
                                           conversion[kind]["recipients"], lang)
                                    for kind in kinds],
    })
    summary = t("tour.guide.conversion.summary", lang,
                schools=_conversion_item(figures, "schools", lang),
                organisations=_conversion_item(figures, "organisations", lang))
    return chart_card(ids.TOUR_GUIDE_CONVERSION, figure, lang,
                      title=t("tour.guide.conversion.title", lang), summary=summary,
                      table=table, note=t("tour.guide.conversion.note", lang))


def guide_summary_lines(figures: dict, lang: str) -> list[str]:
    guide = figures["guide"]
    lines = [t("tour.guide.summary.copies", lang,
               copies=tn("tour.count.copies", guide["copies"], lang),
               downloads=fmt_int(guide["downloads"], lang),
               print=fmt_int(guide["print_copies"], lang),
               event=fmt_int(guide["event_copies"], lang),
               mailing=fmt_int(guide["mailing_copies"], lang)),
             t("tour.guide.summary.recipients", lang,
               schools=tn("tour.count.schools", guide["schools_reached"], lang),
               organisations=tn("tour.count.organisations", guide["organisations_reached"],
                                lang))]
    if guide["events"]:
        lines.append(t("tour.guide.summary.events", lang,
                       share=fmt_pct(guide["events_with_guide_pct"], lang),
                       with_guide=fmt_int(guide["events_with_guide"], lang),
                       events=fmt_int(guide["events"], lang)))
    else:
        lines.append(t("tour.guide.summary.events_none", lang))
    conversion = figures["guide_conversion"]
    lines.append(t("tour.guide.summary.conversion", lang, **{
        kind: share_text(conversion[kind]["share_pct"], conversion[kind]["recipients"], lang)
        for kind in ("schools", "organisations")}))
    return lines


def guide_summary(figures: dict, lang: str) -> html.Section:
    return html.Section(
        className="summary-card", **{"aria-labelledby": ids.TOUR_GUIDE_SUMMARY_TITLE},
        style={"borderTop": f"4px solid {GUIDE_COLOUR}"}, children=[
            html.H2(t("tour.guide.summary.title", lang), id=ids.TOUR_GUIDE_SUMMARY_TITLE,
                    className="chart-title"),
            html.Ul([html.Li(line) for line in guide_summary_lines(figures, lang)],
                    className="summary-list")])
