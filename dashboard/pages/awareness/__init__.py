"""ESS awareness ("Sensibilisation à l'ESS"): did the programme close the gap?

The headline is the paired estimate on knows_ess ("Oui, précisément"), in a plain sentence, with
the unpaired comparison beside it, the attrition, every item of the questionnaire (a dot and
interval chart and a compact table), the Likert distributions, the post-only items, the change
per school, region or edition (the tab lives in the URL) and the table behind the page as CSV,
CSV Excel (FR) and XLSX.

`render` reads the view from the URL (filters, scope, language, tab) and asks the query layer
(`dashboard.queries.awareness`, which caches and suppresses); `body` is a pure function of those
figures, so the tests call it without a browser. Every small cell arrives already hidden from
the query layer: this module only says so ("< 5"), never computes one back.

The package: `base` (texts, numbers, colours shared by the sections), `charts`, the sections
(`headline`, `items`, `breakdown`), `layout` (`body`), `callbacks`; `page` registers the page
with Dash.
"""

from dash import no_update
from dashboard.pages.awareness.base import interval_text, p_text, people_text, tab_of
from dashboard.pages.awareness.breakdown import breakdown_body
from dashboard.pages.awareness.callbacks import (
    export_file, page_figures, tab_search, view_without_tab)
from dashboard.pages.awareness.headline import attrition_card, headline_cards
from dashboard.pages.awareness.layout import body

__all__ = [
    "attrition_card", "body", "breakdown_body", "export_file", "headline_cards", "interval_text",
    "no_update", "p_text", "page_figures", "people_text", "tab_of", "tab_search",
    "view_without_tab",
]
