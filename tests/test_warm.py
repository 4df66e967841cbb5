"""One cached report collection per selection, and the figures of a new warehouse version
built right after a load or an unload (dashboard/warm.py), not by the first visitor.

The cached collection must be the uncached one, figure for figure, for every scope, and name
the account that asked (never another account of the same scope, which shares the entry). A
load must give new figures (a new version's keys) and the warm-up must put them in the cache
before anyone asks: in this process (the load job, a thread after an unload) and, from the
command line, in the shared Redis cache. Real SQLite and PostgreSQL, real Redis.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from dashboard import cache, warm
from dashboard.queries.base import STAFF, Filters, Scope
from dashboard.report import collect
from etl import settings as etl_settings
from etl.load import load_paths, unload
from tests.auth_helpers import ACCOUNTS, FUNDER_EDITION, FUNDER_REGION, SCHOOL
from tests.test_cache import demo, demo_url  # noqa: F401 - the demo warehouse, per module

K = 5
FUNDER = Scope(role="funder", editions=(FUNDER_EDITION,), regions=(FUNDER_REGION,),
               user=ACCOUNTS["funder"][0])
SCHOOL_SCOPE = Scope(role="school", schools=(SCHOOL,), user=ACCOUNTS["school"][0])
REDIS_URL = "redis://127.0.0.1:6379/11"  # the tests' own database number (as test_cache)

ORGANISATIONS = """\
org_id,name,legal_form,cause,city,region_code
ORG-1,Les Amis du Code,association,education,Lyon,84
ORG-2,Fondation Santé,fondation,sante,Rennes,53
"""
PROJECTS = """\
project_id,title,org_id,school_id,edition,tech_type,status,students_count,mentors_count,start_date,end_date
PRJ-1,Appli de dons,ORG-1,CS,2026-2027,web_app,delivered,4,1,2026-10-01,2027-03-01
PRJ-2,Carte des soins,ORG-2,Mines ParisTech,2026-2027,data_analysis,in_progress,3,,2026-10-01,
"""
EVENTS = """\
event_id,date,city,region_code,school_id,event_type,attendees,students_attending,organisations_attending
EVT-1,2026-10-05,Lyon,84,,workshop,30,20,3
EVT-2,2026-11-23,Paris,11,CentraleSupélec,conference,120,90,
"""


def write(folder: Path, name: str, content: str) -> Path:
    path = folder / name
    path.write_text(content, encoding="utf-8")
    return path


def loaded(reports) -> list[int]:
    assert all(r.ok for r in reports), [r.message for r in reports if not r.ok]
    return [r.batch_id for r in reports]


def text(data: dict) -> str:
    return collect.canonical_json(data)


def uncached_collect(filters, scope):
    previous, cache._forced = cache._forced, None
    try:
        return collect.collect(filters, scope, K)
    finally:
        cache._forced = previous


@pytest.fixture
def memory_cache():
    with cache.enabled(cache.make_cache(etl_settings.get_settings())) as figure_cache:
        yield figure_cache


# ---- the cached collection --------------------------------------------------------------------

@pytest.mark.parametrize("scope", [STAFF, FUNDER, SCHOOL_SCOPE], ids=["staff", "funder", "school"])
@pytest.mark.parametrize("filters", [Filters(), Filters.of([FUNDER_EDITION]),
                                     Filters.of(regions=["11"])], ids=["all", "edition", "region"])
def test_the_cached_collection_is_the_uncached_one(demo, memory_cache, scope, filters):
    expected = text(uncached_collect(filters, scope))
    first = collect.collect(filters, scope, K)
    again = collect.collect(filters, scope, K)
    assert text(first) == text(again) == expected
    assert memory_cache.stats.hits >= 1


def test_two_accounts_of_one_scope_share_the_figures_never_the_account(demo, memory_cache):
    other = replace(FUNDER, user="second.account@example.org")
    mine = collect.collect(Filters(), FUNDER, K)
    hits = memory_cache.stats.hits
    theirs = collect.collect(Filters(), other, K)
    assert memory_cache.stats.hits == hits + 1  # the same entry
    assert mine["audience"]["account"] == FUNDER.user
    assert theirs["audience"]["account"] == "second.account@example.org"
    assert FUNDER.user not in json.dumps(theirs)
    assert {**theirs, "audience": None} == {**mine, "audience": None}


# ---- a load invalidates, the warm-up rebuilds ----------------------------------------------------

def test_a_load_and_an_unload_invalidate_and_the_warm_up_rebuilds(warehouse, memory_cache,
                                                                  tmp_path):
    def report():
        return collect.collect(Filters(), STAFF, K)["figures"]

    loaded(load_paths([write(tmp_path, "organisations.csv", ORGANISATIONS),
                       write(tmp_path, "projects.csv", PROJECTS)], engine=warehouse))
    done = warm.warm(warehouse)
    assert done["views"] >= 1
    misses = memory_cache.stats.misses
    assert report()["headline"]["projects"] == 2
    assert report()["reach_kpis"]["events"] == 0
    assert memory_cache.stats.misses == misses  # served by the warm-up

    [events] = loaded(load_paths([write(tmp_path, "events.csv", EVENTS)], engine=warehouse))
    warm.warm(warehouse)
    misses = memory_cache.stats.misses
    assert report()["reach_kpis"]["events"] == 2  # the new version's figures, warmed
    assert memory_cache.stats.misses == misses

    unload(events, engine=warehouse)
    misses = memory_cache.stats.misses
    assert report()["reach_kpis"]["events"] == 0  # not warmed: computed, never the old entry
    assert memory_cache.stats.misses > misses


def test_the_default_views_are_staffs_and_each_account_scope(demo):
    from etl.db import get_engine

    views = warm.default_views(get_engine())
    scopes = {scope.key for _, scope in views}
    assert STAFF.key in scopes
    assert replace(FUNDER, user=None).key in scopes and SCHOOL_SCOPE.key in scopes
    assert (Filters(), STAFF) in views
    funder_editions = {filters.editions for filters, scope in views
                       if scope.key == FUNDER.key}
    assert funder_editions == {(), (FUNDER_EDITION,)}  # its latest edition is its only one


def test_the_serving_process_warms_its_app_cache_after_an_unload(sqlite_warehouse, tmp_path):
    import threading

    from dashboard import uploads
    from dashboard.app import create_app

    app = create_app(etl_settings.get_settings())
    figure_cache = app.server.extensions[cache.EXTENSION]
    loaded(load_paths([write(tmp_path, "organisations.csv", ORGANISATIONS),
                       write(tmp_path, "projects.csv", PROJECTS)], engine=sqlite_warehouse))
    [events] = loaded(load_paths([write(tmp_path, "events.csv", EVENTS)],
                                 engine=sqlite_warehouse))
    with app.server.test_request_context("/"):
        assert collect.collect(Filters(), STAFF, K)["figures"]["reach_kpis"]["events"] == 2
        uploads.unload_batch(events)  # as the data page does: then a warm-up thread
    for thread in threading.enumerate():
        if thread.name == "impact-warm":
            thread.join(timeout=120)
    misses = figure_cache.stats.misses
    with app.server.test_request_context("/"):
        figures = collect.collect(Filters(), STAFF, K)["figures"]
    assert figures["reach_kpis"]["events"] == 0 and figures["headline"]["projects"] == 2
    assert figure_cache.stats.misses == misses  # the first view found everything warmed


def test_impact_load_warms_the_shared_redis_cache(sqlite_url, tmp_path, monkeypatch):
    redis = pytest.importorskip("redis")
    from click.testing import CliRunner

    from impact.cli import cli

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis unreachable at {REDIS_URL}: {error}")
    prefix = f"impact-test:{uuid.uuid4().hex[:12]}:"
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("IMPACT_PSEUDONYM_KEY", "warm-test-key-0123456789")
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    monkeypatch.setenv("IMPACT_CACHE_PREFIX", prefix)
    try:
        etl_settings.configure(None)
        CliRunner().invoke(cli, ["init"])
        etl_settings.configure(None)
        result = CliRunner().invoke(cli, ["load", str(write(tmp_path, "organisations.csv",
                                                            ORGANISATIONS))])
        assert result.exit_code == 0, result.output
        assert "figure cache warmed" in result.output
        worker = cache.make_cache(etl_settings.get_settings())  # a web worker's cache
        assert worker.kind == "redis"
        with cache.enabled(worker):
            figures = collect.collect(Filters(), STAFF, K)["figures"]
        assert figures["outcomes_kpis"]["organisations"] == 0  # no project yet
        assert worker.stats.misses == 0 and worker.stats.hits >= 1
    finally:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()
        etl_settings.configure(None)
