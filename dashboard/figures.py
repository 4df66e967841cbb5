"""Pure builders DataFrame -> go.Figure, and `graph()`, the one way to put a figure on a page.

One visual identity for every page: the system font stack, the Okabe-Ito palette (readable
with every common colour-vision deficiency), French separators and locale, a light grid, no
chart junk. plotly.express is not used: `px.bar` costs about 18 ms a figure, `go.Bar` 1 ms.

The API, smallest first:
- `graph(id, figure, lang)`: a dcc.Graph with the French locale, offline maps and image export;
- `styled(figure, lang)`: apply the identity to a figure built elsewhere (maps, timelines);
- `bar(df, x, y, lang, ...)`: vertical or horizontal bars, one trace per `color` value;
- `before_after(df, lang, ...)`: shares before and after the programme, with a reference line;
- `empty(message, lang)`: the figure shown when a selection has no data.
Shares are drawn in percent (0-100) with a "%" suffix, because d3's "%" format cannot put the
French narrow no-break space before the sign.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

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


def styled(figure: go.Figure, lang: str, *, height: int | None = 320) -> go.Figure:
    """The shared look: font, palette, separators, margins, grid, hover labels."""
    figure.update_layout(
        font={"family": FONT_FAMILY, "size": 13, "color": TEXT_COLOUR},
        separators=plotly_separators(lang),
        colorway=list(PALETTE),
        paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
        margin={"l": 48, "r": 16, "t": 16, "b": 40},
        hoverlabel={"font": {"family": FONT_FAMILY, "size": 13}, "bgcolor": "white"},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        bargap=0.35,
    )
    if height is not None:
        figure.update_layout(height=height)
    figure.update_xaxes(showgrid=False, linecolor=GRID_COLOUR, ticks="", automargin=True)
    figure.update_yaxes(gridcolor=GRID_COLOUR, zeroline=False, linecolor=GRID_COLOUR,
                        automargin=True)
    return figure


def bar(df: pd.DataFrame, x: str, y: str, lang: str, *, color: str | None = None,
        horizontal: bool = False, percent: bool = False, text: bool = True,
        hover: str | None = None) -> go.Figure:
    """Bars of `y` by `x` (categories on x, or on y when `horizontal`), one trace per `color`.

    `percent`: y holds percentages (0-100), labelled with "%". `hover`: a column of ready-made
    hover texts. Categories keep the DataFrame's order.
    """
    groups = [(None, df)] if color is None else list(df.groupby(color, sort=False))
    figure = go.Figure()
    suffix = percent_suffix(lang) if percent else ""
    for index, (name, rows) in enumerate(groups):
        values, categories = rows[y], rows[x]
        value, category = ("x", "y") if horizontal else ("y", "x")
        figure.add_trace(go.Bar(
            x=values if horizontal else categories, y=categories if horizontal else values,
            orientation="h" if horizontal else "v", name=None if name is None else str(name),
            marker_color=PALETTE[index % len(PALETTE)],
            texttemplate=f"%{{{value}:,.0f}}{suffix}" if text else None,
            textposition="outside" if text else None, cliponaxis=False,
            hovertext=rows[hover] if hover else None,
            hovertemplate=("%{hovertext}<extra></extra>" if hover else
                           f"%{{{category}}}{colon(lang)}%{{{value}:,.0f}}{suffix}<extra></extra>"),
        ))
    figure.update_layout(barmode="group", showlegend=color is not None)
    value_axis = figure.update_xaxes if horizontal else figure.update_yaxes
    value_axis(ticksuffix=suffix, rangemode="tozero")
    if horizontal:
        figure.update_yaxes(autorange="reversed")
    return styled(figure, lang)


def before_after(df: pd.DataFrame, lang: str, *, label: str = "label", share: str = "share",
                 n: str = "n", fragile: str | None = None, reference: float | None = None,
                 reference_label: str | None = None) -> go.Figure:
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
    figure = go.Figure(go.Bar(
        x=df[label], y=percents, marker_color=colours, customdata=df[n], showlegend=False,
        texttemplate=f"%{{y:.0f}}{suffix}", textposition="auto", cliponaxis=False,
        insidetextanchor="end", textfont={"size": 16},
        insidetextfont={"color": [_text_on(c) for c in colours], "size": 16},
        outsidetextfont={"color": TEXT_COLOUR, "size": 16},
        hovertemplate=(f"%{{x}}{colon(lang)}%{{y:.0f}}{suffix}<br>n = %{{customdata:,}}"
                       "<extra></extra>"),
    ))
    if reference is not None:
        # Below the bars: the line shows in the gaps and never crosses a bar's label.
        figure.add_hline(y=reference * 100, line_dash="dash", line_color=REFERENCE_COLOUR,
                         line_width=1.5, layer="below")
        # A legend entry for the line: an annotation on the chart would collide with bars.
        figure.add_trace(go.Scatter(
            x=[None], y=[None], mode="lines", hoverinfo="skip", showlegend=True,
            name=f"{reference_label or ''} ({reference * 100:.0f}{suffix})".strip(),
            line={"dash": "dash", "color": REFERENCE_COLOUR, "width": 1.5}))
    figure.update_yaxes(range=[0, 100], ticksuffix=suffix, dtick=25)
    styled(figure, lang)
    figure.update_layout(bargap=0.45, legend={"x": 1, "xanchor": "right"})
    return figure


def _text_on(colour: str) -> str:
    """Dark text on light bars, white on dark ones (WCAG contrast of the bar colour)."""
    red, green, blue = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return TEXT_COLOUR if luminance > 0.45 else "#ffffff"


def empty(message: str, lang: str, *, height: int = 220) -> go.Figure:
    """A blank figure that says why it is blank (no axes, no modebar worth using)."""
    figure = go.Figure()
    figure.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper",
                          yref="paper", font={"size": 15, "color": MUTED_COLOUR})
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return styled(figure, lang, height=height)


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


def graph(id: str, figure: go.Figure, lang: str, *, filename: str | None = None,
          className: str = "impact-graph") -> "dash.dcc.Graph":  # noqa: F821
    """The dcc.Graph of a figure: use it for every chart (locale, maps offline, exports).

    Pair it with `components.table_toggle.chart_card` for the text summary, the table view and
    the PNG / SVG download buttons.
    """
    from dash import dcc

    return dcc.Graph(id=id, figure=figure, config=graph_config(lang, filename or id),
                     className=className)
