"""Pure builders DataFrame -> figure, and `graph()`, the one way to put a figure on a page.

A figure is a plain dict, `{"data": [trace dicts], "layout": {...}}`, which dcc.Graph draws
as it is and plotly.js validates in the browser. Building the same figure through
`plotly.graph_objects` costs about 10 ms (every attribute validated, every update copied), and
a page draws six to ten of them at each filter change; a dict costs a few microseconds.
`go.Figure(figure)` turns one into a graph object where that is needed (kaleido images in the
reports, tests that read a trace).

One visual identity for every page: the system font stack, the Okabe-Ito palette (readable
with every common colour-vision deficiency), French separators and locale, a light grid, no
chart junk. plotly.express is not used: `px.bar` costs about 18 ms a figure.

The API, smallest first:
- `graph(id, figure, lang)`: a dcc.Graph with the French locale, offline maps and image export;
- `layout(lang, ...)`: the shared look as a new layout dict, with `merge()` to add to it;
- `figure(traces, lang, ...)`: a figure of trace dicts in the shared look;
- `styled(figure, lang)`: apply the identity to a figure built elsewhere;
- `bar(df, x, y, lang, ...)`: vertical or horizontal bars, one trace per `color` value;
- `before_after(df, lang, ...)`: shares before and after the programme, with a reference line;
- `empty(message, lang)`: the figure shown when a selection has no data.
Shares are drawn in percent (0-100) with a "%" suffix, because d3's "%" format cannot put the
French narrow no-break space before the sign.
"""

from __future__ import annotations

import pandas as pd

from dashboard.i18n import NNBSP, plotly_locale_fr, plotly_separators

FONT_FAMILY = ("system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, "
               "'Noto Sans', 'Liberation Sans', sans-serif")
TEXT_COLOUR = "#1f2937"
MUTED_COLOUR = "#6b7280"
GRID_COLOUR = "#e5e7eb"
FRAGILE_COLOUR = "#c4c9d1"  # "estimation fragile" bars are greyed (DESIGN.md section 7)
REFERENCE_COLOUR = "#4b5563"

# Okabe & Ito (2008), "Color Universal Design", without black; blue first.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442")
BEFORE_COLOUR = "#56B4E9"  # sky blue, then the deeper blue: the same hue, darker after
AFTER_COLOUR = "#0072B2"


def percent_suffix(lang: str) -> str:
    return f"{NNBSP}%" if lang == "fr" else "%"


def colon(lang: str) -> str:
    """French puts a no-break space before a colon."""
    return "\u00a0: " if lang == "fr" else ": "


def merge(target: dict, updates: dict) -> dict:
    """Update `target` in place as plotly's `update_layout` does: nested dicts are merged, other
    values replaced. Returns `target`."""
    for key, value in updates.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            merge(target[key], value)
        else:
            target[key] = value
    return target


def _axes(layout: dict, letter: str) -> list[dict]:
    """Every x (or y) axis of a layout, created when there is none (as `update_xaxes` does)."""
    names = [name for name in layout if name == f"{letter}axis" or
             (name.startswith(f"{letter}axis") and name[5:].isdigit())]
    if not names:
        layout[f"{letter}axis"] = {}
        names = [f"{letter}axis"]
    return [layout[name] for name in names]


def layout(lang: str, *, height: int | None = 320) -> dict:
    """The shared look as a new layout dict: font, palette, separators, margins, grid, hover."""
    shared = {
        "font": {"family": FONT_FAMILY, "size": 13, "color": TEXT_COLOUR},
        "separators": plotly_separators(lang),
        "colorway": list(PALETTE),
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
        "margin": {"l": 48, "r": 16, "t": 16, "b": 40},
        "hoverlabel": {"font": {"family": FONT_FAMILY, "size": 13}, "bgcolor": "white"},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        "bargap": 0.35,
        "xaxis": {"showgrid": False, "linecolor": GRID_COLOUR, "ticks": "", "automargin": True},
        "yaxis": {"gridcolor": GRID_COLOUR, "zeroline": False, "linecolor": GRID_COLOUR,
                  "automargin": True},
    }
    if height is not None:
        shared["height"] = height
    return shared


