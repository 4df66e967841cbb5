"""Page benchmark: the server time of a filter change on every page, at national scale, on
SQLite and on PostgreSQL, without and with the figure cache; the HTTP floor; the cold start.

    python -m bench.pages_bench [--databases sqlite,postgresql] [--combos 100]
                                [--cached-combos 30] [--http-combos 30] [--no-build] [--skip-http] [--skip-start]
                                [--json FILE]

What is timed, per warehouse:
- every page callback that takes the URL's query string (`Input(url, "search")`, the filters:
  dashboard/pages/*.py, discovered from the app's callback map), and the callbacks fed by them
  (one level: the awareness page's view store feeds its body), called as plain functions over
  `--combos` (at least 100) varied selections: everything, one school, one region, one edition,
  several editions, a region and an edition, a school and editions, two regions; one selection
  in five under a funder's scope (one region, one edition) on the pages funders may open.
  * uncached: as the command line runs them (no request, no figure cache); the awareness
    cubes of dashboard/queries/awareness.py stay in memory, as in a serving process.
  * first view after a load: the awareness cubes rebuilt (their one scan per mart).
  * first view after a load once `dashboard.warm` has run (as the load's job does): the
    warm-up timed apart (nobody waits for it), then the first view of every page and the PDF
    path's collection (target: under 500 ms).
  * cached (memory, then Redis when REDIS_URL or a local Redis answers): inside a request of
    the app, like a Dash callback; the first pass fills the cache, the second is timed
    (`--cached-combos` selections: a hit costs the same whatever the selection).
  * each decorated query function (dashboard/queries/*.py), timed during the uncached pass.
- the floor of a filter change: a bare callback returning a go.Figure, through Flask's test
  client, signed in with the demo account (printed beside the page callbacks);
- the outcomes grid's block callback (100 rows of the staff view, sorted, with its JSON);
- over HTTP (werkzeug in a thread, signed in with the demo account): a trivial Dash callback
  (the floor: Flask, the session, Dash's dispatch and JSON) against the overview's render
  callback, uncached and cached, and their ratio.
Once: the cold start of `impact serve` (launch to the sign-in page served, then to the first
signed-in page and its layout), the import time of dashboard.app (`python -X importtime`, the
heaviest packages), and the check that heavy libraries are not imported by dashboard.app.

Warehouses (national scale: 200 schools, 100,000 students, ~2 million survey answers):
SQLite at BENCH_SQLITE_URL, else DATABASE_URL when it is a national SQLite warehouse, else
<tmp>/impact-bench/national.sqlite; PostgreSQL at BENCH_POSTGRES_URL when it names a database,
else the database `impact_bench_pages` of that server (default postgres@127.0.0.1:5432). A
missing one is built (`impact init && impact demo --scale national`: a few minutes; the
command is printed so that you can prepare it beforehand), unless --no-build.

Targets (issue "National scale"): p95 under 50 ms uncached per filter callback; cold start
under 2 s. Figures, never assertions; on a shared machine they are noisy: the load average is
printed before and after.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import json
import logging
import math
import os
import platform
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 50.0
TARGET_COLD_START_S = 2.0
TARGET_FIRST_VIEW_MS = 500.0
HEAVY = ("statsmodels", "kaleido", "weasyprint", "openpyxl")
DEFAULT_SQLITE = Path(tempfile.gettempdir()) / "impact-bench" / "national.sqlite"
DEFAULT_POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
POSTGRES_DATABASE = "impact_bench_pages"
NATIONAL_MIN_SCHOOLS = 200
NATIONAL_MIN_RESPONSES = 100_000
BENCH_SECRET = "pages-bench-secret-" + "0" * 24
BENCH_KEY = "demo-key-not-for-real-data"
FLOOR_IN, FLOOR_OUT = "bench-floor-in", "bench-floor-out"
FIGURE_FLOOR_IN, FIGURE_FLOOR_OUT = "bench-figure-floor-in", "bench-figure-floor-out"
sizes: dict[str, int] = {}  # the largest response of each callback, bytes of JSON


# --------------------------------------------------------------------------- small helpers

def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] if ordered else float("nan")


def summary(values: list[float]) -> dict:
    return {"n": len(values), "p50": percentile(values, 50), "p95": percentile(values, 95),
            "max": max(values) if values else float("nan")}


def ms(seconds: float) -> float:
    return seconds * 1000.0


def load_average() -> str:
    try:
        return " ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        return "?"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def impact_command() -> list[str]:
    script = Path(sys.executable).with_name("impact")
    return [str(script)] if script.exists() else [sys.executable, "-m", "impact.cli"]


def row(*cells, widths=(36, 6, 9, 9, 9)) -> str:
    out = []
    for cell, width in zip(cells, widths + (9,) * len(cells)):
        text = f"{cell:.1f}" if isinstance(cell, float) else str(cell)
        out.append(text.ljust(width) if not out else text.rjust(width))
    return " ".join(out)


# --------------------------------------------------------------------------- warehouses

def describe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def is_national(url: str) -> bool:
    from sqlalchemy import create_engine, text

    if url.startswith("sqlite") and not Path(url.split("///", 1)[-1]).exists():
        return False
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            schools = conn.execute(text("SELECT count(*) FROM school")).scalar()
            responses = conn.execute(text("SELECT count(*) FROM mart_response")).scalar()
        return schools >= NATIONAL_MIN_SCHOOLS and responses >= NATIONAL_MIN_RESPONSES
    except Exception:  # noqa: BLE001 - missing database or tables: not a national warehouse
        return False
    finally:
        engine.dispose()


def sqlite_url() -> str:
    if os.environ.get("BENCH_SQLITE_URL"):
        return os.environ["BENCH_SQLITE_URL"]
    env = os.environ.get("DATABASE_URL", "")
    if env.startswith("sqlite") and is_national(env):
        return env
    return f"sqlite:///{DEFAULT_SQLITE}"


def postgres_url() -> str:
    from sqlalchemy.engine import make_url

    given = make_url(os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_SERVER))
    if given.database in (None, "", "postgres", "template1"):
        given = given.set(database=POSTGRES_DATABASE)
    return given.render_as_string(hide_password=False)


def ensure_postgres_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                  {"n": target.database}).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        admin.dispose()


def is_own(url: str) -> bool:
    """A warehouse the bench made (its default places), which it may upgrade."""
    from sqlalchemy.engine import make_url

    if url.startswith("sqlite"):
        return Path(url.split("///", 1)[-1]) == DEFAULT_SQLITE
    return make_url(url).database == POSTGRES_DATABASE


def prepare(kind: str, build: bool) -> str | None:
    url = sqlite_url() if kind == "sqlite" else postgres_url()
    if is_national(url):
        if is_own(url):  # the schema may have moved on since it was built (new indexes)
            subprocess.run(impact_command() + ["init"], env={**os.environ, "DATABASE_URL": url},
                           cwd=ROOT, capture_output=True, text=True, check=False)
        return url
    how = (f"DATABASE_URL='{describe(url)}' impact init && "
           f"DATABASE_URL='{describe(url)}' impact demo --scale national")
    if not build:
        print(f"{kind}: no national warehouse at {describe(url)}; prepare one with\n    {how}")
        return None
    print(f"{kind}: building a national warehouse at {describe(url)} (a few minutes; "
          f"to prepare it yourself: {how})", flush=True)
    if kind == "sqlite":
        Path(url.split("///", 1)[-1]).parent.mkdir(parents=True, exist_ok=True)
    else:
        ensure_postgres_database(url)
    env = {**os.environ, "DATABASE_URL": url}
    started = time.perf_counter()
    for command in (["init"], ["demo", "--scale", "national"]):
        done = subprocess.run(impact_command() + command, env=env, cwd=ROOT,
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"{kind}: `impact {' '.join(command)}` failed:\n{done.stdout}{done.stderr}")
            return None
    print(f"{kind}: built in {time.perf_counter() - started:.0f} s")
    return url


def bench_settings(url: str, **changes):
    from etl.settings import Settings

    return Settings(database_url=url, pseudonym_key=BENCH_KEY, min_cell=5,
                    secret_key=BENCH_SECRET, **changes)


def redis_url() -> str | None:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
        return url
    except Exception:  # noqa: BLE001 - no Redis here: the Redis figures are skipped
        return None


# --------------------------------------------------------------------------- selections

@dataclass(frozen=True)
class Selection:
    label: str
    search: str
    scope: object  # dashboard.queries.base.Scope


def selections(count: int, seed: int = 7) -> list[Selection]:
    """Varied filter combinations from the warehouse's own choices (staff, and one in five under
    a funder's scope)."""
    from dashboard.view import build_search
    from dashboard.queries.base import STAFF, Filters, Scope
    from dashboard.queries.overview import filter_options

    options = filter_options(STAFF)
    editions = [o["value"] for o in options["edition"]]
    schools = [o["value"] for o in options["school"]]
    regions = [o["value"] for o in options["region"]]
    rng = random.Random(seed)
    kinds = [
        ("everything", lambda: Filters()),
        ("one school", lambda: Filters.of(schools=[rng.choice(schools)])),
        ("one region", lambda: Filters.of(regions=[rng.choice(regions)])),
        ("one edition", lambda: Filters.of(editions=[rng.choice(editions)])),
        ("several editions", lambda: Filters.of(
            editions=rng.sample(editions, min(len(editions), rng.randint(2, 3))))),
        ("region + edition", lambda: Filters.of(editions=[rng.choice(editions)],
                                                regions=[rng.choice(regions)])),
        ("school + editions", lambda: Filters.of(
            editions=rng.sample(editions, min(len(editions), 2)),
            schools=[rng.choice(schools)])),
        ("two regions", lambda: Filters.of(regions=rng.sample(regions, 2))),
    ]
    chosen = []
    for i in range(count):
        label, make = kinds[i % len(kinds)]
        filters = make()
        scope = STAFF
        if i % 5 == 4:
            scope = Scope(role="funder", regions=(rng.choice(regions),),
                          editions=(rng.choice(editions),), user="bench-funder@example.org")
            label = f"{label} (funder)"
        chosen.append(Selection(label, build_search(filters.to_query()), scope))
    return chosen


