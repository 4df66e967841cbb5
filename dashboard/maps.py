"""Choropleth maps of the 18 French regions, drawn offline, shared by the pages.

The boundaries are `etl.reference.GEOJSON` (13 metropolitan regions and the 5 overseas ones
moved into a column of insets west of Brittany; see data/geo/README.md): read once per process
(`geojson()`), coordinates rounded to 2 decimals (about 1 km, under a pixel at the size the
pages draw the map), which halves the points. A map is a figure dict (see `dashboard.figures`):
choropleth traces with `featureidkey="properties.code"` and the INSEE codes as `locations`;
the base map is hidden and the view fitted to the regions (`view_bounds`).

The pages do not send the boundaries with each figure (about 170 KB of JSON at every filter
change): their traces name `geojson_url()`, the same GeoJSON written once under the app's
assets (`GEOJSON_ASSET`, made by `python -m dashboard.maps`), which plotly.js fetches on the
first map and keeps for the session. Without that URL (the report's kaleido images) each trace
carries its own regions' boundaries, the objects of `geojson()` itself, never copied. The
base-map file that plotly.js still fetches comes from the app's assets too (`figures.graph`
sets `topojsonURL`), so the map needs no internet.

A map is readable without colour (DESIGN.md section 8): each region carries its value as a
text label, the hover gives the region's name and figures, and `chart_card`'s table view lists
them. The sequential scale is a single-hue blue ramp (ColorBrewer "Blues"), which every common
colour-vision deficiency reads in order; a region without a figure (nothing to compute, or a
hidden cell) is grey and labelled apart. The attribution that the boundaries' licence asks for
is written on the figure itself, so that a PNG or SVG download carries it too.

    frame = pd.DataFrame({"region_code": [...18 codes], "value": [...],
                          "hover": [...ready-made texts], "label": [...texts on the map]})
    figure = region_map(frame, "fr", colorbar_title="Événements", selected=("84",))
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import pandas as pd

from dashboard.figures import (
    FONT_FAMILY, MUTED_COLOUR, TEXT_COLOUR, merge, percent_suffix, styled,
)
from etl.reference import GEOJSON, MAP_ATTRIBUTION

FEATURE_ID_KEY = "properties.code"
ASSETS_DIR = Path(__file__).resolve().parent / "assets"
GEOJSON_ASSET = "geo/regions-18.json"  # `geojson()` as the browser fetches it, under ASSETS_DIR
# ColorBrewer "Blues" (Brewer, Harrower 2003), 6 classes, as a continuous ramp: single hue,
# light to dark, safe for deuteranopia, protanopia and tritanopia.
SEQUENTIAL = ("#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
NO_DATA_COLOUR = "#d4d8de"
BORDER_COLOUR = "#ffffff"
SELECTED_BORDER = "#14213d"
COORDINATE_DECIMALS = 2  # 0.01 degree: about 1 km, a third of a pixel on the page's map
OVERSEAS = ("01", "02", "03", "04", "06")  # the insets, top to bottom
INSET_NAMES_LON = -10.9  # the insets' names start here and run east towards them
# Where a region's label sits when the centroid of its largest part is a poor spot for text.
LABEL_NUDGES = {"93": (0.25, -0.15), "28": (0.0, -0.1)}


def _round_ring(ring: list) -> list:
    rounded, previous = [], None
    for lon, lat, *_ in ring:
        point = [round(lon, COORDINATE_DECIMALS), round(lat, COORDINATE_DECIMALS)]
        if point != previous:
            rounded.append(point)
        previous = point
    if rounded and rounded[0] != rounded[-1]:
        rounded.append(rounded[0])
    return rounded


def _polygons(geometry: dict) -> list[list]:
    """A geometry's polygons (each a list of rings), for Polygon and MultiPolygon alike."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return list(geometry["coordinates"])


