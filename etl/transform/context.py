"""What a transform needs to know about the warehouse: reference ids and the existing keys."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import select
from sqlalchemy.engine import Connection

from etl import reference
from etl.schema import organisation, project, school, student, tour_event


class MissingPseudonymKey(RuntimeError):
    """People's data cannot be loaded without IMPACT_PSEUDONYM_KEY."""


def make_pseudonymiser(key: str) -> Callable[[str], str]:
    """HMAC-SHA256 of the trimmed, lower-cased identifier (DESIGN.md section 6)."""
    secret = key.encode("utf-8")

    def pseudonymise(identifier: str) -> str:
        text = str(identifier).strip().lower()
        # hmac.digest: the same HMAC in one C call (hmac.new builds two hash objects in Python).
        return hmac.digest(secret, text.encode("utf-8"), "sha256").hex()

    return pseudonymise


@dataclass
class LoadContext:
    regions: dict[str, str]
    schools: reference.SchoolResolver
    school_regions: dict[str, str]
    org_regions: dict[str, str]
    project_ids: set[str]
    event_regions: dict[str, str]
    roster_schools: dict[tuple[str, str], str]  # (pseudonym, edition) -> school_id
    pseudonym_key: str = ""
    wave: str | None = None
    edition: str | None = None
    extra_org_regions: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, conn: Connection, *, pseudonym_key: str, wave=None, edition=None):
        aliases = reference.SchoolResolver(dict(conn.execute(
            select(reference.school_alias.c.alias_key, reference.school_alias.c.school_id)).all()))
        return cls(
            regions=reference.regions(),
            schools=aliases,
            school_regions=dict(conn.execute(select(school.c.school_id, school.c.region_code)).all()),
            org_regions=dict(conn.execute(select(organisation.c.org_id, organisation.c.region_code)).all()),
            project_ids=set(conn.scalars(select(project.c.project_id))),
            event_regions=dict(conn.execute(select(tour_event.c.event_id, tour_event.c.region_code)).all()),
            roster_schools={(p, e): s for p, e, s in conn.execute(
                select(student.c.pseudonym, student.c.edition, student.c.school_id))},
            pseudonym_key=pseudonym_key, wave=wave, edition=edition,
        )

    def pseudonymiser(self) -> Callable[[str], str]:
        if not self.pseudonym_key:
            raise MissingPseudonymKey(
                "IMPACT_PSEUDONYM_KEY is not set: people's data (students, surveys) cannot be "
                "loaded without it (see .env.example)")
        return make_pseudonymiser(self.pseudonym_key)