# --------------------------------------------------------------------------- page callbacks

def _outputs(key: str) -> list[tuple[str, str]]:
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    found = []
    for part in parts:
        part = part.split("@", 1)[0]
        component, _, prop = part.rpartition(".")
        found.append((component, prop))
    return found


@dataclass
class PageCallback:
    name: str
    page: str
    function: object
    inputs: list[tuple[str, str]]
    states: list[tuple[str, str]]
    outputs: list[tuple[str, str]]
    level: int
    staff_only: bool
    error: str | None = None

    def call(self, known: dict):
        """The callback as Dash calls it, in a callback context where its first input
        triggered it (some callbacks ask `ctx.triggered_id`)."""
        from dash._callback_context import context_value
        from dash._utils import AttributeDict

        args = [known.get(i) for i in self.inputs] + [known.get(s) for s in self.states]
        component, prop = self.inputs[0]
        token = context_value.set(AttributeDict(triggered_inputs=[
            {"prop_id": f"{component}.{prop}", "value": args[0]}]))
        try:
            return self.function(*args)
        finally:
            context_value.reset(token)

    def remember(self, result, known: dict) -> None:
        from dash import no_update

        values = [result] if len(self.outputs) == 1 else list(result or [])
        for output, value in zip(self.outputs, values):
            if value is not no_update and not isinstance(value, type(no_update)):
                known[output] = value


