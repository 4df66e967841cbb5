"""Simulated dashboard users for locust, driven by `bench/load_bench.py` (run that, not this).

Each user signs in through the form (CSRF token first), then browses like a person: opens a
page (its HTML, Dash's layout with the filter choices and freshness, the shell's callbacks and
the page's own callbacks, in the order the renderer sends them: those of the URL first, then
those fed by their outputs), and changes the filters on it a few times, with a pause of
0.5 to 2 s between actions. One user in five is a funder scoped to one region and one edition
(when the bench could create such an account). A user opens only the pages its role may.

What to request comes from the plan written by load_bench.py (LOAD_BENCH_PLAN: a JSON file):
{"accounts": [{"email", "password", "role"}...], "pages": [{"path", "roles",
"callbacks": [{"name", "output", "outputs", "inputs", "state"}]}], "shell": [...],
"router": [Dash's page router], "searches": ["?edition=...", ...]}. Inputs are [component id, property] pairs; an input is
given the URL's query string or pathname, or a value an earlier callback of the page returned.
This file imports nothing of the project, so that locust's processes stay small.
"""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path

from locust import HttpUser, between, task

PLAN = json.loads(Path(os.environ["LOAD_BENCH_PLAN"]).read_text(encoding="utf-8"))
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class DashboardUser(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self):
        accounts = PLAN["accounts"]
        funders = [a for a in accounts if a["role"] == "funder"]
        staff = [a for a in accounts if a["role"] != "funder"]
        self.account = random.choice(funders) if funders and random.random() < 0.2 else \
            random.choice(staff)
        self.pages = [p for p in PLAN["pages"] if self.account["role"] in p["roles"]]
        page = self.client.get("/login", name="GET /login")
        match = CSRF.search(page.text or "")
        token = match.group(1) if match else ""
        with self.client.post("/login", name="POST /login", allow_redirects=False,
                              catch_response=True,
                              data={"email": self.account["email"],
                                    "password": self.account["password"],
                                    "csrf_token": token}) as answer:
            if answer.status_code != 302:
                answer.failure(f"sign-in refused: {answer.status_code}")
        self.page = None

    def _callbacks(self, callbacks: list[dict], path: str, search: str) -> None:
        known = {"url.search": search, "url.pathname": path,
                 "_pages_location.search": search, "_pages_location.pathname": path}
        for callback in callbacks:
            def value(pair):
                return known.get(f"{pair[0]}.{pair[1]}")

            body = {"output": callback["output"], "outputs": callback["outputs"],
                    "inputs": [{"id": i, "property": p, "value": value((i, p))}
                               for i, p in callback["inputs"]],
                    "state": [{"id": i, "property": p, "value": value((i, p))}
                              for i, p in callback["state"]],
                    "changedPropIds": [f"{i}.{p}" for i, p in callback["inputs"][:1]]}
            with self.client.post("/_dash-update-component", json=body, catch_response=True,
                                  name=f"callback {callback['name']}") as answer:
                if answer.status_code == 204:  # no_update everywhere
                    answer.success()
                    continue
                if answer.status_code != 200:
                    answer.failure(f"HTTP {answer.status_code}")
                    continue
                try:
                    response = answer.json().get("response", {})
                except ValueError:
                    answer.failure("not JSON")
                    continue
                for component, props in response.items():
                    for prop, data in props.items():
                        known[f"{component}.{prop}"] = data

    @task(1)
    def open_page(self):
        self.page = random.choice(self.pages)
        search = random.choice(PLAN["searches"])
        path = self.page["path"]
        self.client.get(path + search, name=f"GET {path}")
        self.client.get("/_dash-layout", name="GET /_dash-layout")
        self._callbacks(PLAN["router"] + PLAN["shell"] + self.page["callbacks"], path, search)

    @task(4)
    def change_filters(self):
        if self.page is None:
            return self.open_page()
        search = random.choice(PLAN["searches"])
        path = self.page["path"]
        self._callbacks(PLAN["shell"], path, search)
        self._callbacks(self.page["callbacks"], path, search)
