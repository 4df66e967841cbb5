"""The outcomes by region: the map, its measures and its table.
"""

from __future__ import annotations

import pandas as pd
from dash import html

from dashboard import ids
from dashboard.figures import colon
from dashboard.i18n import fmt_int, fmt_pct, t, tn
from dashboard.maps import geojson_url, map_card, region_map
from dashboard.pages.outcomes.base import (
    DEFAULT_MEASURE, FRAGILE_MIN, MEASURES, count_text, is_missing, measure_label, rate_text)


def _region_columns(regions: pd.DataFrame) -> dict[str, list]:
    """The columns of the export table the map reads, as lists (one value per region, in the
    table's order), with `decided` (delivered + abandoned): plain lists instead of a copy of
    the frame and a row object per region."""
    columns = {name: regions[name].tolist() for name in (
        "region_code", "region_name", "projects", "delivered", "abandoned",
        "delivery_rate_pct", "in_use_answers", "in_use_rate_pct", "beneficiaries_reached",
        "students", "mentors")}
    columns["decided"] = [None if is_missing(a) or is_missing(b) else a + b
                          for a, b in zip(columns["delivered"], columns["abandoned"])]
    return columns


def _hidden(regions: pd.DataFrame, column: str) -> list[bool]:
    """Per region, whether the query layer hid its `column` (the table's suppression mask)."""
    mask = regions.attrs.get("suppressed_mask")
    if mask is None or column not in mask.columns:
        return [False] * len(regions)
    if not mask.index.equals(regions.index):
        return mask[column].reindex(regions.index).fillna(False).astype(bool).tolist()
    return [bool(hidden) for hidden in mask[column].tolist()]


def map_table(regions: pd.DataFrame, lang: str, k: int) -> pd.DataFrame:
    """The 18 regions and their figures, hidden cells as "< K": the map's table view."""
    rows = _region_columns(regions)
    in_use_hidden = _hidden(regions, "in_use_rate_pct")
    return pd.DataFrame({
        t("outcomes.col.region", lang): rows["region_name"],
        t("outcomes.col.projects", lang): [int(v) for v in rows["projects"]],
        t("outcomes.col.delivered", lang): [int(v) for v in rows["delivered"]],
        t("outcomes.col.abandoned", lang): [int(v) for v in rows["abandoned"]],
        t("outcomes.col.delivery_rate", lang): [
            rate_text(rate, n, lang, k) for rate, n in zip(rows["delivery_rate_pct"],
                                                          rows["decided"])],
        t("outcomes.col.in_use_rate", lang): [
            rate_text(rate, n, lang, k, hidden=hidden) for rate, n, hidden in
            zip(rows["in_use_rate_pct"], rows["in_use_answers"], in_use_hidden)],
        t("outcomes.col.beneficiaries", lang): [
            count_text(v, lang, k) for v in rows["beneficiaries_reached"]],
        t("outcomes.col.students", lang): [count_text(v, lang, k) for v in rows["students"]],
        t("outcomes.col.mentors", lang): [int(v) for v in rows["mentors"]],
    })


