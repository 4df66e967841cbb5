"""ESS awareness ("Sensibilisation à l'ESS"): did the programme close the gap?

The headline is the paired estimate on knows_ess ("Oui, précisément"), in a plain sentence, with
the unpaired comparison beside it, the attrition, every item of the questionnaire (a dot and
interval chart and a compact table), the Likert distributions, the post-only items, the change
per school, region or edition (the tab lives in the URL) and the table behind the page as CSV,
CSV Excel (FR) and XLSX.

`render` reads the view from the URL (filters, scope, language, tab) and asks the query layer
(`dashboard.queries.awareness`, which caches and suppresses); `body` is a pure function of those
figures, so the tests call it without a browser. Every small cell arrives already hidden from
the query layer: this module only says so ("< 5"), never computes one back.
"""

from __future__ import annotations

import logging
import math

import dash
import pandas as pd
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard import ids
from dashboard.components.commentary import commentary_slot
from dashboard.components.kpi import kpi_card, kpi_grid, suppressed_text
from dashboard.components.page import page_error, page_header
from dashboard.components.table_toggle import chart_card, data_table
from dashboard.figures import (
    AFTER_COLOUR,
    BEFORE_COLOUR,
    MUTED_COLOUR,
    PALETTE,
    REFERENCE_COLOUR,
    TEXT_COLOUR,
    empty,
    layout as base_layout,
)
from dashboard.i18n import (
    MISSING,
    NNBSP,
    fmt_decimal,
    fmt_int,
    fmt_pct,
    fmt_points,
    t,
    tn,
)
from dashboard.pages import TAB_PARAM, context, with_params

log = logging.getLogger(__name__)

dash.register_page(
    __name__, path="/sensibilisation", order=1, name="Sensibilisation à l'ESS",
    nav_key="awareness.nav", title="Sensibilisation à l'ESS · Latitudes Impact",
    description="La connaissance de l'ESS des étudiants avant et après le programme.",
)

WAVES = ("pre", "post")
PAIRED_ITEMS = ("knows_ess", "ess_structures_known", "wants_useful", "tech_for_good",
                "consider_ess_career", "intends_volunteer")
LIKERT_ITEMS = ("wants_useful", "tech_for_good", "consider_ess_career", "intends_volunteer")
POST_ONLY_ITEMS = ("satisfaction", "recommend")
TABS = ("school", "region", "edition")
DEFAULT_TAB = "school"
EXPORT_FORMATS = {  # format of dashboard.exports.write: (file name ending, label key)
    "csv": (".csv", "awareness.download.csv"),
    "csv-fr": ("-excel-fr.csv", "awareness.download.csv_fr"),
    "xlsx": (".xlsx", "awareness.download.xlsx"),
}
EXPORT_FILE = "latitudes-impact-sensibilisation-ess"
# Fragile estimates (DESIGN.md section 7) are drawn as outlines (dots) or hatched (bars), never
# as low-contrast grey: the shape carries the meaning, the colour stays readable.
FRAGILE_HATCH = "/"
LIKERT_ANSWERS = (1, 2, 3, 4, 5)
GRID = "#eef0f4"
LIKERT_COLOURS = ("#D55E00", "#E69F00", "#BBBBBB", "#56B4E9", "#0072B2")  # Okabe-Ito, diverging
NAVY = "#14213d"

# The wording of each item (DESIGN.md section 5), shown in the definitions.
QUESTIONS = {
    "knows_ess": ("Savez-vous précisément ce qu'est l'économie sociale et solidaire (ESS) ?",
                  "Do you know precisely what the social and solidarity economy (SSE) is?"),
    "ess_structures_known": ("Quelles structures de l'ESS connaissez-vous ?",
                             "Which kinds of SSE organisations do you know?"),
    "wants_useful": ("Je veux que mon travail soit utile à la société.",
                     "I want my work to be useful to society."),
    "tech_for_good": (("Les technologies numériques peuvent aider à résoudre des problèmes "
                       "sociaux et environnementaux."),
                      "Digital technologies can help solve social and environmental problems."),
    "consider_ess_career": ("J'envisage de travailler dans l'ESS ou pour l'intérêt général.",
                            "I am considering working in the SSE or for the public interest."),
    "intends_volunteer": (("J'ai l'intention de mettre mes compétences au service d'une "
                           "association."),
                          "I intend to put my skills at the service of a non-profit."),
    "satisfaction": ("Êtes-vous satisfait(e) du programme ?",
                     "How satisfied are you with the programme?"),
    "recommend": (("Quelle est la probabilité que vous recommandiez le programme à un(e) "
                   "ami(e) ?"),
                  "How likely are you to recommend the programme to a friend?"),
}
SHORT_LABELS = {  # for chart axes; the long labels (ITEM_LABELS) go in tables
    "knows_ess": ("Connaît précisément l'ESS", "Knows precisely what the SSE is"),
    "ess_structures_known": ("Cite au moins 3 types de structures",
                             "Names 3+ kinds of SSE organisations"),
    "wants_useful": ("Veut un travail utile à la société", "Wants work useful to society"),
    "tech_for_good": ("Le numérique peut aider la société", "Digital tech can help society"),
    "consider_ess_career": ("Envisage de travailler dans l'ESS", "Considers working in the SSE"),
    "intends_volunteer": ("Compte aider une association", "Intends to help a non-profit"),
    "satisfaction": ("Satisfaits (4 ou 5 sur 5)", "Satisfied (4 or 5 out of 5)"),
    "recommend": ("Promoteurs (9 ou 10 sur 10)", "Promoters (9 or 10 out of 10)"),
}
LIKERT_LABELS = {
    "fr": ("Pas du tout d'accord", "Plutôt pas d'accord", "Ni d'accord ni pas d'accord",
           "Plutôt d'accord", "Tout à fait d'accord"),
    "en": ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
           "Strongly agree"),
}


# ---- layout and callbacks -------------------------------------------------------------------

