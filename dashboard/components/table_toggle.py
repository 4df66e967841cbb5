"""A chart as users need it: a title, a text summary, the chart, its table, image downloads.

Every chart has a text summary and a "voir le tableau" toggle (DESIGN.md section 8: colour is
never the only carrier of meaning). The toggle and the downloads run in the browser
(`assets/impact.js`); `register_callbacks(app)` wires them once for every chart, by
pattern-matching ids whose index is the chart's graph id.
"""

from __future__ import annotations

import numbers

import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, MATCH, ClientsideFunction, Input, Output, State, dcc, html

from dashboard import ids
from dashboard.figures import graph
from dashboard.i18n import MISSING, fmt_decimal, fmt_int, t


def _cell(value, lang: str) -> str:
    kind = type(value)  # the common plain types first: abc checks cost more than formatting
    if kind is str:
        return value
    if kind is int:
        return fmt_int(value, lang)
    if kind is float and value == value:
        return fmt_int(value, lang) if value.is_integer() else fmt_decimal(value, lang)
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return MISSING
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        return str(value)
    if isinstance(value, numbers.Integral) or float(value).is_integer():
        return fmt_int(value, lang)
    return fmt_decimal(value, lang)


def _numeric_columns(df: pd.DataFrame) -> list[bool]:
    return [pd.api.types.is_numeric_dtype(dtype) for dtype in df.dtypes]


def _formatted_rows(df: pd.DataFrame, lang: str) -> list[list[str]]:
    # Every value at once as a Python object (by position: two columns may share a label);
    # a column read costs more than formatting its cells.
    if df.shape[1] == 0:
        return []
    return [[_cell(value, lang) for value in row] for row in df.to_numpy(dtype=object).tolist()]


def data_table(df: pd.DataFrame, lang: str, *, caption: str | None = None) -> html.Table:
    """An HTML table of `df` (columns already translated), numbers formatted for `lang`.

    Cells that are text (a hidden "< 5", a formatted "21 %") are shown as given.
    """
    numeric = _numeric_columns(df)
    align = ["text-end" if n else None for n in numeric]
    head = html.Thead(html.Tr([html.Th(str(c), scope="col", className=a)
                               for c, a in zip(df.columns, align)]))
    body = html.Tbody([html.Tr([html.Td(v, className=a) for v, a in zip(row, align)])
                       for row in _formatted_rows(df, lang)])
    return html.Table(className="table table-sm data-table", children=[
        html.Caption(caption) if caption else None, head, body])


def scroll_region(table, label: str) -> html.Div:
    """A wide `table` scrolls inside its card (not the page) on a phone; the region takes the
    focus, so that the keyboard scrolls it too, and is named by `label`."""
    return html.Div(table, className="table-responsive", tabIndex="0", role="region",
                    **{"aria-label": label})


def table_data(df: pd.DataFrame, lang: str, *, caption: str | None = None) -> dict:
    """What `data_table` shows, as data: the browser draws the table when it is opened
    (`impact.tableComponent` in assets/impact.js), the same markup."""
    return {"caption": caption, "columns": [str(c) for c in df.columns],
            "numeric": _numeric_columns(df), "rows": _formatted_rows(df, lang)}


def chart_card(graph_id: str, figure: dict, lang: str, *, title: str, summary: str,
               table: pd.DataFrame, caption: str | None = None,
               note: str | None = None) -> html.Section:
    """The chart `figure` with its `title`, text `summary`, table view and downloads.

    `graph_id` comes from dashboard.ids; `table` holds what the chart shows, columns already
    translated; `note` is a line under the chart (a source, a caveat).
    """
    title_id = f"{graph_id}-title"
    toggle = html.Button(
        t("chart.show_table", lang), id={"type": ids.TABLE_TOGGLE, "index": graph_id},
        n_clicks=0, type="button", className="btn btn-sm btn-outline-primary",
        **{"aria-expanded": "false", "aria-controls": ids.table_panel_dom_id(graph_id)})
    downloads = html.Div(className="chart-downloads", role="group",
                         **{"aria-label": t("chart.download", lang)}, children=[
        html.Span(t("chart.download", lang), className="chart-downloads-label"),
        *[html.Button(fmt.upper(), type="button", n_clicks=0,
                      className="btn btn-sm btn-link",
                      id={"type": ids.DOWNLOAD_IMAGE, "index": graph_id, "format": fmt})
          for fmt in ("png", "svg")],
        html.Span(id={"type": ids.DOWNLOAD_DONE, "index": graph_id}, hidden=True),
    ])
    return html.Section(className="chart-card", **{"aria-labelledby": title_id}, children=[
        html.H2(title, id=title_id, className="chart-title"),
        html.P(summary, className="chart-summary"),
        graph(graph_id, figure, lang),
        html.P(note, className="chart-note") if note else None,
        # Empty until opened: the browser draws the table from the store's rows.
        dbc.Collapse(id={"type": ids.TABLE_PANEL, "index": graph_id}, is_open=False,
                     children=html.Div(id=ids.table_panel_dom_id(graph_id),
                                       className="table-responsive chart-table")),
        dcc.Store(id={"type": ids.TABLE_LABELS, "index": graph_id},
                  data={"show": t("chart.show_table", lang),
                        "hide": t("chart.hide_table", lang),
                        "panel": ids.table_panel_dom_id(graph_id),
                        "table": table_data(table, lang, caption=caption or title)}),
        html.Div([toggle, downloads], className="chart-actions"),
    ])


def register_callbacks(app) -> None:
    """The browser-side toggle and downloads of every chart card (called by create_app)."""
    app.clientside_callback(
        ClientsideFunction(namespace="impact", function_name="toggleTable"),
        Output({"type": ids.TABLE_PANEL, "index": MATCH}, "is_open"),
        Output({"type": ids.TABLE_TOGGLE, "index": MATCH}, "children"),
        Output({"type": ids.TABLE_TOGGLE, "index": MATCH}, "aria-expanded"),
        Output({"type": ids.TABLE_PANEL, "index": MATCH}, "children"),
        Input({"type": ids.TABLE_TOGGLE, "index": MATCH}, "n_clicks"),
        State({"type": ids.TABLE_LABELS, "index": MATCH}, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction(namespace="impact", function_name="downloadImage"),
        Output({"type": ids.DOWNLOAD_DONE, "index": MATCH}, "children"),
        Input({"type": ids.DOWNLOAD_IMAGE, "index": MATCH, "format": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
