"""Two gunicorn workers, one Redis, one warehouse: a load made by staff from the command line is
served by every worker at its next request, never a figure cached before it; and the limits of
failed sign-ins are counted for the deployment, not per worker, with Redis and without it.

The server is the Procfile's (`gunicorn dashboard.app:server`), with 2 workers on a free port,
REDIS_URL set (a database number and key prefix of this test's own, deleted afterwards), a
shared SECRET_KEY (the session cookie signed by one worker is read by the other) and a copy of
the tests' demo warehouse (SQLite) with its accounts. Which worker answered each request is in
gunicorn's access log (`%(p)s`, the worker's pid): the test keeps asking, several requests at a
time, until both workers have answered, before the load and after it. Bounded: about a minute
on an idle machine, at most `DEADLINE` seconds of waiting; gunicorn is stopped (its process
group) whatever happens.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.auth_helpers import ACCOUNTS, PASSWORD, csrf_of, demo_warehouse
from tests.conftest import TEST_PSEUDONYM_KEY, make_settings

requests = pytest.importorskip("requests")
redis = pytest.importorskip("redis")

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/12"
DEADLINE = 120.0  # seconds: gunicorn's start on a busy machine, then each round of requests
OVERVIEW_BODY = "overview-body"
EVENTS = """\
event_id,date,city,region_code,school_id,event_type,attendees,students_attending,organisations_attending
MW-EVT-1,2026-10-05,Lyon,84,,workshop,30,20,3
MW-EVT-2,2026-11-23,Paris,11,,conference,120,90,
MW-EVT-3,2026-11-24,Paris,11,,conference,40,30,
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_prefix():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required under CI but unreachable: {error}")
        pytest.skip(f"Redis unreachable at {REDIS_URL}: {error}")
    prefix = f"impact-multiworker:{uuid.uuid4().hex[:12]}:"
    yield prefix
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


class Server:
    """gunicorn with two workers, in its own process group; pids from its access log."""

    def __init__(self, folder: Path, database_url: str, prefix: str | None, **environ: str):
        """`prefix`: the figure cache's key prefix in Redis; None: no REDIS_URL at all."""
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.access_log = folder / "access.log"
        self.error_log = folder / "gunicorn.log"
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("IMPACT_") and k != "REDIS_URL"}
        env.update(DATABASE_URL=database_url,
                   SECRET_KEY="multiworker-test-secret-" + "x" * 16,
                   IMPACT_PSEUDONYM_KEY=TEST_PSEUDONYM_KEY, IMPACT_ENV="development",
                   PYTHONUNBUFFERED="1", **environ)
        if prefix is not None:
            env.update(REDIS_URL=REDIS_URL, IMPACT_CACHE_PREFIX=prefix)
        command = [sys.executable, "-m", "gunicorn", "dashboard.app:server", "-w", "2",
                   "-b", f"127.0.0.1:{self.port}", "--timeout", "120",
                   "--access-logfile", str(self.access_log),
                   "--access-logformat", '%(p)s "%(r)s" %(s)s',
                   "--error-logfile", str(self.error_log)]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def log(self) -> str:
        return self.error_log.read_text() if self.error_log.exists() else ""

    def wait_ready(self) -> None:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"gunicorn stopped:\n{self.log()[-3000:]}"
            try:
                if requests.get(f"{self.base}/login", timeout=10).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        pytest.fail(f"gunicorn did not answer within {DEADLINE:.0f} s:\n{self.log()[-3000:]}")

    def pids(self, request: str = "/_dash-update-component") -> list[str]:
        """The worker pid of each request so far whose line holds `request`, in order."""
        if not self.access_log.exists():
            return []
        return [line.split()[0] for line in self.access_log.read_text().splitlines()
                if request in line]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def signed_in(server: Server) -> dict[str, str]:
    """Sign in as staff through the form (CSRF token first); the session cookie it gives."""
    session = requests.Session()
    page = session.get(f"{server.base}/login", timeout=30)
    answer = session.post(f"{server.base}/login", timeout=30, allow_redirects=False, data={
        "email": ACCOUNTS["staff"][0], "password": PASSWORD, "csrf_token": csrf_of(page.text)})
    assert answer.status_code == 302, answer.text[:500]
    return session.cookies.get_dict()


def overview_body(server: Server, cookies: dict) -> str:
    """The overview's render callback, as the browser posts it; a new connection each time,
    so that either worker may take it."""
    body = {"output": f"{OVERVIEW_BODY}.children",
            "outputs": {"id": OVERVIEW_BODY, "property": "children"},
            "inputs": [{"id": "url", "property": "search", "value": ""}],
            "state": [], "changedPropIds": ["url.search"]}
    answer = requests.post(f"{server.base}/_dash-update-component", json=body, cookies=cookies,
                           headers={"Connection": "close"}, timeout=60)
    assert answer.status_code == 200, answer.text[:500]
    return json.dumps(answer.json()["response"][OVERVIEW_BODY]["children"], sort_keys=True)


