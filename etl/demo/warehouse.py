"""The demo's warehouse: its files loaded through the ordinary load path, its synthetic schools
added first, and never written over real data.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from etl import reference
from etl.demo.generator import write_files
from etl.schema import load_batch, school, school_alias


class DemoRefused(RuntimeError):
    """The warehouse holds real data: the demo must not mix with it."""


def holds_real_data(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.execute(select(func.count()).select_from(load_batch).where(
            load_batch.c.is_demo == False, load_batch.c.status == "loaded")).scalar())  # noqa: E712


def holds_demo_data(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.execute(select(func.count()).select_from(load_batch).where(
            load_batch.c.is_demo == True, load_batch.c.status == "loaded")).scalar())  # noqa: E712


def add_synthetic_schools(engine: Engine, schools: pd.DataFrame) -> None:
    """The demo's own schools, found by id, name and short name like the reference ones (the
    form exports write their names)."""
    with engine.begin() as conn:
        known = set(conn.scalars(select(school.c.school_id)))
        fresh = [r for r in schools.to_dict("records") if r["school_id"] not in known]
        if fresh:
            conn.execute(school.insert(), [{**r, "is_synthetic": True} for r in fresh])
            taken = set(conn.scalars(select(school_alias.c.alias_key)))
            conn.execute(school_alias.insert(), [
                alias for alias in reference.alias_rows(fresh) if alias["alias_key"] not in taken])


def build(engine: Engine, seed: int = 42, scale: str = "default", progress=None):
    """Generate the demo files and load them through the ordinary load path."""
    from etl.load import load_paths

    if holds_real_data(engine):
        raise DemoRefused("the warehouse holds real loads: the demo will not write into it "
                          "(use an empty warehouse: see the README, 'Start clean')")
    with tempfile.TemporaryDirectory(prefix="impact-demo-") as tmp:
        folder = Path(tmp)
        write_files(folder, seed, scale)
        synthetic = folder / "schools_synthetic.csv"
        if synthetic.exists():
            add_synthetic_schools(engine, pd.read_csv(synthetic, dtype=str))
            synthetic.unlink()
        return load_paths([folder], engine=engine, is_demo=True, progress=progress)
