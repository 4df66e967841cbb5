"""The figure cache (dashboard/cache.py): keyed by the scope, invalidated by loads, unloads and
erasures, in memory or in Redis, and used by the app's requests only.

Scopes: a funder scoped to region 84 and one edition, a school account, and staff ask for the
same call; each gets its own figures, the ones the uncached function computes for it, whatever
was cached before. Invalidation: files loaded through `etl.load.load_paths` (as `impact load`
and the upload page do), a batch unloaded, a person forgotten, on SQLite and on PostgreSQL.
Redis: a dedicated database number and a key prefix per test, deleted afterwards.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pandas as pd
import pytest

from dashboard import cache
from dashboard.queries import awareness, outcomes, overview, reach
from dashboard.queries.base import STAFF, Filters, Scope
from etl import settings as etl_settings
from etl.load import forget, load_paths, unload
from tests.auth_helpers import (
    ACCOUNTS, FUNDER_EDITION, FUNDER_REGION, SCHOOL, client_for, demo_warehouse, response_of,
    url_callback,
)
from tests.conftest import make_settings

REDIS_URL = "redis://127.0.0.1:6379/11"  # a database number of the tests' own
FUNDER = Scope(role="funder", editions=(FUNDER_EDITION,), regions=(FUNDER_REGION,),
               user=ACCOUNTS["funder"][0])
SCHOOL_SCOPE = Scope(role="school", schools=(SCHOOL,), user=ACCOUNTS["school"][0])
K = 5

ORGANISATIONS = """\
org_id,name,legal_form,cause,city,region_code
ORG-1,Les Amis du Code,association,education,Lyon,84
ORG-2,Fondation Santé,fondation,sante,Rennes,53
"""
PROJECTS = """\
project_id,title,org_id,school_id,edition,tech_type,status,students_count,mentors_count,start_date,end_date
PRJ-1,Appli de dons,ORG-1,CS,2026-2027,web_app,delivered,4,1,2026-10-01,2027-03-01
PRJ-2,Carte des soins,ORG-2,Mines ParisTech,2026-2027,data_analysis,in_progress,3,,01/10/2026,
"""
EVENTS = """\
event_id,date,city,region_code,school_id,event_type,attendees,students_attending,organisations_attending
EVT-1,2026-10-05,Lyon,84,,workshop,30,20,3
EVT-2,2026-11-23,Paris,11,CentraleSupélec,conference,120,90,
"""
SURVEY_HEADER = ("email,school,edition,wave,submitted_at,knows_ess,ess_structures_known,"
                 "wants_useful,tech_for_good,consider_ess_career,intends_volunteer,"
                 "satisfaction,recommend\n")


def write(folder: Path, name: str, content: str) -> Path:
    path = folder / name
    path.write_text(content, encoding="utf-8")
    return path


def survey(people: int) -> str:
    return SURVEY_HEADER + "".join(
        f"person{i}@example.org,CS,2026-2027,pre,2026-10-0{1 + i % 9},Vaguement,Association,"
        "4,4,3,4,,\n"
        for i in range(people))


def loaded(reports) -> list[int]:
    assert all(r.ok for r in reports), [r.message for r in reports if not r.ok]
    return [r.batch_id for r in reports]


@pytest.fixture
def memory_cache():
    with cache.enabled(cache.make_cache(etl_settings.get_settings())) as figure_cache:
        yield figure_cache


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    url = demo_warehouse(tmp_path_factory, "cache-demo")
    yield url
    etl_settings.configure(None)


@pytest.fixture
def demo(demo_url):
    etl_settings.configure(make_settings(demo_url))
    yield demo_url
    etl_settings.configure(None)


def redis_settings(database_url: str, prefix: str) -> etl_settings.Settings:
    return make_settings(database_url, redis_url=REDIS_URL, extra={"cache_prefix": prefix})


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own in the tests' Redis database, emptied afterwards."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis unreachable at {REDIS_URL}: {error}")
    prefix = f"impact-test:{uuid.uuid4().hex[:12]}:"
    yield prefix
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


# ---- scopes never share an entry -------------------------------------------------------------

CALLS = {
    "overview.headline": lambda scope: overview.headline(Filters(), scope, K),
    "overview.filter_options": lambda scope: overview.filter_options(scope),
    "reach.reach_kpis": lambda scope: reach.reach_kpis(Filters(), scope, K),
    "outcomes.export_table": lambda scope: outcomes.export_table(Filters(), scope, K),
    "awareness.headline": lambda scope: awareness.headline(Filters(), scope, K),
    "awareness.breakdown": lambda scope: awareness.breakdown("school", Filters(), scope, K),
}


def same(a, b) -> bool:
    if isinstance(a, pd.DataFrame):
        return isinstance(b, pd.DataFrame) and a.equals(b)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def uncached(name: str, scope: Scope):
    """The call as written: outside a request, with no cache forced."""
    previous, cache._forced = cache._forced, None
    try:
        return CALLS[name](scope)
    finally:
        cache._forced = previous


@pytest.mark.parametrize("name", CALLS)
def test_same_filters_different_scopes_never_share_an_entry(demo, memory_cache, name):
    expected = {scope: uncached(name, scope) for scope in (STAFF, FUNDER, SCHOOL_SCOPE)}
    assert not same(expected[STAFF], expected[FUNDER]), "the demo must tell these scopes apart"
    for order in ((STAFF, FUNDER, SCHOOL_SCOPE), (FUNDER, SCHOOL_SCOPE, STAFF)):
        memory_cache.clear()
        for _round in range(2):  # computed, then served from the cache
            for scope in order:
                assert same(CALLS[name](scope), expected[scope]), (name, scope.role)
    assert memory_cache.stats.hits > 0


def test_the_key_holds_role_scope_filters_k_and_arguments(demo, memory_cache):
    engine_url, version = "sqlite:///x", (1, 2)
    base = {"filters": Filters.of(regions="84"), "scope": STAFF, "k": 5}
    variants = [
        {**base, "scope": FUNDER},
        {**base, "scope": Scope(role="funder", editions=(FUNDER_EDITION,), regions=("11",))},
        {**base, "scope": Scope(role="staff", regions=(FUNDER_REGION,))},
        {**base, "filters": Filters.of(regions="11")},
        {**base, "k": 10},
        {**base, "lang": "en"},
    ]
    key = cache.make_key("overview.headline", engine_url, version, base)
    others = {cache.make_key("overview.headline", engine_url, version, v) for v in variants}
    others |= {cache.make_key("overview.headline", engine_url, (1, 3), base),
               cache.make_key("overview.headline", "sqlite:///y", version, base),
               cache.make_key("reach.reach_kpis", engine_url, version, base)}
    assert key not in others and len(others) == len(variants) + 3
    # Who the account is does not matter, only what it may see: same scope, same entry.
    twin = Scope(role="funder", editions=(FUNDER_EDITION,), regions=(FUNDER_REGION,),
                 user="another-funder@example.org")
    assert cache.make_key("o.h", engine_url, version, {**base, "scope": FUNDER}) == \
        cache.make_key("o.h", engine_url, version, {**base, "scope": twin})


def test_accounts_get_their_own_figures_through_the_app(demo):
    """The funder asks for the overview right after staff (and the reverse): each gets what
    its scope gives, through the app's requests, where the cache is on."""
    from dashboard.app import create_app
    from dashboard.ids import OVERVIEW_BODY

    app = create_app(make_settings(demo))
    figure_cache = app.server.extensions[cache.EXTENSION]
    app.server.test_client().get("/login")
    clients = {role: client_for(app, role) for role in ("staff", "funder", "school")}

    def body(role: str, search: str = ""):
        answer = url_callback(OVERVIEW_BODY, search).post(clients[role])
        assert answer.status_code == 200, (role, answer.status_code)
        return json.dumps(response_of(answer, OVERVIEW_BODY), sort_keys=True)

    first = {role: body(role) for role in clients}
    assert len(set(first.values())) == 3
    assert figure_cache.stats.misses > 0
    hits = figure_cache.stats.hits
    for role in ("funder", "school", "staff", "funder"):
        assert body(role) == first[role]
    assert figure_cache.stats.hits > hits
    # A funder naming another region in the URL gets its own scope's (empty) selection, not
    # the staff figures cached for that URL.
    staff_other = body("staff", "?region=11")
    assert body("funder", "?region=11") != staff_other
    figure_cache.clear()
    assert body("funder", "?region=11") != staff_other


