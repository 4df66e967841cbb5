"""Tour de France: events, places and people reached, the map of the regions, the cumulative
timeline, the conversion of reached schools into projects, and the guide.

The layout is a skeleton; `render` fills it from the URL (filters, language, the map's
measure `?measure=attendees`), so every view can be bookmarked. `collect` runs the queries of
`dashboard.queries.reach` and `dashboard.queries.guide` for a selection and a scope; `body` is a
pure function of what `collect` returns: the tests call it without a browser.

A click on a region of the map writes `?region=<code>` to the URL (the shell then sets the
region dropdown), and a click on the only region selected removes that filter.

The package: `base` (measures, colours, texts), the sections (`regions`, `timeline`,
`conversion`, `guide`), `layout` (`body`), `callbacks` (`collect`); `page` registers the page
with Dash. What it shares with the outcomes page is in dashboard/map_pages.py.
"""

from dashboard.pages.tour.callbacks import collect, export_file, measure_search
from dashboard.pages.tour.layout import body
from dashboard.pages.tour.timeline import timeline_figure

__all__ = [
    "body", "collect", "export_file", "measure_search", "timeline_figure",
]
