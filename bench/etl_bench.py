"""ETL benchmark: the national survey export (100,000 responses x 10 answers, one Google Forms
CSV) loaded end to end (read, validate, pseudonymise, load, refresh the marts) into a fresh
warehouse, on SQLite and on PostgreSQL, beside the bare floor: DuckDB's `read_csv` of the same
file into a table.

    python -m bench.etl_bench [--responses N] [--databases sqlite,postgresql] [--profile DIR]
                              [--forms] [--json FILE]

Each load runs in its own process, so that its peak memory (ru_maxrss) is its own, and prints
wall and CPU time per stage: read_table, detect (recognising the kind), parse_survey, transform
(schools, keys, duplicates), write (responses, answers, rejected rows), marts, other (file
digest, reference look-ups, load_batch rows, commit). PostgreSQL's own CPU (its backends, on
this machine) is shown apart: the COPY and the marts run there, not in our process.

`--forms` also loads, into another fresh warehouse per database, the national demo's latest
answers as the six form tools export them (etl.demo.write_form_exports: Google Forms CSV,
KoboToolbox labels CSV, Microsoft Forms XLSX, LimeSurvey, Typeform, Framaforms), one whole load
per file, so that each reader is timed on real-looking input.

Targets (DESIGN 10, issue "National scale"): under 10 s on SQLite, under 6 s on PostgreSQL,
within 15x of the DuckDB floor, peak memory under 1 GB. Figures, never assertions.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

TARGET_SECONDS = {"sqlite": 10.0, "postgresql": 6.0}
FLOOR_RATIO_TARGET = 15.0
PEAK_MB_TARGET = 1024.0
STAGES = ("read_table", "detect", "parse_survey", "transform", "write", "marts", "other")
BENCH_KEY = "bench-key-not-for-real-data"
POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL",
    os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))


# --------------------------------------------------------------------------- timing

class Clock:
    """Wall and CPU seconds of this process since it was started."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


class StageTimers:
    """Times the ETL's stage functions by wrapping them where the loader looks them up;
    with `server_cpu` (PostgreSQL), also the database server's CPU seconds of each stage."""

    def __init__(self, server_cpu=None):
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)
        self.server: dict[str, float] = defaultdict(float)
        self.server_cpu = server_cpu

    def _timed(self, stage: str, function):
        def timed(*args, **kwargs):
            server = self.server_cpu() if self.server_cpu else 0.0
            clock = Clock()
            try:
                return function(*args, **kwargs)
            finally:
                wall, cpu = clock.lap()
                self.wall[stage] += wall
                self.cpu[stage] += cpu
                if self.server_cpu:
                    self.server[stage] += self.server_cpu() - server
        return timed

    @contextlib.contextmanager
    def attached(self):
        from etl import marts, survey_formats
        from etl.load import batches

        targets = [("read_table", batches, "read_table"), ("detect", batches, "detect_kind"),
                   ("parse_survey", survey_formats, "parse_survey"),
                   ("transform+parse", batches, "surveys"), ("write", batches, "write_survey"),
                   ("write", batches, "write_rejected"), ("marts", marts, "refresh")]
        originals = [(module, name, getattr(module, name)) for _, module, name in targets]
        for stage, module, name in targets:
            setattr(module, name, self._timed(stage, getattr(module, name)))
        try:
            yield self
        finally:
            for module, name, original in originals:
                setattr(module, name, original)

    def stages(self, total_wall: float, total_cpu: float) -> dict[str, tuple[float, float]]:
        result = {}
        for stage in STAGES[:-1]:
            if stage == "transform":  # surveys() calls parse_survey: keep only its own part
                result[stage] = (self.wall["transform+parse"] - self.wall["parse_survey"],
                                 self.cpu["transform+parse"] - self.cpu["parse_survey"])
            else:
                result[stage] = (self.wall[stage], self.cpu[stage])
        result["other"] = (total_wall - sum(w for w, _ in result.values()),
                           total_cpu - sum(c for _, c in result.values()))
        return result


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --------------------------------------------------------------------------- PostgreSQL