# ---- a new load, an unload, an erasure: every figure follows -----------------------------------

def test_a_load_an_unload_and_an_erasure_invalidate(warehouse, memory_cache, tmp_path):
    def headline():
        return overview.headline(Filters(), STAFF, K)

    assert headline()["projects"] == 0
    assert headline()["projects"] == 0 and memory_cache.stats.hits == 1

    loaded(load_paths([write(tmp_path, "organisations.csv", ORGANISATIONS),
                       write(tmp_path, "projects.csv", PROJECTS)], engine=warehouse))
    assert headline()["projects"] == 2
    assert reach.reach_kpis(Filters(), STAFF, K)["events"] == 0

    [events_batch] = loaded(load_paths([write(tmp_path, "events.csv", EVENTS)],
                                       engine=warehouse))
    assert reach.reach_kpis(Filters(), STAFF, K)["events"] == 2
    assert headline()["events"] == 2

    unload(events_batch, engine=warehouse)
    assert reach.reach_kpis(Filters(), STAFF, K)["events"] == 0
    assert headline()["events"] == 0

    loaded(load_paths([write(tmp_path, "pre.csv", survey(7))], engine=warehouse))
    assert headline()["n_pre"] == 7
    assert awareness.export_table(Filters(), STAFF, K).set_index(
        ["item", "analysis"]).loc[("knows_ess", "unpaired"), "n_pre"] == 7

    forget("person3@example.org", engine=warehouse)
    assert headline()["n_pre"] == 6
    assert awareness.export_table(Filters(), STAFF, K).set_index(
        ["item", "analysis"]).loc[("knows_ess", "unpaired"), "n_pre"] == 6


