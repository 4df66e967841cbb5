"""The page as Dash registers it: Dash executes this module for every app it creates (the
package's other modules are imported once)."""

import dash

from dashboard.pages.awareness.callbacks import register_callbacks
from dashboard.pages.awareness.layout import layout

dash.register_page(
    "dashboard.pages.awareness", layout=layout,
    path="/sensibilisation", order=1, name="Sensibilisation à l'ESS", nav_key="awareness.nav",
    title="Sensibilisation à l'ESS · Latitudes Impact",
    description="La connaissance de l'ESS des étudiants avant et après le programme.",
)
register_callbacks()