def figure(traces: list[dict], lang: str, *, height: int | None = 320, **extra) -> dict:
    """A figure of `traces` in the shared look; `extra` is merged into the layout."""
    return {"data": list(traces), "layout": merge(layout(lang, height=height), extra)}


def styled(figure: dict, lang: str, *, height: int | None = 320) -> dict:
    """Apply the shared look to `figure` (in place, and returned), over what it already has,
    as successive `update_layout` / `update_xaxes` / `update_yaxes` calls would."""
    shared = layout(lang, height=height)
    current = figure.setdefault("layout", {})
    x_axis, y_axis = shared.pop("xaxis"), shared.pop("yaxis")
    merge(current, shared)
    for axis in _axes(current, "x"):
        merge(axis, x_axis)
    for axis in _axes(current, "y"):
        merge(axis, y_axis)
    return figure


def update_axes(figure: dict, letter: str, **changes) -> dict:
    """`update_xaxes` / `update_yaxes` of a dict figure: `changes` on every x (or y) axis."""
    for axis in _axes(figure.setdefault("layout", {}), letter):
        merge(axis, changes)
    return figure


def _values(column) -> list:
    """A column as JSON-ready values (missing values as None)."""
    if isinstance(column, pd.Series):
        return [None if pd.isna(v) else v for v in column.tolist()]
    return list(column)


def bar(df: pd.DataFrame, x: str, y: str, lang: str, *, color: str | None = None,
        horizontal: bool = False, percent: bool = False, text: bool = True,
        hover: str | None = None) -> dict:
    """Bars of `y` by `x` (categories on x, or on y when `horizontal`), one trace per `color`.

    `percent`: y holds percentages (0-100), labelled with "%". `hover`: a column of ready-made
    hover texts. Categories keep the DataFrame's order.
    """
    groups = [(None, df)] if color is None else list(df.groupby(color, sort=False))
    suffix = percent_suffix(lang) if percent else ""
    value, category = ("x", "y") if horizontal else ("y", "x")
    traces = []
    for index, (name, rows) in enumerate(groups):
        values, categories = _values(rows[y]), _values(rows[x])
        trace = {
            "type": "bar", "x": values if horizontal else categories,
            "y": categories if horizontal else values,
            "orientation": "h" if horizontal else "v",
            "marker": {"color": PALETTE[index % len(PALETTE)]}, "cliponaxis": False,
            "hovertemplate": ("%{hovertext}<extra></extra>" if hover else
                              f"%{{{category}}}{colon(lang)}%{{{value}:,.0f}}{suffix}"
                              "<extra></extra>"),
        }
        if name is not None:
            trace["name"] = str(name)
        if text:
            trace.update(texttemplate=f"%{{{value}:,.0f}}{suffix}", textposition="outside")
        if hover:
            trace["hovertext"] = _values(rows[hover])
        traces.append(trace)
    result = styled({"data": traces, "layout": {"barmode": "group",
                                                "showlegend": color is not None}}, lang)
    update_axes(result, "x" if horizontal else "y", ticksuffix=suffix, rangemode="tozero")
    if horizontal:
        update_axes(result, "y", autorange="reversed")
    return result


