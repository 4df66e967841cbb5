"""From an event to a project: the funnel, and the conversion by edition and by region.
"""

from __future__ import annotations

import pandas as pd

from dashboard import ids
from dashboard.components.table_toggle import chart_card
from dashboard.figures import (
    FRAGILE_COLOUR, PALETTE, TEXT_COLOUR, bar, colon, empty, merge, styled, update_axes)
from dashboard.i18n import fmt_date, fmt_int, fmt_pct, t, tn
from dashboard.pages.tour.base import FRAGILE_MIN, STAGE_COLOURS, share_text


def funnel_values(funnel: dict) -> list[tuple[str, int]]:
    return [("events", funnel["events"]), ("schools", funnel["schools_reached"]),
            ("converted", funnel["schools_with_project"]),
            ("delivered", funnel["projects_delivered"])]


def funnel_figure(funnel: dict, lang: str) -> dict:
    stages = funnel_values(funnel)
    if not funnel["events"]:
        return empty(t("tour.timeline.empty", lang), lang)
    figure = styled({"data": [{
        "type": "funnel", "y": [t(f"tour.funnel.{name}", lang) for name, _ in stages],
        "x": [value for _, value in stages], "textinfo": "value", "texttemplate": "%{x:,.0f}",
        "textfont": {"size": 15}, "marker": {"color": list(STAGE_COLOURS)},
        "connector": {"fillcolor": "#e8eef7", "line": {"width": 0}},
        "hovertemplate": "%{y}" + colon(lang) + "%{x:,.0f}<extra></extra>"}]}, lang,
        height=330)
    merge(figure["layout"], {"margin": {"l": 16, "r": 16, "t": 8, "b": 8},
                             "showlegend": False})
    update_axes(figure, "y", showgrid=False)
    return figure


def funnel_summary(funnel: dict, lang: str) -> str:
    reached, converted = funnel["schools_reached"], funnel["schools_with_project"]
    share = None if not reached else converted * 100.0 / reached
    return t("tour.funnel.summary", lang,
             events=tn("tour.count.events_reached", funnel["events"], lang),
             schools=tn("tour.count.schools", reached, lang),
             converted=tn("tour.count.converted", converted, lang),
             share=share_text(share, reached, lang),
             delivered=tn("tour.count.delivered", funnel["projects_delivered"], lang))


def funnel_card(figures: dict, lang: str):
    funnel = figures["conversion"]["funnel"]
    table = pd.DataFrame({t("tour.funnel.stage", lang): [t(f"tour.funnel.{name}", lang)
                                                         for name, _ in funnel_values(funnel)],
                          t("tour.funnel.value", lang): [v for _, v in funnel_values(funnel)]})
    return chart_card(ids.TOUR_FUNNEL, funnel_figure(funnel, lang), lang,
                      title=t("tour.funnel.title", lang), summary=funnel_summary(funnel, lang),
                      table=table, note=t("tour.funnel.note", lang))


def share_bars(labels: list[str], shares: list[float | None], counts: list[tuple[int, int]],
                lang: str, *, horizontal: bool = False, height: int = 300) -> dict:
    """Shares in percent with "k/n" on each bar; under FRAGILE_MIN: grey and said in words."""
    fragile = [n < FRAGILE_MIN for _, n in counts]
    texts = []
    for share, (k, n), weak in zip(shares, counts, fragile):
        text = f"{fmt_pct(share, lang)} ({fmt_int(k, lang)}/{fmt_int(n, lang)})"
        texts.append(f"{text} · {t('tour.fragile', lang)}" if weak and n else text)
    values = [0 if share is None else share for share in shares]
    colours = [FRAGILE_COLOUR if weak else PALETTE[0] for weak in fragile]
    figure = styled({"data": [{
        "type": "bar", "x": values if horizontal else list(labels),
        "y": list(labels) if horizontal else values,
        "orientation": "h" if horizontal else "v", "marker": {"color": colours},
        "text": texts, "textposition": "outside", "constraintext": "none",
        "cliponaxis": False, "textfont": {"size": 12, "color": TEXT_COLOUR},
        "hovertext": [f"{label}{colon(lang)}{text}" for label, text in zip(labels, texts)],
        "hovertemplate": "%{hovertext}<extra></extra>", "showlegend": False}]}, lang,
        height=height)
    # the labels spelled out: with tickvals, plotly.js showed no ticksuffix
    update_axes(figure, "x" if horizontal else "y", range=[0, 140 if horizontal else 115],
                tickvals=[0, 25, 50, 75, 100],
                ticktext=[fmt_pct(v, lang) for v in (0, 25, 50, 75, 100)])
    if horizontal:
        update_axes(figure, "y", autorange="reversed", showgrid=False)
        update_axes(figure, "x", showgrid=True, gridcolor="#e5e7eb")
        merge(figure["layout"], {"margin": {"r": 24}})
    return figure


