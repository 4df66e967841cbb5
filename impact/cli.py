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


def _progress():
    interactive = sys.stdout.isatty()

    def show(file_name: str, stage: str):
        if interactive:
            click.echo(f"\r\033[K{stage} {file_name} …", nl=False)
        else:
            click.echo(f"{stage} {file_name}")
    return show


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
        click.echo(f"  #{b['batch_id']:<4} {b['status']:<9} {b['kind']:<13} {b['file']}  "
                   f"read {b['rows_read']}, loaded {b['rows_loaded']}, "
                   f"rejected {b['rows_rejected']}  ({b['started_at']})")
    click.echo("Rows per table:")
    for table, count in state["counts"].items():
        click.echo(f"  {table:<20} {count}")
    click.echo(f"Rejected rows: {state['rejected_total']}")
    for reason, count in state["rejected_by_reason"].items():
        click.echo(f"  {count} {reason.replace('_', ' ')}")


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
@click.argument("figure", type=click.Choice(["reach", "awareness", "outcomes"]))
@click.option("--edition", "editions", multiple=True, metavar="YYYY-YYYY", help="Repeatable.")
@click.option("--school", "schools", multiple=True, metavar="SCHOOL_ID", help="Repeatable.")
@click.option("--region", "regions", multiple=True, metavar="CODE", help="Repeatable.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default="csv",
              show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: standard output for csv and json).")
@friendly
def export(figure, editions, schools, regions, fmt, out):
    """Write the table behind a page (reach, awareness, outcomes)."""
    from dashboard.exports import export_figure
    from dashboard.queries.base import STAFF
    from etl.settings import get_settings

    if fmt == "xlsx" and out is None:
        raise click.BadParameter("an XLSX file needs --out FILE.xlsx", param_hint="--out")
    filters = _resolve_filters(editions, schools, regions)
    data = export_figure(figure, filters, STAFF, get_settings().min_cell, fmt, out)
    if out is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        click.echo(f"wrote {out}", err=True)


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


def main():
    try:
        cli.main(standalone_mode=True, prog_name="impact")
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
