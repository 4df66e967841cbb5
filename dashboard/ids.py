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
NAV_TOGGLE = "nav-toggle"  # the menu button of narrow screens
NAV_COLLAPSE = "nav-collapse"  # what it folds: the page links and the header tools
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
FILTER_TOGGLE = "filter-toggle"  # "Filtres": unfolds the filters on narrow screens
FILTER_COLLAPSE = "filter-collapse"
SKIP_LINK = "skip-link"
MAIN = "main"

# ---- shared components (pattern-matching types; the index is the chart's graph id) ----
TABLE_TOGGLE = "table-toggle"
TABLE_PANEL = "table-panel"
TABLE_LABELS = "table-labels"
DOWNLOAD_IMAGE = "download-image"  # {"type", "index": graph id, "format": "png" or "svg"}
DOWNLOAD_DONE = "download-done"

# commentary beside a figure (dashboard.components.commentary): pattern types, {"type",
# "section"}; the editor's ids start with "commentary-edit" (staff-only callbacks)
COMMENTARY_SLOT = "commentary-slot"
COMMENTARY_LIST = "commentary-list"
COMMENTARY_EDIT_FR = "commentary-edit-fr"
COMMENTARY_EDIT_EN = "commentary-edit-en"
COMMENTARY_EDIT_SAVE = "commentary-edit-save"
COMMENTARY_EDIT_REMOVE = "commentary-edit-remove"
COMMENTARY_EDIT_STATUS = "commentary-edit-status"
COMMENTARY_EDIT_PREFIX = "commentary-edit"

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

# ---- page: tour (Tour de France) ----
TOUR_BODY = "tour-body"
TOUR_MAP = "tour-map"
TOUR_MEASURE = "tour-measure"  # pattern type: {"type", "measure"}, one button per map measure
TOUR_TIMELINE_EVENTS = "tour-timeline-events"
TOUR_TIMELINE_ATTENDEES = "tour-timeline-attendees"
TOUR_FUNNEL = "tour-funnel"
TOUR_CONVERSION_EDITION = "tour-conversion-edition"
TOUR_CONVERSION_REGION = "tour-conversion-region"
TOUR_GUIDE_TIMELINE = "tour-guide-timeline"
TOUR_GUIDE_AUDIENCE = "tour-guide-audience"
TOUR_GUIDE_CONVERSION = "tour-guide-conversion"
TOUR_GUIDE_SUMMARY_TITLE = "tour-guide-summary-title"
TOUR_EXPORT = "tour-export"  # pattern type: {"type", "format"}: csv, csv-fr, xlsx
TOUR_EXPORT_DOWNLOAD = "tour-export-download"

# ---- page: outcomes (Résultats des projets) ----
OUTCOMES_BODY = "outcomes-body"
OUTCOMES_MAP = "outcomes-map"
OUTCOMES_MEASURE = "outcomes-measure"  # pattern type: {"type", "measure"}
OUTCOMES_STATUS = "outcomes-status"
OUTCOMES_TECH = "outcomes-tech"
OUTCOMES_CAUSE = "outcomes-cause"
OUTCOMES_EDITION = "outcomes-edition"
OUTCOMES_SATISFACTION_TECH = "outcomes-satisfaction-tech"
OUTCOMES_IN_USE_TECH = "outcomes-in-use-tech"
OUTCOMES_PROJECTS_GRID = "outcomes-projects-grid"  # staff only: row-level projects
OUTCOMES_PROJECTS_TITLE = "outcomes-projects-title"
OUTCOMES_EXPORT = "outcomes-export"  # pattern type: {"type", "format"}
OUTCOMES_EXPORT_DOWNLOAD = "outcomes-export-download"

# ---- page: awareness (Sensibilisation à l'ESS) ----
AWARENESS_BODY = "awareness-body"
AWARENESS_HEADLINE = "awareness-headline"  # the headline sentence
AWARENESS_HEADLINE_LABEL = "awareness-headline-label"
AWARENESS_FALLBACK = "awareness-fallback"  # notice: too few matched, the unpaired one leads
AWARENESS_COMPARISON_GRAPH = "awareness-comparison-graph"
AWARENESS_ATTRITION_GRAPH = "awareness-attrition-graph"
AWARENESS_ITEMS_GRAPH = "awareness-items-graph"
AWARENESS_ITEMS_TABLE = "awareness-items-table"
AWARENESS_TABLE_TITLE = "awareness-table-title"
AWARENESS_LIKERT_GRAPH = "awareness-likert-graph"
AWARENESS_POST_ONLY_GRAPH = "awareness-post-only-graph"
AWARENESS_BREAKDOWN_TABS = "awareness-breakdown-tabs"  # active_tab -> ?tab= in the URL
AWARENESS_BREAKDOWN_GRAPH = "awareness-breakdown-graph"
AWARENESS_DOWNLOAD = "awareness-download"  # dcc.Download of the page's table
AWARENESS_DOWNLOAD_TITLE = "awareness-download-title"
AWARENESS_DOWNLOAD_BUTTON = "awareness-download-button"  # {"type", "format": csv|csv-fr|xlsx}
AWARENESS_NPS = "awareness-nps"  # the net promoter score beside the post-only chart

