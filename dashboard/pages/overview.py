"""Overview: the programme's headline figures for the selection, and awareness before/after.

The layout is a skeleton; `render` fills it from the URL (filters, language), so the page
follows every filter and language change without a reload. `body` is a pure function of the
headline figures: the tests call it without a browser.
"""

from __future__ import annotations

import logging

import dash
import pandas as pd
from dash import Input, Output, callback, dcc, html

from dashboard import ids
from dashboard.components.kpi import kpi_card, kpi_grid, suppressed_text
from dashboard.components.page import page_error, page_header
from dashboard.components.table_toggle import chart_card
from dashboard.figures import before_after, empty
from dashboard.i18n import fmt_int, fmt_points, fmt_share, t, tn
from dashboard.pages import context
from dashboard.stats import is_fragile, wilson

log = logging.getLogger(__name__)
NATIONAL_AWARENESS = 0.20  # BCG / IPSOS: about 1 engineering student in 5 knows precisely

dash.register_page(
    __name__, path="/", order=0, name="Vue d'ensemble", nav_key="overview.nav",
    title="Vue d'ensemble · Latitudes Impact",
    description="Les chiffres clés du programme Tech for Good de Latitudes.",
)


def layout(**_query) -> html.Div:
    return html.Div(className="page page-overview", children=dcc.Loading(
        html.Div(id=ids.OVERVIEW_BODY), type="circle", delay_show=400,
        overlay_style={"visibility": "visible", "opacity": 0.55}))


@callback(Output(ids.OVERVIEW_BODY, "children"), Input(ids.URL, "search"))
def render(search: str | None) -> list:
    from sqlalchemy.exc import SQLAlchemyError

    from dashboard.queries.overview import headline

    view = context(search)
    try:
        figures = headline(view.filters, view.scope, view.k)
    except SQLAlchemyError:
        log.exception("overview: the headline query failed for %s", search)
        return [page_header(t("overview.title", view.lang)), page_error(view.lang)]
    return body(figures, view.lang, view.k)


def body(figures: dict, lang: str, k: int) -> list:
    """The page's content for the headline figures of `dashboard.queries.overview`."""
    table = awareness_table(figures, lang, k)
    return [
        page_header(t("overview.title", lang), t("overview.lede", lang)),
        kpi_grid(kpi_cards(figures, lang, k)),
        html.Div(className="overview-columns", children=[
            chart_card(ids.OVERVIEW_AWARENESS_GRAPH, awareness_figure(figures, lang, k), lang,
                       title=t("overview.awareness.title", lang),
                       summary=awareness_summary(figures, lang, k), table=table,
                       note=t("overview.awareness.note", lang)),
            html.Section(className="summary-card",
                         **{"aria-labelledby": ids.OVERVIEW_SUMMARY_TITLE}, children=[
                             html.H2(t("overview.summary.title", lang),
                                     id=ids.OVERVIEW_SUMMARY_TITLE, className="chart-title"),
                             html.Ul([html.Li(line) for line in summary_lines(figures, lang, k)],
                                     className="summary-list"),
                         ]),
        ]),
    ]


def _count(figures: dict, name: str, lang: str, k: int) -> tuple[str, bool]:
    hidden = name in figures["suppressed"]
    return (suppressed_text(k) if hidden else fmt_int(figures[name], lang)), hidden


def kpi_cards(figures: dict, lang: str, k: int) -> list:
    cards = []
    for name in ("projects", "organisations", "students", "schools"):
        value, hidden = _count(figures, name, lang, k)
        cards.append(kpi_card(name, t(f"overview.kpi.{name}", lang), value, k=k, lang=lang,
                              detail=t(f"overview.kpi.{name}.detail", lang), suppressed=hidden))
    regions = f"{fmt_int(figures['regions'], lang)} / {figures['regions_total']}"
    cards.append(kpi_card("regions", t("overview.kpi.regions", lang), regions,
                          detail=t("overview.kpi.regions.detail", lang), lang=lang))
    for name in ("events", "attendees"):
        value, _ = _count(figures, name, lang, k)
        cards.append(kpi_card(name, t(f"overview.kpi.{name}", lang), value, lang=lang,
                              detail=t(f"overview.kpi.{name}.detail", lang)))
    if figures.get("guide_copies") is not None:
        cards.append(kpi_card("guide", t("overview.kpi.guide", lang),
                              fmt_int(figures["guide_copies"], lang), lang=lang,
                              detail=t("overview.kpi.guide.detail", lang)))
    cards.append(_awareness_card(figures, lang, k))
    return cards


def _share_text(figures: dict, wave: str, lang: str, k: int) -> str:
    if f"share_{wave}" in figures["suppressed"]:
        return suppressed_text(k)
    return fmt_share(figures[f"share_{wave}"], lang)