@lru_cache(maxsize=1)
def geojson() -> dict:
    """The 18 regions' boundaries, read once; coordinates rounded (exterior rings stay clockwise,
    as plotly's geo traces need). Every feature becomes a MultiPolygon with `code` and `nom`."""
    data = json.loads(GEOJSON.read_text(encoding="utf-8"))
    features = []
    for feature in data["features"]:
        polygons = []
        for polygon in _polygons(feature["geometry"]):
            rings = [_round_ring(ring) for ring in polygon]
            if len(rings[0]) >= 4:  # an islet smaller than the rounding disappears, holes too
                polygons.append([rings[0], *(ring for ring in rings[1:] if len(ring) >= 4)])
        features.append({
            "type": "Feature",
            "properties": {"code": feature["properties"]["code"],
                           "nom": feature["properties"]["nom"]},
            "geometry": {"type": "MultiPolygon", "coordinates": polygons},
        })
    return {"type": "FeatureCollection", "features": features}


def _features(codes: list[str]) -> dict:
    """The GeoJSON of some regions only: each trace carries its own regions, so the browser
    receives every boundary once whatever the split between traces."""
    wanted = set(codes)
    return {"type": "FeatureCollection",
            "features": [f for f in geojson()["features"] if f["properties"]["code"] in wanted]}


def geojson_text() -> str:
    """`geojson()` as the compact JSON of the `GEOJSON_ASSET` file."""
    return json.dumps(geojson(), ensure_ascii=False, separators=(",", ":")) + "\n"


def write_geojson_asset() -> Path:
    """(Re)write `GEOJSON_ASSET` from `geojson()`: after a change of the boundaries or of their
    rounding (a test checks that the file is up to date)."""
    path = ASSETS_DIR / GEOJSON_ASSET
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(geojson_text(), encoding="utf-8")
    _asset_version.cache_clear()
    return path


@lru_cache(maxsize=1)
def _asset_version() -> str | None:
    path = ASSETS_DIR / GEOJSON_ASSET
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.is_file() else None


def geojson_url() -> str | None:
    """The URL of the boundaries for a page's map (the app's `GEOJSON_ASSET`, its content hash
    in the query string so that a new file is fetched anew), or None when the file is missing:
    the map then carries the boundaries itself."""
    version = _asset_version()
    if version is None:
        return None
    import dash

    return f"{dash.get_asset_url(GEOJSON_ASSET)}?v={version}"


@lru_cache(maxsize=1)
def region_names() -> dict[str, str]:
    """INSEE code -> official name (the GeoJSON's `nom`), in code order."""
    return {f["properties"]["code"]: f["properties"]["nom"]
            for f in sorted(geojson()["features"], key=lambda f: f["properties"]["code"])}


def _ring_centroid(ring: list) -> tuple[float, float, float]:
    """(area, lon, lat) of a ring by the shoelace formula (planar: good enough for a label)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if not area:
        xs, ys = zip(*ring)
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return abs(area) / 2, cx / (3 * area), cy / (3 * area)


@lru_cache(maxsize=1)
def label_points() -> dict[str, tuple[float, float]]:
    """Where each region's label goes: the centroid of its largest part (the main island)."""
    points = {}
    for feature in geojson()["features"]:
        code = feature["properties"]["code"]
        parts = [_ring_centroid(polygon[0]) for polygon in feature["geometry"]["coordinates"]]
        _, lon, lat = max(parts)
        dlon, dlat = LABEL_NUDGES.get(code, (0.0, 0.0))
        points[code] = (round(lon + dlon, 3), round(lat + dlat, 3))
    return points


@lru_cache(maxsize=1)
def view_bounds() -> tuple[list[float], list[float]]:
    """The map's view, fitted to the 18 regions and the insets' names: (lon range, lat range).

    Computed from the GeoJSON rather than left to `fitbounds="locations"`: with the mercator
    projection, plotly.js 4.1 pads a fitted view by about a fifth on every side, which leaves
    the regions small in their frame. The view is the same whatever the measure and filters,
    so a map never jumps when one region is selected.
    """
    lons, lats = [INSET_NAMES_LON], []
    for feature in geojson()["features"]:
        for polygon in feature["geometry"]["coordinates"]:
            for lon, lat in polygon[0]:
                lons.append(lon)
                lats.append(lat)
    return ([round(min(lons) - 0.2, 2), round(max(lons) + 0.3, 2)],
            [round(min(lats) - 0.25, 2), round(max(lats) + 0.2, 2)])


