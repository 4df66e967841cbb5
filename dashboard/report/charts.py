"""The report's print charts: the reach map, awareness before/after, projects by region.

Each builder reads the report dict (`collect.collect`) and returns a plotly figure with the
print identity: the Inter font shipped in `data/fonts/`, the Okabe-Ito palette of the
dashboard, French separators (decimal comma, narrow no-break space), a fixed size for the A4
page. `svg()` and `png()` render them through kaleido.

Kaleido: one Chromium for the process, started lazily on the first image
(`kaleido.start_sync_server`, a few seconds), then about 0.2 to 0.5 s an image. In a web worker
that is after the fork, since nothing renders at import. The server is not safe for concurrent
callers (one queue, one answer slot), so calls are serialised by a lock. The fonts reach
Chromium through a fontconfig file that adds `data/fonts/` to the system's (FONTCONFIG_FILE,
set before Chromium starts); base maps come from `data/geo/plotly-topojson/` (offline).
"""

from __future__ import annotations

import atexit
import os
import tempfile
import threading
import warnings
from pathlib import Path

import pandas as pd

from dashboard.cache import per_request
from dashboard.figures import (
    AFTER_COLOUR, BEFORE_COLOUR, GRID_COLOUR, MUTED_COLOUR, TEXT_COLOUR, merge, update_axes,
)
from dashboard.i18n import fmt_int, fmt_pct, plotly_separators, t
from dashboard.queries import awareness, outcomes, reach
from etl.reference import MAP_ATTRIBUTION
from etl.settings import DATA_DIR

FONTS_DIR = DATA_DIR / "fonts"
TOPOJSON_DIR = DATA_DIR / "geo" / "plotly-topojson"
PRINT_FONT = "Inter, 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif"
WIDTH = 760  # layout px; the PDF shows a chart 174 mm wide, so 12 px text prints at ~8 pt
PNG_SCALE = 3  # print resolution for the pack: 2280 px wide, 330 dpi at 174 mm
STATUS_COLOURS = {"delivered": "#009E73", "in_progress": "#56B4E9", "other": "#b8bec8",
                  "abandoned": "#D55E00"}
REFERENCE_TICK = "#111827"

_lock = threading.Lock()
_server_pid: int | None = None
SHUTDOWN_WAIT = 15.0  # seconds a finishing process gives kaleido's Chromium to close



def stored_table(query, figures: dict) -> pd.DataFrame:
    """The table a query function gives back from the collected `figures`, for drawing: without
    its `attrs` (the cells hidden for the XLSX). Read back once per request and collection (the
    report's texts and its charts read the same tables); each caller gets its own shallow copy
    (copy-on-write: a change stays its own)."""
    def read_back():
        table = query(None, None, None, snapshot=figures)
        table.attrs = {}
        return figures, table  # the collection kept with it: its id names no other meanwhile

    _, table = per_request(("stored_table", query, id(figures)), read_back)
    return table.copy(deep=False)


# ---- the image server ----------------------------------------------------------------------

def _fontconfig_file() -> Path:
    """A fontconfig file: the system's configuration plus the project's fonts."""
    folder = Path(tempfile.gettempdir()) / f"latitudes-impact-fonts-{os.getuid()}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "fonts.conf"
    text = ('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
            "<fontconfig>\n"
            '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
            f"  <dir>{FONTS_DIR}</dir>\n"
            f"  <cachedir>{folder / 'cache'}</cachedir>\n"
            "</fontconfig>\n")
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return path