def before_after(df: pd.DataFrame, lang: str, *, label: str = "label", share: str = "share",
                 n: str = "n", fragile: str | None = None, reference: float | None = None,
                 reference_label: str | None = None) -> dict:
    """Shares before and after the programme: one bar per row of `df` (usually two).

    `share` holds fractions (0.21) or None (hidden or nobody answered: no bar); `n` the number
    of respondents, shown in the hover; `fragile` a boolean column greying estimates too
    fragile to read alone. `reference`: a national baseline (a fraction), drawn as a dashed
    line across the chart and named in the legend.
    """
    suffix = percent_suffix(lang)
    percents = [None if pd.isna(v) else v * 100 for v in df[share]]
    colours = [BEFORE_COLOUR, AFTER_COLOUR] + list(PALETTE[2:])
    colours = [colours[i % len(colours)] for i in range(len(df))]
    if fragile:
        colours = [FRAGILE_COLOUR if is_fragile else colour
                   for colour, is_fragile in zip(colours, df[fragile])]
    traces = [{
        "type": "bar", "x": _values(df[label]), "y": percents, "marker": {"color": colours},
        "customdata": _values(df[n]), "showlegend": False,
        "texttemplate": f"%{{y:.0f}}{suffix}", "textposition": "auto", "cliponaxis": False,
        "insidetextanchor": "end", "textfont": {"size": 16},
        "insidetextfont": {"color": [_text_on(c) for c in colours], "size": 16},
        "outsidetextfont": {"color": TEXT_COLOUR, "size": 16},
        "hovertemplate": (f"%{{x}}{colon(lang)}%{{y:.0f}}{suffix}<br>n = %{{customdata:,}}"
                          "<extra></extra>"),
    }]
    extra: dict = {}
    if reference is not None:
        # Below the bars: the line shows in the gaps and never crosses a bar's label.
        extra["shapes"] = [{
            "type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y",
            "y0": reference * 100, "y1": reference * 100, "layer": "below",
            "line": {"dash": "dash", "color": REFERENCE_COLOUR, "width": 1.5}}]
        # A legend entry for the line: an annotation on the chart would collide with bars.
        traces.append({
            "type": "scatter", "x": [None], "y": [None], "mode": "lines", "hoverinfo": "skip",
            "showlegend": True,
            "name": f"{reference_label or ''} ({reference * 100:.0f}{suffix})".strip(),
            "line": {"dash": "dash", "color": REFERENCE_COLOUR, "width": 1.5}})
    result = figure(traces, lang, bargap=0.45, legend={"x": 1, "xanchor": "right"}, **extra)
    update_axes(result, "y", range=[0, 100], ticksuffix=suffix, dtick=25)
    return result


def _text_on(colour: str) -> str:
    """Dark text on light bars, white on dark ones (WCAG contrast of the bar colour)."""
    red, green, blue = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return TEXT_COLOUR if luminance > 0.45 else "#ffffff"


def empty(message: str, lang: str, *, height: int = 220) -> dict:
    """A blank figure that says why it is blank (no axes, no modebar worth using)."""
    return figure([], lang, height=height, xaxis={"visible": False},
                  yaxis={"visible": False}, annotations=[{
                      "text": message, "showarrow": False, "x": 0.5, "y": 0.5,
                      "xref": "paper", "yref": "paper",
                      "font": {"size": 15, "color": MUTED_COLOUR}}])


def graph_config(lang: str, filename: str = "latitudes-impact") -> dict:
    """plotly.js config: French locale, offline base maps, PNG export, a quiet modebar."""
    import dash

    config = {
        "locale": lang,
        "displaylogo": False,
        "responsive": True,
        "topojsonURL": dash.get_asset_url("topojson/"),
        "modeBarButtonsToRemove": ["select2d", "lasso2d", "zoom2d", "pan2d", "zoomIn2d",
                                   "zoomOut2d", "autoScale2d", "toggleSpikelines",
                                   "hoverClosestCartesian", "hoverCompareCartesian"],
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
    }
    if lang == "fr":
        config["locales"] = {"fr": plotly_locale_fr()}
    return config


def graph(id: str, figure: dict, lang: str, *, filename: str | None = None,
          className: str = "impact-graph") -> "dash.dcc.Graph":  # noqa: F821
    """The dcc.Graph of a figure: use it for every chart (locale, maps offline, exports).

    Pair it with `components.table_toggle.chart_card` for the text summary, the table view and
    the PNG / SVG download buttons.
    """
    from dash import dcc

    return dcc.Graph(id=id, figure=figure, config=graph_config(lang, filename or id),
                     className=className)
