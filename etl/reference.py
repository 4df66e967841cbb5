"""Reference data: regions, schools and the names people write for them.

Sources (committed under data/): `geo/regions.csv` (INSEE COG, Licence Ouverte),
`reference/schools.csv` (public facts), `reference/school_aliases.csv` (names staff add),
and optionally `reference/schools_local.csv` (schools staff add, same columns as schools.csv).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from etl.schema import region, school, school_alias
from etl.settings import DATA_DIR

REGIONS_CSV = DATA_DIR / "geo" / "regions.csv"
SCHOOLS_CSV = DATA_DIR / "reference" / "schools.csv"
LOCAL_SCHOOLS_CSV = DATA_DIR / "reference" / "schools_local.csv"
ALIASES_CSV = DATA_DIR / "reference" / "school_aliases.csv"
GEOJSON = DATA_DIR / "geo" / "regions-18-drom-rapproches.geojson"
MAP_ATTRIBUTION = ("Contours : IGN – ADMIN EXPRESS COG 2018, Licence Ouverte ; "
                   "mise en forme gregoiredavid/france-geojson")


def name_key(text: str) -> str:
    """Accent-, case-, space- and punctuation-insensitive key: 'Centrale Supélec' -> 'centralesupelec'."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]", "", ascii_only.lower())


def _read_csv(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [row for row in csv.DictReader(handle)]


@lru_cache(maxsize=1)
def regions() -> dict[str, str]:
    """INSEE region code -> official name, in code order."""
    return {row["region_code"]: row["name"] for row in _read_csv(REGIONS_CSV)}


def region_rows() -> list[dict]:
    return [{"region_code": r["region_code"], "name": r["name"], "zone": r["zone"]}
            for r in _read_csv(REGIONS_CSV)]


def school_rows() -> list[dict]:
    rows = _read_csv(SCHOOLS_CSV) + _read_csv(LOCAL_SCHOOLS_CSV)
    return [{"school_id": r["school_id"], "name": r["name"], "short_name": r.get("short_name"),
             "city": r.get("city"), "region_code": r["region_code"].zfill(2),
             "is_synthetic": False} for r in rows]


def alias_rows(schools: list[dict]) -> list[dict]:
    """Every school's id, name and short name, then the staff's aliases file."""
    aliases: dict[str, dict] = {}

    def add(alias: str, school_id: str):
        key = name_key(alias)
        if key:
            aliases.setdefault(key, {"alias_key": key, "alias": alias, "school_id": school_id})

    known = {s["school_id"] for s in schools}
    for s in schools:
        for alias in (s["school_id"], s["name"], s.get("short_name") or ""):
            add(alias, s["school_id"])
    for row in _read_csv(ALIASES_CSV):
        if row["school_id"] in known:
            add(row["alias"], row["school_id"])
    return list(aliases.values())


def sync(engine: Engine) -> None:
    """Write the reference files into the warehouse (regions, schools, aliases)."""
    schools = school_rows()
    with engine.begin() as conn:
        existing_regions = set(conn.scalars(select(region.c.region_code)))
        new_regions = [r for r in region_rows() if r["region_code"] not in existing_regions]
        if new_regions:
            conn.execute(region.insert(), new_regions)
        existing = set(conn.scalars(select(school.c.school_id)))
        for row in schools:
            if row["school_id"] in existing:
                conn.execute(school.update().where(school.c.school_id == row["school_id"])
                             .values(**{k: v for k, v in row.items() if k != "school_id"}))
            else:
                conn.execute(school.insert().values(**row))
        all_schools = [dict(r._mapping) for r in conn.execute(select(school))]
        conn.execute(delete(school_alias))
        conn.execute(school_alias.insert(), alias_rows(all_schools))


@dataclass
class SchoolResolver:
    """Finds a school id from any common way of writing the school's name."""

    by_key: dict[str, str]

    @classmethod
    def from_engine(cls, engine: Engine) -> "SchoolResolver":
        with engine.connect() as conn:
            rows = conn.execute(select(school_alias.c.alias_key, school_alias.c.school_id))
            return cls(dict(rows.all()))

    def resolve(self, name) -> str | None:
        if name is None:
            return None
        return self.by_key.get(name_key(name))


def add_alias(alias: str, school_id: str, path: Path = ALIASES_CSV) -> None:
    """Append an alias to the staff's aliases file (the data page's 'add this name')."""
    new_file = not path.exists()
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        if new_file:
            writer.writerow(["alias", "school_id"])
        writer.writerow([alias, school_id])
