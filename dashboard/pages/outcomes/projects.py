"""The projects, one by one (staff only): a grid with AG Grid's own texts in French.
"""

from __future__ import annotations

import pandas as pd
from dash import html

from dashboard import ids
from dashboard.components import paged_grid
from dashboard.i18n import t, tn
from dashboard.pages.outcomes.base import vocabulary_label


GRID_LOCALE_FR = {  # AG Grid's own texts, in French (its default is English)
    "page": "Page", "of": "sur", "to": "à", "more": "plus", "next": "Suivante",
    "last": "Dernière", "first": "Première", "previous": "Précédente",
    "pageSizeSelectorLabel": "Lignes par page :", "loadingOoo": "Chargement…",
    "noRowsToShow": "Aucun projet", "filterOoo": "Filtrer…", "searchOoo": "Rechercher…",
    "equals": "Égal à", "notEqual": "Différent de", "blank": "Vide", "notBlank": "Non vide",
    "empty": "Choisir…", "lessThan": "Inférieur à", "greaterThan": "Supérieur à",
    "lessThanOrEqual": "Inférieur ou égal à", "greaterThanOrEqual": "Supérieur ou égal à",
    "inRange": "Entre", "inRangeStart": "De", "inRangeEnd": "À", "contains": "Contient",
    "notContains": "Ne contient pas", "startsWith": "Commence par", "endsWith": "Finit par",
    "andCondition": "ET", "orCondition": "OU", "applyFilter": "Appliquer",
    "resetFilter": "Réinitialiser", "clearFilter": "Effacer", "cancelFilter": "Annuler",
    "ariaFilterInput": "Saisie du filtre", "ariaFilterValue": "Valeur du filtre",
    "ariaPageSizeSelectorLabel": "Lignes par page", "ariaRowSelect": "Sélectionner la ligne",
    "sortAscending": "Tri croissant", "sortDescending": "Tri décroissant",
}


def projects_rows(projects: pd.DataFrame, lang: str) -> list[dict]:
    """The grid's rows: labels in the language, answers as words, numbers as numbers."""
    answers = {"oui": t("outcomes.in_use.yes", lang),
               "partiellement": t("outcomes.in_use.partial", lang),
               "non": t("outcomes.in_use.no", lang)}

    def labelled(kind: str, values: list) -> list[str]:
        labels: dict = {}  # a few distinct values for thousands of rows
        for value in values:
            if value not in labels:
                labels[value] = vocabulary_label(kind, value, lang)
        return [labels[value] for value in values]

    def present(name: str) -> list:
        """The column's values, None where one is missing."""
        return [None if missing else value for value, missing in
                zip(projects[name].tolist(), projects[name].isna().tolist())]

    # Column by column, then zipped: plain lists cost far less than pandas' arrays row by row.
    column = {name: projects[name].tolist() for name in (
        "project_id", "title", "organisation", "region_name", "edition", "tech_type", "status")}
    return [{"project_id": project_id, "title": title, "organisation": organisation,
             "school": school, "region": region, "edition": edition, "tech_type": tech_type,
             "status": status, "satisfaction": satisfaction, "in_use": in_use}
            for (project_id, title, organisation, school, region, edition, tech_type, status,
                 satisfaction, in_use) in zip(
                column["project_id"], column["title"], column["organisation"], present("school"),
                column["region_name"], column["edition"],
                labelled("tech_type", column["tech_type"]), labelled("status", column["status"]),
                [None if v is None else int(v) for v in present("end_satisfaction")],
                [None if v is None else answers.get(v) for v in present("six_months_in_use")])]


def projects_section(projects: pd.DataFrame, lang: str) -> html.Section:
    import dash_ag_grid as dag

    columns = [
        {"field": "title", "headerName": t("outcomes.grid.title", lang), "minWidth": 190,
         "flex": 2, "pinned": "left"},
        {"field": "organisation", "headerName": t("outcomes.grid.organisation", lang),
         "minWidth": 160, "flex": 2},
        {"field": "school", "headerName": t("outcomes.grid.school", lang), "minWidth": 150,
         "flex": 2},
        {"field": "region", "headerName": t("outcomes.grid.region", lang), "minWidth": 140,
         "flex": 1},
        {"field": "edition", "headerName": t("outcomes.grid.edition", lang), "width": 110,
         "sort": "desc"},
        {"field": "tech_type", "headerName": t("outcomes.grid.tech_type", lang),
         "minWidth": 140, "flex": 1},
        {"field": "status", "headerName": t("outcomes.grid.status", lang), "width": 115},
        {"field": "satisfaction", "headerName": t("outcomes.grid.satisfaction", lang),
         "width": 125, "filter": "agNumberColumnFilter", "type": "rightAligned"},
        {"field": "in_use", "headerName": t("outcomes.grid.in_use", lang), "width": 125},
    ]
    # The grid grows with its page (no inner scroll region the keyboard cannot reach), and all
    # nine columns stay drawn (no header row left empty while a scroll redraws them): both
    # keep the accessibility audit clean and cost nothing at one page of rows.
    # The rows stay on the server: the grid asks for the block it shows (`projects_page`),
    # instead of 5,000 rows (1.5 MB) in every unfiltered staff view.
    grid_options = {"pagination": True, "paginationPageSize": 15,
                    "paginationPageSizeSelector": [15, 50, 100], "animateRows": False,
                    "cacheBlockSize": paged_grid.MAX_BLOCK,
                    "enableCellTextSelection": True, "ensureDomOrder": True,
                    "domLayout": "autoHeight", "suppressColumnVirtualisation": True}
    if lang == "fr":
        grid_options["localeText"] = GRID_LOCALE_FR
    grid = dag.AgGrid(
        id=ids.OUTCOMES_PROJECTS_GRID, rowModelType="infinite",
        columnDefs=columns, getRowId="params.data.project_id",
        defaultColDef={"sortable": True, "filter": True, "floatingFilter": True,
                       "resizable": True, "suppressHeaderMenuButton": True,
                       "wrapHeaderText": True, "autoHeaderHeight": True},
        dashGridOptions=grid_options, style={"width": "100%"})
    return html.Section(className="chart-card mb-3",
                        **{"aria-labelledby": ids.OUTCOMES_PROJECTS_TITLE}, children=[
        html.H2(t("outcomes.projects.title", lang), id=ids.OUTCOMES_PROJECTS_TITLE,
                className="chart-title"),
        html.P(t("outcomes.projects.detail", lang,
                 projects=tn("outcomes.count.projects", len(projects), lang)),
               className="chart-summary"),
        grid])


GRID_FIELDS = ("title", "organisation", "school", "region", "edition", "tech_type", "status",
               "satisfaction", "in_use")  # the grid's columns: what a request may sort or filter


def projects_block(filters, scope, k: int, lang: str, request, engine=None) -> dict:
    """One block of the grid's rows (`paged_grid.block`); none for an account that may not
    see row-level projects."""
    from dashboard.queries import outcomes

    if not scope.full_view:
        return {"rowData": [], "rowCount": 0}
    rows = projects_rows(outcomes.projects_table(filters, scope, k, engine), lang)
    return paged_grid.block(rows, request, GRID_FIELDS)