def _ensure_server() -> None:
    """Start kaleido's Chromium once per process (again after a fork or if it died)."""
    global _server_pid
    import kaleido
    import plotly.io as pio

    # kaleido exposes no "is it alive" check: its singleton's thread is looked at directly.
    server = kaleido._global_server
    if server.is_running():
        alive = getattr(server, "_thread", None) is not None and server._thread.is_alive()
        if _server_pid == os.getpid() and alive:
            return
        if _server_pid != os.getpid():
            server._initialized = False  # a forked child: the parent's thread is not ours
        else:
            kaleido.stop_sync_server(silence_warnings=True)
    os.environ.setdefault("FONTCONFIG_FILE", str(_fontconfig_file()))
    pio.defaults.topojson = TOPOJSON_DIR.as_uri() + "/"
    # mathjax=False: the default loads MathJax from a CDN, which an offline machine waits for.
    kaleido.start_sync_server(mathjax=False, silence_warnings=True)
    _server_pid = os.getpid()
    # Registered after kaleido's own exit handler, so it runs first (atexit is last in,
    # first out).
    atexit.register(_close_server_within, SHUTDOWN_WAIT)


def _close_server_within(seconds: float) -> None:
    """At exit, stop kaleido's Chromium, waiting at most `seconds`.

    kaleido's own exit handler waits for its thread without a limit; a Chromium that does not
    close (seen on a busy machine) then held a finished `impact deliver` forever, mails sent
    and recorded. The thread is a daemon: a process that stops waiting ends normally."""
    import kaleido

    server = kaleido._global_server
    if _server_pid != os.getpid() or not server.is_running():
        return
    server._task_queue.put(None)
    server._thread.join(seconds)
    server._initialized = False  # kaleido's own handler then has nothing left to wait for


def image(figure: "dict | go.Figure", fmt: str, scale: float = 1) -> bytes:
    """The figure as SVG, PNG or PDF bytes, at its layout size times `scale`. A figure dict
    becomes a graph object first, which gives it plotly's default template as every printed
    chart has."""
    import plotly.graph_objects as go
    import plotly.io as pio

    if isinstance(figure, dict):
        figure = go.Figure(figure)

    with _lock:
        _ensure_server()
        with warnings.catch_warnings():
            # plotly passes its defaults as `kopts`, which a running server ignores (by design).
            warnings.filterwarnings("ignore", message="The kopts argument is ignored")
            return pio.to_image(figure, format=fmt, scale=scale, validate=False)


def svg(figure: "dict | go.Figure") -> str:
    return image(figure, "svg").decode("utf-8")


def png(figure: "dict | go.Figure", scale: float = PNG_SCALE) -> bytes:
    return image(figure, "png", scale)


def chromium_path() -> str | None:
    """Where kaleido will find Chromium (BROWSER_PATH, else the usual names), or None."""
    try:
        from choreographer.browsers.chromium import Chromium
    except ImportError:
        return None
    try:
        return Chromium.find_browser(skip_local=False)
    except Exception:  # noqa: BLE001 - any failure of the lookup means "not found"
        return None


# ---- the shared look -----------------------------------------------------------------------

def print_style(figure: dict, lang: str, height: int) -> dict:
    """The print identity, over what the figure dict already has (in place, returned)."""
    merge(figure.setdefault("layout", {}), {
        "width": WIDTH, "height": height,
        "font": {"family": PRINT_FONT, "size": 12, "color": TEXT_COLOUR},
        "separators": plotly_separators(lang),
        "paper_bgcolor": "white", "plot_bgcolor": "white",
        "margin": {"l": 8, "r": 24, "t": 40, "b": 28},
        "legend": {"orientation": "h", "xref": "container", "yref": "container", "x": 0,
                   "xanchor": "left", "y": 1, "yanchor": "top", "font": {"size": 12},
                   "traceorder": "normal"},
        "bargap": 0.28, "bargroupgap": 0.08,
    })
    update_axes(figure, "x", gridcolor=GRID_COLOUR, zeroline=False, linecolor=GRID_COLOUR,
                ticks="", automargin=True, tickfont={"color": MUTED_COLOUR})
    update_axes(figure, "y", showgrid=False, linecolor=GRID_COLOUR, ticks="", automargin=True)
    return figure