def page_callbacks(app) -> list[PageCallback]:
    """Callbacks of dashboard/pages/ taking the URL's query string, and those fed by them."""
    import dash

    from dashboard.auth import ALL_ROLES, page_of_module, page_roles

    entries = []
    for key, entry in app.callback_map.items():
        function = getattr(entry.get("callback"), "__wrapped__", None)
        module = getattr(function, "__module__", "") or ""
        if not module.startswith("dashboard.pages."):
            continue
        page = page_of_module(module)
        staff_only = page is not None and set(page_roles(page)) != set(ALL_ROLES)
        plain = lambda items: [(str(i["id"]), i["property"]) for i in items]
        short = module.split(".")[2]  # the page: dashboard.pages.<page>[.<its module>]
        entries.append(PageCallback(
            name=f"{short}.{function.__name__}",
            page=short, function=function, inputs=plain(entry["inputs"]),
            states=plain(entry["state"]), outputs=_outputs(key), level=-1,
            staff_only=staff_only))
    url = ("url", "search")
    first = [c for c in entries if url in c.inputs]
    for callback in first:
        callback.level = 0
    produced = {o for c in first for o in c.outputs}
    for callback in entries:
        if callback.level < 0 and any(i in produced for i in callback.inputs) and \
                not any(p in ("n_clicks", "submit_n_clicks", "clickData") for _, p in
                        callback.inputs):
            callback.level = 1
    return sorted([c for c in entries if c.level >= 0], key=lambda c: (c.page, c.level, c.name))


@contextlib.contextmanager
def scoped(scope):
    """Page code asks `dashboard.pages.current_scope()`; the bench answers with `scope`."""
    from dashboard import pages

    previous = pages.current_scope
    pages.current_scope = lambda: scope
    try:
        yield
    finally:
        pages.current_scope = previous