def _colour_at(fraction: float) -> str:
    """The ramp's colour at `fraction` (0-1), linearly interpolated between stops."""
    fraction = min(max(fraction, 0.0), 1.0)
    position = fraction * (len(SEQUENTIAL) - 1)
    low = int(position)
    high = min(low + 1, len(SEQUENTIAL) - 1)
    weight = position - low
    a, b = (tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in (SEQUENTIAL[low],
                                                                    SEQUENTIAL[high]))
    return "#" + "".join(f"{round(x + (y - x) * weight):02x}" for x, y in zip(a, b))


def _text_colour(fill: str) -> str:
    red, green, blue = (int(fill[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return TEXT_COLOUR if 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.5 else "#ffffff"


def _colorscale() -> list:
    last = len(SEQUENTIAL) - 1
    return [[i / last, colour] for i, colour in enumerate(SEQUENTIAL)]


def _value_ticks(zmax: float, percent: bool, lang: str) -> dict:
    if percent:
        # the labels spelled out: with tickvals, plotly.js showed no ticksuffix
        return {"tickvals": [0, 50, 100], "ticktext": [f"{v}{percent_suffix(lang)}"
                                                      for v in (0, 50, 100)]}
    if zmax <= 6:
        return {"tickvals": list(range(int(zmax) + 1)), "tickformat": ",d"}
    return {"nticks": 5, "tickformat": ",~r"}


def region_map(frame: pd.DataFrame | Mapping, lang: str, *, colorbar_title: str,
               value: str = "value", hover: str = "hover", label: str = "label",
               percent: bool = False, selected: tuple[str, ...] | list[str] = (),
               attribution: str = MAP_ATTRIBUTION, height: int = 560,
               geojson_url: str | None = None) -> dict:
    """A choropleth of `frame[value]` over the 18 regions, as a figure dict.

    `frame` (a DataFrame, or a mapping of lists: the pages' maps, without a frame to build)
    has one row per region: `region_code` (INSEE, text), `value` (a number, or
    NaN/None where there is no figure: grey), `hover` (the hover text, HTML line breaks
    allowed) and `label` (the short text drawn on the region; "" for none). `percent`: values
    are percentages on a fixed 0-100 scale. `selected`: regions outlined (the page's filter).
    `geojson_url`: where the browser fetches the boundaries (`geojson_url()`, the pages);
    without it each trace carries its own regions' boundaries (kaleido images).
    """
    codes = [str(code) for code in _column(frame, "region_code")]
    values = [_number(v) for v in _column(frame, value)]
    has_value = [v is not None for v in values]
    hovers = ["" if _missing(text) else str(text) for text in _column(frame, hover)]
    selected = set(selected)
    zmax = 100.0 if percent else max(max((v for v in values if v is not None), default=0.0),
                                     1.0)

    def borders(rows: list[int]) -> dict:
        return {"color": [SELECTED_BORDER if codes[i] in selected else BORDER_COLOUR
                          for i in rows],
                "width": [2.6 if codes[i] in selected else 0.9 for i in rows]}

    def boundaries(rows: list[int]):
        return geojson_url or _features([codes[i] for i in rows])

    shown = [i for i, ok in enumerate(has_value) if ok]
    blank = [i for i, ok in enumerate(has_value) if not ok]
    traces = [{
        "type": "choropleth", "name": colorbar_title, "locations": [codes[i] for i in shown],
        "geojson": boundaries(shown), "featureidkey": FEATURE_ID_KEY,
        "z": [values[i] for i in shown], "text": [hovers[i] for i in shown],
        "colorscale": _colorscale(), "zmin": 0, "zmax": zmax,
        "marker": {"line": borders(shown)},
        "colorbar": {"title": {"text": colorbar_title, "side": "top", "font": {"size": 12}},
                     "orientation": "h", "thickness": 10, "len": 0.27, "lenmode": "fraction",
                     "x": 0.01, "xanchor": "left", "y": 0.03, "yanchor": "bottom",
                     "outlinewidth": 0, "tickfont": {"size": 11},
                     **_value_ticks(zmax, percent, lang)},
        "hovertemplate": "%{text}<extra></extra>", "hoverlabel": {"align": "left"}}]
    if blank:
        traces.append({
            "type": "choropleth", "name": "—", "locations": [codes[i] for i in blank],
            "z": [0] * len(blank), "geojson": boundaries(blank),
            "featureidkey": FEATURE_ID_KEY, "text": [hovers[i] for i in blank],
            "showscale": False, "colorscale": [[0, NO_DATA_COLOUR], [1, NO_DATA_COLOUR]],
            "zmin": 0, "zmax": 1, "marker": {"line": borders(blank)},
            "hovertemplate": "%{text}<extra></extra>", "hoverlabel": {"align": "left"}})
    labels = _labels(frame, codes, values, label, zmax)
    if labels:
        traces.append(labels)
    traces.append(_inset_names())
    lon_range, lat_range = view_bounds()
    figure = {"data": traces, "layout": {
        "geo": {"fitbounds": False, "lonaxis": {"range": list(lon_range)},
                "lataxis": {"range": list(lat_range)}, "visible": False,
                "projection": {"type": "mercator"}, "bgcolor": "rgba(0,0,0,0)"},
        "annotations": [{"text": attribution, "showarrow": False, "xref": "paper",
                         "yref": "paper", "x": 1, "y": 0, "xanchor": "right",
                         "yanchor": "bottom", "align": "right",
                         "font": {"size": 10, "color": MUTED_COLOUR}}]}}
    styled(figure, lang, height=height)
    merge(figure["layout"], {"margin": {"l": 0, "r": 0, "t": 4, "b": 4}, "dragmode": False,
                             "showlegend": False})
    return figure


def _column(frame, name: str) -> list:
    """A column of a frame, or of a mapping of columns (a list, or one value for every row),
    as a list."""
    if isinstance(frame, pd.DataFrame):
        return frame[name].tolist()
    column = frame[name]
    if isinstance(column, (str, bytes)) or not hasattr(column, "__len__"):
        return [column] * len(frame["region_code"])
    return list(column)


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value) \
        or value is pd.NaT


def _number(value) -> float | None:
    """A value as a float, None where it is missing or no number (`pd.to_numeric`, coerced)."""
    if _missing(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def _labels(frame, codes: list[str], values: list[float | None], label: str,
            zmax: float) -> dict | None:
    """The regions' values as text on the map, dark on light fills and white on dark ones."""
    if label not in (frame.columns if isinstance(frame, pd.DataFrame) else frame):
        return None
    points = label_points()
    rows = [(i, text) for i, text in enumerate(
        "" if _missing(text) else str(text) for text in _column(frame, label)) if text]
    if not rows:
        return None
    colours = [TEXT_COLOUR if values[i] is None else _text_colour(_colour_at(values[i] / zmax))
               for i, _ in rows]
    return {"type": "scattergeo", "lon": [points[codes[i]][0] for i, _ in rows],
            "lat": [points[codes[i]][1] for i, _ in rows], "text": [text for _, text in rows],
            "mode": "text", "hoverinfo": "skip", "showlegend": False,
            "textfont": {"family": FONT_FAMILY, "size": 12, "color": colours, "weight": 600}}


def _inset_names() -> dict:
    """The overseas regions' names beside their insets (they are not where a reader expects
    them); `view_bounds` keeps room for them."""
    points, names = label_points(), region_names()
    return {"type": "scattergeo", "lon": [INSET_NAMES_LON] * len(OVERSEAS),
            "lat": [points[code][1] for code in OVERSEAS],
            "text": [names[code] for code in OVERSEAS], "mode": "text",
            "textposition": "middle right", "hoverinfo": "skip", "showlegend": False,
            "textfont": {"family": FONT_FAMILY, "size": 11, "color": MUTED_COLOUR}}


def map_locations(figure: dict) -> list[str]:
    """Every region a map colours (both choropleth traces): what tests count."""
    return [code for trace in figure["data"] if trace.get("type") == "choropleth"
            for code in trace["locations"]]


def map_card(graph_id: str, figure: dict, lang: str, **card) -> "html.Section":  # noqa: F821
    """`chart_card` for a map: the page scrolls under the wheel (no scroll zoom on the map)."""
    from dash import dcc

    from dashboard.components.table_toggle import chart_card

    section = chart_card(graph_id, figure, lang, **card)
    for child in section.children:
        if isinstance(child, dcc.Graph):
            child.config = {**child.config, "scrollZoom": False,
                            "modeBarButtonsToRemove": [*child.config.get(
                                "modeBarButtonsToRemove", []), "zoomInGeo", "zoomOutGeo"]}
    return section


def clicked_region(click_data: dict | None) -> str | None:
    """The INSEE code of the region a map's clickData points at (None if it is not one)."""
    points = (click_data or {}).get("points") or []
    code = points[0].get("location") if points else None
    return code if isinstance(code, str) and code in region_names() else None


def search_for_click(search: str | None, click_data: dict | None) -> str | None:
    """The query string after a click on a region: `region=<code>` (the other parameters
    kept); a click on the only region already selected removes the region filter. None when
    the click names no region or changes nothing."""
    from dashboard.view import parse_search, with_params

    code = clicked_region(click_data)
    if code is None:
        return None
    current = parse_search(search).get("region")
    new = with_params(search, region=None if current == code else code)
    return None if new == (search or "") else new


# ---- the browser actions of a page's map --------------------------------------------------

MEASURE_PARAM = "measure"


def view_key(search: str | None) -> str:
    """What a map page's content depends on, but for the map's measure: the query string
    without `measure` (the same key means only the map is redrawn)."""
    from dashboard.view import with_params

    return with_params(search, **{MEASURE_PARAM: None})


def measure_search(search: str | None, measure: str, measures, default: str) -> str:
    """The query string showing `measure` on the map (the default is left out of the URL; an
    unknown measure is the default)."""
    from dashboard.view import with_params

    if measure not in measures:
        measure = default
    return with_params(search, **{MEASURE_PARAM: None if measure == default else measure})


EXPORT_FORMATS = ("csv", "csv-fr", "xlsx")  # the download buttons of a map page


def register_map_controls(page: str, *, map_id: str, measure_type: str, download_id: str,
                          export_type: str, figure: str, measures, default: str,
                          export_file, export_formats=EXPORT_FORMATS) -> None:
    """The callbacks every map page has: a click on a region filters by it, a measure button
    puts its measure in the URL, a download button sends the page's contract table for the
    URL's view (`export_file(search, format)`, scope from the server) and audits it.

    `page` is the page's module name: the callbacks are registered as the page's own, so that
    its roles apply to them (`auth.callback_roles`)."""
    import dash
    from dash import ALL, Input, Output, State, ctx, dcc, no_update

    from dashboard import ids

    def filter_by_region(click: dict | None, search: str | None):
        new = search_for_click(search, click)
        return no_update if new is None else new

    def choose_measure(_clicks, search: str | None):
        trigger = ctx.triggered_id
        if not trigger or not ctx.triggered or not ctx.triggered[0].get("value"):
            return no_update
        new = measure_search(search, trigger["measure"], measures, default)
        return no_update if new == (search or "") else new

    def download(_clicks, search: str | None):
        trigger = ctx.triggered_id
        if not trigger or not ctx.triggered or not ctx.triggered[0].get("value"):
            return no_update  # buttons drawn again after a filter change, not a click
        if trigger.get("format") not in export_formats:
            from werkzeug.exceptions import BadRequest

            raise BadRequest("no such export format")  # a forged request: no button has it
        data, filename = export_file(search, trigger["format"])
        from dashboard.auth import audit_download  # a file leaving the system is logged
        from dashboard.queries.base import Filters
        from dashboard.view import parse_search

        audit_download(figure, trigger["format"], Filters.from_query(parse_search(search)))
        return dcc.send_bytes(data, filename)

    for function in (filter_by_region, choose_measure, download):
        function.__module__ = page
    url = Output(ids.URL, "search", allow_duplicate=True)
    dash.callback(url, Input(map_id, "clickData"), State(ids.URL, "search"),
                  prevent_initial_call=True)(filter_by_region)
    dash.callback(url, Input({"type": measure_type, "measure": ALL}, "n_clicks"),
                  State(ids.URL, "search"), prevent_initial_call=True)(choose_measure)
    dash.callback(Output(download_id, "data"),
                  Input({"type": export_type, "format": ALL}, "n_clicks"),
                  State(ids.URL, "search"), prevent_initial_call=True)(download)


if __name__ == "__main__":
    print(write_geojson_asset())
