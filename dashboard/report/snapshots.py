"""Frozen editions: publish a report's figures once, read them back unchanged, compare with live.

Design (DESIGN.md section 8, "Frozen funder editions"):

- A snapshot is one row of `published_snapshot`: the report dict of `collect.collect` for one
  edition and one audience (`scope_key`, see `audience`), stored as its canonical JSON with the
  SHA-256 of that text, the date, the account that published it and the load batches its
  figures came from (the batches with status "loaded" when it was collected).
- Rows are never updated or deleted by the application. Publishing an edition again adds a new
  row; the latest row of (edition, scope_key) is the published version, the earlier ones stay
  as history (a report quoted last year can still be reproduced from its snapshot id).
- Reading a snapshot checks its hash: a row edited by hand in the database is refused rather
  than shown as published.
- Re-rendering (`impact report --published`, the page for funders) uses the stored dict only:
  the query layer returns stored figures without touching the warehouse, so the numbers and
  sentences are those published, whatever was loaded, unloaded or erased since.
- Every publication is written to the audit log (action "publish_report") in the same
  transaction as the row.
- A snapshot belongs to an audience, not to an account: every account whose view has its key
  reads the same row. So it names no account (`anonymous`), and who published it stays in
  the row and the audit log, for staff: a report shown to a funder or a school does not say.
- A view finds a snapshot only inside its account's scope (`for_view`): the key leaves
  editions out, so the edition of the URL must be one the account may see, and the stored
  snapshot must have been collected for exactly the view's regions and schools. Anything else
  finds nothing, as before the edition was published.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from dashboard.queries.base import NOTHING, Filters, Scope, effective
from dashboard.report import collect
from dashboard.report.audience import PUBLIC, scope_key
from etl.audit import record
from etl.schema import app_user, published_snapshot

AUDIT_ACTION = "publish_report"


class SnapshotError(ValueError):
    """A publication that cannot be made, or a stored snapshot that fails its check."""


@dataclass(frozen=True)
class Snapshot:
    snapshot_id: int
    edition: str
    scope_key: str
    published_at: dt.datetime
    published_by: str | None
    batch_ids: list[int]
    content_hash: str
    data: dict

    def stamp(self) -> dict:
        """What a rendered report says about its publication (not who published it: reports
        go to funders and schools)."""
        return {"snapshot_id": self.snapshot_id,
                "published_at": self.published_at.isoformat(timespec="seconds"),
                "content_hash": self.content_hash}


def publishable_edition(data: dict) -> str:
    """The one edition a report dict covers; a range or "all editions" cannot be published."""
    chosen = data["filters"]["editions"]
    if len(chosen) != 1:
        raise SnapshotError("a report can be published for exactly one edition "
                            f"(this one covers {len(data['editions'])})")
    return chosen[0]


def anonymous(data: dict) -> dict:
    """The report dict `data` as its audience's, whoever it was collected for: no account
    named (`audience.account`), and as scope the view and the regions and schools of its
    figures (the scope key's parts), not the scope of one account (another account's
    editions are its own business)."""
    chosen = data["filters"]
    audience_scope = {"role": data["scope"]["role"], "editions": [],
                      "regions": list(chosen["regions"]), "schools": list(chosen["schools"])}
    return {**data, "scope": audience_scope, "audience": {**data["audience"], "account": None}}


def publish(data: dict, *, actor: str | None, engine: Engine) -> Snapshot:
    """Store the report dict `data` (made anonymous) as the published version of its edition
    and audience."""
    edition = publishable_edition(data)
    data = anonymous(data)
    text = collect.canonical_json(data)
    digest = collect.content_hash(data)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    batches = list(data["batch_ids"])
    with engine.begin() as conn:
        snapshot_id = conn.execute(published_snapshot.insert().values(
            edition=edition, scope_key=data["scope_key"], published_at=now,
            published_by=actor, batch_ids=json.dumps(batches), content_hash=digest,
            figures=text)).inserted_primary_key[0]
        record(conn, actor=actor, action=AUDIT_ACTION, detail={
            "snapshot_id": snapshot_id, "edition": edition, "scope_key": data["scope_key"],
            "content_hash": digest, "batch_ids": batches})
    return Snapshot(snapshot_id, edition, data["scope_key"], now, actor, batches, digest,
                    json.loads(text))


def _from_row(row) -> Snapshot:
    data = json.loads(row.figures)
    if collect.content_hash(data) != row.content_hash:
        raise SnapshotError(f"published snapshot {row.snapshot_id} does not match its "
                            "content hash: it was altered after publication")
    return Snapshot(row.snapshot_id, row.edition, row.scope_key, row.published_at,
                    row.published_by, json.loads(row.batch_ids), row.content_hash, data)


def latest(edition: str, scope_key: str, engine: Engine) -> Snapshot | None:
    """The published version of an edition for an audience: its latest snapshot, or None."""
    with engine.connect() as conn:
        row = conn.execute(
            select(published_snapshot)
            .where(published_snapshot.c.edition == edition,
                   published_snapshot.c.scope_key == scope_key)
            .order_by(published_snapshot.c.published_at.desc(),
                      published_snapshot.c.snapshot_id.desc()).limit(1)).first()
    return None if row is None else _from_row(row)


def for_view(filters: Filters, scope: Scope, engine: Engine) -> Snapshot | None:
    """The published version that the view `filters` of the account `scope` may show: the
    latest snapshot of its one edition for its audience, or None.

    None unless the view names one edition and that edition, its regions and its schools are
    all within the scope: a view outside the scope finds nothing, as if the edition had never
    been published. The stored snapshot must also have been collected for exactly the view's
    edition, regions, schools and kind of view (staff, funder, school), not merely share its
    key.
    """
    chosen = effective(filters, scope)
    if len(filters.editions) != 1 or chosen.editions != filters.editions:
        return None
    if NOTHING in chosen.regions or NOTHING in chosen.schools:
        return None
    snapshot = latest(filters.editions[0], scope_key(scope, filters), engine)
    if snapshot is None or not _collected_for(snapshot, chosen, scope):
        return None
    return snapshot


def _collected_for(snapshot: Snapshot, chosen: Filters, scope: Scope) -> bool:
    stored = snapshot.data["filters"]
    role = snapshot.data["scope"]["role"]
    same_view = Scope(role=role).full_view if scope.full_view else role == scope.role
    return (same_view and snapshot.edition == chosen.editions[0]
            and stored["editions"] == list(chosen.editions)
            and stored["regions"] == sorted(chosen.regions)
            and stored["schools"] == sorted(chosen.schools))


def by_id(snapshot_id: int, engine: Engine) -> Snapshot:
    with engine.connect() as conn:
        row = conn.execute(select(published_snapshot)
                           .where(published_snapshot.c.snapshot_id == snapshot_id)).first()
    if row is None:
        raise SnapshotError(f"no published snapshot {snapshot_id}")
    return _from_row(row)


def history(edition: str, engine: Engine) -> list[dict]:
    """Every publication of an edition, newest first (without the figures)."""
    columns = [published_snapshot.c[name] for name in (
        "snapshot_id", "scope_key", "published_at", "published_by", "content_hash")]
    with engine.connect() as conn:
        rows = conn.execute(select(*columns).where(published_snapshot.c.edition == edition)
                            .order_by(published_snapshot.c.snapshot_id.desc())).all()
    return [dict(row._mapping) for row in rows]


# ---- publishing an edition for every audience (the page's button) ---------------------------

def account_scopes(edition: str, engine: Engine) -> list:
    """The scopes of the active funder and school accounts that may see `edition`."""
    from dashboard.report.audience import scope_from_json

    with engine.connect() as conn:
        rows = conn.execute(select(app_user.c.email, app_user.c.role, app_user.c.scope)
                            .where(app_user.c.is_active.is_(True),
                                   app_user.c.role.in_(("funder", "school")))
                            .order_by(func.lower(app_user.c.email))).all()
    scopes = [scope_from_json(role, text, user=email) for email, role, text in rows]
    return [scope for scope in scopes if not scope.editions or edition in scope.editions]


def publish_edition(edition: str, *, actor: str | None, engine: Engine,
                    k: int | None = None) -> list[Snapshot]:
    """Publish the national report of `edition`, the public page's (`dashboard.public`) and
    the report of every funder and school account that may see it (one snapshot per distinct
    audience)."""
    from dashboard.queries.base import STAFF

    filters = Filters.of([edition])
    published, seen = [], set()
    for scope in [STAFF, PUBLIC, *account_scopes(edition, engine)]:
        key = scope_key(scope, filters)
        if key in seen:
            continue
        seen.add(key)
        published.append(publish(collect.collect(filters, scope, k, engine), actor=actor,
                                 engine=engine))
    return published


# ---- published against live ----------------------------------------------------------------

# The figures a reader quotes, by (figure key, field): compared one by one in `diff`.
HEADLINE_FIGURES = (
    ("reach_kpis", "events"), ("reach_kpis", "regions_covered"), ("reach_kpis", "attendees"),
    ("guide_kpis", "copies"),
    ("awareness_headline", "paired.n_matched"), ("awareness_headline", "paired.pre_pct"),
    ("awareness_headline", "paired.post_pct"), ("awareness_headline", "paired.diff_pp"),
    ("outcomes_kpis", "projects"), ("outcomes_kpis", "delivery_rate_pct"),
    ("outcomes_kpis", "in_use_rate_pct"), ("outcomes_kpis", "mean_satisfaction"),
)


@dataclass(frozen=True)
class Change:
    figure: str       # "reach_kpis.events"
    published: object
    live: object


@dataclass(frozen=True)
class Diff:
    changes: list[Change]     # the headline figures that differ
    other_cells: int          # further leaves of the figures that differ
    batches_added: list[int]  # load batches loaded since the publication
    batches_removed: list[int]

    @property
    def same(self) -> bool:
        return not self.changes and not self.other_cells


def _leaf(data: dict, key: str, path: str):
    value = data.get(key)
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _leaves(value, prefix: str = ""):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{prefix}.{key}" if prefix else key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, f"{prefix}[{i}]")
    else:
        yield prefix, value


def _equal(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    return a == b


def diff(published: dict, live: dict) -> Diff:
    """How the live figures differ from the published ones: the headline figures one by one,
    and how many other table cells changed."""
    old, new = published["figures"], live["figures"]
    changes = []
    headline = set()
    for key, path in HEADLINE_FIGURES:
        before, after = _leaf(old, key, path), _leaf(new, key, path)
        headline.add(f"{key}.{path}")
        if not _equal(before, after):
            changes.append(Change(f"{key}.{path}", before, after))
    old_leaves, new_leaves = dict(_leaves(old)), dict(_leaves(new))
    other = sum(1 for name in old_leaves.keys() | new_leaves.keys()
                if name not in headline
                and not _equal(old_leaves.get(name), new_leaves.get(name)))
    before, after = set(published["batch_ids"]), set(live["batch_ids"])
    return Diff(changes, other, sorted(after - before), sorted(before - after))