def map_figure(regions: pd.DataFrame, lang: str, k: int, measure: str = DEFAULT_MEASURE,
               selected: tuple[str, ...] = ()) -> dict:
    column, n_column, percent = MEASURES[measure]
    rows = _region_columns(regions)
    count = len(rows["region_code"])
    hidden = _hidden(regions, column) if percent else [False] * count
    in_use_hidden = _hidden(regions, "in_use_rate_pct")
    sep = colon(lang)
    names = {key: t(f"outcomes.col.{key}", lang) + sep
             for key in ("projects", "delivered", "delivery_rate", "in_use_rate")}
    hidden_text = t("outcomes.map.hidden", lang, k=k)
    bold = {"projects": 1, "delivery": 3, "in_use": 4}[measure]
    values, labels, hovers = [], [], []
    for i in range(count):
        value = rows[column][i]
        n = rows[n_column][i] if n_column else None
        if percent and (is_missing(value) or hidden[i]):
            values.append(None)
            labels.append("")
        else:
            values.append(float(value))
            if percent:
                labels.append(fmt_pct(value, lang) + ("*" if int(n) < FRAGILE_MIN else ""))
            else:
                labels.append(fmt_int(value, lang) if value else "")
        lines = [f"<b>{rows['region_name'][i]}</b>",
                 f"{names['projects']}{fmt_int(rows['projects'][i], lang)}",
                 f"{names['delivered']}{fmt_int(rows['delivered'][i], lang)}",
                 f"{names['delivery_rate']}"
                 f"{rate_text(rows['delivery_rate_pct'][i], rows['decided'][i], lang, k)}",
                 f"{names['in_use_rate']}"
                 + (hidden_text if in_use_hidden[i] else
                    rate_text(rows["in_use_rate_pct"][i], rows["in_use_answers"][i], lang, k))]
        lines[bold] = f"<b>{lines[bold]}</b>"
        hovers.append("<br>".join(lines))
    data = {"region_code": rows["region_code"], "value": values, "hover": hovers,
            "label": labels}
    return region_map(data, lang, colorbar_title=measure_label(measure, lang), percent=percent,
                      selected=selected, geojson_url=geojson_url())


def map_summary(figures: dict, lang: str, k: int, measure: str) -> str:
    rows = _region_columns(figures["regions"])
    column, n_column, percent = MEASURES[measure]
    label = measure_label(measure, lang)
    covered = sum(1 for projects in rows["projects"] if projects > 0)
    if percent:
        hidden = _hidden(figures["regions"], column)
        shown = [i for i, value in enumerate(rows[column])
                 if not is_missing(value) and not hidden[i]]
    else:
        shown = [i for i, value in enumerate(rows[column]) if value > 0]
    if not shown:
        return t("outcomes.map.summary_none", lang, measure=label)
    values, codes, names = rows[column], rows["region_code"], rows["region_name"]
    if percent:
        # A leading rate on a handful of projects says little: rank the solid ones first.
        ns = rows[n_column]
        ranked = sorted(shown, key=lambda i: (int(ns[i]) < FRAGILE_MIN, -values[i], -ns[i],
                                              codes[i]))[:3]
        top = ", ".join(f"{names[i]} ({rate_text(values[i], ns[i], lang, k)})" for i in ranked)
    else:
        ranked = sorted(shown, key=lambda i: (-values[i], codes[i]))[:3]
        top = ", ".join(f"{names[i]} ({fmt_int(values[i], lang)})" for i in ranked)
    return t("outcomes.map.summary", lang,
             regions=tn("outcomes.count.regions", covered, lang), measure=label, top=top)


def measure_selector(measure: str, lang: str) -> html.Div:
    buttons = [html.Button(
        measure_label(name, lang), type="button", n_clicks=0,
        id={"type": ids.OUTCOMES_MEASURE, "measure": name}, role="radio",
        **{"aria-checked": "true" if name == measure else "false"},
        className="btn btn-sm " + ("btn-primary" if name == measure else "btn-outline-primary"))
        for name in MEASURES]
    return html.Div(role="radiogroup", **{"aria-label": t("outcomes.map.measure", lang)},
                    className="d-flex flex-wrap align-items-center gap-2 mb-2", children=[
                        html.Span(t("outcomes.map.measure", lang) + colon(lang).rstrip(),
                                  className="text-muted small me-1"),
                        *buttons])


def map_section(figures: dict, lang: str, k: int, measure: str, selected: tuple[str, ...]):
    card = map_card(ids.OUTCOMES_MAP,
                    map_figure(figures["regions"], lang, k, measure, selected), lang,
                    title=t("outcomes.map.title", lang),
                    summary=map_summary(figures, lang, k, measure),
                    table=map_table(figures["regions"], lang, k),
                    note=t("outcomes.map.note", lang))
    card.children.insert(2, measure_selector(measure, lang))
    return card