class QueryTimer:
    """Times every decorated query function (dashboard/queries/*.py) while it is attached."""

    def __init__(self):
        self.times: dict[str, list[float]] = defaultdict(list)
        self._patched: list[tuple[object, str, object]] = []

    @contextlib.contextmanager
    def attached(self):
        from dashboard.queries import awareness, guide, outcomes, overview, reach

        for module in (overview, reach, guide, outcomes, awareness):
            for name, function in list(vars(module).items()):
                # `vars(function)`: sqlalchemy's `func` answers any attribute name
                if inspect.isfunction(function) and "uncached" in vars(function):
                    self._patched.append((module, name, function))
                    setattr(module, name, self._timed(f"{module.__name__.rsplit('.', 1)[-1]}"
                                                      f".{name}", function))
        try:
            yield self
        finally:
            for module, name, function in self._patched:
                setattr(module, name, function)
            self._patched.clear()

    def _timed(self, label: str, function):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.times[label].append(ms(time.perf_counter() - started))
        timed.uncached = function.uncached
        return timed


def run_page(callbacks: list[PageCallback], selection: Selection, times: dict,
             request_context=None, cpu: dict | None = None) -> None:
    """One filter change on every page: level-0 callbacks, then those they feed; each
    callback's time includes the JSON of its response (Dash's encoder), whose largest size is
    kept in `sizes`; `cpu` (if given) gets the CPU time of this thread beside the wall time
    (on a shared machine, wall time is mostly waiting for a core)."""
    from dash._utils import to_json

    by_page = defaultdict(list)
    for callback in callbacks:
        if callback.error is None and not (callback.staff_only and
                                           selection.scope.role not in ("staff", "admin")):
            by_page[callback.page].append(callback)
    for page, chain in by_page.items():
        known = {("url", "search"): selection.search, ("url", "pathname"): "/"}
        total = 0.0
        for callback in chain:
            context = request_context() if request_context else contextlib.nullcontext()
            with scoped(selection.scope), context:
                started, cpu_started = time.perf_counter(), time.thread_time()
                try:
                    result = callback.call(known)
                    size = len(to_json(result))  # the response's JSON, as Dash writes it
                except Exception as error:  # noqa: BLE001 - reported, then left out
                    first_line = (str(error).strip().splitlines() or [""])[0]
                    callback.error = f"{type(error).__name__}: {first_line[:120]}"
                    continue
                elapsed = ms(time.perf_counter() - started)
                if cpu is not None:
                    cpu[callback.name].append(ms(time.thread_time() - cpu_started))
            sizes[callback.name] = max(sizes.get(callback.name, 0), size)
            callback.remember(result, known)
            times[callback.name].append(elapsed)
            total += elapsed
        times[f"{page}: whole filter change"].append(total)


def time_database(kind: str, url: str, args) -> dict:
    from dashboard import cache
    from dashboard.app import create_app
    from dashboard.queries import awareness
    from etl import db
    from etl.settings import configure

    print(f"\n--- {kind}: {describe(url)} (load average {load_average()})", flush=True)
    settings = bench_settings(url)
    configure(settings)
    app = create_app(settings)
    app.server.test_client().get("/login")  # Dash moves the pages' callbacks into the app
    callbacks = page_callbacks(app)
    chosen = selections(args.combos)

    def in_request():
        """A callback request of the app (no session: the bench gives the scope)."""
        return app.server.test_request_context("/_dash-update-component", method="POST")

    result: dict = {"database": kind, "url": describe(url), "selections": len(chosen)}

    engine = db.get_engine(url)
    version = []
    for _ in range(50):
        started = time.perf_counter()
        cache.warehouse_version(engine)
        version.append(ms(time.perf_counter() - started))
    result["version_query_ms"] = summary(version)

    # The first view after a load: the awareness cubes are rebuilt by one scan per mart.
    cold: dict[str, list[float]] = defaultdict(list)
    awareness.clear_cache()
    app_cache = app.server.extensions.pop(cache.EXTENSION)
    try:
        run_page(callbacks, chosen[0], cold, in_request)
    finally:
        app.server.extensions[cache.EXTENSION] = app_cache
    result["first_view_after_load_ms"] = {k: v[0] for k, v in cold.items()}
    result.update(first_view_warmed(app, callbacks, chosen[0], in_request))

    uncached: dict[str, list[float]] = defaultdict(list)
    uncached_cpu: dict[str, list[float]] = defaultdict(list)
    timer = QueryTimer()
    app_cache = app.server.extensions.pop(cache.EXTENSION)  # requests of an app without cache
    try:
        with timer.attached():
            for i, selection in enumerate(chosen):
                run_page(callbacks, selection, uncached, in_request, uncached_cpu)
                if (i + 1) % 25 == 0:
                    print(f"  uncached: {i + 1}/{len(chosen)} selections", flush=True)
    finally:
        app.server.extensions[cache.EXTENSION] = app_cache
    result["uncached"] = {k: summary(v) for k, v in uncached.items()}
    result["uncached_cpu"] = {k: summary(v) for k, v in uncached_cpu.items()}
    result["grid_block_uncached"] = time_grid_blocks(app, chosen, in_request)
    result["figure_floor_ms"] = time_floor(app)
    result["json_kb"] = {name: size / 1000 for name, size in sizes.items()}
    result["queries_uncached"] = {k: summary(v) for k, v in timer.times.items()}
    result["errors"] = {c.name: c.error for c in callbacks if c.error}

    backends = [("memory", app.server.extensions[cache.EXTENSION])]
    redis = redis_url()
    if redis:
        prefix = f"impact-bench:{uuid.uuid4().hex[:8]}:"
        backends.append(("redis", cache.make_cache(bench_settings(
            url, redis_url=redis, extra={"cache_prefix": prefix}))))
    for name, figure_cache in backends:
        figure_cache.clear()
        fill: dict[str, list[float]] = defaultdict(list)
        hits: dict[str, list[float]] = defaultdict(list)
        hit_timer = QueryTimer()
        cached_selections = chosen[: args.cached_combos]
        with cache.enabled(figure_cache):
            for selection in cached_selections:
                run_page(callbacks, selection, fill, in_request)
            with hit_timer.attached():
                for selection in cached_selections:
                    run_page(callbacks, selection, hits, in_request)
        result[f"cached_{name}"] = {k: summary(v) for k, v in hits.items()}
        result[f"cache_fill_{name}"] = {k: summary(v) for k, v in fill.items()}
        result[f"queries_cached_{name}"] = {k: summary(v) for k, v in hit_timer.times.items()}
        result[f"cache_stats_{name}"] = {"hits": figure_cache.stats.hits,
                                         "misses": figure_cache.stats.misses,
                                         "errors": figure_cache.stats.errors}
        print(f"  cached ({name}): done", flush=True)
        if name == "redis":
            figure_cache.clear()

    if not args.skip_http:
        result["http"] = time_http(app, chosen[: args.http_combos], chosen)
    configure(None)
    return result


