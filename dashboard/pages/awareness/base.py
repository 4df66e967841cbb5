"""What every section of the awareness page shares: its tabs and download formats, colours,
the wording of the items, and numbers, intervals and counts of people as text.
"""

from __future__ import annotations

import math

import pandas as pd
from dash import html

from dashboard.components.kpi import suppressed_text
from dashboard.components.table_toggle import chart_card
from dashboard.figures import AFTER_COLOUR, TEXT_COLOUR
from dashboard.i18n import MISSING, fmt_decimal, fmt_int, fmt_pct, fmt_points, t
from dashboard.queries.awareness.items import WAVES


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


def tab_of(value: str | None) -> str:
    return value if value in TABS else DEFAULT_TAB


# ---- formatting -----------------------------------------------------------------------------

def missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def signed(value: float, lang: str, decimals: int = 0) -> str:
    text = fmt_decimal(value, lang, decimals)
    if text.lstrip("-").strip("0,.") == "":
        return fmt_decimal(0, lang, decimals)  # -0.2 reads "0", not "-0"
    return text if text.startswith("-") else f"+{text}"


def interval_text(low: float | None, high: float | None, lang: str, *,
                  percent: bool = False, named: bool = True) -> str:
    """"IC 95 % : +25 à +38" (a change in points) or "IC 95 % : 15 à 25 %" (a share);
    `named=False` leaves out "IC 95 %" (a table column that says it already)."""
    if missing(low) or missing(high):
        return MISSING
    if percent:
        low_text, high_text = fmt_decimal(low, lang, 0), fmt_pct(high, lang)
    else:
        low_text, high_text = signed(low, lang), signed(high, lang)
    return t("awareness.interval" if named else "awareness.range", lang, low=low_text,
             high=high_text)


def p_text(p: float | None, lang: str, *, equals: bool = True) -> str:
    """"< 0,001", "= 0,03" (after "p"), or "0,03" in a column headed "p"."""
    if missing(p):
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


def colon(lang: str) -> str:
    return "\u00a0: " if lang == "fr" else ": "


def item_label(item: str, lang: str, *, short: bool = False) -> str:
    from dashboard.queries.awareness import ITEM_LABELS

    return (SHORT_LABELS if short else ITEM_LABELS)[item][0 if lang == "fr" else 1]


def question(item: str, lang: str) -> str:
    return QUESTIONS[item][0 if lang == "fr" else 1]


def frame_records(frame: pd.DataFrame) -> list[dict]:
    """`frame.to_dict("records")` at a tenth of its cost: the values at once as Python objects
    (numbers, text, pd.NA), then rows."""
    columns = list(frame.columns)
    return [dict(zip(columns, row)) for row in frame.to_numpy(dtype=object).tolist()]


def item_rows(items: pd.DataFrame) -> dict[tuple[str, str], dict]:
    """The items table as {(item, analysis): row}, blanks as None."""
    return {(row["item"], row["analysis"]): {key: (None if missing(v) else v)
                                             for key, v in row.items()}
            for row in frame_records(items)}


def item_row(rows: dict, item: str, analysis: str) -> dict:
    return rows.get((item, analysis), {"item": item, "analysis": analysis, "suppressed": True})


def hidden_or(row: dict, k: int, text: str) -> str:
    return suppressed_text(k) if row.get("suppressed") else text


def fragile_mark(row: dict, lang: str) -> str:
    return f" ({t('chart.fragile', lang)})" if row.get("fragile") else ""


def share_with_interval(row: dict, wave: str, k: int, lang: str) -> str:
    if row.get("suppressed"):
        return suppressed_text(k)
    if missing(row.get(f"{wave}_pct")):
        return MISSING
    interval = interval_text(row.get(f"{wave}_ci_low_pct"), row.get(f"{wave}_ci_high_pct"),
                             lang, percent=True)
    return f"{fmt_pct(row[f'{wave}_pct'], lang)} ({interval})"


def change_text(row: dict, k: int, lang: str) -> str:
    if row.get("suppressed"):
        return suppressed_text(k)
    if missing(row.get("diff_pp")):
        return MISSING
    return (f"{fmt_points(row['diff_pp'], lang)} "
            f"({interval_text(row.get('ci_low_pp'), row.get('ci_high_pp'), lang)})"
            + fragile_mark(row, lang))


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


def card_with_definition(graph_id: str, figure: dict, lang: str, *, title: str, summary: str,
          table: pd.DataFrame, note: str | None = None,
          definition: html.Details | None = None) -> html.Section:
    """`chart_card`, with the chart's definition just above its actions row."""
    card = chart_card(graph_id, figure, lang, title=title, summary=summary, table=table,
                      note=note)
    if definition is not None:
        card.children.insert(len(card.children) - 1, definition)
    return card


def two_columns(*children, ratio: str = "minmax(0, 1.3fr) minmax(0, 1fr)") -> html.Div:
    return html.Div(className="overview-columns", children=list(children),
                    style={"gridTemplateColumns": ratio, "marginBottom": "1.25rem"})


def has_answers(headline: dict) -> bool:
    """Somebody answered knows_ess in the selection (perhaps too few to show)."""
    unpaired = headline["unpaired"]
    return any(unpaired.get(f"n_{wave}") != 0 for wave in WAVES)