def layout(**_query) -> html.Div:
    loading = {"type": "circle", "delay_show": 400,
               "overlay_style": {"visibility": "visible", "opacity": 0.55}}
    return html.Div(className="page page-awareness", children=[
        dcc.Store(id=ids.AWARENESS_VIEW),
        dcc.Loading(html.Div(id=ids.AWARENESS_BODY), **loading),
        dcc.Loading(html.Div(id=ids.AWARENESS_BREAKDOWN_BODY), **loading),
        dcc.Download(id=ids.AWARENESS_DOWNLOAD),
    ])


def tab_of(value: str | None) -> str:
    return value if value in TABS else DEFAULT_TAB


# The breakdown's tab changes only the breakdown: the rest of the page follows the view
# without its tab (AWARENESS_VIEW), so a tab click redraws one chart, not six.
@callback(Output(ids.AWARENESS_VIEW, "data"), Input(ids.URL, "search"),
          State(ids.AWARENESS_VIEW, "data"))
def view_without_tab(search: str | None, current: str | None):
    key = with_params(search, **{TAB_PARAM: None})
    return no_update if key == current else key


@callback(Output(ids.AWARENESS_BODY, "children"), Input(ids.AWARENESS_VIEW, "data"))
def render(search: str | None) -> list:
    from sqlalchemy.exc import SQLAlchemyError

    view = context(search)
    try:
        figures = main_figures(view.filters, view.scope, view.k)
    except SQLAlchemyError:
        log.exception("awareness: the figures could not be computed for %s", search)
        return [page_header(t("awareness.title", view.lang)), page_error(view.lang)]
    return body(figures, view.lang, view.k)


@callback(Output(ids.AWARENESS_BREAKDOWN_BODY, "children"), Input(ids.URL, "search"))
def render_breakdown(search: str | None) -> list:
    from sqlalchemy.exc import SQLAlchemyError

    view = context(search)
    try:
        figures = breakdown_figures(view.filters, view.scope, view.k, tab_of(view.tab))
    except SQLAlchemyError:
        log.exception("awareness: the breakdown could not be computed for %s", search)
        return []  # the body says so already
    return breakdown_body(figures, view.lang, view.k)


@callback(Output(ids.URL, "search", allow_duplicate=True),
          Input({"type": ids.AWARENESS_TAB, "tab": ALL}, "n_clicks"), State(ids.URL, "search"),
          prevent_initial_call=True)
def choose_tab(_clicks, search: str | None):
    """The breakdown's tab goes into the URL, so that it can be bookmarked too."""
    trigger = ctx.triggered_id
    if not trigger or not ctx.triggered or not ctx.triggered[0].get("value"):
        return no_update  # buttons drawn again, not a click
    return tab_search(trigger.get("tab"), search)


def tab_search(tab: str | None, search: str | None):
    """The query string with the breakdown's `tab`; no_update for the tab already shown."""
    view = context(search)
    if tab not in TABS or tab_of(view.tab) == tab:
        return no_update
    return view.search(tab=tab)


@callback(Output(ids.AWARENESS_DOWNLOAD, "data"),
          Input({"type": ids.AWARENESS_DOWNLOAD_BUTTON, "format": ALL}, "n_clicks"),
          State(ids.URL, "search"), prevent_initial_call=True)
def download(_clicks, search: str | None):
    """The table behind the page, for the URL's filters within the account's scope.

    Nothing else is taken from the browser: the format is one of the buttons' fixed ids, and
    the scope and K are the server's.
    """
    trigger = ctx.triggered_id
    if not trigger or not ctx.triggered or not ctx.triggered[0].get("value"):
        return no_update  # buttons drawn again after a filter change, not a click
    fmt = trigger.get("format")
    if fmt not in EXPORT_FORMATS:
        from werkzeug.exceptions import BadRequest

        raise BadRequest("no such export format")  # a forged request: no button has it
    data, filename = export_file(search, fmt)
    from dashboard.auth import audit_download  # a file leaving the system is logged

    audit_download("awareness", fmt, context(search).filters)
    return dcc.send_bytes(data, filename)


def export_file(search: str | None, fmt: str) -> tuple[bytes, str]:
    """(bytes, file name) of the page's table in `fmt`, for the view of `search`."""
    from dashboard.exports import ExportMeta, figure_table, write
    from dashboard.queries.base import freshness

    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown format '{fmt}' ({', '.join(EXPORT_FORMATS)})")
    view = context(search)
    frame, mask = figure_table("awareness", view.filters, view.scope, view.k)
    meta = ExportMeta(figure="awareness", k=view.k, as_of=freshness().as_of,
                      scope=view.scope.role,
                      filters={"editions": list(view.filters.editions),
                               "schools": list(view.filters.schools),
                               "regions": list(view.filters.regions)})
    return write(frame, meta, fmt, None, mask), EXPORT_FILE + EXPORT_FORMATS[fmt][0]


# ---- figures of the page --------------------------------------------------------------------

def main_figures(filters, scope, k: int, engine=None) -> dict:
    """What `body` draws, from the query layer (cached, suppressed, scope-aware)."""
    from dashboard.queries import awareness

    return {
        "headline": awareness.headline(filters, scope, k, engine),
        "items": awareness.items_table(filters, scope, k, engine),
        "distribution": awareness.likert_distribution(filters, scope, k, engine),
        "structures": awareness.structures_named(filters, scope, k, engine),
    }


def breakdown_figures(filters, scope, k: int, tab: str = DEFAULT_TAB, engine=None) -> dict:
    """What `breakdown_body` draws: the change per group of the tab's dimension."""
    from dashboard.queries import awareness

    tab = tab_of(tab)
    return {"headline": awareness.headline(filters, scope, k, engine), "tab": tab,
            "breakdown": awareness.breakdown(tab, filters, scope, k, engine)}