def has_answers(figures: dict) -> bool:
    """Somebody answered knows_ess in the selection (perhaps too few to show)."""
    return any(figures[f"n_{wave}"] or f"n_{wave}" in figures["suppressed"]
               for wave in ("pre", "post"))


def _awareness_card(figures: dict, lang: str, k: int):
    label = t("overview.kpi.awareness", lang)
    if not has_answers(figures):
        return kpi_card("awareness", label, "—", lang=lang,
                        detail=t("overview.kpi.awareness.none", lang))
    hidden = {"share_pre", "share_post"} <= figures["suppressed"]
    value = f"{_share_text(figures, 'pre', lang, k)} → {_share_text(figures, 'post', lang, k)}"
    return kpi_card("awareness", label, value, lang=lang, k=k, suppressed=hidden,
                    detail=t("overview.kpi.awareness.detail", lang))


def awareness_table(figures: dict, lang: str, k: int) -> pd.DataFrame:
    """What the chart shows: one row per wave, hidden cells as "< k"."""
    return pd.DataFrame([{
        t("overview.table.wave", lang): t(f"overview.wave.{wave}", lang),
        t("overview.table.share", lang): _share_text(figures, wave, lang, k) + (
            f" ({t('chart.fragile', lang)})" if is_fragile_wave(figures, wave) else ""),
        t("overview.table.n", lang): (suppressed_text(k) if f"n_{wave}" in figures["suppressed"]
                                      else fmt_int(figures[f"n_{wave}"], lang)),
    } for wave in ("pre", "post")])


def is_fragile_wave(figures: dict, wave: str) -> bool:
    """Too few respondents or too wide an interval to read alone (DESIGN.md section 7)."""
    n, share = figures[f"n_{wave}"], figures[f"share_{wave}"]
    if share is None or not n:
        return False
    interval = wilson(round(share * n), n)
    return is_fragile(n, interval.ci_low, interval.ci_high)


def awareness_figure(figures: dict, lang: str, k: int):
    if not has_answers(figures):
        return empty(t("overview.awareness.empty", lang), lang)
    rows = [{"label": t(f"overview.wave.{wave}", lang), "share": figures[f"share_{wave}"],
             "n": figures[f"n_{wave}"] or 0, "fragile": is_fragile_wave(figures, wave)}
            for wave in ("pre", "post")]
    return before_after(pd.DataFrame(rows), lang, fragile="fragile",
                        reference=NATIONAL_AWARENESS,
                        reference_label=t("overview.awareness.reference", lang))


def _wave_text(figures: dict, wave: str, lang: str, k: int) -> str:
    if f"n_{wave}" in figures["suppressed"]:
        return t("overview.awareness.wave_hidden", lang, k=k)
    if not figures[f"n_{wave}"]:
        return t("overview.awareness.wave_none", lang)
    text = t("overview.awareness.wave", lang, share=fmt_share(figures[f"share_{wave}"], lang),
             n=tn("count.respondents", figures[f"n_{wave}"], lang))
    return f"{text}, {t('chart.fragile', lang)}" if is_fragile_wave(figures, wave) else text


def awareness_summary(figures: dict, lang: str, k: int) -> str:
    if not has_answers(figures):
        return t("overview.awareness.empty", lang)
    return t("overview.awareness.summary", lang, pre=_wave_text(figures, "pre", lang, k),
             post=_wave_text(figures, "post", lang, k))


def summary_lines(figures: dict, lang: str, k: int) -> list[str]:
    def count(key: str, name: str) -> str:
        return tn(f"count.{key}", figures[name], lang)

    lines = [t("overview.summary.projects", lang, projects=count("projects", "projects"),
               organisations=count("organisations", "organisations"),
               schools=count("schools", "schools"))]
    if "students" in figures["suppressed"]:
        lines.append(t("overview.summary.students_hidden", lang, k=k))
    else:
        lines.append(count("enrolled", "students"))
    lines.append(t("overview.summary.tour", lang, events=count("events", "events"),
                   regions=count("regions", "regions"),
                   attendees=count("attendees", "attendees")))
    if "n_matched" not in figures["suppressed"] and figures["n_matched"]:
        lines.append(t("overview.summary.matched", lang,
                       matched=count("matched", "n_matched")))
    if figures["share_pre"] is not None and figures["share_post"] is not None:
        points = (figures["share_post"] - figures["share_pre"]) * 100
        lines.append(t("overview.summary.awareness", lang,
                       pre=fmt_share(figures["share_pre"], lang),
                       post=fmt_share(figures["share_post"], lang),
                       points=fmt_points(points, lang)))
    else:
        lines.append(awareness_summary(figures, lang, k))
    return lines