def empty_chart(message: str, lang: str, height: int = 160) -> dict:
    figure = {"data": [], "layout": {
        "annotations": [{"text": message, "showarrow": False, "x": 0.5, "y": 0.5,
                         "xref": "paper", "yref": "paper",
                         "font": {"size": 14, "color": MUTED_COLOUR}}],
        "xaxis": {"visible": False}, "yaxis": {"visible": False}}}
    return print_style(figure, lang, height)


def _percent(lang: str) -> str:
    return "\u202f%" if lang == "fr" else "%"


# ---- the reach map -------------------------------------------------------------------------

def reach_map(data: dict, lang: str, *, attribution: bool = True,
              geojson_url: str | None = None) -> dict:
    """Events per region on the 18 regions (`dashboard.maps`, the Tour page's map), each
    region labelled with its count, in the print identity. `attribution`: the boundaries'
    attribution written on the image (the pack's files); the PDF prints it under the map.
    `geojson_url`: the boundaries' URL for a page (images need them in the figure)."""
    from dashboard import maps

    table = stored_table(reach.export_table, data["figures"])
    events = table["events"].astype(int)
    frame = pd.DataFrame({
        "region_code": table["region_code"], "value": events,
        "hover": [f"{name}: {fmt_int(n, lang)}" for name, n in zip(table["region_name"],
                                                                    events)],
        "label": [fmt_int(n, lang) for n in events]})
    figure = maps.region_map(frame, lang, colorbar_title=t("report.reach.events", lang),
                             attribution=MAP_ATTRIBUTION if attribution else "", height=560,
                             geojson_url=geojson_url)
    for trace in figure["data"]:
        if trace.get("type") == "scattergeo":
            merge(trace, {"textfont": {"family": PRINT_FONT}})
    merge(figure["layout"], {"width": WIDTH, "font": {"family": PRINT_FONT},
                             "paper_bgcolor": "white", "geo": {"bgcolor": "white"}})
    return figure


# ---- awareness before / after --------------------------------------------------------------

def awareness_rows(data: dict):
    """The rows the chart draws: the lead analysis (paired, else unpaired) of the items asked
    before and after, in questionnaire order."""
    figures = data["figures"]
    table = stored_table(awareness.export_table, figures)
    lead = awareness.headline(None, None, None, snapshot=figures)["analysis"]
    rows = table[(table["analysis"] == lead) & table["item"].isin(awareness.PAIRED_ITEMS)]
    order = {item: i for i, item in enumerate(awareness.PAIRED_ITEMS)}
    return rows.sort_values("item", key=lambda s: s.map(order)), lead


