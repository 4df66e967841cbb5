"""The global filters: editions, schools and regions (multi-select, keyboard-friendly).

The dropdowns hold no state of their own: the shell copies the URL into them on load and the
URL out of them on change (`dashboard.app`), so a view can be bookmarked and reloaded.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids
from dashboard.components.fold import fold_button
from dashboard.i18n import t

FILTERS = (  # (URL parameter, dropdown id, label id, label key, placeholder key)
    ("edition", ids.FILTER_EDITION, ids.FILTER_EDITION_LABEL, "filters.edition",
     "filters.all_editions"),
    ("school", ids.FILTER_SCHOOL, ids.FILTER_SCHOOL_LABEL, "filters.school",
     "filters.all_schools"),
    ("region", ids.FILTER_REGION, ids.FILTER_REGION_LABEL, "filters.region",
     "filters.all_regions"),
)
DROPDOWN_LABELS = ("select_all", "deselect_all", "selected_count", "search", "clear_search",
                   "clear_selection", "no_options_found")


def dropdown_labels(lang: str) -> dict[str, str]:
    """The texts dcc.Dropdown draws itself (English by default in Dash)."""
    return {name: t(f"dropdown.{name}", lang) for name in DROPDOWN_LABELS}


def filter_bar(options: dict[str, list[dict]], lang: str) -> html.Section:
    """Three labelled multi-select dropdowns and a reset button, in one row on wide screens;
    under 992 px they fold behind a "Filtres" button (`components.fold`)."""
    fields = [
        html.Div(className="filter-field", children=[
            html.Label(t(label_key, lang), id=label_id, htmlFor=dropdown_id,
                       className="filter-label"),
            dcc.Dropdown(id=dropdown_id, options=options.get(param, []), value=[], multi=True,
                         placeholder=t(placeholder_key, lang), labels=dropdown_labels(lang),
                         searchable=True, clearable=True, maxHeight=320,
                         className="filter-dropdown"),
        ])
        for param, dropdown_id, label_id, label_key, placeholder_key in FILTERS
    ]
    reset = html.Button(t("filters.reset", lang), id=ids.FILTER_RESET, n_clicks=0,
                        type="button", title=t("filters.reset_title", lang),
                        className="btn btn-outline-secondary filter-reset")
    return html.Section(
        className="filter-bar", **{"aria-labelledby": ids.FILTER_TITLE},
        children=[
            html.H2(t("filters.title", lang), id=ids.FILTER_TITLE,
                    className="visually-hidden"),
            fold_button(ids.FILTER_TOGGLE, ids.FILTER_COLLAPSE, t("filters.title", lang),
                        "filter-toggle"),
            dbc.Collapse(id=ids.FILTER_COLLAPSE, is_open=False, className="filter-collapse",
                         children=html.Div([*fields, html.Div(reset, className="filter-actions")],
                                           className="filter-fields")),
        ],
    )