def time_floor(app, runs: int = 200) -> dict | None:
    """The floor of a filter change: a bare callback returning a go.Figure (one bar), posted
    through Flask's test client, signed in (session, Dash's dispatch, the figure's JSON)."""
    import plotly.graph_objects as go
    from dash import Input, Output

    from etl.settings import get_settings

    credentials = demo_credentials(get_settings().database_url)
    if credentials is None:
        return None
    if FIGURE_FLOOR_OUT not in {key.split(".")[0] for key in app.callback_map}:
        app.callback(Output(FIGURE_FLOOR_OUT, "figure"), Input(FIGURE_FLOOR_IN, "value"))(
            lambda v: go.Figure(go.Bar(x=["a", "b"], y=[1, v or 0])))
    client = app.server.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": credentials[0], "password": credentials[1],
                                "csrf_token": token})
    times = []
    for i in range(runs + 20):
        body = callback_body(FIGURE_FLOOR_OUT, "figure", FIGURE_FLOOR_IN, "value", i)
        started = time.perf_counter()
        answer = client.post("/_dash-update-component", json=body)
        if answer.status_code != 200:
            raise RuntimeError(f"floor callback: HTTP {answer.status_code}")
        if i >= 20:
            times.append(ms(time.perf_counter() - started))
    return summary(times)


def time_grid_blocks(app, chosen: list[Selection], in_request) -> dict:
    """The outcomes grid's block callback (staff): 100 rows sorted by edition, with its JSON,
    uncached, over the staff selections."""
    from dash._utils import to_json

    from dashboard import cache
    from dashboard.pages import context
    from dashboard.pages.outcomes.projects import projects_block

    request = {"startRow": 0, "endRow": 100, "sortModel": [{"colId": "edition", "sort": "desc"}]}
    times, largest = [], 0
    app_cache = app.server.extensions.pop(cache.EXTENSION)
    try:
        for selection in chosen:
            if not selection.scope.full_view:
                continue
            with in_request(), scoped(selection.scope):
                started = time.perf_counter()
                view = context(selection.search)
                largest = max(largest, len(to_json(projects_block(
                    view.filters, view.scope, view.k, view.lang, request))))
                times.append(ms(time.perf_counter() - started))
    finally:
        app.server.extensions[cache.EXTENSION] = app_cache
    return {**summary(times), "json_kb": largest / 1000}


