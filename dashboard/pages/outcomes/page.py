"""The page as Dash registers it: Dash executes this module for every app it creates (the
package's other modules are imported once)."""

import dash

from dashboard.pages.outcomes.callbacks import register_callbacks
from dashboard.pages.outcomes.layout import layout

dash.register_page(
    "dashboard.pages.outcomes", layout=layout,
    path="/resultats", order=2, name="Résultats des projets", nav_key="outcomes.nav",
    title="Résultats des projets · Latitudes Impact",
    description="Les projets Tech for Good livrés aux organisations de l'ESS et leur usage.",
)
register_callbacks()