def conversion_edition_card(figures: dict, lang: str):
    by_edition = figures["conversion"]["by_edition"]
    editions, reached, converted, shares = (by_edition[column].tolist() for column in (
        "edition", "schools_reached", "schools_with_project", "share_pct"))
    rows = [i for i, n in enumerate(reached) if n > 0]
    if not rows:
        figure, summary = (empty(t("tour.conv_edition.empty", lang), lang),
                           t("tour.conv_edition.empty", lang))
    else:
        figure = share_bars([editions[i] for i in rows], [shares[i] for i in rows],
                             [(int(converted[i]), int(reached[i])) for i in rows], lang,
                             horizontal=True, height=max(200, 36 * len(rows) + 60))
        separator = "\u00a0; " if lang == "fr" else "; "  # French: a space before ";"
        items = separator.join(
            t("tour.conv_edition.item", lang, edition=editions[i],
              share=share_text(shares[i], int(reached[i]), lang),
              converted=fmt_int(converted[i], lang), reached=fmt_int(reached[i], lang))
            for i in rows)
        summary = t("tour.conv_edition.summary", lang, items=items)
    table = pd.DataFrame({
        t("tour.col.edition", lang): editions,
        t("tour.col.reached", lang): [int(n) for n in reached],
        t("tour.col.converted", lang): [int(n) for n in converted],
        t("tour.col.share", lang): [share_text(s, int(n), lang) for s, n in zip(shares, reached)],
    })
    return chart_card(ids.TOUR_CONVERSION_EDITION, figure, lang,
                      title=t("tour.conv_edition.title", lang), summary=summary, table=table,
                      note=t("tour.fragile_note", lang))


def conversion_region_card(figures: dict, lang: str):
    by_region = figures["conversion"]["by_region"]
    names, dates, counts = (by_region[column].tolist() for column in (
        "region_name", "first_event_date", "new_organisations"))
    toured = sorted((i for i, date in enumerate(dates) if not pd.isna(date)),
                    key=lambda i: (-counts[i], names[i]))
    names, dates, counts = ([column[i] for i in toured] for column in (names, dates, counts))
    table = pd.DataFrame({
        t("tour.col.region", lang): names,
        t("tour.col.first_event", lang): [fmt_date(d, lang) for d in dates],
        t("tour.col.new_organisations", lang): [int(n) for n in counts],
    })
    if not toured:
        figure, summary = (empty(t("tour.conv_region.empty", lang), lang),
                           t("tour.conv_region.empty", lang))
    else:
        hovers = [
            f"<b>{name}</b><br>{t('tour.col.first_event', lang)}{colon(lang)}"
            f"{fmt_date(date, lang)}<br>"
            f"{t('tour.col.new_organisations', lang)}{colon(lang)}"
            f"{fmt_int(n, lang)}" for name, date, n in zip(names, dates, counts)]
        figure = bar(pd.DataFrame({"region_name": names, "new_organisations": counts,
                                   "hover": hovers}),
                     "region_name", "new_organisations", lang, horizontal=True, hover="hover")
        figure["layout"]["height"] = max(220, 28 * len(toured) + 50)
        update_axes(figure, "x", showticklabels=False, showgrid=False)
        converted = [(name, n) for name, n in zip(names, counts) if n > 0]
        if not converted:
            summary = t("tour.conv_region.summary_none", lang)
        else:
            summary = t("tour.conv_region.summary", lang,
                        organisations=tn("tour.count.organisations",
                                         int(sum(n for _, n in converted)), lang),
                        regions=", ".join(name for name, _ in converted))
    return chart_card(ids.TOUR_CONVERSION_REGION, figure, lang,
                      title=t("tour.conv_region.title", lang), summary=summary, table=table,
                      note=t("tour.conv_region.note", lang))
