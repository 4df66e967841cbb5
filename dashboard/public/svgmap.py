"""The regions' choropleth as inline SVG, drawn on the server (no script, no request).

The shapes are those of the dashboard's maps (`dashboard.maps.geojson`: 13 metropolitan
regions, the 5 overseas ones in insets), projected with Mercator into a fixed frame
(`maps.view_bounds`) and rounded to whole units of a 600-wide view box: under a pixel at the
size the page draws it, and a few tens of KB for the 18 regions. The colours are the maps'
single-hue ramp, grey where a region has no figure; each region carries its value as text
and a <title> (its name and value), and the page puts the same figures in a table beside it.
"""

from __future__ import annotations

import math
from functools import lru_cache

from markupsafe import Markup, escape

from dashboard import maps

WIDTH = 600
PAD = 4
RAMP = maps.SEQUENTIAL  # light to dark, the legend's swatches (public.css: .public-ramp-N)
SHAPE_ID = "public-region-"  # the id of a region's path in `shapes()`


def _mercator(lat: float) -> float:
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


@lru_cache(maxsize=1)
def frame() -> tuple[float, float, float, int]:
    """(west, north, scale, height) of the view box."""
    (west, east), (south, north) = maps.view_bounds()
    scale = (WIDTH - 2 * PAD) / (east - west)
    height = round((_mercator(north) - _mercator(south)) * scale) + 2 * PAD
    return west, _mercator(north), scale, height


def project(lon: float, lat: float) -> tuple[int, int]:
    west, top, scale, _height = frame()
    return round(PAD + (lon - west) * scale), round(PAD + (top - _mercator(lat)) * scale)


def _ring_path(ring: list) -> str:
    points, previous = [], None
    for lon, lat in ring:
        point = project(lon, lat)
        if point != previous:
            points.append(point)
        previous = point
    if len(points) < 3:
        return ""
    first, *rest = points
    return f"M{first[0]} {first[1]}" + "".join(f"L{x} {y}" for x, y in rest) + "Z"


@lru_cache(maxsize=1)
def region_paths() -> dict[str, str]:
    """INSEE code -> the SVG path of the region (every part, holes included: even-odd)."""
    paths = {}
    for feature in maps.geojson()["features"]:
        parts = [_ring_path(ring) for polygon in feature["geometry"]["coordinates"]
                 for ring in polygon]
        paths[feature["properties"]["code"]] = "".join(parts)
    return paths


def fill(value: float | None, top: float) -> str:
    if value is None:
        return maps.NO_DATA_COLOUR
    return maps._colour_at(value / top if top else 0.0)


def shapes() -> Markup:
    """The regions' paths, once per page, for every map's <use>s (hidden, size 0)."""
    paths = "".join(f'<path id="{SHAPE_ID}{code}" d="{path}" fill-rule="evenodd"/>'
                    for code, path in region_paths().items())
    return Markup(f'<svg class="public-shapes" width="0" height="0" aria-hidden="true" '
                  f'focusable="false" xmlns="http://www.w3.org/2000/svg"><defs>{paths}</defs>'
                  "</svg>")


def region_map(values: dict[str, float | None], labels: dict[str, str], *, title: str,
               names: dict[str, str], top: float) -> Markup:
    """The SVG of `values` by region code (None: grey, no figure) drawn with the `shapes()`
    of the page; `labels`: the text drawn on a region (its formatted value; "" for none);
    `names`: region names for the <title>s; `top`: the value of the darkest colour."""
    height = frame()[3]
    points = maps.label_points()
    regions, texts = [], []
    for code in region_paths():
        value = values.get(code)
        colour = fill(value, top)
        label = labels.get(code, "")
        hover = f"{names.get(code, code)} – {label}" if label else names.get(code, code)
        regions.append(f'<g fill="{colour}"><title>{escape(hover)}</title>'
                       f'<use href="#{SHAPE_ID}{code}"/></g>')
        if label and value:
            x, y = project(*points[code])
            ink = maps._text_colour(colour)
            texts.append(f'<text x="{x}" y="{y + 4}" fill="{ink}">{escape(label)}</text>')
    return Markup(
        f'<svg class="public-map" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f'<g stroke="{maps.BORDER_COLOUR}" stroke-width="0.8">{"".join(regions)}</g>'
        f'<g class="public-map-labels" text-anchor="middle">{"".join(texts)}</g></svg>')