def _admin_engine():
    from sqlalchemy import create_engine

    return create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")


def create_postgres_database() -> tuple[str | None, str]:
    """A new database's URL, or None and the reason PostgreSQL cannot be used."""
    from sqlalchemy import text

    name = f"impact_bench_{uuid.uuid4().hex[:10]}"
    try:
        admin = _admin_engine()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as error:  # noqa: BLE001 - any failure means "no PostgreSQL here"
        return None, str(error).splitlines()[0]
    from sqlalchemy.engine import make_url

    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(False), name


def drop_postgres_database(name: str) -> None:
    from sqlalchemy import text

    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _server_cpu(engine) -> float:
    """CPU seconds used so far by the PostgreSQL backends of this database (same machine)."""
    import psutil
    from sqlalchemy import text

    with engine.connect() as conn:
        pids = list(conn.scalars(text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()")))
    total = 0.0
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
    return total


# --------------------------------------------------------------------------- the runs (children)

def child_load(database_url: str, export: Path, wave: str, profile_dir: Path | None) -> dict:
    """Fresh warehouse (schema, reference and the demo's synthetic schools), then one timed load."""
    from etl import db, demo, migrate, settings
    from etl.load import load_paths

    settings.configure(settings.Settings(database_url=database_url, pseudonym_key=BENCH_KEY))
    engine = db.get_engine(database_url)
    migrate.upgrade(engine)
    schools = demo.Generator(42, "national").schools
    demo.add_synthetic_schools(engine, schools[schools["is_synthetic"] == True])  # noqa: E712
    is_postgres = engine.dialect.name == "postgresql"
    server_before = _server_cpu(engine) if is_postgres else 0.0
    rss_before = peak_rss_mb()
    profiler = _profiler(profile_dir)
    timers = StageTimers(server_cpu=(lambda: _server_cpu(engine)) if is_postgres else None)
    clock = Clock()
    with timers.attached():
        reports = load_paths([export], wave=wave, engine=engine)
    wall, cpu = clock.lap()
    if profiler:
        _save_profile(profiler, profile_dir, engine.dialect.name)
    report = reports[0]
    result = {
        "database": engine.dialect.name, "status": report.status, "message": report.message,
        "rows_read": report.rows_read, "rows_new": report.rows_new,
        "rows_rejected": report.rows_rejected, "total": (wall, cpu),
        "stages": timers.stages(wall, cpu), "peak_rss_mb": peak_rss_mb(),
        "rss_before_load_mb": rss_before,
        "server_cpu": _server_cpu(engine) - server_before if is_postgres else None,
        "server_stages": dict(timers.server),
        "answers": _count(engine, "survey_answer"), "responses": _count(engine, "survey_response"),
    }
    db.dispose_engines()
    return result


def child_forms(database_url: str, manifest: Path) -> dict:
    """The six form tools' exports of the national demo, one after the other, into a fresh
    warehouse: wall and CPU time of each file's whole load."""
    from etl import db, demo, migrate, settings
    from etl.load import load_paths

    settings.configure(settings.Settings(database_url=database_url, pseudonym_key=BENCH_KEY))
    engine = db.get_engine(database_url)
    migrate.upgrade(engine)
    schools = demo.Generator(42, "national").schools
    demo.add_synthetic_schools(engine, schools[schools["is_synthetic"] == True])  # noqa: E712
    files = []
    for entry in json.loads(manifest.read_text(encoding="utf-8")):
        clock = Clock()
        report = load_paths([Path(entry["path"])], wave=entry["wave"], engine=engine)[0]
        wall, cpu = clock.lap()
        files.append({"file": Path(entry["path"]).name, "tool": report.tool,
                      "status": report.status, "rows_read": report.rows_read,
                      "rows_loaded": report.rows_loaded, "rows_rejected": report.rows_rejected,
                      "wall": wall, "cpu": cpu})
    db.dispose_engines()
    return {"database": engine.dialect.name, "files": files, "peak_rss_mb": peak_rss_mb()}


def _count(engine, table: str) -> int:
    from sqlalchemy import text

    with engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def _profiler(profile_dir: Path | None):
    if profile_dir is None:
        return None
    from pyinstrument import Profiler  # a developer tool: pip install pyinstrument

    profiler = Profiler(interval=0.002)
    profiler.start()
    return profiler


def _save_profile(profiler, profile_dir: Path, database: str) -> None:
    profiler.stop()
    profile_dir.mkdir(parents=True, exist_ok=True)
    (profile_dir / f"etl_{database}.txt").write_text(
        profiler.output_text(unicode=False, color=False), encoding="utf-8")
    (profile_dir / f"etl_{database}.html").write_text(profiler.output_html(), encoding="utf-8")


def child_duckdb(export: Path) -> dict:
    """The floor: DuckDB's parallel CSV reader straight into a table of a database file."""
    import duckdb

    with tempfile.TemporaryDirectory(prefix="impact-bench-duckdb-") as folder:
        conn = duckdb.connect(str(Path(folder) / "floor.duckdb"))
        clock = Clock()
        conn.execute("CREATE TABLE answers AS SELECT * FROM read_csv(?)", [str(export)])
        rows = conn.execute("SELECT count(*) FROM answers").fetchone()[0]
        wall, cpu = clock.lap()
        threads = conn.execute("SELECT current_setting('threads')").fetchone()[0]
        # For reference: on one thread, as our load runs.
        conn.execute("SET threads = 1")
        clock = Clock()
        conn.execute("CREATE TABLE answers_again AS SELECT * FROM read_csv(?)", [str(export)])
        one_thread = clock.lap()
        conn.close()
    return {"total": (wall, cpu), "one_thread": one_thread, "rows": rows,
            "peak_rss_mb": peak_rss_mb(), "threads": threads, "version": duckdb.__version__}


def run_child(*args: str) -> dict:
    """One run in a fresh interpreter; its JSON result is the last line it prints."""
    command = [sys.executable, "-m", "bench.etl_bench", "--child", *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False,
                          cwd=Path(__file__).resolve().parent.parent)
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(lines[-1])


# --------------------------------------------------------------------------- report

def machine() -> dict:
    load1, load5, _ = os.getloadavg()
    return {"date": dt.date.today().isoformat(), "cores": os.cpu_count(),
            "python": platform.python_version(), "system": platform.platform(terse=True),
            "load_average": (round(load1, 2), round(load5, 2))}


def _seconds(pair) -> str:
    return f"{pair[0]:6.2f} / {pair[1]:6.2f}"


def print_report(info: dict, export: dict, loads: dict[str, dict], floor: dict) -> None:
    print(f"machine: {info['system']}, {info['cores']} cores, Python {info['python']}; "
          f"load average before {info['load_average']}, after {info['load_average_after']}"
          f"{' (BUSY: other work was running)' if info['busy'] else ''}")
    print(f"export: {export['responses']:,} responses, {export['answers']:,} answers, "
          f"{export['megabytes']:.1f} MB, written in {export['seconds']:.1f} s")
    shown = {name: r for name, r in loads.items() if "error" not in r}
    for name, result in loads.items():
        if "error" in result:
            print(f"{name}: not run ({result['error']})")
    if shown:
        print("\nstage (wall s / CPU s)   " + "".join(f"{n:>22}" for n in shown))
        for stage in STAGES:
            print(f"{stage:<24}" + "".join(f"{_seconds(r['stages'][stage]):>22}"
                                          for r in shown.values()))
        print(f"{'total':<24}" + "".join(f"{_seconds(r['total']):>22}" for r in shown.values()))
        if any(len(r.get("all_walls", [])) > 1 for r in shown.values()):
            print(f"{'  every run, wall':<24}" + "".join(
                f"{' '.join(format(w, '.1f') for w in r['all_walls']):>22}"
                for r in shown.values()))
        print(f"{'peak RSS (MB)':<24}" + "".join(f"{r['peak_rss_mb']:>22.0f}"
                                               for r in shown.values()))
        for stage in ("write", "marts"):
            print(f"{'  server CPU, ' + stage:<24}" + "".join(
                f"{(format(r['server_stages'][stage], '.2f') + ' s') if r.get('server_stages') else '-':>22}"
                for r in shown.values()))
        print(f"{'PostgreSQL server CPU':<24}" + "".join(
            f"{(format(r['server_cpu'], '.2f') + ' s') if r['server_cpu'] is not None else '-':>22}"
            for r in shown.values()))
        print(f"{'rows: responses/answers':<24}" + "".join(
            f"{str(r['responses']) + ' / ' + str(r['answers']):>22}" for r in shown.values()))
    if "error" in floor:
        print(f"\nDuckDB floor: not run ({floor['error']}; pip install -e '.[bench]')")
    else:
        print(f"\nDuckDB floor (read_csv into a table, {floor['threads']} threads): "
              f"{_seconds(floor['total'])} s wall / CPU, {floor['rows']:,} rows, peak RSS "
              f"{floor['peak_rss_mb']:.0f} MB; on 1 thread {_seconds(floor['one_thread'])} s")
    print("\ntargets:")
    for name, result in shown.items():
        wall = result["total"][0]
        checks = [(f"{wall:.1f} s (target < {TARGET_SECONDS[name]:.0f} s: "
                   f"{'met' if wall < TARGET_SECONDS[name] else 'MISSED'})"),
                  (f"peak {result['peak_rss_mb']:.0f} MB (< {PEAK_MB_TARGET:.0f}: "
                   f"{'met' if result['peak_rss_mb'] < PEAK_MB_TARGET else 'MISSED'})")]
        if "error" not in floor:
            ratio = wall / floor["total"][0]
            checks.append(f"{ratio:.1f}x the floor (< {FLOOR_RATIO_TARGET:.0f}x: "
                          f"{'met' if ratio < FLOOR_RATIO_TARGET else 'MISSED'})")
        print(f"  {name}: " + "; ".join(checks))
        if result["status"] != "loaded":
            print(f"  {name}: the load did not succeed: {result['message']}")


# --------------------------------------------------------------------------- entry points

def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.etl_bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, default=None,
                        help="responses in the export (default: the national 100,000)")
    parser.add_argument("--export", type=Path, help="load this Google Forms export instead")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="write a pyinstrument profile of each load into DIR")
    parser.add_argument("--repeat", type=int, default=1,
                        help="loads per database; the fastest is shown (a shared machine is noisy)")
    parser.add_argument("--forms", action="store_true",
                        help="also load the national demo's exports of the six form tools")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def child_main(args) -> int:
    kind, *rest = args.child
    if kind == "duckdb":
        result = child_duckdb(Path(rest[0]))
    elif kind == "forms":
        result = child_forms(rest[0], Path(rest[1]))
    else:
        url, export, profile = rest[0], Path(rest[1]), rest[2] if len(rest) > 2 else ""
        result = child_load(url, export, "post", Path(profile) if profile else None)
    print(json.dumps(result))
    return 0


