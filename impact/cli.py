"""The `impact` command line: a thin face over etl/ and dashboard/.

Every command reads DATABASE_URL, prints a one-line error and exits non-zero on a user mistake
(1 for a failed operation, 2 for a usage error), and never shows a traceback for one.
"""

from __future__ import annotations

import json
import sys
from functools import wraps
from pathlib import Path

import click

from etl.schema import KINDS


class UserError(click.ClickException):
    """A mistake of the user's: one line, exit 1."""

    def show(self, file=None):
        click.echo(f"impact: {self.format_message()}", err=True)


def _engine(create: bool = False):
    """The warehouse engine, checked reachable (and initialised, unless `create`)."""
    from sqlalchemy.exc import SQLAlchemyError

    from etl import db, migrate
    from etl.settings import SettingsError, get_settings

    try:
        settings = get_settings()
    except SettingsError as error:
        raise UserError(str(error))
    try:
        engine = db.get_engine(settings.database_url)
        if create:
            migrate.upgrade(engine)
        elif not db.is_initialised(engine):
            raise UserError("the warehouse is not initialised: run `impact init` first")
    except SQLAlchemyError as error:
        first = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise UserError(f"cannot reach the warehouse at "
                        f"{db.describe_url(settings.database_url)}: {first}")
    except ValueError as error:
        raise UserError(f"DATABASE_URL is not a valid database URL ({error})")
    return engine


