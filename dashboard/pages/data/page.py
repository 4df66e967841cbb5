"""The page as Dash registers it: Dash executes this module for every app it creates (the
package's other modules are imported once)."""

import dash

from dashboard.pages.data.callbacks import register_callbacks
from dashboard.pages.data.layout import layout

dash.register_page(
    "dashboard.pages.data", layout=layout,
    path="/donnees", order=90, name="Données", nav_key="data.nav",
    title="Données · Latitudes Impact", roles=("admin", "staff"),
    description="Charger les fichiers du programme et vérifier chaque chargement.",
)
register_callbacks()
