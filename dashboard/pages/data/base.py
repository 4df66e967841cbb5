"""What every section of the data page shares: kinds of file, waves, tools, the grid's French
texts, and labels, reasons, dates and sizes as text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

from dash import html

from dashboard.components.filters import FILTERS
from dashboard.i18n import fmt_date, fmt_decimal, fmt_int, t, tn
from dashboard.view import parse_search


JOB_PARAM, BATCH_PARAM = "job", "batch"
FILTER_DROPDOWNS = [dropdown for _param, dropdown, *_ in FILTERS]  # in FILTER_PARAMS order
KINDS = ("organisations", "projects", "students", "events", "guide", "survey", "org-survey")
WAVES_OF_KIND = {"survey": ("pre", "post"), "org-survey": ("end", "six_months")}
ACCEPT = ".csv,.tsv,.txt,.xlsx,.xlsm,.zip"
POLL_MS = 1000
BATCHES_SHOWN = 100
GRID_ROWS = 1000
PARIS = ZoneInfo("Europe/Paris")
COUNTED_TABLES = ("organisation", "project", "student", "tour_event", "guide_record",
                  "survey_response", "org_followup", "rejected_row")
TOOLS = {"google_forms": "Google Forms", "google_sheets": "Google Sheets",
         "microsoft_forms": "Microsoft Forms", "kobotoolbox": "KoboToolbox",
         "limesurvey": "LimeSurvey", "typeform": "Typeform", "framaforms": "Framaforms"}
ROW_PREFIX = re.compile(r"^row \d+: ")  # the grid shows the row number in its own column
REFERENCED = re.compile(r"cannot be taken out: (\d+) (.+?) loaded by other batches")

AG_GRID_FR = {  # the texts AG Grid draws itself (English by default)
    "page": "Page", "of": "sur", "to": "à", "more": "plus", "next": "Suivante",
    "last": "Dernière", "first": "Première", "previous": "Précédente",
    "firstPage": "Première page", "lastPage": "Dernière page", "nextPage": "Page suivante",
    "previousPage": "Page précédente", "pageSizeSelectorLabel": "Lignes par page :",
    "noRowsToShow": "Aucune ligne", "loadingOoo": "Chargement…", "filterOoo": "Filtrer…",
    "equals": "Égal à", "notEqual": "Différent de", "contains": "Contient",
    "notContains": "Ne contient pas", "startsWith": "Commence par", "endsWith": "Finit par",
    "blank": "Vide", "notBlank": "Non vide", "andCondition": "ET", "orCondition": "OU",
    "ariaFilterValue": "Valeur du filtre", "ariaFilterInput": "Champ de filtre",
    "sortAscending": "Tri croissant", "sortDescending": "Tri décroissant",
}


# ---- formats ----

def kind_label(kind: str | None, lang: str) -> str:
    return t(f"data.kind.{kind}", lang) if kind in KINDS else (kind or "—")


def tool_label(tool: str | None, lang: str) -> str:
    if tool == "template":
        return t("data.tool.template", lang)
    return TOOLS.get(tool or "", tool or "—")


def reason_label(code: str, lang: str) -> str:
    key = f"data.reason.{code}"
    from dashboard.i18n import MESSAGES

    return t(key, lang) if key in MESSAGES else code.replace("_", " ")


def reasons_text(reasons: dict, lang: str) -> str:
    """'école inconnue (2), valeur invalide (1)': the reasons, most rows first."""
    return ", ".join(f"{reason_label(code, lang)} ({fmt_int(n, lang)})"
                     for code, n in sorted(reasons.items(), key=lambda item: -item[1]))


def when_text(value, lang: str) -> str:
    """A UTC timestamp of the warehouse, in Paris time: 23/11/2026 à 14:05."""
    if not value:
        return "—"
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone(PARIS)
    return t("data.when", lang, date=fmt_date(local, lang), time=local.strftime("%H:%M"))


def size_text(size: int, lang: str) -> str:
    units = ("o", "ko", "Mo", "Go") if lang == "fr" else ("B", "KB", "MB", "GB")
    value, unit = float(size), 0
    while value >= 1000 and unit < len(units) - 1:
        value, unit = value / 1000, unit + 1
    number = fmt_int(value, lang) if unit == 0 else fmt_decimal(value, lang)
    return f"{number}\u202f{units[unit]}" if lang == "fr" else f"{number} {units[unit]}"


def rows_text(n: int, lang: str) -> str:
    return tn("data.count.rows", n, lang)


def date_time(value: dt.datetime, lang: str) -> dict:
    local = value.astimezone(PARIS) if value.tzinfo else value.replace(tzinfo=dt.UTC).astimezone(
        PARIS)
    return {"date": fmt_date(local, lang), "time": local.strftime("%H:%M")}


def whole_number(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def refusal_text(message: str, lang: str) -> str:
    match = REFERENCED.search(message)
    if match:
        return t("data.undo.referenced", lang, n=fmt_int(int(match.group(1)), lang),
                 what=match.group(2))
    return message


def alert_box(text: str, colour: str) -> html.Div:
    return html.Div(text, className=f"alert alert-{colour} data-alert",
                    role="alert" if colour in ("danger", "warning") else None)


def dom_id(component_id: dict) -> str:
    """The DOM id Dash gives a pattern-matching id (its stringifyId), for a label's htmlFor."""
    return "{" + ",".join(f"{json.dumps(key)}:{json.dumps(value, ensure_ascii=False)}"
                          for key, value in sorted(component_id.items())) + "}"


def signed_in_email() -> str | None:
    """Who is saving: the account's e-mail (None outside a request)."""
    from dashboard import auth

    account = auth.current_account()
    return account.email if account is not None else None


def job_of(search: str | None) -> str | None:
    """The job id a URL shows (tests)."""
    return parse_search(search).get(JOB_PARAM)
