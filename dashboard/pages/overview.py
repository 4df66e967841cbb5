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
from dashboard.i18n import fmt_int, fmt_points, fmt_share, register, t, tn
from dashboard.pages import context
from dashboard.stats import is_fragile, wilson

log = logging.getLogger(__name__)
NATIONAL_AWARENESS = 0.20  # BCG / IPSOS: about 1 engineering student in 5 knows precisely

dash.register_page(
    __name__, path="/", order=0, name="Vue d'ensemble", nav_key="overview.nav",
    title="Vue d'ensemble · Latitudes Impact",
    description="Les chiffres clés du programme Tech for Good de Latitudes.",
)

register({
    "overview.nav": {"fr": "Vue d'ensemble", "en": "Overview"},
    "overview.title": {"fr": "Vue d'ensemble", "en": "Overview"},
    "overview.lede": {
        "fr": "Les chiffres clés du programme Tech for Good pour la sélection en cours.",
        "en": "Key figures of the Tech for Good programme for the current selection."},
    "overview.kpi.projects": {"fr": "Projets", "en": "Projects"},
    "overview.kpi.projects.detail": {"fr": "projets Tech for Good", "en": "Tech for Good projects"},
    "overview.kpi.organisations": {"fr": "Organisations", "en": "Organisations"},
    "overview.kpi.organisations.detail": {"fr": "structures de l'ESS bénéficiaires",
                                          "en": "SSE organisations served"},
    "overview.kpi.students": {"fr": "Étudiants", "en": "Students"},
    "overview.kpi.students.detail": {"fr": "étudiants inscrits au programme",
                                     "en": "students enrolled in the programme"},
    "overview.kpi.schools": {"fr": "Écoles", "en": "Schools"},
    "overview.kpi.schools.detail": {"fr": "écoles avec un projet ou des étudiants",
                                    "en": "schools with a project or students"},
    "overview.kpi.regions": {"fr": "Régions touchées", "en": "Regions reached"},
    "overview.kpi.regions.detail": {"fr": "régions avec un événement du Tour de France",
                                    "en": "regions with a Tour de France event"},
    "overview.kpi.events": {"fr": "Événements", "en": "Events"},
    "overview.kpi.events.detail": {"fr": "événements du Tour de France",
                                   "en": "Tour de France events"},
    "overview.kpi.attendees": {"fr": "Participants", "en": "Attendees"},
    "overview.kpi.guide": {"fr": "Guide diffusé", "en": "Guide distributed"},
    "overview.kpi.guide.detail": {"fr": "exemplaires et téléchargements du guide",
                                  "en": "copies and downloads of the guide"},
    "overview.kpi.attendees.detail": {"fr": "participations cumulées aux événements",
                                      "en": "total attendance at events"},
    "overview.kpi.awareness": {"fr": "Connaissance de l'ESS", "en": "SSE awareness"},
    "overview.kpi.awareness.detail": {
        "fr": "savent précisément ce qu'est l'ESS, avant → après",
        "en": "know precisely what the SSE is, before → after"},
    "overview.kpi.awareness.none": {"fr": "aucune réponse au questionnaire",
                                    "en": "no survey answer"},
    "overview.wave.pre": {"fr": "Avant le programme", "en": "Before the programme"},
    "overview.wave.post": {"fr": "Après le programme", "en": "After the programme"},
    "overview.awareness.title": {"fr": "Connaissance de l'ESS, avant et après",
                                 "en": "SSE awareness, before and after"},
    "overview.awareness.summary": {
        "fr": "Savent précisément ce qu'est l'ESS : avant le programme, {pre} ; "
              "après le programme, {post}.",
        "en": "Know precisely what the SSE is: before the programme, {pre}; after it, {post}."},
    "overview.awareness.wave": {"fr": "{share} ({n})", "en": "{share} ({n})"},
    "overview.awareness.wave_hidden": {
        "fr": "chiffre masqué (moins de {k} répondants)",
        "en": "figure hidden (fewer than {k} respondents)"},
    "overview.awareness.wave_none": {"fr": "aucune réponse", "en": "no answer"},
    "overview.awareness.empty": {
        "fr": "Aucune réponse au questionnaire étudiant pour cette sélection.",
        "en": "No answer to the student survey for this selection."},
    "overview.awareness.note": {
        "fr": "Réponses non appariées : toutes les réponses d'avant face à toutes celles "
              "d'après. Pointillés : référence nationale, 1 étudiant ingénieur sur 5 "
              "(étude BCG / IPSOS). Barres grises : estimation fragile (moins de 30 "
              "répondants ou intervalle de plus de 30 points).",
        "en": "Unpaired answers: every answer before against every answer after. Dashed "
              "line: national baseline, 1 engineering student in 5 (BCG / IPSOS study). "
              "Grey bars: fragile estimate (fewer than 30 respondents or an interval wider "
              "than 30 points)."},
    "overview.awareness.reference": {"fr": "Référence nationale", "en": "National baseline"},
    "overview.table.wave": {"fr": "Questionnaire", "en": "Survey"},
    "overview.table.share": {"fr": "Savent précisément", "en": "Know precisely"},
    "overview.table.n": {"fr": "Répondants", "en": "Respondents"},
    "overview.summary.title": {"fr": "En bref", "en": "At a glance"},
    "overview.summary.projects": {
        "fr": "{projects} pour {organisations} de l'ESS, avec {schools}.",
        "en": "{projects} for {organisations} of the SSE, with {schools}."},
    "overview.summary.students_hidden": {
        "fr": "Moins de {k} étudiants inscrits : le nombre exact est masqué.",
        "en": "Fewer than {k} students enrolled: the exact number is hidden."},
    "overview.summary.tour": {
        "fr": "{events} du Tour de France dans {regions} sur 18, pour {attendees}.",
        "en": "{events} of the Tour de France in {regions} out of 18, for {attendees}."},
    "overview.summary.awareness": {
        "fr": "La part des répondants qui savent précisément ce qu'est l'ESS passe de {pre} "
              "avant le programme à {post} après ({points}, réponses non appariées).",
        "en": "The share of respondents who know precisely what the SSE is goes from {pre} "
              "before the programme to {post} after it ({points}, unpaired answers)."},
    "overview.summary.matched": {
        "fr": "{matched} répondu au questionnaire avant et après le programme.",
        "en": "{matched} the survey both before and after the programme."},
    "count.projects.one": {"fr": "{n} projet", "en": "{n} project"},
    "count.projects.other": {"fr": "{n} projets", "en": "{n} projects"},
    "count.organisations.one": {"fr": "{n} organisation", "en": "{n} organisation"},
    "count.organisations.other": {"fr": "{n} organisations", "en": "{n} organisations"},
    "count.schools.one": {"fr": "{n} école", "en": "{n} school"},
    "count.schools.other": {"fr": "{n} écoles", "en": "{n} schools"},
    "count.enrolled.one": {"fr": "{n} étudiant inscrit au programme.",
                           "en": "{n} student enrolled in the programme."},
    "count.enrolled.other": {"fr": "{n} étudiants inscrits au programme.",
                             "en": "{n} students enrolled in the programme."},
    "count.events.one": {"fr": "{n} événement", "en": "{n} event"},
    "count.events.other": {"fr": "{n} événements", "en": "{n} events"},
    "count.regions.one": {"fr": "{n} région", "en": "{n} region"},
    "count.regions.other": {"fr": "{n} régions", "en": "{n} regions"},
    "count.attendees.one": {"fr": "{n} participation", "en": "{n} attendee"},
    "count.attendees.other": {"fr": "{n} participations", "en": "{n} attendees"},
    "count.respondents.one": {"fr": "n = {n} répondant", "en": "n = {n} respondent"},
    "count.respondents.other": {"fr": "n = {n} répondants", "en": "n = {n} respondents"},
    "count.matched.one": {"fr": "{n} étudiant a", "en": "{n} student answered"},
    "count.matched.other": {"fr": "{n} étudiants ont", "en": "{n} students answered"},
})


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
