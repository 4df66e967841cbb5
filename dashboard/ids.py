"""Every component id of the dashboard, declared once (never type an id string twice).

Sections: the shell (every page), shared components, then one section per page. A page adds its
ids in its own section. Ids that repeat (one per chart, one per KPI) are built by the small
functions at the end, so that a test and the layout use the same spelling.
"""

from __future__ import annotations

# ---- shell ----
URL = "url"  # dcc.Location of the shell: the query string holds filters, language and tab
LANG_SWITCH = "lang-switch"
LANG_STORE = "lang-store"  # {"lang", "title"}: drives <html lang> and the document title
FRESHNESS_STORE = "freshness-store"  # {"as_of", "is_demo"} read once per page load
FRESHNESS_BADGE = "freshness-badge"
DEMO_BANNER = "demo-banner"
NAV_LINKS = "nav-links"
BRAND = "brand"
FOOTER = "footer"
WAREHOUSE_ALERT = "warehouse-alert"

FILTER_EDITION = "filter-edition"
FILTER_SCHOOL = "filter-school"
FILTER_REGION = "filter-region"
FILTER_EDITION_LABEL = "filter-edition-label"
FILTER_SCHOOL_LABEL = "filter-school-label"
FILTER_REGION_LABEL = "filter-region-label"
FILTER_RESET = "filter-reset"
FILTER_TITLE = "filter-title"
SKIP_LINK = "skip-link"
MAIN = "main"

# ---- shared components (pattern-matching types; the index is the chart's graph id) ----
TABLE_TOGGLE = "table-toggle"
TABLE_PANEL = "table-panel"
TABLE_LABELS = "table-labels"
DOWNLOAD_IMAGE = "download-image"  # {"type", "index": graph id, "format": "png" or "svg"}
DOWNLOAD_DONE = "download-done"

# ---- page: overview ----
OVERVIEW_BODY = "overview-body"
OVERVIEW_AWARENESS_GRAPH = "overview-awareness-graph"
OVERVIEW_SUMMARY_TITLE = "overview-summary-title"


def kpi(name: str) -> str:
    """The id of a KPI card: kpi("projects") -> "kpi-projects"."""
    return f"kpi-{name}"


def table_panel_dom_id(graph_id: str) -> str:
    """A plain DOM id for the table of a chart (aria-controls needs a string, not a dict)."""
    return f"{graph_id}-table"
