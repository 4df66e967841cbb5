"""Résultats des projets: what the projects produced for the organisations.

Headline figures (projects, organisations, delivery, use at six months, satisfaction,
beneficiaries, students and mentors), a map by the organisation's region, projects by status,
tech type, cause and edition, satisfaction and use by tech type, and, for staff only, the table
of projects. Every figure comes from `dashboard.queries.outcomes`, which applies the filters,
the account's scope and the small-cell rule; the page formats and labels.

Rules the page adds (DESIGN.md sections 6 and 7):
- a rate computed on fewer than 5 answered projects is shown with its n and the words
  "estimation fragile" (not only a grey colour);
- project counts are never hidden; a student count or an organisation-survey figure hidden
  by the query layer shows "< K";
- the table of projects is row-level data: `render` asks for it only when the account has the
  full view (`scope.full_view`), so the rows never leave the server for funders and schools.

The package: `base` (measures, vocabularies, texts), the sections (`kpis`, `regions`,
`breakdowns`, `projects`), `layout` (`body`), `callbacks` (`collect`); `page` registers the
page with Dash. What it shares with the Tour de France page is in
dashboard/map_pages.py.
"""

from dashboard.pages.outcomes.base import rate_text
from dashboard.pages.outcomes.callbacks import collect, export_file, measure_search
from dashboard.pages.outcomes.layout import body
from dashboard.pages.outcomes.projects import projects_block
from dashboard.pages.outcomes.regions import map_figure, map_table

__all__ = [
    "body", "collect", "export_file", "map_figure", "map_table", "measure_search", "projects_block",
    "rate_text",
]