def friendly(command):
    """Turn the known failures of a command into one-line errors."""
    @wraps(command)
    def wrapper(*args, **kwargs):
        from sqlalchemy.exc import SQLAlchemyError

        try:
            return command(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except SQLAlchemyError as error:
            first = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            raise UserError(f"the warehouse refused the operation: {first}")
        except (OSError, RuntimeError, ValueError) as error:
            raise UserError(str(error).splitlines()[0] if str(error) else type(error).__name__)
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli():
    """Latitudes Impact: load the programme's data, explore it, report on it."""


@cli.command()
@friendly
def init():
    """Create or upgrade the warehouse schema."""
    from etl import db
    from etl.settings import get_settings

    _engine(create=True)
    click.echo(f"warehouse ready at {db.describe_url(get_settings().database_url)}")


@cli.command()
@click.option("--seed", type=int, default=42, show_default=True, help="Random seed.")
@click.option("--scale", type=click.Choice(["tiny", "default", "national"]), default="default",
              show_default=True, help="How much data to generate.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the warehouse already holds data.")
@friendly
def demo(seed, scale, if_empty):
    """Fill the warehouse with realistic synthetic data (never over real data)."""
    from etl import demo as demo_module
    from etl.settings import DEMO_PSEUDONYM_KEY, configure, get_settings

    engine = _engine(create=True)
    if if_empty and (demo_module.holds_demo_data(engine) or demo_module.holds_real_data(engine)):
        click.echo("the warehouse already holds data: no demo data added")
        if not demo_module.holds_real_data(engine):
            _demo_account(engine)
        return
    settings = get_settings()
    if not settings.pseudonym_key:
        configure(settings.replace(pseudonym_key=DEMO_PSEUDONYM_KEY))
        click.echo("IMPACT_PSEUDONYM_KEY is not set: the demo uses its own demo key "
                   "(never use it for real data)")
        engine = _engine()
    try:
        reports = demo_module.build(engine, seed=seed, scale=scale, progress=_progress())
    except demo_module.DemoRefused as error:
        raise UserError(str(error))
    _print_reports(reports)
    if any(not r.ok for r in reports):
        sys.exit(1)
    click.echo("demo data loaded (every page says 'données de démonstration')")
    _demo_account(engine)


def _demo_account(engine) -> None:
    """The demo staff account, with a known password: for demo data on one's own machine."""
    from etl import users as accounts
    from etl.settings import get_settings

    if get_settings().is_production:
        click.echo("IMPACT_ENV=production: no demo account created "
                   "(add one with `impact users add EMAIL --role staff`)")
        return
    created = accounts.ensure_demo_account(engine)
    click.echo(f"demo account: {accounts.DEMO_EMAIL}, password: {accounts.DEMO_PASSWORD} "
               f"({'created' if created else 'already there'}, role staff)")
    click.echo("warning: this password is public; it is for demo data only. Before loading "
               "real data, start a new warehouse and create real accounts "
               "(`impact users add`).", err=True)


def _progress():
    interactive = sys.stdout.isatty()

    def show(file_name: str, stage: str):
        if interactive:
            click.echo(f"\r\033[K{stage} {file_name} …", nl=False)
        else:
            click.echo(f"{stage} {file_name}")
    return show


def _warm(engine) -> None:
    """The new version's figures into the shared Redis figure cache, when REDIS_URL is set, so
    that the web workers' first views find them (dashboard/warm.py)."""
    from dashboard import warm

    try:
        done = warm.warm_shared_cache(engine)
    except Exception as error:  # noqa: BLE001 - the data is written; the pages will compute
        click.echo(f"note: the figure cache was not warmed ({type(error).__name__})")
        return
    if done:
        click.echo(f"figure cache warmed for {done['views']} views in {done['seconds']:.1f} s")


def _print_reports(reports) -> None:
    if sys.stdout.isatty():
        click.echo("\r\033[K", nl=False)
    for r in reports:
        if r.status == "failed":
            click.echo(f"✗ {r.message}")
            continue
        if r.status == "skipped":
            click.echo(f"= {r.message}")
            continue
        label = "would load" if r.status == "dry_run" else "loaded"
        batch = f" [batch {r.batch_id}]" if r.batch_id else " [dry run: nothing written]"
        click.echo(f"✓ {r.file}: {r.kind} ({r.tool}): {r.rows_read} rows read, "
                   f"{r.rows_loaded} {label} ({r.rows_new} new, {r.rows_updated} updated, "
                   f"{r.rows_unchanged} unchanged), {r.rows_rejected} rejected{batch}")
        if r.reasons:
            click.echo("    rejected: " + ", ".join(f"{n} {reason.replace('_', ' ')}"
                                                   for reason, n in r.reasons.most_common()))
        if r.answers_set_aside:
            click.echo(f"    answers set aside: {r.answers_set_aside} (their responses are "
                       f"kept; `impact labels list`): " + ", ".join(
                           f"'{row['question']}': '{row['label']}' ({row['count']})"
                           for row in r.set_aside_by_label))
        if r.ignored_columns:
            click.echo("    columns ignored: " + ", ".join(r.ignored_columns))


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--kind", type=click.Choice(KINDS), help="Kind of data (else recognised from the "
              "headers).")
@click.option("--wave", type=click.Choice(["pre", "post", "end", "six_months"]),
              help="Survey wave: pre or post (survey), end or six_months (org-survey).")
@click.option("--edition", "edition_arg", metavar="YYYY-YYYY",
              help="Edition of a survey file, e.g. 2024-2025.")
@click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")
@friendly
def load(paths, kind, wave, edition_arg, dry_run):
    """Load files or folders (CSV, XLSX, a Google Forms .zip)."""
    from etl.load import load_paths
    from etl.transform.common import parse_edition_value

    if edition_arg is not None:
        normalised = parse_edition_value(edition_arg)
        if normalised is None:
            raise click.BadParameter(f"'{edition_arg}' is not an edition such as 2024-2025",
                                     param_hint="--edition")
        edition_arg = normalised
    engine = _engine(create=True)
    reports = load_paths(paths, kind=kind, wave=wave, edition_arg=edition_arg, dry_run=dry_run,
                         engine=engine, progress=_progress())
    _print_reports(reports)
    if any(r.status == "loaded" for r in reports):
        _warm(engine)
    if not reports:
        raise UserError("no supported file found (CSV, XLSX or ZIP)")
    if any(not r.ok for r in reports):
        sys.exit(1)


@cli.command()
@click.argument("batch", type=int)
@friendly
def unload(batch):
    """Take one load batch back out (its rows and what derived tables drew from it)."""
    from etl.load import LoadError, unload as unload_batch

    try:
        removed = unload_batch(batch, _engine())
    except LoadError as error:
        raise UserError(str(error))
    counts = ", ".join(f"{n} from {t}" for t, n in removed.items()) or "no rows"
    click.echo(f"batch {batch} taken out: {counts}")
    _warm(_engine())
    kept, restored = getattr(removed, "kept", {}), getattr(removed, "restored", {})
    if kept:
        click.echo("    kept, as later batches hold them too: "
                   + ", ".join(f"{n} in {t}" for t, n in kept.items()))
    if restored:
        click.echo("    back to the version an earlier batch loaded: "
                   + ", ".join(f"{n} in {t}" for t, n in restored.items()))


@cli.command()
@click.argument("email")
@friendly
def forget(email):
    """Erase one person's data everywhere (recorded in the audit log without the e-mail)."""
    from etl.load import LoadError, forget as forget_person

    try:
        removed = forget_person(email, _engine())
    except LoadError as error:
        raise UserError(str(error))
    total = sum(removed.values())
    click.echo(f"erased {total} row(s) of that person" +
               (": " + ", ".join(f"{n} from {t}" for t, n in removed.items() if n) if total else
                " (nothing was held)"))
    if total:
        _warm(_engine())


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@friendly
def status(as_json):
    """Load batches, row counts and rejected rows."""
    from etl.status import warehouse_status

    state = warehouse_status(_engine())
    if as_json:
        click.echo(json.dumps(state, ensure_ascii=False, indent=2, default=str))
        return
    click.echo("Load batches (newest first):")
    if not state["batches"]:
        click.echo("  none yet: `impact load FILE` or `impact demo`")
    for b in state["batches"]:
        set_aside = (f", answers set aside {b['answers_set_aside']}"
                     if b["answers_set_aside"] else "")
        click.echo(f"  #{b['batch_id']:<4} {b['status']:<9} {b['kind']:<13} {b['file']}  "
                   f"read {b['rows_read']}, loaded {b['rows_loaded']}, "
                   f"rejected {b['rows_rejected']}{set_aside}  ({b['started_at']})")
    click.echo("Rows per table:")
    for table, count in state["counts"].items():
        click.echo(f"  {table:<20} {count}")
    click.echo(f"Rejected rows: {state['rejected_total']}")
    for reason, count in state["rejected_by_reason"].items():
        click.echo(f"  {count} {reason.replace('_', ' ')}")
    by_label = state["answers_set_aside_by_label"]
    click.echo(f"Answers set aside: {sum(row['count'] for row in by_label)}"
               + (" (map a label with `impact labels map`)" if by_label else ""))
    _print_set_aside(by_label)


def _print_set_aside(by_label: list[dict]) -> None:
    for row in by_label:
        click.echo(f"  {row['count']:>5}  {row['scale']:<13} '{row['label']}'  in "
                   f"'{row['question']}'")


# ---- answer labels ----

@cli.group()
def labels():
    """Answers set aside (worded in a way the vocabulary does not know) and the mappings that
    read them.

    Scales and their values: knows_ess 0-2 (2 = "Oui, précisément", 1 = "Vaguement",
    0 = "Non"); agreement and satisfaction 1-5; recommend 0-10; ess_option association,
    cooperative, mutuelle, fondation, entreprise_sociale or none; option_ticked 0 or 1.
    """


@labels.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@friendly
def labels_list(as_json):
    """The labels set aside, by scale and question, with counts; then the staff's mappings."""
    from etl import labels as answer_labels

    engine = _engine()
    by_label = answer_labels.set_aside_by_label(engine)
    mapped = answer_labels.mappings(engine)
    if as_json:
        click.echo(json.dumps({"set_aside": by_label, "mappings": mapped}, ensure_ascii=False,
                              indent=2, default=str))
        return
    click.echo(f"Answers set aside: {sum(row['count'] for row in by_label)}")
    _print_set_aside(by_label)
    click.echo(f"Mappings: {len(mapped)}")
    for m in mapped:
        created = m["created_at"].strftime("%Y-%m-%d") if m["created_at"] else ""
        click.echo(f"  {m['scale']:<13} '{m['label']}' -> {m['value']}  "
                   f"({m['created_by'] or ''}, {created})")


def _scale_option():
    return click.option("--scale", required=True, metavar="SCALE",
                        help="Answer scale of the label (knows_ess, agreement, satisfaction, "
                             "recommend, ess_option, option_ticked).")


def _checked_scale(scale: str) -> None:
    """An unknown scale is a usage error (exit 2), checked without importing etl at start."""
    from etl.labels import SCALES

    if scale not in SCALES:
        raise click.BadParameter(f"unknown scale '{scale}' (one of {', '.join(SCALES)})",
                                 param_hint="--scale")


@labels.command("map")
@click.argument("label")
@_scale_option()
@click.option("--value", required=True, help="The value the label stands for on its scale.")
@friendly
def labels_map(label, scale, value):
    """Read LABEL as VALUE on SCALE: its answers set aside are read at once, and every later
    load reads it."""
    from etl import labels as answer_labels

    _checked_scale(scale)
    try:
        read = answer_labels.map_label(label, scale, value, actor=_actor(), engine=_engine())
    except answer_labels.LabelError as error:
        raise UserError(str(error))
    click.echo(f"'{label}' now reads as {value} on {scale}: {read} answer(s) set aside "
               f"re-read")


@labels.command("unmap")
@click.argument("label")
@_scale_option()
@friendly
def labels_unmap(label, scale):
    """Undo a mapping: the answers it read are set aside again."""
    from etl import labels as answer_labels

    _checked_scale(scale)
    try:
        count = answer_labels.unmap_label(label, scale, actor=_actor(), engine=_engine())
    except answer_labels.LabelError as error:
        raise UserError(str(error))
    click.echo(f"'{label}' is no longer mapped on {scale}: {count} answer(s) set aside again")


def _resolve_filters(editions, schools, regions):
    """Filters from the command line: editions checked, schools and regions by id or by name."""
    from sqlalchemy import select

    from dashboard.queries.base import Filters
    from etl import reference
    from etl.transform.common import parse_edition_value, parse_region

    engine = _engine()
    resolver = reference.SchoolResolver.from_engine(engine)
    chosen_editions = []
    for value in editions:
        normalised = parse_edition_value(value)
        if normalised is None:
            raise click.BadParameter(f"'{value}' is not an edition such as 2024-2025",
                                     param_hint="--edition")
        chosen_editions.append(normalised)
    chosen_schools = []
    with engine.connect() as conn:
        known = set(conn.scalars(select(reference.school.c.school_id)))
    for value in schools:
        school_id = value if value in known else resolver.resolve(value)
        if school_id is None:
            raise click.BadParameter(f"unknown school '{value}'", param_hint="--school")
        chosen_schools.append(school_id)
    chosen_regions = []
    for value in regions:
        code = parse_region(value, reference.regions())
        if code is None:
            raise click.BadParameter(f"unknown region '{value}' (an INSEE code such as 84)",
                                     param_hint="--region")
        chosen_regions.append(code)
    return Filters.of(chosen_editions, chosen_schools, chosen_regions)


@cli.command()
@click.argument("figure", type=click.Choice(["reach", "awareness", "outcomes", "pack"]))
@click.option("--edition", "editions", multiple=True, metavar="YYYY-YYYY", help="Repeatable.")
@click.option("--school", "schools", multiple=True, metavar="SCHOOL_ID", help="Repeatable.")
@click.option("--region", "regions", multiple=True, metavar="CODE", help="Repeatable.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default="csv",
              show_default=True)
@click.option("--out", type=click.Path(path_type=Path),
              help="File to write (default: standard output for csv and json); a folder for "
                   "the pack.")
@friendly
def export(figure, editions, schools, regions, fmt, out):
    """Write the table behind a page (reach, awareness, outcomes), or the annual-report pack
    (`pack --out DIR`: one XLSX, the charts as PNG and SVG)."""
    from dashboard.exports import export_figure
    from dashboard.queries.base import STAFF
    from etl.settings import get_settings

    if figure == "pack":
        return _export_pack(editions, schools, regions, out)
    if out is not None and out.is_dir():
        raise click.BadParameter(f"'{out}' is a folder: give a file name", param_hint="--out")
    if fmt == "xlsx" and out is None:
        raise click.BadParameter("an XLSX file needs --out FILE.xlsx", param_hint="--out")
    filters = _resolve_filters(editions, schools, regions)
    data = export_figure(figure, filters, STAFF, get_settings().min_cell, fmt, out)
    if out is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        click.echo(f"wrote {out}", err=True)


# ---- accounts ----

def _actor() -> str:
    """Who acted, for the audit log: the command line and the operating-system user."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _read_password(prompt: str = "Password") -> str:
    """From the terminal (hidden, typed twice), or one line of standard input when it is not a
    terminal (scripts: `printf '%s\\n' "$PASSWORD" | impact users add ...`). Never an argument:
    arguments end up in shell histories and process lists."""
    if sys.stdin.isatty():
        return click.prompt(prompt, hide_input=True, confirmation_prompt=True)
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise UserError("no password: type it at the prompt, or give it on standard input")
    return password


@cli.group()
def users():
    """Dashboard accounts: add, list, remove, change a password, end sessions.

    Roles: admin and staff see everything (admins also manage accounts); a funder sees a
    set of editions and/or regions (both: their intersection); a school account one or more
    schools. Passwords are read at the prompt, or from standard input, never as arguments.
    """


@users.command("add")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(["admin", "staff", "funder", "school"]))
@click.option("--scope", "scopes", multiple=True, metavar="KEY=VALUE",
              help="edition=2024-2025, region=84 or school=insa-lyon (repeatable; a funder "
                   "needs editions and/or regions, a school account schools).")
@friendly
def users_add(email, role, scopes):
    """Create an account (the password is asked for)."""
    from etl import users as accounts

    engine = _engine()
    scope = accounts.parse_scope_options(scopes)
    address = accounts.normalise_email(email)
    with engine.connect() as conn:  # refuse a bad scope before asking for a password
        accounts.clean_scope(conn, role, scope)
    if accounts.get_account(engine, address) is not None:
        raise UserError(f"an account '{address}' already exists")
    account = accounts.add_account(engine, address, _read_password(), role, scope,
                                   actor=_actor())
    click.echo(f"account {account.email} added: {account.role}, sees "
               f"{account.describe_scope()}")


@users.command("list")
@friendly
def users_list():
    """Every account: e-mail, role, scope, state, creation date."""
    from etl import users as accounts

    found = accounts.list_accounts(_engine())
    if not found:
        click.echo("no account yet: `impact users add EMAIL --role admin`")
    for a in found:
        state = "active" if a.is_active else "disabled"
        created = a.created_at.strftime("%Y-%m-%d") if a.created_at else ""
        click.echo(f"{a.email:<36} {a.role:<7} {state:<9} {created:<11} {a.describe_scope()}")


@users.command("remove")
@click.argument("email")
@friendly
def users_remove(email):
    """Delete an account (the last active admin cannot be removed)."""
    from etl import users as accounts

    accounts.remove_account(_engine(), email, actor=_actor())
    click.echo(f"account {email.strip().lower()} removed")


@users.command("passwd")
@click.argument("email")
@friendly
def users_passwd(email):
    """Set a new password (asked for); the account's open sessions end."""
    from etl import users as accounts

    engine = _engine()
    if accounts.get_account(engine, email) is None:
        raise UserError(f"no account '{email.strip().lower()}'")
    accounts.set_password(engine, email, _read_password("New password"), actor=_actor())
    click.echo(f"password of {email.strip().lower()} changed")


@users.command("end-sessions")
@click.argument("email")
@friendly
def users_end_sessions(email):
    """Sign the account out everywhere: every open session ends at its next request."""
    from etl import users as accounts

    ended = accounts.end_sessions(_engine(), email, actor=_actor())
    click.echo(f"{ended} session{'s' if ended != 1 else ''} ended for {email.strip().lower()}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True, type=int)
@friendly
def serve(host, port):
    """Serve the dashboard (production: the Procfile's gunicorn)."""
    _engine()
    from dashboard.app import create_app

    app = create_app()
    click.echo(f"Latitudes Impact: http://{host}:{port}/")
    app.run(host=host, port=port, debug=False)


# ---- funder reports and the annual-report pack ----

def _check_report_tools() -> None:
    """Chromium (kaleido's charts) and pango (WeasyPrint's PDF), named in one line if missing."""
    from dashboard.report.render import ReportUnavailable, check_requirements

    try:
        check_requirements()
    except ReportUnavailable as error:
        raise UserError(str(error))


def _export_pack(editions, schools, regions, out) -> None:
    import time

    from dashboard.queries.base import STAFF
    from dashboard.report import collect, pack

    if out is None:
        raise click.BadParameter("the pack needs --out DIR (a folder)", param_hint="--out")
    if out.exists() and not out.is_dir():
        raise click.BadParameter(f"'{out}' is a file: the pack needs a folder",
                                 param_hint="--out")
    _check_report_tools()
    filters = _resolve_filters(editions, schools, regions)
    _check_editions(_engine(), filters.editions)
    started = time.perf_counter()
    files = pack.write_pack(collect.collect(filters, STAFF, engine=_engine()), out)
    click.echo(f"wrote the pack into {out} ({len(files)} files, "
               f"{time.perf_counter() - started:.1f} s): "
               + ", ".join(path.name for path in files))


def _check_editions(engine, editions) -> None:
    from sqlalchemy import select

    from etl.schema import edition

    with engine.connect() as conn:
        known = list(conn.scalars(select(edition.c.edition).order_by(edition.c.edition)))
    for value in editions:
        if value not in known:
            raise click.BadParameter(f"no edition {value} in the warehouse (known: "
                                     f"{', '.join(known) or 'none'})", param_hint="--edition")


def _report_scope(engine, funder, school):
    from dashboard.queries.base import STAFF
    from dashboard.report import audience

    if funder and school:
        raise click.UsageError("give --funder or --school, not both")
    if funder:
        try:
            return audience.account_scope(funder, engine)
        except audience.UnknownAccount as error:
            raise UserError(str(error))
    if school:
        return audience.school_scope(_resolve_school(engine, school))
    return STAFF


def _resolve_school(engine, value: str) -> str:
    from sqlalchemy import select

    from etl import reference

    with engine.connect() as conn:
        known = set(conn.scalars(select(reference.school.c.school_id)))
    school_id = value if value in known else \
        reference.SchoolResolver.from_engine(engine).resolve(value)
    if school_id is None:
        raise click.BadParameter(f"unknown school '{value}'", param_hint="--school")
    return school_id


def _one_report(engine, filters, scope, lang, publish, published, out: Path) -> str:
    """Render (publishing first, or from the published snapshot) one PDF; a summary line."""
    import time

    from dashboard.report import audience, collect, render, snapshots

    started = time.perf_counter()
    stamp, note = None, "live figures"
    if published:
        try:
            snapshot = snapshots.for_view(filters, scope, engine)
        except snapshots.SnapshotError as error:
            raise UserError(str(error))
        if snapshot is None:
            raise UserError(f"edition {filters.editions[0]} has no published report for "
                            f"'{audience.scope_key(scope, filters)}': publish it first "
                            "(--publish)")
        data, stamp = snapshots.anonymous(snapshot.data), snapshot.stamp()
        note = f"published snapshot #{snapshot.snapshot_id} of {stamp['published_at']}"
    else:
        data = collect.collect(filters, scope, engine=engine)
        if publish:
            snapshot = snapshots.publish(data, actor=_actor(), engine=engine)
            # The PDF of the publication is the stored snapshot's, as every later one.
            data, stamp = snapshot.data, snapshot.stamp()
            note = (f"published as snapshot #{snapshot.snapshot_id}, "
                    f"sha256 {snapshot.content_hash[:12]}")
            if snapshot.scope_key == "staff":  # the national report: the public page's too
                from dashboard.public import audience as public

                shown = public.publish(filters.editions[0], actor=_actor(), engine=engine)
                note += f"; public page snapshot #{shown.snapshot_id}"
    pdf = render.render_pdf(data, lang, published=stamp)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pdf)
    return f"wrote {out} ({note}, {time.perf_counter() - started:.1f} s)"


def _report_schools(engine, filters) -> list[str]:
    """The schools with students, projects, events or survey answers in the editions."""
    from sqlalchemy import select, union

    from etl.schema import mart_response, project, student, tour_event

    parts = [select(table.c.school_id).where(table.c.school_id.is_not(None),
                                             table.c.edition.in_(filters.editions))
             for table in (student, project, tour_event, mart_response)]
    with engine.connect() as conn:
        return sorted(set(conn.scalars(union(*parts))))


@cli.command()
@click.option("--edition", "editions", multiple=True, required=True, metavar="YYYY-YYYY",
              help="The edition (repeat it for a range of editions).")
@click.option("--funder", metavar="EMAIL", help="The report of that account's scope.")
@click.option("--school", metavar="SCHOOL", help="A school's report (its students only).")
@click.option("--all-schools", is_flag=True, help="One PDF per school into --out DIR.")
@click.option("--lang", type=click.Choice(["fr", "en"]), help="Language (default: IMPACT_LANG).")
@click.option("--publish", is_flag=True, help="Freeze the figures as the edition's published "
              "report, then render it.")
@click.option("--published", is_flag=True, help="Render the published report (the latest "
              "snapshot), whatever was loaded since.")
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="The PDF file (a folder with --all-schools).")
@friendly
def report(editions, funder, school, all_schools, lang, publish, published, out):
    """The funder report as PDF: an edition (or a range) within a scope."""
    from etl.settings import get_settings

    if publish and published:
        raise click.UsageError("--publish and --published cannot go together")
    if all_schools and (funder or school):
        raise click.UsageError("--all-schools makes one report per school: no --funder or "
                               "--school with it")
    if (publish or published) and len(set(editions)) != 1:
        raise click.UsageError("a published report covers exactly one edition")
    if all_schools and out.exists() and not out.is_dir():
        raise click.BadParameter(f"'{out}' is a file: --all-schools needs a folder",
                                 param_hint="--out")
    if not all_schools and (out.is_dir() or out.suffix.lower() != ".pdf"):
        raise click.BadParameter(f"'{out}' is not a PDF file name (FILE.pdf)",
                                 param_hint="--out")
    _check_report_tools()
    lang = lang or get_settings().default_lang
    filters = _resolve_filters(editions, (), ())
    engine = _engine()
    _check_editions(engine, filters.editions)
    if not all_schools:
        scope = _report_scope(engine, funder, school)
        if scope.editions and not set(filters.editions) <= set(scope.editions):
            raise UserError(f"edition {', '.join(filters.editions)} is outside the scope of "
                            f"{funder or school} ({', '.join(scope.editions)})")
        click.echo(_one_report(engine, filters, scope, lang, publish, published, out))
        return
    from dashboard.report.audience import school_scope

    schools = _report_schools(engine, filters)
    if not schools:
        raise UserError(f"no school has data in {', '.join(filters.editions)}")
    slug = "_".join(filters.editions)
    for school_id in schools:
        path = out / f"rapport-{slug}-{school_id}.pdf"
        click.echo(_one_report(engine, filters, school_scope(school_id), lang, publish,
                               published, path))
    click.echo(f"{len(schools)} school reports in {out}")