def test_only_an_erasure_in_the_audit_log_changes_the_version(sqlite_warehouse):
    """Sign-ins, downloads and account changes are audited on every visit: they must not
    throw the cache away. An erasure must."""
    from etl import users
    from etl.audit import record

    before = cache.warehouse_version(sqlite_warehouse)
    users.add_account(sqlite_warehouse, "someone@example.org", "a-long-password-1", "staff",
                      actor="tests")
    with sqlite_warehouse.begin() as conn:
        record(conn, actor="someone@example.org", action="sign_in", detail={})
        record(conn, actor="someone@example.org", action="download", detail={"figure": "x"})
    assert cache.warehouse_version(sqlite_warehouse) == before
    forget("nobody@example.org", engine=sqlite_warehouse)
    assert cache.warehouse_version(sqlite_warehouse) != before


def test_a_published_snapshot_is_never_cached(warehouse, memory_cache):
    live = overview.headline(Filters(), STAFF, K)
    frozen = {"headline": {**live, "projects": 99, "suppressed": []}}
    assert overview.headline(Filters(), STAFF, K, snapshot=frozen)["projects"] == 99
    assert overview.headline(Filters(), STAFF, K)["projects"] == 0
    assert overview.headline(Filters(), STAFF, K, snapshot=frozen)["projects"] == 99


def test_outside_a_request_nothing_is_cached(sqlite_warehouse):
    """The command line and code calling the functions directly: the app exists (its module
    was imported), but no request is being served, so the functions run as written."""
    from dashboard.app import create_app

    app = create_app(etl_settings.get_settings())
    figure_cache = app.server.extensions[cache.EXTENSION]
    assert cache.active() is None
    reach.reach_kpis(Filters(), STAFF, K)
    reach.reach_kpis(Filters(), STAFF, K)
    assert (figure_cache.stats.hits, figure_cache.stats.misses) == (0, 0)
    with app.server.test_request_context("/"):
        assert cache.active() is figure_cache
        reach.reach_kpis(Filters(), STAFF, K)
        reach.reach_kpis(Filters(), STAFF, K)
    assert (figure_cache.stats.hits, figure_cache.stats.misses) == (1, 1)


def test_the_version_is_read_once_per_request(sqlite_warehouse, monkeypatch):
    from dashboard.app import create_app

    app = create_app(etl_settings.get_settings())
    reads = []
    original = cache.warehouse_version
    monkeypatch.setattr(cache, "warehouse_version", lambda e: reads.append(1) or original(e))
    with app.server.test_request_context("/"):
        overview.headline(Filters(), STAFF, K)
        reach.reach_kpis(Filters(), STAFF, K)
        reach.timeline(Filters(), STAFF, K)
    assert len(reads) == 1
    with app.server.test_request_context("/"):
        overview.headline(Filters(), STAFF, K)
    assert len(reads) == 2


# ---- Redis -------------------------------------------------------------------------------------

def test_redis_is_shared_by_two_workers(sqlite_warehouse, redis_prefix, tmp_path):
    """Two caches on one Redis, as two gunicorn workers have: what one computed, the other
    reads; a load changes the key for both."""
    import redis

    settings = redis_settings(etl_settings.get_settings().database_url, redis_prefix)
    first, second = cache.make_cache(settings), cache.make_cache(settings)
    assert (first.kind, second.kind) == ("redis", "redis")
    loaded(load_paths([write(tmp_path, "organisations.csv", ORGANISATIONS),
                       write(tmp_path, "projects.csv", PROJECTS)], engine=sqlite_warehouse))

    with cache.enabled(first):
        table = outcomes.export_table(Filters(), STAFF, K)
        kpis = outcomes.outcomes_kpis(Filters(), STAFF, K)
    with cache.enabled(second):
        pd.testing.assert_frame_equal(outcomes.export_table(Filters(), STAFF, K), table)
        assert outcomes.outcomes_kpis(Filters(), STAFF, K) == kpis
    assert (first.stats.misses, second.stats.hits, second.stats.misses) == (2, 2, 0)
    client = redis.Redis.from_url(REDIS_URL)
    assert len(list(client.scan_iter(match=f"{redis_prefix}*"))) == 2

    loaded(load_paths([write(tmp_path, "events.csv", EVENTS)], engine=sqlite_warehouse))
    with cache.enabled(second):
        assert reach.reach_kpis(Filters(), STAFF, K)["events"] == 2
        assert outcomes.outcomes_kpis(Filters(), STAFF, K) == kpis  # recomputed: new version
    assert second.stats.misses == 2

    first.clear()
    assert list(client.scan_iter(match=f"{redis_prefix}*")) == []


