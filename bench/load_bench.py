"""Load benchmark: 50 simulated users browsing and filtering the dashboard served by gunicorn
with several workers, at national scale, with the shared Redis cache.

    python -m bench.load_bench [--databases sqlite,postgresql] [--users 50] [--spawn-rate 10]
                               [--run-time 60s] [--workers 3] [--threads 2] [--no-redis]

For each warehouse (the national ones of bench/pages_bench.py, built when missing unless
--no-build): gunicorn as the Procfile runs it (`dashboard.app:server`, `--workers 3 --threads 2
--keep-alive 75` by default; with gunicorn's default 2 s keep-alive, a client reusing a
connection the server has just closed gets a reset, the "HTTP 0" errors of a first run), on a free loopback port, with REDIS_URL (a key prefix of its own, emptied before
and after) and a shared SECRET_KEY; then locust, headless (`-u 50 -r 10 -t 60s`), with
bench/locustfile.py: each user signs in (the demo staff account; one user in five a funder
account scoped to one region and one edition, created in a demo warehouse when missing), opens
pages and changes filters (a pool of `--searches` selections, so views repeat as they do in
real use). Printed: requests per second, p50/p95/p99 and errors, overall and per request type.

Everything runs on this machine: locust's own CPU competes with the server's, and on a shared
machine the figures are noisy (the load average is printed). Bounded: locust stops after
--run-time (plus 30 s to finish), gunicorn is stopped (its process group) whatever happens.
Needs locust (`pip install -e '.[bench]'`).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench import pages_bench

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
FUNDER_EMAIL = "bench-funder@example.org"
FUNDER_PASSWORD = "bench-funder-password-1"


def parse_seconds(text: str) -> int:
    units = {"s": 1, "m": 60, "h": 3600}
    return int(text[:-1]) * units[text[-1]] if text[-1] in units else int(text)


# --------------------------------------------------------------------------- the plan

def _callback_spec(key: str, entry: dict, name: str) -> dict:
    outputs = [{"id": c, "property": p} for c, p in pages_bench._outputs(key)]
    def plain(items):
        return [[str(i["id"]), i["property"]] for i in items]

    return {"name": name, "output": key, "outputs": outputs if key.startswith("..")
            else outputs[0], "inputs": plain(entry["inputs"]), "state": plain(entry["state"])}


def make_plan(url: str, searches: int, folder: Path) -> Path:
    """What the simulated users request: pages, their callbacks, accounts, selections."""
    import dash

    from dashboard.app import create_app
    from dashboard.auth import page_roles
    from etl.settings import configure

    settings = pages_bench.bench_settings(url)
    configure(settings)
    app = create_app(settings)
    app.server.test_client().get("/login")
    page_chains = {}
    for callback in pages_bench.page_callbacks(app):
        page_chains.setdefault(callback.page, []).append(callback)
    by_function = {}
    shell = []
    router = None
    for key, entry in app.callback_map.items():
        function = getattr(entry.get("callback"), "__wrapped__", None)
        module = getattr(function, "__module__", "") or ""
        inputs = [(str(i["id"]), i["property"]) for i in entry["inputs"]]
        if module.startswith("dashboard.pages."):
            by_function[f"{module.split('.')[2]}.{function.__name__}"] = (key, entry)
        elif module.startswith(("dashboard.app", "dashboard.auth")) and ("url", "search") in inputs:
            shell.append(_callback_spec(key, entry, f"shell.{function.__name__}"))
        elif module.startswith("dash") and ("_pages_location", "pathname") in inputs:
            router = _callback_spec(key, entry, "dash page router")
    pages = []
    for page in dash.page_registry.values():
        short = page["module"].rsplit(".", 1)[-1]
        if page.get("path_template") or short not in page_chains or short in ("login",):
            continue
        callbacks = [_callback_spec(*by_function[c.name], c.name) for c in page_chains[short]]
        pages.append({"path": page["path"], "callbacks": callbacks,
                      "roles": list(page_roles(page))})
    accounts = [{"email": e, "password": p, "role": "staff"}
                for e, p in [pages_bench.demo_credentials(url) or (None, None)] if e]
    funder = funder_account(url)
    if funder:
        accounts.append(funder)
    chosen = [s.search for s in pages_bench.selections(searches, seed=11)]
    plan = {"accounts": accounts, "pages": pages, "shell": shell,
            "router": [router] if router else [], "searches": chosen}
    path = folder / "plan.json"
    path.write_text(json.dumps(plan, indent=1))
    configure(None)
    return path


def funder_account(url: str) -> dict | None:
    """A funder account scoped to one region and one edition, in a demo warehouse only."""
    from dashboard.queries.base import STAFF
    from dashboard.queries.overview import filter_options
    from etl import users
    from etl.db import get_engine

    engine = get_engine(url)
    if users.get_account(engine, FUNDER_EMAIL) is None:
        if pages_bench.demo_credentials(url) is None:
            return None  # not demo data: the bench creates no account there
        options = filter_options(STAFF, engine)
        rng = random.Random(3)
        users.add_account(engine, FUNDER_EMAIL, FUNDER_PASSWORD, "funder",
                          {"regions": [rng.choice(options["region"])["value"]],
                           "editions": [options["edition"][0]["value"]]}, actor="bench")
    return {"email": FUNDER_EMAIL, "password": FUNDER_PASSWORD, "role": "funder"}


# --------------------------------------------------------------------------- the run

def clear_prefix(redis_url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start:start + 500])


def start_gunicorn(url: str, port: int, args, redis_url: str | None, prefix: str,
                   folder: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMPACT_")}
    env.update(DATABASE_URL=url, SECRET_KEY=pages_bench.BENCH_SECRET,
               IMPACT_PSEUDONYM_KEY=pages_bench.BENCH_KEY, IMPACT_CACHE_PREFIX=prefix)
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    command = [sys.executable, "-m", "gunicorn", "dashboard.app:server",
               "--workers", str(args.workers), "--threads", str(args.threads),
               "--bind", f"127.0.0.1:{port}", "--timeout", "120", "--keep-alive", "75",
               "--error-logfile", str(folder / "gunicorn.log")]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_ready(base: str, process: subprocess.Popen, timeout: float = 180) -> float:
    import requests

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError("gunicorn stopped before answering")
        try:
            if requests.get(f"{base}/login", timeout=5).status_code == 200:
                return time.perf_counter() - started
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def run_locust(base: str, plan: Path, args, folder: Path) -> list[dict]:
    locust = shutil.which("locust", path=str(Path(sys.executable).parent)) or "locust"
    prefix = folder / "locust"
    env = {**os.environ, "LOAD_BENCH_PLAN": str(plan)}
    command = [locust, "-f", str(LOCUSTFILE), "--headless", "-u", str(args.users),
               "-r", str(args.spawn_rate), "-t", args.run_time, "--host", base,
               "--csv", str(prefix), "--only-summary", "--stop-timeout", "10",
               "--loglevel", "WARNING"]
    limit = parse_seconds(args.run_time) + 60
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=limit, check=False)
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        raise RuntimeError(f"locust wrote no statistics:\n{done.stdout[-2000:]}"
                           f"{done.stderr[-2000:]}")
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists() and len(failures.read_text().splitlines()) > 1:
        print("  failures:\n    " + "\n    ".join(failures.read_text().splitlines()[1:10]))
    with stats.open() as handle:
        return list(csv.DictReader(handle))


def print_stats(rows: list[dict]) -> dict:
    def number(row, column):
        try:
            return float(row[column])
        except (KeyError, ValueError):
            return float("nan")

    print("  " + pages_bench.row("request", "count", "errors", "req/s", "p50 ms", "p95 ms",
                                 "p99 ms", widths=(40, 8, 8, 8, 8, 8)))
    total = None
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "ALL"
        line = (name[:40], int(number(row, "Request Count")), int(number(row, "Failure Count")),
                number(row, "Requests/s"), number(row, "50%"), number(row, "95%"),
                number(row, "99%"))
        print("  " + pages_bench.row(*line, widths=(40, 8, 8, 8, 8, 8)))
        if row["Name"] == "Aggregated":
            total = dict(zip(("name", "requests", "errors", "rps", "p50_ms", "p95_ms",
                              "p99_ms"), line))
    return total or {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load_bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--run-time", default="60s")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--searches", type=int, default=100,
                        help="selections the users pick from (default 100)")
    parser.add_argument("--no-redis", action="store_true",
                        help="no REDIS_URL: each worker caches in its own memory")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    if shutil.which("locust", path=str(Path(sys.executable).parent)) is None and \
            shutil.which("locust") is None:
        print("locust is not installed: pip install -e '.[bench]'")
        return 1
    redis_url = None if args.no_redis else pages_bench.redis_url()
    print(f"load bench: {args.users} users (spawn {args.spawn_rate}/s) for {args.run_time}, "
          f"gunicorn {args.workers} workers x {args.threads} threads, cache: "
          f"{'Redis' if redis_url else 'memory of each worker'}; {os.cpu_count()} CPUs shared "
          f"with locust, load average {pages_bench.load_average()} (noisy figures)")
    results = []
    for kind in [k.strip() for k in args.databases.split(",") if k.strip()]:
        url = pages_bench.prepare(kind, build=not args.no_build)
        if url is None:
            continue
        folder = Path(tempfile.mkdtemp(prefix=f"impact-load-{kind}-"))
        plan = make_plan(url, args.searches, folder)
        prefix = f"impact-load:{uuid.uuid4().hex[:8]}:"
        port = pages_bench.free_port()
        base = f"http://127.0.0.1:{port}"
        process = start_gunicorn(url, port, args, redis_url, prefix, folder)
        try:
            ready = wait_ready(base, process)
            print(f"\n--- {kind}: {pages_bench.describe(url)}; gunicorn answered after "
                  f"{ready:.1f} s (load average {pages_bench.load_average()})", flush=True)
            rows = run_locust(base, plan, args, folder)
            total = print_stats(rows)
            results.append({"database": kind, **total})
        finally:
            stop(process)
            if redis_url:
                clear_prefix(redis_url, prefix)
        log = (folder / "gunicorn.log").read_text() if (folder / "gunicorn.log").exists() \
            else ""
        if "Traceback" in log:
            print(f"  gunicorn logged errors (see {folder / 'gunicorn.log'})")
    print(f"\nload average after: {pages_bench.load_average()}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