# ---- reports delivered by e-mail ----

@cli.group()
def subscriptions():
    """Accounts that receive the published report by e-mail (sent by `impact deliver`).

    The account's role and scope decide which report it receives: a funder its regions and
    editions, a school account its schools, staff and admins the national report.
    """


@subscriptions.command("add")
@click.argument("email")
@click.option("--every", required=True, type=click.Choice(["month", "quarter", "publication"]),
              help="month or quarter: the latest published edition at the start of each "
                   "period; publication: each edition as it is published.")
@click.option("--edition", "editions", multiple=True, metavar="YYYY-YYYY",
              help="Only these editions (repeatable; default: every edition of the scope).")
@click.option("--lang", type=click.Choice(["fr", "en"]),
              help="Language of the mail and report (default: IMPACT_LANG).")
@friendly
def subscriptions_add(email, every, editions, lang):
    """Subscribe an existing, active account."""
    from etl import subscriptions as subs
    from etl.settings import get_settings

    try:
        found = subs.add_subscription(_engine(), email, every, editions,
                                      lang or get_settings().default_lang, actor=_actor())
    except subs.SubscriptionError as error:
        raise UserError(str(error))
    click.echo(f"{found.email} subscribed: {found.every}, {found.describe_editions()}, "
               f"in {found.lang}")


