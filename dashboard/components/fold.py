"""What folds away on narrow screens: the header's menu and the filters.

Under 992 px (Bootstrap's `lg`), a button ("Menu", "Filtres") opens and closes a
`dbc.Collapse`; above, assets/impact.css shows the collapse whatever its state and hides the
button. The button says whether it is open (`aria-expanded`) and which region it opens.
"""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, html

from dashboard import ids

FOLDS = ((ids.NAV_TOGGLE, ids.NAV_COLLAPSE), (ids.FILTER_TOGGLE, ids.FILTER_COLLAPSE))


def fold_button(button_id: str, target_id: str, label: str, className: str) -> html.Button:
    """The button that opens and closes `target_id` on narrow screens (hidden on wide ones)."""
    return html.Button(label, id=button_id, type="button", n_clicks=0,
                       className=f"btn fold-toggle {className}",
                       **{"aria-expanded": "false", "aria-controls": target_id})


def register_callbacks(app) -> None:
    """Each button toggles its collapse in the browser; the menu also closes when a link is
    followed (the page changes under it)."""
    for button_id, target_id in FOLDS:
        inputs = [Input(button_id, "n_clicks")]
        if target_id == ids.NAV_COLLAPSE:
            inputs.append(Input(ids.URL, "pathname"))
        app.clientside_callback(
            ClientsideFunction(namespace="impact", function_name="fold"),
            Output(target_id, "is_open"), Output(button_id, "aria-expanded"),
            *inputs, State(target_id, "is_open"), prevent_initial_call=True)
