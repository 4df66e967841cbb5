"""Accounts (/admin, admins only): create an account, change its role and scope, disable or
enable it, reset its password, end its open sessions, remove it; and who receives the
published report by e-mail (the subscriptions of `impact subscriptions ...`, sent by
`impact deliver`).

The operations are `etl.users`'s, the same as `impact users ...`, with the same rules (a
funder's scope is editions and/or regions, a school account's one or more schools; the last
active admin stays) and the same audit log entries, by the signed-in admin. The page declares
`roles=("admin",)`: `dashboard.auth` refuses the page and every callback of this module to
other accounts (403), whatever the browser sends.

`perform(action, form, actor)` is the whole of an action, testable without a browser; the
callbacks only gather the form and show its message.

The package: `accounts` (ids, the form, `perform`), `subscriptions` (the report's e-mail
recipients), `layout`, `callbacks`; `page` registers the page with Dash.
"""

from dashboard.pages.admin.accounts import (
    CREATE, EDIT_ACCOUNT, EDIT_EDITIONS, EDIT_PASSWORD, EDIT_REGIONS, EDIT_ROLE, EDIT_SCHOOLS,
    END_SESSIONS, NEW_EDITIONS, NEW_EMAIL, NEW_PASSWORD, NEW_REGIONS, NEW_ROLE, NEW_SCHOOLS,
    REMOVE_CONFIRM, RESET, SAVE, TABLE, TOGGLE, VERSION, AccountForm, perform)
from dashboard.pages.admin.layout import body, layout
from dashboard.pages.admin.subscriptions import (
    SUB_BODY, SUB_STATUS, SUB_TABLE, SubscriptionForm, perform_subscription, subscriptions_table)

__all__ = [
    "CREATE", "EDIT_ACCOUNT", "EDIT_EDITIONS", "EDIT_PASSWORD", "EDIT_REGIONS", "EDIT_ROLE",
    "EDIT_SCHOOLS", "END_SESSIONS", "NEW_EDITIONS", "NEW_EMAIL", "NEW_PASSWORD", "NEW_REGIONS",
    "NEW_ROLE", "NEW_SCHOOLS", "REMOVE_CONFIRM", "RESET", "SAVE", "SUB_BODY", "SUB_STATUS",
    "SUB_TABLE", "TABLE", "TOGGLE", "VERSION", "AccountForm", "SubscriptionForm", "body", "layout",
    "perform", "perform_subscription", "subscriptions_table",
]