def page_figures(filters, scope, k: int, tab: str = DEFAULT_TAB, engine=None) -> dict:
    """Every figure of the page (`body` and `breakdown_body` take it whole)."""
    return (main_figures(filters, scope, k, engine)
            | breakdown_figures(filters, scope, k, tab, engine))


# ---- formatting -----------------------------------------------------------------------------

def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _signed(value: float, lang: str, decimals: int = 0) -> str:
    text = fmt_decimal(value, lang, decimals)
    if text.lstrip("-").strip("0,.") == "":
        return fmt_decimal(0, lang, decimals)  # -0.2 reads "0", not "-0"
    return text if text.startswith("-") else f"+{text}"


def interval_text(low: float | None, high: float | None, lang: str, *,
                  percent: bool = False, named: bool = True) -> str:
    """"IC 95 % : +25 à +38" (a change in points) or "IC 95 % : 15 à 25 %" (a share);
    `named=False` leaves out "IC 95 %" (a table column that says it already)."""
    if _missing(low) or _missing(high):
        return MISSING
    if percent:
        low_text, high_text = fmt_decimal(low, lang, 0), fmt_pct(high, lang)
    else:
        low_text, high_text = _signed(low, lang), _signed(high, lang)
    return t("awareness.interval" if named else "awareness.range", lang, low=low_text,
             high=high_text)


def p_text(p: float | None, lang: str, *, equals: bool = True) -> str:
    """"< 0,001", "= 0,03" (after "p"), or "0,03" in a column headed "p"."""
    if _missing(p):
        return MISSING
    if p < 0.001:
        return f"< {fmt_decimal(0.001, lang, 3)}"
    value = fmt_decimal(p, lang, 3 if p < 0.01 else 2)
    return f"= {value}" if equals else value


def people_text(n: int | None, k: int, lang: str) -> str:
    """A count of people on screen: "< K" when hidden (None) or from 1 to K - 1.

    The query layer leaves such counts visible to staff (they explain a suppression in the
    export); a screen shows "< K" to everyone (DESIGN.md section 6).
    """
    if n is None or 0 < n < k:
        return suppressed_text(k)
    return fmt_int(n, lang)


def n_text(n: int | None, k: int, lang: str) -> str:
    """"n = 12", or "n < 5" for a hidden count."""
    shown = people_text(n, k, lang)
    return f"n {shown}" if shown.startswith("<") else f"n = {shown}"


def attrition_counts_shown(attrition: dict, k: int) -> bool:
    """The identified, matched and lost counts (and the share lost) may be shown: none is a
    cell under K. Any two give the third, so one small cell hides all three; the query layer
    does so for funders and schools, the screen does so for everyone."""
    counts = [attrition.get(name) for name in ("n_pre_identified", "n_matched", "n_lost")]
    return all(n is not None and not 0 < n < k for n in counts)


def _colon(lang: str) -> str:
    return "\u00a0: " if lang == "fr" else ": "


def item_label(item: str, lang: str, *, short: bool = False) -> str:
    from dashboard.queries.awareness import ITEM_LABELS

    return (SHORT_LABELS if short else ITEM_LABELS)[item][0 if lang == "fr" else 1]


def question(item: str, lang: str) -> str:
    return QUESTIONS[item][0 if lang == "fr" else 1]


def _records(frame: pd.DataFrame) -> list[dict]:
    """`frame.to_dict("records")` at a third of its cost: a list per column, then rows."""
    columns = list(frame.columns)
    return [dict(zip(columns, row)) for row in zip(*(frame[c].tolist() for c in columns))]


def item_rows(items: pd.DataFrame) -> dict[tuple[str, str], dict]:
    """The items table as {(item, analysis): row}, blanks as None."""
    return {(row["item"], row["analysis"]): {key: (None if _missing(v) else v)
                                             for key, v in row.items()}
            for row in _records(items)}


def _row(rows: dict, item: str, analysis: str) -> dict:
    return rows.get((item, analysis), {"item": item, "analysis": analysis, "suppressed": True})


def _hidden_or(row: dict, k: int, text: str) -> str:
    return suppressed_text(k) if row.get("suppressed") else text


def _fragile_mark(row: dict, lang: str) -> str:
    return f" ({t('chart.fragile', lang)})" if row.get("fragile") else ""


def _share_with_interval(row: dict, wave: str, k: int, lang: str) -> str:
    if row.get("suppressed"):
        return suppressed_text(k)
    if _missing(row.get(f"{wave}_pct")):
        return MISSING
    interval = interval_text(row.get(f"{wave}_ci_low_pct"), row.get(f"{wave}_ci_high_pct"),
                             lang, percent=True)
    return f"{fmt_pct(row[f'{wave}_pct'], lang)} ({interval})"


def _change_text(row: dict, k: int, lang: str) -> str:
    if row.get("suppressed"):
        return suppressed_text(k)
    if _missing(row.get("diff_pp")):
        return MISSING
    return (f"{fmt_points(row['diff_pp'], lang)} "
            f"({interval_text(row.get('ci_low_pp'), row.get('ci_high_pp'), lang)})"
            + _fragile_mark(row, lang))


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


# ---- charts: traces and layouts as plain dicts (dashboard/figures.py says why) ---------------

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


def _category_axis(categories: list, size: int = 13) -> dict:
    """Categories top to bottom in their order, with no empty band above or below."""
    return {"type": "category", "categoryorder": "array", "categoryarray": categories,
            "range": [len(categories) - 0.5, -0.5], "autorange": False, "showgrid": False,
            "ticks": "", "fixedrange": True, "tickfont": {"size": size, "color": TEXT_COLOUR}}


def _error(values, lows, highs, colour: str, *, width: int = 5) -> dict:
    plus = [None if _missing(v) or _missing(h) else h - v for v, h in zip(values, highs)]
    minus = [None if _missing(v) or _missing(lo) else v - lo for v, lo in zip(values, lows)]
    return {"type": "data", "symmetric": False, "array": plus, "arrayminus": minus,
            "color": colour, "thickness": 2, "width": width}