@subscriptions.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@friendly
def subscriptions_list(as_json):
    """Every subscription: account, rhythm, editions, language, last mail sent."""
    from etl import subscriptions as subs

    found = subs.list_subscriptions(_engine())
    if as_json:
        click.echo(json.dumps([{
            "email": s.email, "role": s.role, "active": s.is_active, "every": s.every,
            "editions": list(s.editions), "lang": s.lang, "created_at": s.created_at,
            "last_sent_at": s.last_sent_at} for s in found], indent=2, default=str))
        return
    if not found:
        click.echo("no subscription yet: `impact subscriptions add EMAIL --every month`")
    for s in found:
        last = f"last sent {s.last_sent_at:%Y-%m-%d}" if s.last_sent_at else "nothing sent yet"
        state = "" if s.is_active else " (account disabled)"
        click.echo(f"{s.email:<36} {s.every:<12} {s.lang}  {s.describe_editions()}; "
                   f"{last}{state}")


@subscriptions.command("remove")
@click.argument("email")
@friendly
def subscriptions_remove(email):
    """End an account's subscription."""
    from etl import subscriptions as subs

    try:
        subs.remove_subscription(_engine(), email, actor=_actor())
    except subs.SubscriptionError as error:
        raise UserError(str(error))
    click.echo(f"subscription of {email.strip().lower()} removed")


