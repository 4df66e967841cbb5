"""Who is signed in, what they may open, and what they may see: enforced on the server.

How the scope flows. A signed-in browser holds one cookie: Flask's session, signed with
SECRET_KEY (HttpOnly, SameSite=Lax, Secure in production), holding a random session id. The
warehouse keeps the open sessions (`app_session`, `etl.users`); on every request Flask-Login
looks the id up and reloads the account, so signing out, a new password, disabling or removing
the account, and `impact users end-sessions` end the session everywhere at the next request,
copies of the cookie included, whichever worker or machine serves it and across restarts; a new
role or scope applies at the next request too. `current_scope()`
turns that account into a `Scope`; `dashboard.pages.context(search)` calls it, so every page
callback computes its figures for the server's idea of the account, whatever the browser sends
in the URL: the queries intersect the URL's filters with the scope (`queries.base.effective`).

What is public: the sign-in page (`/login`, `/logout`) and static files (`/assets/`,
`/_dash-component-suites/`, the favicon). Everything else needs a session: a page opened
without one redirects to /login?next=...; Dash's own routes (`/_dash-layout`,
`/_dash-dependencies`, `/_dash-update-component`) and any other request answer 401.

Who may open what (403 otherwise):
- a page declares its roles: `dash.register_page(__name__, path="/donnees", ...,
  roles=("admin", "staff"))`; without `roles`, every signed-in account may open it, except the
  paths of `DEFAULT_PAGE_ROLES` (/donnees, /admin), staff-only even if a page forgets to say so.
  The roles are checked for the page's URL, for the page router's rendering of its layout
  (another account gets an "access denied" block) and for every callback defined in the page's
  module: a callback POST crafted outside the UI answers 403.
- a callback defined elsewhere (a shared component) whose outputs belong to a restricted page:
  `restrict_callbacks("data-", ("admin", "staff"))` restricts every callback with an output id
  (or a pattern-matching id's "type") starting with "data-".
- a Flask route (upload, download): decorate it with `@require_roles("admin", "staff")`, or
  `restrict_path("/upload", ("admin", "staff"))`.

Code that runs outside a request (the `impact` command line, reports built by a command,
tests calling page functions) gets the staff scope: it runs with the server's own credentials.
Dash background callbacks would run outside the request too: pass them the scope explicitly.

The package: `roles` (the roles and what restricts to them), `account` (the session, the
scope, the audit log), `gate` (who reaches which page and callback), `menu` (the shell's
account menu), `limits` (failed sign-ins counted for every worker), `wiring` (`init_app`).
"""

from dashboard.auth.account import (
    NOBODY, audit, audit_download, audit_later, current_account, current_scope, scope_of,
    sign_in, sign_out)
from dashboard.auth.gate import (
    LOGIN_PATH, LOGOUT_PATH, Gate, callback_roles, may_open, page_of_module, page_roles,
    visible_links)
from dashboard.auth.limits import limiter_storage_uri, make_limiter
from dashboard.auth.menu import ACCOUNT_EMAIL, ACCOUNT_MENU, LOGOUT_BUTTON, account_menu
from dashboard.auth.roles import (
    ADMIN_ROLES, ALL_ROLES, STAFF_ROLES, require_roles, restrict_callbacks, restrict_path)
from dashboard.auth.wiring import init_app

__all__ = [
    "ACCOUNT_EMAIL", "ACCOUNT_MENU", "ADMIN_ROLES", "ALL_ROLES", "LOGIN_PATH", "LOGOUT_BUTTON",
    "LOGOUT_PATH", "NOBODY", "STAFF_ROLES", "Gate", "account_menu", "audit", "audit_download",
    "audit_later", "callback_roles", "current_account", "current_scope", "init_app",
    "limiter_storage_uri", "make_limiter", "may_open", "page_of_module", "page_roles",
    "require_roles", "restrict_callbacks", "restrict_path", "scope_of", "sign_in", "sign_out",
    "visible_links",
]