def _symbols(base: str, fragile) -> list[str]:
    return [f"{base}-open" if flag else base for flag in fragile]


def _fragile_legend(lang: str, *, bar: bool = False) -> dict:
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


def _legend_entry(name: str, symbol: str, colour: str, size: int = 12) -> dict:
    """A legend entry drawn filled, whatever the first point of its series looks like."""
    return {"type": "scatter", "x": [None], "y": [None], "mode": "markers", "name": name,
            "hoverinfo": "skip", "legendgroup": name,
            "marker": {"symbol": symbol, "size": size, "color": colour}}


def _reference_legend(lang: str) -> dict:
    return {"type": "scatter", "x": [None], "y": [None], "mode": "lines", "hoverinfo": "skip",
            "name": t("awareness.reference.name", lang),
            "line": {"dash": "dash", "color": REFERENCE_COLOUR, "width": 1.5}}


def _vline(x: float, *, dash: str | None = "dash", colour: str = REFERENCE_COLOUR,
           y0: float = 0, y1: float = 1, yref: str = "paper") -> dict:
    return {"type": "line", "x0": x, "x1": x, "y0": y0, "y1": y1, "xref": "x", "yref": yref,
            "layer": "below", "line": {"dash": dash or "solid", "color": colour, "width": 1.5}}