@cli.command()
@click.option("--dry-run", is_flag=True, help="Say what would be sent, send nothing.")
@click.option("--now", "today", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="The day whose month or quarter is due (default: today).")
@friendly
def deliver(dry_run, today):
    """Mail the published reports that are due to their subscribers (run it daily: cron or
    the platform's scheduler). Exit 1 when a mail could not be sent: the next run retries."""
    import datetime as dt

    from dashboard.report import delivery, mail
    from etl.settings import SettingsError, get_settings

    try:
        config = delivery.MailSettings.from_settings(get_settings())
    except (mail.MailSettingsError, SettingsError) as error:
        raise UserError(str(error))
    today = today.date() if today else dt.date.today()
    outcomes = delivery.deliver(_engine(), config, today, dry_run=dry_run)
    for outcome in outcomes:
        click.echo(outcome.line)
    if not outcomes:
        click.echo("nothing to deliver")
    if any(outcome.status == "failed" for outcome in outcomes):
        sys.exit(1)


# ---- staff's comments on the figures ----

@cli.group()
def comments():
    """Staff's comments on a figure for an edition (and a region): shown beside it on the
    pages, printed under its section in the report, frozen with a published report."""


def _place_text(found) -> str:
    return f"{found.section} {found.edition} {found.region_code or 'national'}"