def first_view_warmed(app, callbacks: list[PageCallback], selection: Selection,
                      in_request) -> dict:
    """The first view after a load once `dashboard.warm` has run (what the load's job, or a
    thread after an unload, does in the serving process): everything per version forgotten
    (structures and figure cache), the warm-up timed (nobody waits for it), then the first
    view of every page, and the report's PDF path's collection, timed."""
    from dashboard import cache, warm
    from dashboard.queries import awareness
    from dashboard.queries.base import STAFF, Filters
    from dashboard.report import collect

    figure_cache = app.server.extensions[cache.EXTENSION]
    awareness.clear_cache()
    figure_cache.clear()
    started = time.perf_counter()
    done = warm.warm_in_app(app)
    warm_s = time.perf_counter() - started
    first: dict[str, list[float]] = defaultdict(list)
    run_page(callbacks, selection, first, in_request)
    with in_request():
        started = time.perf_counter()
        collect.collect(Filters(), STAFF)
        pdf_collect = ms(time.perf_counter() - started)
    figure_cache.clear()
    return {"warm_s": warm_s, "warm_views": done["views"],
            "first_view_warmed_ms": {k: v[0] for k, v in first.items()},
            "pdf_collect_warmed_ms": pdf_collect}


# --------------------------------------------------------------------------- over HTTP

def demo_credentials(url: str) -> tuple[str, str] | None:
    """The demo staff account of a demo warehouse (created when missing; never on real data)."""
    from sqlalchemy import select

    from etl import users
    from etl.db import get_engine
    from etl.schema import load_batch

    engine = get_engine(url)
    account = users.get_account(engine, users.DEMO_EMAIL)
    if account is None:
        with engine.connect() as conn:
            flags = [bool(v) for v in conn.execute(
                select(load_batch.c.is_demo).where(load_batch.c.status == "loaded")).scalars()]
        if not flags or not all(flags):
            return None
        users.ensure_demo_account(engine, actor="bench")
    return users.DEMO_EMAIL, users.DEMO_PASSWORD


def sign_in(base: str, email: str, password: str):
    import requests

    session = requests.Session()
    page = session.get(f"{base}/login", timeout=60)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answer = session.post(f"{base}/login", data={"email": email, "password": password,
                                                 "csrf_token": token},
                          allow_redirects=False, timeout=60)
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in refused ({answer.status_code})")
    return session


def callback_body(output_id: str, prop: str, input_id: str, input_prop: str, value) -> dict:
    return {"output": f"{output_id}.{prop}", "outputs": {"id": output_id, "property": prop},
            "inputs": [{"id": input_id, "property": input_prop, "value": value}],
            "state": [], "changedPropIds": [f"{input_id}.{input_prop}"]}


def time_http(app, uncached_selections: list[Selection], cached_selections) -> dict:
    from dash import Input, Output
    from werkzeug.serving import make_server

    from dashboard import cache
    from dashboard.ids import OVERVIEW_BODY
    from etl.settings import get_settings

    credentials = demo_credentials(get_settings().database_url)
    if credentials is None:
        print("  HTTP: no demo account and not a demo warehouse: skipped")
        return {}
    app.callback(Output(FLOOR_OUT, "children"), Input(FLOOR_IN, "value"))(lambda v: v)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    figure_cache = app.server.extensions[cache.EXTENSION]
    try:
        session = sign_in(base, *credentials)
        url = f"{base}/_dash-update-component"

        def post(body) -> float:
            started = time.perf_counter()
            answer = session.post(url, json=body, timeout=120)
            elapsed = ms(time.perf_counter() - started)
            if answer.status_code != 200:
                raise RuntimeError(f"{body['output']}: HTTP {answer.status_code}")
            return elapsed

        def floor_body(i):
            return callback_body(FLOOR_OUT, "children", FLOOR_IN, "value", i)

        def page_body(selection):
            return callback_body(OVERVIEW_BODY, "children", "url", "search", selection.search)

        for i in range(20):
            post(floor_body(i))
        floor = [post(floor_body(i)) for i in range(200)]
        uncached = []
        for selection in uncached_selections:  # the signed-in account is staff
            figure_cache.clear()
            uncached.append(post(page_body(selection)))
        figure_cache.clear()
        for selection in cached_selections:
            post(page_body(selection))
        cached = [post(page_body(selection)) for selection in cached_selections]
    finally:
        server.shutdown()
        thread.join(timeout=10)
    result = {"floor": summary(floor), "overview_uncached": summary(uncached),
              "overview_cached": summary(cached)}
    result["ratio_uncached_p50"] = result["overview_uncached"]["p50"] / result["floor"]["p50"]
    result["ratio_cached_p50"] = result["overview_cached"]["p50"] / result["floor"]["p50"]
    return result


# --------------------------------------------------------------------------- start and imports

