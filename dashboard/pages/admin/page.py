"""The page as Dash registers it: Dash executes this module for every app it creates (the
package's other modules are imported once)."""

import dash

from dashboard.pages.admin.callbacks import register_callbacks
from dashboard.pages.admin.layout import layout

dash.register_page(
    "dashboard.pages.admin", layout=layout,
    path="/admin", order=90, name="Comptes", nav_key="admin.nav",
    title="Comptes · Latitudes Impact", description="Gestion des comptes", roles=("admin",),
)
register_callbacks()