@comments.command("list")
@click.option("--edition", "editions", multiple=True, metavar="YYYY-YYYY",
              help="Only these editions (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@friendly
def comments_list(editions, as_json):
    """Every comment: section, edition, region, who changed it last, its French text."""
    from etl import commentary

    found = commentary.list_comments(_engine(), editions=editions)
    if as_json:
        click.echo(json.dumps([{**c.frozen(), "updated_by": c.updated_by,
                                "updated_at": c.updated_at} for c in found],
                              indent=2, default=str, ensure_ascii=False))
        return
    if not found:
        click.echo("no comment yet: `impact comments add SECTION EDITION --fr TEXT`")
    for c in found:
        text = " ".join(c.text_fr.split())
        click.echo(f"{_place_text(c):<32} {c.updated_at:%Y-%m-%d} {c.updated_by or ''}: "
                   f"{text[:60]}{'…' if len(text) > 60 else ''}")


@comments.command("add")
@click.argument("section", type=click.Choice(["tour", "awareness", "outcomes", "guide"]))
@click.argument("edition", metavar="EDITION")
@click.option("--region", metavar="CODE", help="A region's INSEE code (default: national).")
@click.option("--fr", "text_fr", required=True, help="The comment in French.")
@click.option("--en", "text_en", help="The comment in English (default: readers in English "
                                      "see the French text).")
@friendly
def comments_add(section, edition, region, text_fr, text_en):
    """Write the comment of a section for an edition (replaces the one it has)."""
    from etl import commentary

    engine = _engine()
    try:
        before = commentary.find(engine, section, edition, region)
        found = commentary.save(engine, section, edition, region, text_fr, text_en,
                                actor=_actor())
    except commentary.CommentaryError as error:
        raise UserError(str(error))
    click.echo(f"comment {'changed' if before else 'added'}: {_place_text(found)}")


@comments.command("remove")
@click.argument("section", type=click.Choice(["tour", "awareness", "outcomes", "guide"]))
@click.argument("edition", metavar="EDITION")
@click.option("--region", metavar="CODE", help="A region's INSEE code (default: national).")
@friendly
def comments_remove(section, edition, region):
    """Remove the comment of a section for an edition (published reports keep theirs)."""
    from etl import commentary

    engine = _engine()
    found = commentary.find(engine, section, edition, region)
    if found is None:
        raise UserError(f"no comment on {section} {edition} {region or 'national'}")
    commentary.remove(engine, found.commentary_id, actor=_actor())
    click.echo(f"comment removed: {_place_text(found)}")


def main():
    try:
        cli.main(standalone_mode=True, prog_name="impact")
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