def cold_start(url: str, runs: int = 3) -> dict:
    """`impact serve` launched -> the sign-in page served; then the first signed-in page."""
    import requests

    credentials = demo_credentials(url)
    ready, first_page = [], []
    for _ in range(runs):
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("IMPACT_")}
        env.update(DATABASE_URL=url, SECRET_KEY=BENCH_SECRET, IMPACT_PSEUDONYM_KEY=BENCH_KEY)
        started = time.perf_counter()
        process = subprocess.Popen(impact_command() + ["serve", "--port", str(port)], cwd=ROOT,
                                   env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            while time.perf_counter() - started < 120:
                try:
                    if requests.get(f"{base}/login", timeout=5).status_code == 200:
                        break
                except requests.RequestException:
                    time.sleep(0.02)
            else:
                raise RuntimeError("impact serve did not answer within 120 s")
            ready.append(time.perf_counter() - started)
            if credentials:
                session = sign_in(base, *credentials)
                session.get(f"{base}/", timeout=60).raise_for_status()
                session.get(f"{base}/_dash-layout", timeout=60).raise_for_status()
                first_page.append(time.perf_counter() - started)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    return {"login_page_s": summary(ready),
            "first_signed_in_page_s": summary(first_page) if first_page else None}


def import_times() -> dict:
    """dashboard.app's import: wall time (3 runs), the heaviest packages, the heavy libraries."""
    walls = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import dashboard.app"], cwd=ROOT, check=True,
                       capture_output=True)
        walls.append(time.perf_counter() - started)
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import dashboard.app"],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    best: dict[str, tuple[int, int]] = {}
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name = parts[2].rstrip()
        depth = (len(name) - len(name.lstrip()) - 1) // 2
        package, cumulative = name.strip().split(".")[0], int(parts[1])
        if package not in best or (depth, -cumulative) < (best[package][0], -best[package][1]):
            best[package] = (depth, cumulative)
    heaviest = sorted(((p, c / 1e6) for p, (d, c) in best.items()), key=lambda x: -x[1])[:12]
    check = subprocess.run([sys.executable, "-c", (
        "import dashboard.app, sys; print(sorted({m.split('.')[0] for m in sys.modules "
        f"if m.split('.')[0] in {HEAVY!r}}}))")], cwd=ROOT, capture_output=True, text=True,
        check=False)
    return {"python_c_import_s": summary(walls), "importtime_s": dict(heaviest),
            "heavy_imported": check.stdout.strip().splitlines()[-1] if check.stdout else "?"}


# --------------------------------------------------------------------------- report