def awareness_chart(data: dict, lang: str) -> dict:
    """Share of students agreeing with each item, before and after, with the national
    baselines (knows_ess 20 %, wants_useful 97 %) as black ticks; hidden rows read "< K"."""
    rows, _ = awareness_rows(data)
    if rows.empty or not (rows["n_pre"].fillna(0).sum() or rows["n_post"].fillna(0).sum()):
        return empty_chart(t("report.awareness.none", lang), lang)
    suffix = _percent(lang)
    labels = [t(f"report.item.{item}", lang).replace("'", "\u2019") for item in rows["item"]]
    traces = []
    for column, colour, key in (("pre_pct", BEFORE_COLOUR, "before"),
                                ("post_pct", AFTER_COLOUR, "after")):
        values = [None if pd.isna(v) else float(v) for v in rows[column]]
        # Inside the bar's end when it fits: the baseline tick sits just past the bar.
        traces.append({
            "type": "bar", "y": labels, "x": values, "orientation": "h",
            "name": t(f"report.awareness_chart.{key}", lang), "marker": {"color": colour},
            "texttemplate": f"%{{x:.0f}}{suffix}", "textposition": "auto",
            "insidetextanchor": "end", "cliponaxis": False, "textangle": 0,
            "insidetextfont": {"size": 12,
                               "color": TEXT_COLOUR if key == "before" else "white"},
            "outsidetextfont": {"size": 12, "color": TEXT_COLOUR}})
    baselines = [(t(f"report.item.{item}", lang).replace("'", "\u2019"), pct)
                 for item, pct in awareness.NATIONAL_BASELINE_PCT.items()
                 if item in set(rows["item"])]
    if baselines:
        traces.append({
            "type": "scatter", "y": [label for label, _ in baselines],
            "x": [pct for _, pct in baselines], "mode": "markers",
            "name": t("report.awareness_chart.reference", lang),
            "marker": {"symbol": "line-ns", "size": 26,
                       "line": {"width": 3, "color": REFERENCE_TICK}},
            "hoverinfo": "skip"})
    k = data["k"]
    annotations = [{"x": 1, "y": label, "text": f"< {k}", "showarrow": False,
                    "xanchor": "left", "font": {"size": 12, "color": MUTED_COLOUR}}
                   for label, hidden in zip(labels, rows["suppressed"]) if hidden]
    figure = {"data": traces, "layout": {
        "barmode": "group", "annotations": annotations,
        "xaxis": {"range": [0, 108], "ticksuffix": suffix, "dtick": 25, "showgrid": True},
        "yaxis": {"autorange": "reversed"}}}
    return print_style(figure, lang, 470)


# ---- outcomes by region --------------------------------------------------------------------

def outcomes_chart(data: dict, lang: str) -> dict:
    """Projects per region of the organisation served, stacked by status, largest first, with
    the total and the delivery rate at the end of each bar."""
    table = stored_table(outcomes.export_table, data["figures"])
    table = table[table["projects"].fillna(0) > 0].copy()
    if table.empty:
        return empty_chart(t("report.outcomes_chart.none", lang), lang)
    table["other"] = (table["projects"] - table["delivered"] - table["in_progress"]
                      - table["abandoned"])
    table = table.sort_values(["projects", "region_name"], ascending=[False, True])
    labels = list(table["region_name"])
    traces = []
    for status, colour in STATUS_COLOURS.items():
        values = [int(v) for v in table[status]]
        if not any(values):
            continue
        traces.append({
            "type": "bar", "y": labels, "x": values, "orientation": "h",
            "name": t(f"report.status.{status}", lang),
            "marker": {"color": colour, "line": {"color": "white", "width": 0.6}},
            "hovertemplate": "%{y}: %{x}<extra></extra>"})
    ends = []
    for total, rate in zip(table["projects"], table["delivery_rate_pct"]):
        text = "\u00a0\u00a0" + fmt_int(total, lang)
        if not pd.isna(rate):
            text += "  ·  " + t("report.outcomes_chart.rate", lang, rate=fmt_pct(rate, lang))
        ends.append(text)
    traces.append({
        "type": "scatter", "y": labels, "x": [int(v) for v in table["projects"]],
        "mode": "text", "text": ends, "textposition": "middle right", "showlegend": False,
        "hoverinfo": "skip", "textfont": {"size": 11, "color": TEXT_COLOUR},
        "cliponaxis": False})
    highest = float(table["projects"].max())
    figure = {"data": traces, "layout": {
        "barmode": "stack",
        "xaxis": {"range": [0, highest * 1.32], "showgrid": True,
                  "title": {"text": t("report.chart.projects_axis", lang),
                            "font": {"size": 11, "color": MUTED_COLOUR}}},
        "yaxis": {"autorange": "reversed"}}}
    return print_style(figure, lang, 90 + 30 * len(labels))


CHARTS = {
    "reach_map": reach_map,
    "awareness": awareness_chart,
    "outcomes_by_region": outcomes_chart,
}


def build(data: dict, lang: str) -> dict[str, dict]:
    """The report's charts, by name (the pack's file names)."""
    return {name: builder(data, lang) for name, builder in CHARTS.items()}