# ---- page: data (Données, staff only) ----
DATA_INTRO = "data-intro"  # the page header and the upload form, drawn per language
DATA_FORM_LANG = "data-form-lang"  # Store: the language the form was drawn in
DATA_UPLOAD_CONFIG = "data-upload-config"  # Store: {url, csrf, max_bytes, texts...} for upload.js
DATA_DROPZONE = "data-dropzone"  # the label around the file input that upload.js adds
DATA_FILE_INPUT = "data-file-input"  # <input type="file"> created by assets/upload.js
DATA_FILES = "data-files"  # Store: [{name, size}] of the chosen files, set by upload.js
DATA_FILE_LIST = "data-file-list"
DATA_KIND = "data-kind"
DATA_WAVE = "data-wave"
DATA_EDITION = "data-edition"
DATA_SUBMIT = "data-submit"
DATA_UPLOAD_STATUS = "data-upload-status"  # sending progress and refusals
DATA_POLL = "data-poll"  # Interval: polls the job of ?job= while it runs
DATA_JOB = "data-job"  # the job's progress, then its report
DATA_JOB_DONE = "data-job-done"  # Store: the last job whose end the page has applied
DATA_CHANGED = "data-changed"  # Store: bumped after an undo or a new alias
DATA_STATUS = "data-status"  # warehouse counts and the batch list
DATA_ACTION_RESULT = "data-action-result"
DATA_UNDO = "data-undo"  # pattern type: {"type", "index": batch_id}
DATA_UNDO_CONFIRM = "data-undo-confirm"
DATA_UNDO_PENDING = "data-undo-pending"
DATA_REJECTED = "data-rejected"  # the rejected rows of ?batch=
DATA_REJECTED_RESULT = "data-rejected-result"
DATA_REJECTED_GRID = "data-rejected-grid"
DATA_ALIAS_SCHOOL = "data-alias-school"  # pattern type: {"type", "index": position of the name}
DATA_ALIAS_ADD = "data-alias-add"  # pattern type: {"type", "index": position of the name}
DATA_ALIAS_NAMES = "data-alias-names"  # Store: the unknown school names, by position
DATA_RERUN = "data-rerun"
DATA_LABELS = "data-labels"  # the answers set aside, by label, and the labels mapped so far
DATA_LABELS_RESULT = "data-labels-result"  # what mapping or unmapping a label did
DATA_LABELS_TITLE = "data-labels-title"
DATA_LABEL_STEP = "data-label-step"  # pattern type: {"type", "index": position of the label}
DATA_LABEL_SAVE = "data-label-save"  # pattern type: {"type", "index": position of the label}
DATA_LABEL_KEYS = "data-label-keys"  # Store: [{"scale", "label"}] of the labels, by position
DATA_MAPPING_REMOVE = "data-mapping-remove"  # pattern type: {"type", "index": position}
DATA_MAPPING_KEYS = "data-mapping-keys"  # Store: [{"scale", "label"}] of the mappings
DATA_REVEAL = "data-reveal"  # output of the clientside scroll to a panel that opened
DATA_UPLOAD_TITLE = "data-upload-title"
DATA_FORMATS_HELP = "data-formats-help"  # the drop zone's formats and limit (aria-describedby)
DATA_JOB_TITLE = "data-job-title"
DATA_STATUS_TITLE = "data-status-title"
DATA_BATCHES_TITLE = "data-batches-title"
DATA_REJECTED_TITLE = "data-rejected-title"

# ---- page: report (Rapport) ----
REPORT_BODY = "report-body"
REPORT_REFRESH = "report-refresh"  # Store: bumped after a publication, redraws the body
REPORT_PDF_BUTTON = "report-pdf-button"
REPORT_PDF_DOWNLOAD = "report-pdf-download"
REPORT_PDF_STATUS = "report-pdf-status"  # inside a dcc.Loading: the spinner while it renders
REPORT_PACK_BUTTON = "report-pack-button"  # staff only
REPORT_PACK_DOWNLOAD = "report-pack-download"
REPORT_PUBLISH_BUTTON = "report-publish-button"  # staff only
REPORT_PUBLISH_STATUS = "report-publish-status"
REPORT_MAP_GRAPH = "report-map-graph"
REPORT_AWARENESS_GRAPH = "report-awareness-graph"
REPORT_OUTCOMES_GRAPH = "report-outcomes-graph"
AWARENESS_VIEW = "awareness-view"  # dcc.Store: the view's query string without its tab
AWARENESS_BREAKDOWN_BODY = "awareness-breakdown-body"  # redrawn alone when the tab changes
REPORT_ACTIONS = "report-actions"  # the buttons, under the report's status
REPORT_ACTIONS_NOTE = "report-actions-note"
REPORT_HEAD = "report-head"  # the page's title and the publication status, above the buttons
AWARENESS_TAB = "awareness-tab"  # pattern type of the breakdown's buttons: {"type", "tab"}

# ---- pages: tour and outcomes (continued): a change of map measure redraws the map only ----
TOUR_MAP_SLOT = "tour-map-slot"
TOUR_VIEW = "tour-view"  # dcc.Store: the view (query string without the measure) on screen
OUTCOMES_MAP_SLOT = "outcomes-map-slot"
OUTCOMES_VIEW = "outcomes-view"
