"""Subscriptions to published reports, and the record of what was mailed (`impact deliver`).

One module for the command line (`impact subscriptions ...`) and the admin page, so both
apply the same rules and write the same audit entries:

- a subscription belongs to one existing, active account (one subscription per account); the
  account's role and scope decide which report it receives, never the subscription;
- `every` is "month" or "quarter" (the latest published edition, once at the start of each
  calendar period) or "publication" (each edition as it is published); `editions`, when
  given, narrows the editions further;
- a delivery row is claimed (inserted, or taken back from "failed") in its own transaction
  before the mail is sent: the unique constraint on (subscription, edition, period) lets one
  run only win a claim, so two runs at the same time never send the same report twice. A
  claim left "claimed" for longer than `STALE_CLAIM` (a run killed while sending) is taken
  back too: a report sent twice after a crash is better than one never sent.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from etl import audit
from etl.schema import (
    DELIVERY_RHYTHMS,
    LANGS,
    app_user,
    delivery,
    published_snapshot,
    subscription,
)
from etl.rules import RuleError

STALE_CLAIM = dt.timedelta(hours=1)


class SubscriptionError(RuleError):
    """A request the subscription rules refuse."""


@dataclass(frozen=True)
class Subscription:
    subscription_id: int
    email: str
    role: str
    is_active: bool
    every: str
    editions: tuple[str, ...]
    lang: str
    created_at: dt.datetime
    first_snapshot_id: int = 0
    last_sent_at: dt.datetime | None = None

    def describe_editions(self) -> str:
        return ", ".join(self.editions) or "every edition of its scope"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _clean_editions(conn, editions) -> list[str]:
    from etl.schema import edition as edition_table
    from etl.transform.common import parse_edition_value

    known = set(conn.scalars(select(edition_table.c.edition)))
    cleaned = []
    for value in editions or ():
        normalised = parse_edition_value(value)
        if normalised is None:
            raise SubscriptionError(f"'{value}' is not an edition such as 2024-2025",
                                    "edition", value=value)
        if normalised not in known:
            raise SubscriptionError(f"no edition {normalised} in the warehouse", "edition",
                                    value=normalised)
        if normalised not in cleaned:
            cleaned.append(normalised)
    return sorted(cleaned)


def _query():
    last_sent = (select(func.max(delivery.c.sent_at))
                 .where(delivery.c.subscription_id == subscription.c.subscription_id,
                        delivery.c.status == "sent")
                 .scalar_subquery())
    return (select(subscription, app_user.c.email, app_user.c.role, app_user.c.is_active,
                   last_sent.label("last_sent_at"))
            .join(app_user, app_user.c.user_id == subscription.c.user_id)
            .order_by(app_user.c.email))


def _subscription(row) -> Subscription:
    return Subscription(row.subscription_id, row.email, row.role, bool(row.is_active),
                        row.every, tuple(json.loads(row.editions or "[]")), row.lang,
                        row.created_at, row.first_snapshot_id, row.last_sent_at)


def list_subscriptions(engine: Engine) -> list[Subscription]:
    with engine.connect() as conn:
        return [_subscription(row) for row in conn.execute(_query())]


def get_subscription(engine: Engine, email: str) -> Subscription | None:
    wanted = (email or "").strip().lower()
    with engine.connect() as conn:
        row = conn.execute(_query().where(func.lower(app_user.c.email) == wanted)).first()
    return None if row is None else _subscription(row)


def add_subscription(engine: Engine, email: str, every: str, editions=(), lang: str = "fr",
                     *, actor: str | None) -> Subscription:
    """Subscribe the active account `email`; refused when it already has a subscription."""
    wanted = (email or "").strip().lower()
    if every not in DELIVERY_RHYTHMS:
        raise SubscriptionError(f"'{every}' is not one of {', '.join(DELIVERY_RHYTHMS)}",
                                "every", value=every)
    if lang not in LANGS:
        raise SubscriptionError(f"'{lang}' is not a language (fr or en)", "lang", value=lang)
    with engine.begin() as conn:
        account = conn.execute(select(app_user.c.user_id, app_user.c.email,
                                      app_user.c.is_active)
                               .where(func.lower(app_user.c.email) == wanted)).first()
        if account is None:
            raise SubscriptionError(f"no account '{wanted}' (see `impact users list`)",
                                    "no_account", email=wanted)
        if not account.is_active:
            raise SubscriptionError(f"the account '{account.email}' is disabled", "disabled",
                                    email=account.email)
        cleaned = _clean_editions(conn, editions)
        exists = conn.scalar(select(subscription.c.subscription_id)
                             .where(subscription.c.user_id == account.user_id))
        if exists is not None:
            raise SubscriptionError(f"'{account.email}' is already subscribed: remove it first",
                                    "exists", email=account.email)
        # Ids, not dates: a report published in the same second as the subscription must
        # fall on one side of it.
        first_snapshot_id = conn.scalar(select(func.coalesce(
            func.max(published_snapshot.c.snapshot_id), 0)))
        conn.execute(subscription.insert().values(
            user_id=account.user_id, every=every, editions=json.dumps(cleaned), lang=lang,
            created_at=_now(), first_snapshot_id=first_snapshot_id, created_by=actor))
        audit.record(conn, actor=actor, action="subscription_add", detail={
            "email": account.email, "every": every, "editions": cleaned, "lang": lang})
    return get_subscription(engine, account.email)


def remove_subscription(engine: Engine, email: str, *, actor: str | None) -> None:
    """End the subscription of `email` (its delivery history goes with it)."""
    found = get_subscription(engine, email)
    if found is None:
        wanted = (email or "").strip().lower()
        raise SubscriptionError(f"'{wanted}' has no subscription", "no_subscription",
                                email=wanted)
    with engine.begin() as conn:
        conn.execute(delivery.delete()
                     .where(delivery.c.subscription_id == found.subscription_id))
        conn.execute(subscription.delete()
                     .where(subscription.c.subscription_id == found.subscription_id))
        audit.record(conn, actor=actor, action="subscription_remove",
                     detail={"email": found.email})


# ---- deliveries ----

def delivered_periods(engine: Engine, subscription_id: int) -> dict[tuple[str, str], str]:
    """(edition, period) -> status of every delivery row of a subscription."""
    with engine.connect() as conn:
        rows = conn.execute(select(delivery.c.edition, delivery.c.period, delivery.c.status)
                            .where(delivery.c.subscription_id == subscription_id)).all()
    return {(row.edition, row.period): row.status for row in rows}


def claim(engine: Engine, subscription_id: int, edition: str, period: str,
          snapshot_id: int | None) -> int | None:
    """Claim the delivery of (subscription, edition, period) for this run: its delivery id,
    or None when it was sent already or another run holds it."""
    now = _now()
    try:
        with engine.begin() as conn:
            return conn.execute(delivery.insert().values(
                subscription_id=subscription_id, edition=edition, period=period,
                snapshot_id=snapshot_id, status="claimed", claimed_at=now)
            ).inserted_primary_key[0]
    except IntegrityError:
        pass  # a row exists: take it back only if it failed, or its run died
    key = ((delivery.c.subscription_id == subscription_id) & (delivery.c.edition == edition)
           & (delivery.c.period == period))
    retry = (delivery.c.status == "failed") | (
        (delivery.c.status == "claimed") & (delivery.c.claimed_at < now - STALE_CLAIM))
    with engine.begin() as conn:
        # One UPDATE with the condition in it: of two runs, the second finds nothing to take.
        taken = conn.execute(update(delivery).where(key, retry).values(
            status="claimed", claimed_at=now, snapshot_id=snapshot_id, error=None))
        if taken.rowcount != 1:
            return None
        return conn.scalar(select(delivery.c.delivery_id).where(key))


def mark_sent(engine: Engine, delivery_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(update(delivery).where(delivery.c.delivery_id == delivery_id)
                     .values(status="sent", sent_at=_now(), error=None))


def mark_failed(engine: Engine, delivery_id: int, reason: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(delivery).where(delivery.c.delivery_id == delivery_id)
                     .values(status="failed", error=reason[:1000]))
