"""Reusable pieces of layout: pure functions returning Dash components.

- `kpi.kpi_card`, `kpi.kpi_grid`: headline figures;
- `table_toggle.chart_card`: a chart with its text summary, a "view as table" toggle and image
  downloads; `table_toggle.data_table`: an accessible HTML table formatted for a language;
- `page.page_header`: a page's title and lede;
- `filters`, `navbar`, `badges`: the shell (built by dashboard.app); `fold`: the menu and
  filter buttons that fold them away on narrow screens.
Components with client-side behaviour register their callbacks once, from `dashboard.app`.
"""
