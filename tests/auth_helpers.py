"""What the access-control tests share: a demo warehouse with one account per role, the app
served by Flask's test client, signing in through the form, and crafted callback requests.

The demo warehouse (seed 7, scale "tiny") is built once per test session and copied for each
test module that asks for one (a copy takes milliseconds, a build about two seconds).
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from etl import db, demo, migrate, users
from etl import settings as etl_settings
from tests.conftest import make_settings

PASSWORD = "a-test-password-1"
FUNDER_EDITION = "2024-2025"
FUNDER_REGION = "84"       # Auvergne-Rhône-Alpes
OTHER_REGION = "11"        # Île-de-France: outside the funder's scope
SCHOOL = "ensimag"         # a school of region 84 in the demo data
ACCOUNTS = {  # role -> (e-mail, scope)
    "admin": ("admin@example.org", {}),
    "staff": ("staff@example.org", {}),
    "funder": ("funder@example.org", {"regions": [FUNDER_REGION], "editions": [FUNDER_EDITION]}),
    "school": ("school@example.org", {"schools": [SCHOOL]}),
}
ROLES = ("anonymous", *ACCOUNTS)


def _template(base: Path) -> Path:
    template = base / "auth-demo-template" / "warehouse.sqlite"
    if template.exists():
        return template
    template.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{template}"
    etl_settings.configure(make_settings(url))
    engine = db.get_engine(url)
    migrate.upgrade(engine)
    reports = demo.build(engine, seed=7, scale="tiny")
    assert all(r.ok for r in reports), [r.message for r in reports if not r.ok]
    for role, (email, scope) in ACCOUNTS.items():
        users.add_account(engine, email, PASSWORD, role, scope, actor="tests")
    etl_settings.configure(None)  # disposes the engine: the file is complete on disk
    return template


def demo_warehouse(tmp_path_factory, name: str) -> str:
    """The URL of a fresh copy of the session's demo warehouse, accounts included."""
    template = _template(tmp_path_factory.getbasetemp())
    folder = tmp_path_factory.mktemp(name)
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{template}{suffix}")
        if source.exists():
            shutil.copy(source, folder / f"warehouse.sqlite{suffix}")
    return f"sqlite:///{folder / 'warehouse.sqlite'}"


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, email: str, password: str = PASSWORD, address: str | None = None,
            **fields):
    """POST the sign-in form as a browser would (token from the form first); `address`: the
    client's IP address; `fields`: more form fields (next, lang)."""
    environ = {"REMOTE_ADDR": address} if address else {}
    token = csrf_of(client.get("/login", environ_base=environ).get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": token, **fields}, environ_base=environ)


def client_for(app, role: str):
    """A test client signed in with the account of `role` (none for "anonymous")."""
    client = app.server.test_client()
    if role != "anonymous":
        answer = sign_in(client, ACCOUNTS[role][0])
        assert answer.status_code == 302, f"{role} could not sign in"
    return client


@dataclass(frozen=True)
class CallbackRequest:
    """A request to /_dash-update-component as the Dash renderer sends it."""

    output: str
    outputs: object
    inputs: list
    state: list
    changed: list

    def body(self) -> dict:
        return {"output": self.output, "outputs": self.outputs, "inputs": self.inputs,
                "state": self.state, "changedPropIds": self.changed}

    def post(self, client, **headers):
        return client.post("/_dash-update-component", data=json.dumps(self.body()),
                           content_type="application/json", headers=headers)


def url_callback(output_id: str, search: str, prop: str = "children") -> CallbackRequest:
    """A page's render callback: one output, the shell's URL search as its input."""
    return CallbackRequest(f"{output_id}.{prop}", {"id": output_id, "property": prop},
                           [{"id": "url", "property": "search", "value": search}], [],
                           ["url.search"])


def response_of(answer, output_id: str, prop: str = "children"):
    return answer.get_json()["response"][output_id][prop]