def _wave_hover(label: str, wave: str, pct, low, high, n, k: int, lang: str,
                fragile: bool) -> str:
    parts = [f"<b>{label}</b>",
             f"{t(f'awareness.wave.{wave}', lang)}{_colon(lang)}{fmt_pct(pct, lang)}",
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
        legend.append(_legend_entry(name, symbol, colour, 12 if wave == "pre" else 14))
        traces.append({
            "type": "scatter", "x": values, "y": labels, "mode": "markers", "name": name,
            "orientation": "h", "offsetgroup": wave, "legendgroup": name,
            "showlegend": False, "cliponaxis": False,
            "marker": {"symbol": _symbols(symbol, fragile), "size": 13 if wave == "pre" else 15,
                       "color": colour, "line": {"width": 2.5, "color": colour}},
            "error_x": _error(values, [row.get(f"{wave}_low") for row in rows],
                              [row.get(f"{wave}_high") for row in rows], colour),
            "hovertext": [_wave_hover(row["label"], wave, row.get(wave), row.get(f"{wave}_low"),
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
        traces.append(_fragile_legend(lang))
    shapes, annotations = [], []
    for index, value in (references or {}).items():
        shapes.append(_vline(value, y0=index - 0.46, y1=index + 0.46, yref="y"))
        annotations.append({
            "x": value, "y": index + 0.46, "xref": "x", "yref": "y", "showarrow": False,
            "text": t("awareness.reference.short", lang, value=fmt_pct(value, lang)),
            "xanchor": "right" if value > 80 else "left", "yanchor": "bottom",
            "xshift": -4 if value > 80 else 4, "font": {"size": 11, "color": REFERENCE_COLOUR}})
    if full_reference is not None:
        shapes.append(_vline(full_reference))
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
        annotations=annotations, xaxis=share_axis(lang), yaxis=_category_axis(labels),
        scattermode="group", scattergap=0.5,
        legend=TOP_LEGEND)


def _dot_row(row: dict, label: str, k: int, lang: str) -> dict:
    paired = row.get("analysis") == "paired"
    return {"label": label, "hidden": bool(row.get("suppressed")),
            "change": _hidden_or(row, k, fmt_points(row.get("diff_pp"), lang)),
            "pre": row.get("pre_pct"), "pre_low": row.get("pre_ci_low_pct"),
            "pre_high": row.get("pre_ci_high_pct"), "post": row.get("post_pct"),
            "post_low": row.get("post_ci_low_pct"), "post_high": row.get("post_ci_high_pct"),
            "n_pre": row.get("n_matched" if paired else "n_pre"),
            "n_post": row.get("n_matched" if paired else "n_post"),
            "fragile": row.get("fragile")}


def _bar_figure(labels: list[str], values: list, lows: list, highs: list, colours: list[str],
                fragile: list[bool], texts: list[str], hovers: list[str], lang: str, *,
                height: int, reference: float | None = None) -> dict:
    """Horizontal share bars with their intervals; fragile ones hatched, hidden ones "< K"."""
    traces = [{
        "type": "bar", "x": values, "y": labels,
        "orientation": "h", "showlegend": False, "cliponaxis": False,
        "marker": {"color": colours, "pattern": {
            "shape": [FRAGILE_HATCH if f else "" for f in fragile], "fgcolor": "white",
            "fillmode": "overlay", "size": 8, "solidity": 0.3}},
        "error_x": _error(values, lows, highs, TEXT_COLOUR, width=6),
        "hovertext": hovers, "hovertemplate": "%{hovertext}<extra></extra>"}]
    # The value is written past the end of its interval, where no error bar can cross it.
    annotations = [{"x": max(v or 0, 0 if _missing(h) else h) + 1.5, "y": label, "xref": "x",
                    "yref": "y", "text": f"<b>{text}</b>", "showarrow": False,
                    "xanchor": "left", "font": {"size": 14, "color": TEXT_COLOUR}}
                   for label, v, h, text in zip(labels, values, highs, texts)]
    shapes = []
    if any(fragile):
        traces.append(_fragile_legend(lang, bar=True))
    if reference is not None:
        shapes.append(_vline(reference))
        traces.append(_reference_legend(lang))
    return make_figure(traces, lang, height=height, shapes=shapes, annotations=annotations,
                       xaxis=share_axis(lang),
                       yaxis=_category_axis(labels), bargap=0.42, barmode="overlay",
                       margin={"l": 8, "t": 40, "b": 32}, legend=TOP_LEGEND)


# ---- comparison card (knows_ess, paired and unpaired) ---------------------------------------

ANALYSES = ("paired", "unpaired")


def comparison_card(headline: dict, lang: str, k: int) -> html.Section:
    rows = [_dot_row({**headline[analysis], "analysis": analysis},
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
                           + _fragile_mark(row, lang))
    table = pd.DataFrame([{
        t("awareness.col.analysis", lang): t(f"awareness.analysis.{analysis}.long", lang),
        t("awareness.col.pre", lang): _share_with_interval(headline[analysis], "pre", k, lang),
        t("awareness.col.post", lang): _share_with_interval(headline[analysis], "post", k, lang),
        t("awareness.col.change", lang): _change_text(headline[analysis], k, lang),
        t("awareness.col.p", lang): _hidden_or(
            headline[analysis], k, p_text(headline[analysis].get("p_value"), lang,
                                          equals=False)),
        t("awareness.col.n_pre", lang): people_text(headline[analysis].get("n_pre"), k, lang),
        t("awareness.col.n_post", lang): people_text(headline[analysis].get("n_post"), k, lang),
        t("awareness.col.n", lang): people_text(headline[analysis].get("n_matched"), k, lang),
    } for analysis in ANALYSES])
    return _card(ids.AWARENESS_COMPARISON_GRAPH, figure, lang,
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
    figure = _bar_figure([g["label"] for g in groups], [g["pct"] for g in groups],
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
    return _card(ids.AWARENESS_ATTRITION_GRAPH, figure, lang,
                 title=t("awareness.attrition.title", lang), summary=summary, table=table,
                 note=t("awareness.attrition.note", lang),
                 definition=definition(lang, [
                     ("question", question("knows_ess", lang)),
                     ("counted", t("awareness.def.knows_ess.counted", lang)),
                     ("population", t("awareness.def.attrition.population", lang)),
                     ("caveats", t("awareness.def.caveats.general", lang, k=k))]))


# ---- every item: dot-and-interval chart and the compact table -------------------------------

def items_card(rows: dict, analysis: str, lang: str, k: int) -> html.Section:
    from dashboard.queries.awareness import NATIONAL_BASELINE_PCT

    dots, references, lines = [], {}, []
    for index, item in enumerate(PAIRED_ITEMS):
        row, label = _row(rows, item, analysis), item_label(item, lang, short=True)
        dots.append(_dot_row(row, label, k, lang))
        if item in NATIONAL_BASELINE_PCT:
            references[index] = NATIONAL_BASELINE_PCT[item]
        lines.append(t("awareness.items.line_hidden", lang, item=label, k=k)
                     if row.get("suppressed") else
                     t("awareness.items.line", lang, item=label,
                       pre=fmt_pct(row.get("pre_pct"), lang),
                       post=fmt_pct(row.get("post_pct"), lang),
                       change=fmt_points(row.get("diff_pp"), lang)))
    figure = dot_interval_figure(dots, lang, k, references=references)
    table = pd.DataFrame([_item_table_row(_row(rows, item, a), lang, k)
                          for item in PAIRED_ITEMS for a in ANALYSES])
    wording = [html.Li(f"{item_label(i, lang, short=True)}{_colon(lang)}{_quoted(question(i, lang), lang)}")
               for i in PAIRED_ITEMS]
    return _card(ids.AWARENESS_ITEMS_GRAPH, figure, lang,
                 title=t("awareness.items.title", lang),
                 summary=t("awareness.items.summary", lang,
                           analysis=t(f"awareness.analysis.{analysis}.adj", lang),
                           lines=_list_separator(lang).join(lines)),
                 table=table, note=t("awareness.fragile.rule", lang),
                 definition=definition(lang, [
                     ("question", html.Ul(wording, className="mb-0 ps-3")),
                     ("counted", t("awareness.def.items.counted", lang)),
                     ("population", t("awareness.def.population.paired", lang)),
                     ("method", t("awareness.def.method.paired", lang)),
                     ("caveats", t("awareness.def.caveats.general", lang, k=k))]))


def _quoted(text: str, lang: str) -> str:
    return f"«\u00a0{text}\u00a0»" if lang == "fr" else f"“{text}”"


def _list_separator(lang: str) -> str:
    return f"{NNBSP}; " if lang == "fr" else "; "


def _item_table_row(row: dict, lang: str, k: int) -> dict:
    return {
        t("awareness.col.item", lang): item_label(row["item"], lang),
        t("awareness.col.analysis", lang): t(f"awareness.analysis.{row['analysis']}", lang),
        t("awareness.col.pre", lang): _share_with_interval(row, "pre", k, lang),
        t("awareness.col.post", lang): _share_with_interval(row, "post", k, lang),
        t("awareness.col.change", lang): _change_text(row, k, lang),
        t("awareness.col.p", lang): _hidden_or(row, k, p_text(row.get("p_value"), lang, equals=False)),
        t("awareness.col.n_pre", lang): people_text(row.get("n_pre"), k, lang),
        t("awareness.col.n_post", lang): people_text(row.get("n_post"), k, lang),
        t("awareness.col.n", lang): people_text(row.get("n_matched"), k, lang),
    }


def summary_table(rows: dict, structures: dict, analysis: str, lang: str,
                  k: int) -> pd.DataFrame:
    """The compact table: one row per indicator in the headline's analysis, the mean number of
    kinds of organisations named under its share, then the post-only items."""
    n_column = t("awareness.col.n" if analysis == "paired" else "awareness.col.n_pre", lang)
    columns = [t(f"awareness.col.{name}", lang)
               for name in ("item", "pre", "post", "change", "interval", "p")] + [n_column]
    table = []
    for item in PAIRED_ITEMS:
        row = _row(rows, item, analysis)
        table.append(dict(zip(columns, [
            item_label(item, lang),
            _hidden_or(row, k, fmt_pct(row.get("pre_pct"), lang)),
            _hidden_or(row, k, fmt_pct(row.get("post_pct"), lang)),
            _hidden_or(row, k, fmt_points(row.get("diff_pp"), lang) + _fragile_mark(row, lang)),
            _hidden_or(row, k, interval_text(row.get("ci_low_pp"), row.get("ci_high_pp"), lang,
                                             named=False)),
            _hidden_or(row, k, p_text(row.get("p_value"), lang, equals=False)),
            people_text(row.get("n_matched" if analysis == "paired" else "n_pre"), k, lang)])))
        if item == "ess_structures_known":
            table.append(dict(zip(columns, _structures_cells(structures[analysis], analysis,
                                                             lang, k))))
    for item in POST_ONLY_ITEMS:
        row = _row(rows, item, "unpaired")
        table.append(dict(zip(columns, [
            item_label(item, lang), t("awareness.not_applicable", lang),
            _hidden_or(row, k, fmt_pct(row.get("post_pct"), lang) + _fragile_mark(row, lang)),
            MISSING, MISSING, MISSING, MISSING])))
    return pd.DataFrame(table, columns=columns)


def _structures_cells(figures: dict, analysis: str, lang: str, k: int) -> list[str]:
    hidden = figures["suppressed"]

    def mean(wave: str) -> str:
        return suppressed_text(k) if hidden else fmt_decimal(figures[f"{wave}_mean"], lang, 1)

    change = (suppressed_text(k) if hidden else
              _signed(figures["post_mean"] - figures["pre_mean"], lang, 1))
    n = figures.get("n") if analysis == "paired" else figures.get("n_pre")
    return [f"↳ {t('awareness.structures.mean', lang)}", mean("pre"), mean("post"), change,
            MISSING, MISSING, suppressed_text(k) if hidden else people_text(n, k, lang)]


def summary_table_section(rows: dict, structures: dict, analysis: str, lang: str,
                          k: int) -> html.Section:
    table = summary_table(rows, structures, analysis, lang, k)
    caption = t("awareness.table.caption", lang,
                analysis=t(f"awareness.analysis.{analysis}.adj", lang))
    return html.Section(
        className="chart-card", **{"aria-labelledby": ids.AWARENESS_TABLE_TITLE}, children=[
            html.H2(t("awareness.table.title", lang), id=ids.AWARENESS_TABLE_TITLE,
                    className="chart-title"),
            html.Div(data_table(table, lang, caption=caption), id=ids.AWARENESS_ITEMS_TABLE,
                     className="table-responsive", tabIndex="0", role="region",
                     **{"aria-label": caption}),  # it scrolls inside its card on a phone
            html.P(t("awareness.fragile.rule", lang), className="chart-note"),
        ])


# ---- Likert distributions -------------------------------------------------------------------

def likert_rows(distribution: pd.DataFrame) -> list[tuple[str, str, dict | None, int | None]]:
    """(item, wave, {answer: percent} or None when hidden, n) per Likert item and wave."""
    shares: dict[tuple[str, str], dict] = {}
    for record in _records(distribution):
        key = (record["item"], record["wave"])
        entry = shares.setdefault(key, {"hidden": False, "n": None, "answers": {}})
        entry["hidden"] |= bool(record["suppressed"])
        entry["n"] = None if _missing(record["n"]) else int(record["n"])
        if not _missing(record["share"]):
            entry["answers"][int(record["answer"])] = 100 * float(record["share"])
    rows = []
    for item in LIKERT_ITEMS:
        for wave in WAVES:
            entry = shares.get((item, wave))
            if entry is not None:
                rows.append((item, wave, None if entry["hidden"] else entry["answers"],
                             entry["n"]))
    return rows


def likert_card(distribution: pd.DataFrame, lang: str, k: int) -> html.Section:
    rows = likert_rows(distribution)
    figure = likert_figure(rows, lang, k)
    labels = LIKERT_LABELS[lang]
    table, lines = [], []
    for item in LIKERT_ITEMS:
        agree = {}
        for row_item, wave, answers, n in rows:
            if row_item != item:
                continue
            record = {t("awareness.col.item", lang): item_label(item, lang, short=True),
                      t("awareness.col.wave", lang): t(f"awareness.wave.{wave}", lang)}
            for answer in LIKERT_ANSWERS:
                record[labels[answer - 1]] = (suppressed_text(k) if answers is None
                                              else fmt_pct(answers.get(answer, 0), lang))
            record["n"] = people_text(n, k, lang)
            table.append(record)
            agree[wave] = (suppressed_text(k) if answers is None
                           else fmt_pct(answers.get(4, 0) + answers.get(5, 0), lang))
        label = item_label(item, lang, short=True)
        if agree and set(agree.values()) == {suppressed_text(k)}:
            lines.append(t("awareness.items.line_hidden", lang, item=label, k=k))
        elif agree:
            lines.append(t("awareness.likert.line", lang, item=label,
                           pre=agree.get("pre", MISSING), post=agree.get("post", MISSING)))
    return _card(ids.AWARENESS_LIKERT_GRAPH, figure, lang, title=t("awareness.likert.title", lang),
                 summary=t("awareness.likert.summary", lang,
                           lines=_list_separator(lang).join(lines) or MISSING),
                 table=pd.DataFrame(table), note=t("awareness.likert.note", lang),
                 definition=definition(lang, [
                     ("question", html.Ul([html.Li(question(i, lang)) for i in LIKERT_ITEMS],
                                          className="mb-0 ps-3")),
                     ("scale", " · ".join(f"{n} = {label}" for n, label in
                                          enumerate(labels, start=1))),
                     ("population", t("awareness.def.likert.population", lang)),
                     ("caveats", t("awareness.def.caveats.general", lang, k=k))]))


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
                          f"{labels[answer - 1]}{_colon(lang)}{fmt_pct(s, lang)}"
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


# ---- post-only items ------------------------------------------------------------------------

def post_only_card(rows: dict, lang: str, k: int) -> html.Section:
    post = [_row(rows, item, "unpaired") for item in POST_ONLY_ITEMS]
    labels = [item_label(item, lang, short=True) for item in POST_ONLY_ITEMS]
    values = [None if row.get("suppressed") else row.get("post_pct") for row in post]
    fragile = [bool(row.get("fragile")) and not row.get("suppressed") for row in post]
    texts = [_hidden_or(row, k, fmt_pct(row.get("post_pct"), lang)) for row in post]
    hovers = [_wave_hover(label, "post", v, row.get("post_ci_low_pct"),
                          row.get("post_ci_high_pct"), row.get("n_post"), k, lang, f)
              if v is not None else f"<b>{label}</b><br>{suppressed_text(k)}"
              for label, v, row, f in zip(labels, values, post, fragile)]
    figure = _bar_figure(labels, values, [r.get("post_ci_low_pct") for r in post],
                         [r.get("post_ci_high_pct") for r in post], [AFTER_COLOUR, PALETTE[2]],
                         fragile, texts, hovers, lang, height=210)
    recommend = post[1]
    nps = (suppressed_text(k) if recommend.get("suppressed") or recommend.get("nps") is None
           else _signed(recommend["nps"], lang))
    table = pd.DataFrame([{
        t("awareness.col.item", lang): item_label(item, lang),
        t("awareness.col.share", lang): _share_with_interval(row, "post", k, lang)
        + ("" if row.get("suppressed") else _fragile_mark(row, lang)),
        t("awareness.col.n_post", lang): people_text(row.get("n_post"), k, lang),
    } for item, row in zip(POST_ONLY_ITEMS, post)] + [{
        t("awareness.col.item", lang): t("awareness.post.nps", lang),
        t("awareness.col.share", lang): nps,
        t("awareness.col.n_post", lang): people_text(recommend.get("n_post"), k, lang)}])
    card = _card(ids.AWARENESS_POST_ONLY_GRAPH, figure, lang,
                 title=t("awareness.post.title", lang),
                 summary=post_only_summary(post, texts, nps, lang, k),
                 table=table, note=t("awareness.post.note", lang),
                 definition=definition(lang, [
                     ("question", html.Ul([html.Li(question(i, lang)) for i in POST_ONLY_ITEMS],
                                          className="mb-0 ps-3")),
                     ("counted", t("awareness.def.post.counted", lang)),
                     ("population", t("awareness.def.post.population", lang, k=k))]))
    card.children.insert(2, html.Div(className="d-flex align-items-baseline gap-2 mb-1", children=[
        html.Span(t("awareness.post.nps", lang), className="kpi-label"),
        html.Span(nps, id=ids.AWARENESS_NPS, style={"fontSize": "1.6rem", "fontWeight": 700,
                                                    "color": NAVY})]))
    return card


def post_only_summary(post: list[dict], texts: list[str], nps: str, lang: str, k: int) -> str:
    if all(row.get("suppressed") for row in post):
        return t("awareness.post.hidden", lang, k=k)
    return t("awareness.post.summary", lang, satisfaction=texts[0], promoters=texts[1], nps=nps)


# ---- breakdown by school, region or edition -------------------------------------------------

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
    records = _records(breakdown)
    figure, summary = breakdown_figure(records, tab, lang, k), breakdown_summary(
        records, tab, lang, k)
    table = pd.DataFrame([{
        t("awareness.col.group", lang): r["label"],
        t("awareness.col.n", lang): people_text(None if r["suppressed"] else r["n_matched"], k,
                                                lang),
        t("awareness.col.pre", lang): _hidden_or(r, k, fmt_pct(r["pre_pct"], lang)),
        t("awareness.col.post", lang): _hidden_or(r, k, fmt_pct(r["post_pct"], lang)),
        t("awareness.col.change", lang): _hidden_or(r, k, fmt_points(r["diff_pp"], lang)
                                                    + _fragile_mark(r, lang)),
        t("awareness.col.interval", lang): _hidden_or(r, k, interval_text(
            r["ci_low_pp"], r["ci_high_pp"], lang, named=False)),
    } for r in records], columns=[t(f"awareness.col.{c}", lang) for c in
                                  ("group", "n", "pre", "post", "change", "interval")])
    card = _card(ids.AWARENESS_BREAKDOWN_GRAPH, figure, lang,
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


def breakdown_figure(records: list[dict], tab: str, lang: str, k: int) -> dict:
    """The change per group (a dot and its 95 % interval), largest first (the query's order);
    the hidden groups last, reading "< K" and no figure."""
    if not records:
        return empty(t("chart.no_data", lang), lang)
    shown = [r for r in records if not r["suppressed"]]
    hidden = [r for r in records if r["suppressed"]]

    def label(r):
        return f"{r['label']} ({n_text(None if r['suppressed'] else r['n_matched'], k, lang)})"

    fragile = [bool(r["fragile"]) for r in shown]
    values = [r["diff_pp"] for r in shown]
    name = t("awareness.breakdown.change", lang)
    traces = [{
        "type": "scatter", "x": values, "y": [label(r) for r in shown], "mode": "markers",
        "name": name, "legendgroup": name, "showlegend": False, "cliponaxis": False,
        "marker": {"symbol": _symbols("circle", fragile), "size": 11, "color": AFTER_COLOUR,
                   "line": {"width": 2, "color": AFTER_COLOUR}},
        "error_x": _error(values, [r["ci_low_pp"] for r in shown],
                          [r["ci_high_pp"] for r in shown], AFTER_COLOUR, width=4),
        "hovertext": [f"<b>{r['label']}</b><br>{fmt_points(r['diff_pp'], lang)} "
                      f"({fmt_pct(r['pre_pct'], lang)} → {fmt_pct(r['post_pct'], lang)})<br>"
                      f"{interval_text(r['ci_low_pp'], r['ci_high_pp'], lang)}<br>"
                      f"n = {people_text(r['n_matched'], k, lang)}"
                      + (f"<br>{t('chart.fragile', lang)}" if r["fragile"] else "")
                      for r in shown],
        "hovertemplate": "%{hovertext}<extra></extra>"}, _legend_entry(name, "circle",
                                                                         AFTER_COLOUR, 11)]
    if hidden:
        traces.append({"type": "scatter", "x": [0] * len(hidden),
                       "y": [label(r) for r in hidden], "mode": "text",
                       "text": [suppressed_text(k)] * len(hidden),
                       "textposition": "middle right", "showlegend": False,
                       "hoverinfo": "skip", "textfont": {"color": MUTED_COLOUR, "size": 13}})
    if any(fragile):
        traces.append(_fragile_legend(lang))
    lows = [r["ci_low_pp"] for r in shown if not _missing(r["ci_low_pp"])] or [0]
    highs = [r["ci_high_pp"] for r in shown if not _missing(r["ci_high_pp"])] or [10]
    unit = f"{NNBSP if lang == 'fr' else ' '}pts"
    return make_figure(
        traces, lang, height=110 + 27 * len(records), shapes=[_vline(0, dash=None,
                                                                    colour=TEXT_COLOUR)],
        margin={"l": 8, "t": 44, "b": 48}, legend=TOP_LEGEND,
        xaxis={"range": [min(-10, min(lows) - 5), max(10, max(highs) + 5)],
               "ticksuffix": unit, "showgrid": True, "gridcolor": GRID, "zeroline": False,
               "fixedrange": True, "title": {"text": t("awareness.breakdown.axis", lang),
                                             "font": {"size": 12, "color": MUTED_COLOUR}}},
        yaxis=_category_axis([label(r) for r in records], 12))


# ---- download -------------------------------------------------------------------------------

def download_section(lang: str, k: int) -> html.Section:
    buttons = [html.Button(t(label, lang), type="button", n_clicks=0,
                           id={"type": ids.AWARENESS_DOWNLOAD_BUTTON, "format": fmt},
                           className="btn btn-outline-primary btn-sm")
               for fmt, (_ending, label) in EXPORT_FORMATS.items()]
    return html.Section(
        className="chart-card", **{"aria-labelledby": ids.AWARENESS_DOWNLOAD_TITLE},
        children=[
            html.H2(t("awareness.download.title", lang), id=ids.AWARENESS_DOWNLOAD_TITLE,
                    className="chart-title"),
            html.P(t("awareness.download.text", lang, k=k), className="chart-summary"),
            html.Div(buttons, role="group", className="d-flex flex-wrap gap-2 mb-2",
                     **{"aria-label": t("awareness.download.label", lang)}),
        ])


# ---- the page -------------------------------------------------------------------------------

def definition(lang: str, entries: list[tuple[str, object]]) -> html.Details:
    """A chart's entry of the metric dictionary: wording, what counts, population, method,
    caveats; closed until the reader opens it."""
    items = []
    for name, text in entries:
        items += [html.Dt(t(f"awareness.def.{name}", lang),
                          style={"fontWeight": 600, "color": NAVY}),
                  html.Dd(text, style={"marginBottom": "0.45rem", "marginLeft": 0})]
    return html.Details(className="chart-definition", style={
        "fontSize": "0.85rem", "margin": "0.2rem 0 0.2rem", "color": TEXT_COLOUR}, children=[
        html.Summary(t("awareness.definition", lang),
                     style={"cursor": "pointer", "color": AFTER_COLOUR, "fontWeight": 600}),
        html.Dl(items, style={"margin": "0.5rem 0 0", "padding": "0.65rem 0.85rem",
                              "background": "#f5f7fb", "borderRadius": "6px"}),
    ])


def _card(graph_id: str, figure: dict, lang: str, *, title: str, summary: str,
          table: pd.DataFrame, note: str | None = None,
          definition: html.Details | None = None) -> html.Section:
    """`chart_card`, with the chart's definition just above its actions row."""
    card = chart_card(graph_id, figure, lang, title=title, summary=summary, table=table,
                      note=note)
    if definition is not None:
        card.children.insert(len(card.children) - 1, definition)
    return card


def _columns(*children, ratio: str = "minmax(0, 1.3fr) minmax(0, 1fr)") -> html.Div:
    return html.Div(className="overview-columns", children=list(children),
                    style={"gridTemplateColumns": ratio, "marginBottom": "1.25rem"})


def has_answers(headline: dict) -> bool:
    """Somebody answered knows_ess in the selection (perhaps too few to show)."""
    unpaired = headline["unpaired"]
    return any(unpaired.get(f"n_{wave}") != 0 for wave in WAVES)


def body(figures: dict, lang: str, k: int) -> list:
    """The page's content for `page_figures` (a pure function of the figures)."""
    headline = figures["headline"]
    header = page_header(t("awareness.title", lang), t("awareness.lede", lang))
    if not has_answers(headline):
        return [header, html.Div(t("awareness.empty", lang), role="status",
                                 className="alert alert-info"), download_section(lang, k)]
    analysis, rows = headline["analysis"], item_rows(figures["items"])
    spaced = {"marginBottom": "1.25rem"}
    return [
        header,
        headline_section(headline, lang, k),
        commentary_slot("awareness"),
        _columns(comparison_card(headline, lang, k), attrition_card(headline, lang, k)),
        html.Div(items_card(rows, analysis, lang, k), style=spaced),
        html.Div(summary_table_section(rows, figures["structures"], analysis, lang, k),
                 style=spaced),
        html.Div(likert_card(figures["distribution"], lang, k), style=spaced),
        _columns(post_only_card(rows, lang, k), download_section(lang, k),
                 ratio="minmax(0, 1.3fr) minmax(0, 1fr)"),
    ]


def breakdown_body(figures: dict, lang: str, k: int) -> list:
    """The breakdown card below the body (nothing when nobody answered the survey)."""
    if not has_answers(figures["headline"]):
        return []
    return [breakdown_card(figures["breakdown"], figures["tab"], lang, k)]
