"""The page as Dash registers it: Dash executes this module for every app it creates (the
package's other modules are imported once)."""

import dash

from dashboard.pages.tour.callbacks import register_callbacks
from dashboard.pages.tour.layout import layout

dash.register_page(
    "dashboard.pages.tour", layout=layout,
    path="/tour", order=1, name="Tour de France", nav_key="tour.nav",
    title="Tour de France · Latitudes Impact",
    description="Les événements du Tour de France de Latitudes, leur public et le guide.",
)
register_callbacks()