def on_both_workers(server: Server, cookies: dict) -> set[str]:
    """Ask several times at once until both workers have answered; every answer given."""
    answers: set[str] = set()
    start = len(server.pids())
    deadline = time.monotonic() + DEADLINE
    with ThreadPoolExecutor(max_workers=4) as pool:
        while True:
            answers |= set(pool.map(lambda _: overview_body(server, cookies), range(8)))
            time.sleep(0.2)  # the access log is written after each response
            if len(set(server.pids()[start:])) >= 2:
                return answers
            assert time.monotonic() < deadline, "one worker answered every request"


def test_a_load_is_served_by_every_worker_at_once(tmp_path, tmp_path_factory, redis_prefix):
    from dashboard.queries.base import STAFF, Filters
    from dashboard.queries.overview import headline
    from etl import db
    from etl import settings as etl_settings
    from etl.load import load_paths

    database_url = demo_warehouse(tmp_path_factory, "multiworker")
    etl_settings.configure(make_settings(database_url))
    server = Server(tmp_path, database_url, redis_prefix)
    try:
        server.wait_ready()
        cookies = signed_in(server)

        before = on_both_workers(server, cookies)  # both workers' caches hold the figure now
        assert len(before) == 1, "the workers disagree before any load"
        events_before = headline(Filters(), STAFF, 5)["events"]
        keys = redis.Redis.from_url(REDIS_URL).scan_iter(match=f"{redis_prefix}*")
        assert any(b"overview.headline" in key for key in keys), "nothing cached in Redis"

        # Staff load a file from the command line (the test process), not through the app.
        events = tmp_path / "events.csv"
        events.write_text(EVENTS, encoding="utf-8")
        [report] = load_paths([events], engine=db.get_engine(database_url))
        assert report.ok and report.rows_loaded == 3, report
        assert headline(Filters(), STAFF, 5)["events"] == events_before + 3

        after = on_both_workers(server, cookies)
        assert before.isdisjoint(after), "a worker served the figure cached before the load"
        assert len(after) == 1, "the workers disagree after the load"
        assert len(set(server.pids())) == 2
    finally:
        server.stop()
        etl_settings.configure(None)
    assert "Traceback" not in server.log(), server.log()[-3000:]


# ---- failed sign-ins: counted once for every worker ----

def attempt(server: Server, email: str, password: str, address: str) -> int:
    """One sign-in through the form from `address` (X-Forwarded-For, the server trusting one
    proxy), on new connections so that either worker may take each request."""
    headers = {"X-Forwarded-For": address, "Connection": "close"}
    with requests.Session() as browser:
        page = browser.get(f"{server.base}/login", headers=headers, timeout=60)
        answer = browser.post(f"{server.base}/login", headers=headers, timeout=60,
                              allow_redirects=False, data={
                                  "email": email, "password": password,
                                  "csrf_token": csrf_of(page.text)})
    return answer.status_code


def fail_on_both_workers(server: Server, attempts: list[tuple[str, str]]) -> bool:
    """The failed sign-ins (e-mail, address), four at a time; True when both workers took
    some of them (only then does the next answer say whether the counts are shared)."""
    start = len(server.pids("POST /login"))
    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = list(pool.map(lambda a: attempt(server, a[0], "wrong-password", a[1]),
                              attempts))
    assert codes == [200] * len(attempts), codes  # under the limit: the form again
    time.sleep(0.3)  # the access log is written after each response
    return len(set(server.pids("POST /login")[start:])) >= 2


@pytest.fixture(params=["redis", "warehouse"])
def limit_store(request):
    """Where the counts are kept: Redis (REDIS_URL set) or, without Redis, the warehouse."""
    if request.param == "redis":
        return request.getfixturevalue("redis_prefix")
    return None


def test_sign_in_limits_are_shared_by_the_workers(tmp_path, tmp_path_factory, limit_store):
    database_url = demo_warehouse(tmp_path_factory, "multiworker-limits")
    server = Server(tmp_path, database_url, limit_store, IMPACT_TRUSTED_PROXIES="1")
    run = uuid.uuid4().hex[:8]  # Redis keeps counts 15 minutes: this run's own e-mails
    octet = int(run[:2], 16)
    try:
        server.wait_ready()
        # Per account: 5 failures spread over both workers, from 5 addresses; the 6th
        # attempt is refused, from anywhere, even with the right password for a real account.
        for round_ in range(5):
            email = f"locked-{run}-{round_}@example.org"
            addresses = [f"198.18.{octet}.{10 * round_ + i}" for i in range(5)]
            if fail_on_both_workers(server, [(email, a) for a in addresses]):
                break
        else:
            pytest.fail("one worker took every sign-in of five rounds")
        assert attempt(server, email, "wrong-password", f"198.19.{octet}.1") == 429
        assert attempt(server, ACCOUNTS["staff"][0], PASSWORD, f"198.19.{octet}.2") == 302

        # Per address: 20 failures (20 e-mails) over both workers; the 21st attempt from that
        # address is refused, even with the right password; another address still signs in.
        address = f"198.19.{octet}.100"
        assert fail_on_both_workers(server, [(f"nobody-{run}-{i}@example.org", address)
                                             for i in range(20)])
        assert attempt(server, ACCOUNTS["staff"][0], PASSWORD, address) == 429
        assert attempt(server, ACCOUNTS["staff"][0], PASSWORD, f"198.19.{octet}.101") == 302
    finally:
        server.stop()
    assert "Traceback" not in server.log(), server.log()[-3000:]