def load_once(name: str, folder: Path, export: Path, profile: str, run: int) -> dict:
    """One load of the export into a fresh warehouse of that database, in a child process."""
    if name == "sqlite":
        return run_child("load", f"sqlite:///{folder / f'warehouse-{run}.sqlite'}",
                         str(export), profile)
    url, database = create_postgres_database()
    if url is None:
        return {"error": f"PostgreSQL unreachable: {database}"}
    try:
        return run_child("load", url, str(export), profile)
    finally:
        drop_postgres_database(database)


def fastest(results: list[dict]) -> dict:
    """The run with the least wall time, the others' totals kept for the record."""
    ran = [r for r in results if "error" not in r]
    if not ran:
        return results[0]
    best = min(ran, key=lambda r: r["total"][0])
    return {**best, "all_walls": [round(r["total"][0], 2) for r in ran]}


def write_export(folder: Path, responses: int | None) -> tuple[Path, dict]:
    from etl import demo

    clock = Clock()
    export = demo.write_national_export(
        folder / "google_forms_national.csv",
        responses=responses or demo.NATIONAL_EXPORT_RESPONSES)
    wall, _ = clock.lap()
    return export.path, _described(export, wall)


def write_form_exports(folder: Path) -> tuple[Path, dict, Path]:
    """The national demo's form exports (six tools) and the national export; a manifest of
    the six for the child that loads them."""
    from etl import demo

    clock = Clock()
    exports = demo.write_form_exports(folder, 42, "national")
    wall, _ = clock.lap()
    national = next(e for e in exports if e.path.name == "google_forms_national.csv")
    manifest = folder / "forms.json"
    manifest.write_text(json.dumps([{"path": str(e.path), "wave": e.wave} for e in exports
                                    if e is not national]), encoding="utf-8")
    return national.path, _described(national, wall), manifest