def test_the_app_uses_redis_when_redis_url_is_set(demo, redis_prefix):
    from dashboard.app import create_app
    from dashboard.ids import OVERVIEW_BODY

    app = create_app(redis_settings(demo, redis_prefix))
    figure_cache = app.server.extensions[cache.EXTENSION]
    assert figure_cache.kind == "redis" and figure_cache.prefix == redis_prefix
    app.server.test_client().get("/login")
    client = client_for(app, "staff")
    first = url_callback(OVERVIEW_BODY, "?region=84").post(client)
    again = url_callback(OVERVIEW_BODY, "?region=84").post(client)
    assert first.status_code == again.status_code == 200
    assert response_of(first, OVERVIEW_BODY) == response_of(again, OVERVIEW_BODY)
    assert figure_cache.stats.hits >= 1 and figure_cache.stats.errors == 0


def test_an_unreachable_redis_only_costs_the_cache(sqlite_warehouse, caplog):
    settings = etl_settings.get_settings().replace(redis_url="redis://127.0.0.1:9/0")
    with cache.enabled(cache.make_cache(settings)) as figure_cache:
        assert overview.headline(Filters(), STAFF, K)["projects"] == 0
        assert overview.headline(Filters(), STAFF, K)["projects"] == 0
    assert figure_cache.stats.errors >= 1 and figure_cache.stats.hits == 0
    assert "figure cache (redis)" in caplog.text


def test_an_argument_the_key_cannot_hold_runs_uncached(sqlite_warehouse, memory_cache):
    import numpy as np

    assert reach.reach_kpis(Filters(), STAFF, np.int64(5))["events"] == 0  # a number: keyed
    assert reach.reach_kpis(Filters(), STAFF, 5)["events"] == 0
    assert (memory_cache.stats.misses, memory_cache.stats.hits) == (1, 1)

    class Opaque:
        pass

    calls = []

    @cache.cached
    def figure(filters, scope, extra=None, engine=None):
        calls.append(extra)
        return {"calls": len(calls)}

    assert figure(Filters(), STAFF, "plain") == figure(Filters(), STAFF, "plain") == {"calls": 1}
    assert figure(Filters(), STAFF, Opaque()) == {"calls": 2}
    assert figure(Filters(), STAFF, Opaque()) == {"calls": 3}  # run as written, never keyed
    assert cache.make_key("x", "u", (), {"k": 5}) == cache.make_key("x", "u", (), {"k": np.int64(5)})
    with pytest.raises(cache.Uncacheable):
        cache.make_key("x", "u", (), {"k": Opaque()})


# ---- the web tier's knobs ------------------------------------------------------------------

def test_the_postgresql_pool_is_sized_from_the_environment():
    from etl.db import WarehouseError, pool_sizing

    assert pool_sizing({}) == (5, 5)
    assert pool_sizing({"IMPACT_DB_POOL_SIZE": "2", "IMPACT_DB_MAX_OVERFLOW": "0"}) == (2, 0)
    for bad in ({"IMPACT_DB_POOL_SIZE": "two"}, {"IMPACT_DB_POOL_SIZE": "0"},
                {"IMPACT_DB_MAX_OVERFLOW": "-1"}):
        with pytest.raises(WarehouseError):
            pool_sizing(bad)


def test_what_two_figures_of_a_request_share_is_built_once_per_request(sqlite_warehouse):
    """The outcomes' table and key figures read the same figures on the regions: built once in
    a request, again in the next one (a load may have come between), at every call outside."""
    import numpy as np
    from flask import Flask

    from dashboard.queries.projects import by_region
    from etl.db import get_engine

    built = []

    def build():
        built.append(1)
        return len(built)

    app = Flask(__name__)
    for _ in range(2):
        with app.test_request_context("/"):
            assert cache.per_request("figures", build) == cache.per_request("figures", build)
    assert len(built) == 2
    cache.per_request("figures", build), cache.per_request("figures", build)
    assert len(built) == 4

    with app.test_request_context("/"):
        regions = by_region(get_engine(), Filters(), False)
        with pytest.raises(ValueError, match="read-only"):
            regions["projects"][0] = 99  # shared with the request's other figures
        assert np.array_equal(by_region(get_engine(), Filters(), False)["projects"],
                              regions["projects"])
