"""Scheduled delivery of published reports by e-mail (`impact deliver`).

What is due, for each subscription (`etl.subscriptions`), on the day `today`:

- "publication": every edition of the account's scope (and of the subscription's editions,
  when given) whose published report for that scope was published since the subscription
  began and has not been sent to it yet; the period of such a delivery is the publication
  itself ("snapshot-17"), so a report published again is sent again;
- "month" / "quarter": once per calendar period ("2026-01", "2026-Q1", the period of
  `today`), the report of the latest edition that has a published report for the scope.

The PDF is the published report of the account's scope, rendered exactly as
`impact report --funder EMAIL --edition E --published` renders it (`published_report` and
`render_published`). An account whose scope has no published report gets nothing.
Each delivery is claimed in the warehouse before its mail is sent (see `etl.subscriptions`),
so a report goes once per subscriber, edition and period, whatever runs at the same time; a
mail the server refused leaves the delivery "failed", and the next run sends it again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Engine

from dashboard.queries.base import Filters, Scope
from dashboard.report import audience, mail, snapshots
from etl import subscriptions
from etl.schema import edition as edition_table


@dataclass(frozen=True)
class Due:
    """One report to mail, or (snapshot None) an edition with nothing published to mail."""

    subscription: subscriptions.Subscription
    edition: str
    period: str
    snapshot: snapshots.Snapshot | None

    def describe(self) -> str:
        return f"{self.subscription.email} {self.edition or '-'} ({self.period})"


@dataclass(frozen=True)
class Outcome:
    due: Due | None
    status: str     # sent, failed, would send, nothing (dry run), skipped
    detail: str = ""
    email: str = ""

    @property
    def line(self) -> str:
        who = self.due.describe() if self.due else self.email
        return f"{who}: {self.status}" + (f": {self.detail}" if self.detail else "")


# ---- the published report of an account ----------------------------------------------------

def published_report(scope: Scope, edition: str, engine: Engine) -> snapshots.Snapshot | None:
    """The published report of `edition` for an account's scope: the snapshot that
    `impact report --funder EMAIL --edition E --published` renders; None when that scope has
    none, or when the edition lies outside the scope."""
    return snapshots.for_view(Filters.of([edition]), scope, engine)


def render_published(snapshot: snapshots.Snapshot, lang: str) -> bytes:
    from dashboard.report import render

    return render.render_pdf(snapshot.data, lang, published=snapshot.stamp())


# ---- what is due --------------------------------------------------------------------------------

def period_of(every: str, day: dt.date) -> str:
    if every == "month":
        return f"{day.year}-{day.month:02d}"
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _editions(sub: subscriptions.Subscription, scope: Scope, engine: Engine) -> list[str]:
    """The editions a subscriber may receive: the warehouse's, within its scope and its
    subscription's list, oldest first."""
    with engine.connect() as conn:
        known = list(conn.scalars(select(edition_table.c.edition)
                                  .order_by(edition_table.c.edition)))
    return [e for e in known if (not scope.editions or e in scope.editions)
            and (not sub.editions or e in sub.editions)]


def due_for(sub: subscriptions.Subscription, scope: Scope, today: dt.date,
            engine: Engine) -> list[Due]:
    """The deliveries of one subscriber not sent yet (a failed one is due again)."""
    done = subscriptions.delivered_periods(engine, sub.subscription_id)
    published = {e: published_report(scope, e, engine) for e in _editions(sub, scope, engine)}
    if sub.every == "publication":
        found = []
        for edition, snapshot in published.items():
            if snapshot is None:
                found.append(Due(sub, edition, "publication", None))
                continue
            period = f"snapshot-{snapshot.snapshot_id}"
            if snapshot.snapshot_id > sub.first_snapshot_id and \
                    done.get((edition, period)) != "sent":
                found.append(Due(sub, edition, period, snapshot))
        return found
    period = period_of(sub.every, today)
    latest = [e for e, snapshot in published.items() if snapshot is not None]
    if not latest:
        return [Due(sub, "", period, None)]
    edition = latest[-1]
    # One mail per period: a report sent (or being sent) in it for any edition is enough.
    taken = {p for (e, p), status in done.items() if status != "failed"}
    if period in taken:
        return []
    return [Due(sub, edition, period, published[edition])]


# ---- sending ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MailSettings:
    server: mail.SmtpServer
    sender: str
    public_url: str

    @classmethod
    def from_settings(cls, settings) -> MailSettings:
        """Checked settings; MailSettingsError names what is missing."""
        missing = [name for name, value in (("IMPACT_SMTP_URL", settings.smtp_url),
                                            ("IMPACT_MAIL_FROM", settings.mail_from))
                   if not value]
        if missing:
            raise mail.MailSettingsError(f"{' and '.join(missing)} "
                                         f"{'is' if len(missing) == 1 else 'are'} not set: "
                                         "no report can be mailed (see README, Configuration)")
        return cls(mail.smtp_server(settings.smtp_url), mail.mail_sender(settings.mail_from),
                   settings.public_url)


def _message(due: Due, pdf: bytes, config: MailSettings) -> mail.EmailMessage:
    from dashboard.report.render import audience_label

    sub, snapshot = due.subscription, due.snapshot
    return mail.compose(to=sub.email, sender=config.sender, edition=due.edition,
                        audience=audience_label(snapshot.data, sub.lang),
                        published_at=snapshot.published_at, every=sub.every, lang=sub.lang,
                        pdf=pdf, public_url=config.public_url)


def send_one(due: Due, config: MailSettings, engine: Engine) -> Outcome:
    """Claim, render, send, record: one delivery."""
    delivery_id = subscriptions.claim(engine, due.subscription.subscription_id, due.edition,
                                      due.period, due.snapshot.snapshot_id)
    if delivery_id is None:
        return Outcome(due, "skipped", "another run is sending it, or has sent it")
    try:
        pdf = render_published(due.snapshot, due.subscription.lang)
        mail.send(_message(due, pdf, config), config.server)
    except Exception as error:  # noqa: BLE001 - whatever failed, the claim must be released
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        subscriptions.mark_failed(engine, delivery_id, reason)
        return Outcome(due, "failed", reason)
    subscriptions.mark_sent(engine, delivery_id)
    return Outcome(due, "sent")


def deliver(engine: Engine, config: MailSettings, today: dt.date, *,
            dry_run: bool = False) -> list[Outcome]:
    """Send what is due on `today` to every subscriber; one outcome per line to print."""
    outcomes = []
    for sub in subscriptions.list_subscriptions(engine):
        try:
            scope = audience.account_scope(sub.email, engine)
        except audience.UnknownAccount as error:
            outcomes.append(Outcome(None, "skipped", str(error), email=sub.email))
            continue
        for due in due_for(sub, scope, today, engine):
            if due.snapshot is None:
                if dry_run:
                    what = f"edition {due.edition}" if due.edition else "any edition"
                    outcomes.append(Outcome(due, "nothing",
                                            f"no published report of {what} for its scope"))
                continue
            if dry_run:
                outcomes.append(Outcome(due, "would send",
                                        f"snapshot #{due.snapshot.snapshot_id} of "
                                        f"{due.snapshot.published_at:%Y-%m-%d}"))
                continue
            outcomes.append(send_one(due, config, engine))
    return outcomes