def print_database(result: dict) -> None:
    kind = result["database"]
    print(f"\n=== {kind}: {result['url']}, {result['selections']} selections ===")
    v = result["version_query_ms"]
    print(f"version stamp query (once per request when cached): p50 {v['p50']:.2f} ms, "
          f"p95 {v['p95']:.2f} ms")
    print("\nfirst view after a load (awareness cubes rebuilt), ms:")
    for name, value in result["first_view_after_load_ms"].items():
        if name.endswith("whole filter change"):
            print("  " + row(name.split(":", 1)[0], f"{value:.1f}"))
    if "warm_s" in result:
        print(f"\nwarm-up after a load (dashboard.warm, in the background: "
              f"{result['warm_views']} views): {result['warm_s']:.2f} s; then the first view, "
              f"ms (target < {TARGET_FIRST_VIEW_MS:.0f}):")
        for name, value in result["first_view_warmed_ms"].items():
            if name.endswith("whole filter change"):
                print("  " + row(name.split(":", 1)[0], f"{value:.1f}"))
        print("  " + row("PDF path: collect (staff, all)",
                         f"{result['pdf_collect_warmed_ms']:.1f}"))
    print(f"\nfilter callbacks, server time in ms with the response's JSON (target: p95 < "
          f"{TARGET_P95_MS:.0f} ms uncached; CPU: the uncached pass's CPU time):")
    print("  " + row("callback", "n", "unc p50", "unc p95", "mem p50", "mem p95", "redis p50",
                     "redis p95", "target", "CPU p50", "CPU p95"))
    for name, unc in result["uncached"].items():
        mem = result.get("cached_memory", {}).get(name, {})
        red = result.get("cached_redis", {}).get(name, {})
        cpu = result.get("uncached_cpu", {}).get(name, {})
        verdict = "ok" if unc["p95"] < TARGET_P95_MS else "MISSED"
        print("  " + row(name, unc["n"], unc["p50"], unc["p95"], mem.get("p50", "-"),
                         mem.get("p95", "-"), red.get("p50", "-"), red.get("p95", "-"),
                         verdict, cpu.get("p50", "-"), cpu.get("p95", "-")))
    floor = result.get("figure_floor_ms")
    if floor:
        print("  " + row("floor: bare go.Figure callback (test client)", floor["n"],
                         floor["p50"], floor["p95"]))
    grid = result.get("grid_block_uncached")
    if grid:
        print("  " + row("outcomes.projects_page (100 rows)", grid["n"], grid["p50"],
                         grid["p95"], "-", "-", "-", "-",
                         "ok" if grid["p95"] < TARGET_P95_MS else "MISSED"))
    largest = sorted(result.get("json_kb", {}).items(), key=lambda x: -x[1])[:6]
    print("largest responses (JSON, kB): " + ", ".join(f"{n} {kb:.0f}" for n, kb in largest)
          + (f", outcomes.projects_page {grid['json_kb']:.0f}" if grid else ""))
    print("\nquery functions (dashboard/queries), ms: uncached, and served by the cache")
    print("  " + row("function", "calls", "unc p50", "unc p95", "unc max", "mem p50",
                     "mem p95", "redis p50", "redis p95"))
    for name, s in sorted(result["queries_uncached"].items(), key=lambda x: -x[1]["p95"]):
        mem = result.get("queries_cached_memory", {}).get(name, {})
        red = result.get("queries_cached_redis", {}).get(name, {})
        print("  " + row(name, s["n"], s["p50"], s["p95"], s["max"], mem.get("p50", "-"),
                         mem.get("p95", "-"), red.get("p50", "-"), red.get("p95", "-")))
    for name in ("memory", "redis"):
        if f"cache_stats_{name}" in result:
            print(f"cache ({name}): {result[f'cache_stats_{name}']}")
    if result["errors"]:
        print("callbacks left out (they need a Dash callback context or failed):")
        for name, error in result["errors"].items():
            print(f"  {name}: {error}")
    http = result.get("http")
    if http:
        print("\nover HTTP (werkzeug in a thread, signed in), ms:")
        for name in ("floor", "overview_uncached", "overview_cached"):
            s = http[name]
            print("  " + row(name, s["n"], s["p50"], s["p95"], s["max"]))
        print(f"  overview / floor (p50): uncached {http['ratio_uncached_p50']:.1f}x, "
              f"cached {http['ratio_cached_p50']:.1f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages_bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--combos", type=int, default=100, help="selections (default 100)")
    parser.add_argument("--cached-combos", type=int, default=30,
                        help="selections timed with the cache, per backend (default 30)")
    parser.add_argument("--http-combos", type=int, default=30,
                        help="selections timed uncached over HTTP (default 30)")
    parser.add_argument("--no-build", action="store_true", help="skip a missing warehouse")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-start", action="store_true", help="no cold start, no imports")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)

    logging.getLogger("dashboard").setLevel(logging.ERROR)
    print(f"pages bench: {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"load average {load_average()} (a shared machine gives noisy figures)")
    figures: dict = {"cpus": os.cpu_count(), "load_before": load_average(), "databases": []}
    urls = {}
    for kind in [k.strip() for k in args.databases.split(",") if k.strip()]:
        url = prepare(kind, build=not args.no_build)
        if url:
            urls[kind] = url
    for kind, url in urls.items():
        result = time_database(kind, url, args)
        figures["databases"].append(result)
        print_database(result)

    if not args.skip_start:
        print("\n=== start-up ===")
        imports = import_times()
        figures["imports"] = imports
        wall = imports["python_c_import_s"]
        print(f"python -c 'import dashboard.app': p50 {wall['p50']:.2f} s (3 runs)")
        print("heaviest packages under dashboard.app (-X importtime, cumulative s): " +
              ", ".join(f"{p} {s:.2f}" for p, s in imports["importtime_s"].items()))
        print(f"heavy libraries imported by dashboard.app {HEAVY}: {imports['heavy_imported']}"
              "  (target: [])")
        start_url = urls.get("sqlite") or next(iter(urls.values()), None)
        if start_url:
            start = cold_start(start_url)
            figures["cold_start"] = start
            login = start["login_page_s"]
            print(f"cold start, `impact serve` -> sign-in page served: p50 {login['p50']:.2f} s,"
                  f" max {login['max']:.2f} s (target < {TARGET_COLD_START_S:.0f} s)")
            if start["first_signed_in_page_s"]:
                first = start["first_signed_in_page_s"]
                print(f"cold start -> first signed-in page and its layout: "
                      f"p50 {first['p50']:.2f} s")
    figures["load_after"] = load_average()
    print(f"\nload average after: {figures['load_after']}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