def _described(export, seconds: float) -> dict:
    return {"responses": export.responses, "answers": export.answers,
            "megabytes": export.path.stat().st_size / 1e6, "seconds": seconds}


def print_forms(name: str, result: dict) -> None:
    if "error" in result:
        print(f"\nform exports on {name}: not run ({result['error']})")
        return
    print(f"\nform exports of the national demo on {name} (whole load of each file, wall / CPU s):")
    for f in result["files"]:
        print(f"  {f['file']:<36} {f['tool'] or '-':<16} {f['rows_read']:>6} rows  "
              f"{f['wall']:6.2f} / {f['cpu']:6.2f}  {f['status']}"
              + (f", {f['rows_rejected']} rejected" if f["rows_rejected"] else ""))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.child:
        return child_main(args)
    info = machine()
    with tempfile.TemporaryDirectory(prefix="impact-bench-etl-") as tmp:
        folder = Path(tmp)
        manifest = None
        if args.export:
            path, export = args.export, {"responses": 0, "answers": 0, "seconds": 0.0,
                                         "megabytes": args.export.stat().st_size / 1e6}
        elif args.forms:
            path, export, manifest = write_form_exports(folder)
        else:
            path, export = write_export(folder, args.responses)
        profile = str(args.profile.resolve()) if args.profile else ""
        databases = [d.strip() for d in args.databases.split(",") if d.strip()]
        loads = {name: fastest([load_once(name, folder, path, profile, run)
                                for run in range(max(1, args.repeat))])
                 for name in databases}
        floor = fastest([run_child("duckdb", str(path)) for _ in range(max(1, args.repeat))])
        forms = {}
        if manifest:
            forms["sqlite"] = run_child("forms", f"sqlite:///{folder / 'forms.sqlite'}",
                                        str(manifest))
            url, database = create_postgres_database()
            if url is None:
                forms["postgresql"] = {"error": f"PostgreSQL unreachable: {database}"}
            else:
                try:
                    forms["postgresql"] = run_child("forms", url, str(manifest))
                finally:
                    drop_postgres_database(database)
    load1, load5, _ = os.getloadavg()
    info["load_average_after"] = (round(load1, 2), round(load5, 2))
    # Our load runs on one core: more than about one other runnable task means shared cores.
    info["busy"] = max(info["load_average"][0], load1) > 1.5
    print_report(info, export, loads, floor)
    for name, result in forms.items():
        print_forms(name, result)
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "export": export, "loads": loads,
                                         "floor": floor, "forms": forms}, indent=2),
                             encoding="utf-8")
    return 0 if all(r.get("status") == "loaded" for r in loads.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
