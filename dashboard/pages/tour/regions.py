"""The Tour de France by region: the map, its measures and its table.
"""

from __future__ import annotations

import pandas as pd
from dash import html

from dashboard import ids
from dashboard.figures import colon
from dashboard.i18n import fmt_int, t, tn
from dashboard.maps import geojson_url, map_card, region_map
from dashboard.pages.tour.base import DEFAULT_MEASURE, MEASURES, measure_label


MAP_COLUMNS = (("events", "tour.col.events"), ("cities", "tour.col.cities"),
               ("schools_reached", "tour.col.schools"), ("attendees", "tour.col.attendees"),
               ("students_attending", "tour.col.students"),
               ("organisations_attending", "tour.col.organisations"),
               ("guide_copies", "tour.col.guide"))


def map_table(regions: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The 18 regions and their figures, columns translated: the map's table view."""
    return pd.DataFrame({
        t("tour.col.region", lang): regions["region_name"].tolist(),
        **{t(key, lang): [int(v) for v in regions[column].tolist()]
           for column, key in MAP_COLUMNS}})


def map_figure(regions: pd.DataFrame, lang: str, measure: str = DEFAULT_MEASURE,
               selected: tuple[str, ...] = ()) -> dict:
    column = MEASURES[measure]
    figures = {name: regions[name].tolist() for name, _ in MAP_COLUMNS}
    names = [(name, f"{t(key, lang)}{colon(lang)}") for name, key in MAP_COLUMNS]
    hovers = []
    for i, region_name in enumerate(regions["region_name"].tolist()):
        lines = [f"<b>{region_name}</b>"]
        for name, label in names:
            line = f"{label}{fmt_int(figures[name][i], lang)}"
            lines.append(f"<b>{line}</b>" if name == column else line)
        hovers.append("<br>".join(lines))
    values = figures[column]
    frame = {"region_code": regions["region_code"].tolist(),
             "value": [float(v) for v in values], "hover": hovers,
             "label": [fmt_int(v, lang) if v else "" for v in values]}
    return region_map(frame, lang, colorbar_title=measure_label(measure, lang),
                      selected=selected, geojson_url=geojson_url())


def map_summary(figures: dict, lang: str, measure: str) -> str:
    regions, column = figures["regions"], MEASURES[measure]
    label = measure_label(measure, lang)
    values = regions[column].tolist()
    codes, names = regions["region_code"].tolist(), regions["region_name"].tolist()
    ranked = sorted((i for i, value in enumerate(values) if value > 0),
                    key=lambda i: (-values[i], codes[i]))[:3]
    if not ranked:
        return t("tour.map.summary_none", lang, measure=label)
    top = ", ".join(f"{names[i]} ({fmt_int(values[i], lang)})" for i in ranked)
    return t("tour.map.summary", lang,
             regions=tn("tour.count.regions", figures["kpis"]["regions_covered"], lang),
             measure=label, top=top)


def measure_selector(measure: str, lang: str) -> html.Div:
    """One button per measure, the current one pressed; a click writes ?measure= to the URL."""
    buttons = [html.Button(
        t(f"tour.measure_button.{name}", lang), type="button", n_clicks=0,
        title=measure_label(name, lang),
        id={"type": ids.TOUR_MEASURE, "measure": name}, role="radio",
        **{"aria-checked": "true" if name == measure else "false"},
        className="btn btn-sm " + ("btn-primary" if name == measure else "btn-outline-primary"))
        for name in MEASURES]
    return html.Div(role="radiogroup", **{"aria-label": t("tour.map.measure", lang)},
                    className="d-flex flex-wrap align-items-center gap-2 mb-2", children=[
                        html.Span(t("tour.map.measure", lang) + colon(lang).rstrip(),
                                  className="text-muted small me-1"),
                        *buttons])


def map_section(figures: dict, lang: str, measure: str, selected: tuple[str, ...]):
    card = map_card(ids.TOUR_MAP, map_figure(figures["regions"], lang, measure, selected), lang,
                    title=t("tour.map.title", lang), summary=map_summary(figures, lang, measure),
                    table=map_table(figures["regions"], lang), note=t("tour.map.note", lang))
    card.children.insert(2, measure_selector(measure, lang))
    return card
