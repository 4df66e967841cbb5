"""Published reports mailed to their subscribers (`impact subscriptions`, `impact deliver`).

Mail goes to a real SMTP server started by each test (aiosmtpd on 127.0.0.1, a free port),
whose handler keeps every message it accepts, or refuses them with 550 when told to. The
warehouse is the usual SQLite file and PostgreSQL database; its data are a few tour events
written here, in two regions, so that a funder's report can be told from another region's.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from sqlalchemy import select, text

from dashboard.report import mail, snapshots
from etl import settings, subscriptions, users
from etl.load import load_paths
from etl.schema import audit_log, delivery
from tests.conftest import TEST_PSEUDONYM_KEY, make_settings

ROOT = Path(__file__).resolve().parent.parent
EDITION = "2024-2025"
NEXT_EDITION = "2025-2026"
FUNDER = "fondation@example.org"      # region 84 (Auvergne-Rhône-Alpes), edition 2024-2025
OTHER = "mecene@example.org"          # region 11 (Île-de-France)
SENDER = "Latitudes Impact <impact@example.org>"
PUBLIC_URL = "https://impact.example.org"
PASSWORD = "a-long-enough-password"

# Region 84 holds two events of 120 and 35 attendees, region 11 one of 4321.
ATTENDEES_84 = (120, 35)
ATTENDEES_11 = 4321
EVENTS_CSV = (
    "event_id,date,city,region_code,school_id,event_type,attendees,students_attending,"
    "organisations_attending\n"
    f"E1,2024-10-15,Lyon,84,,conference,{ATTENDEES_84[0]},80,6\n"
    f"E2,2024-11-20,Grenoble,84,,workshop,{ATTENDEES_84[1]},30,2\n"
    f"E3,2024-10-16,Paris,11,,forum,{ATTENDEES_11},900,40\n"
    f"E4,2025-10-14,Lyon,84,,conference,77,50,3\n"
)

requires_pdf_tools = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="poppler-utils (pdftotext) is missing: apt-get install poppler-utils")


# ---- a real SMTP server -----------------------------------------------------------------------

class Mailbox:
    """aiosmtpd handler: keeps what it accepts; `refuse` answers 550 instead."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse = False

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "550 5.7.1 mailbox unavailable"
        self.messages.append(email.message_from_bytes(envelope.content,
                                                      policy=email.policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.url = f"smtp://127.0.0.1:{controller.port}"
    mailbox.controller = controller
    yield mailbox
    if controller._thread is not None:  # a test may have stopped it already
        controller.stop()


@pytest.fixture
def deliverable(warehouse, smtp, tmp_path, monkeypatch):
    """The warehouse with the events above, a funder of region 84 and edition 2024-2025, and
    the settings of a deployment that mails through `smtp`."""
    (tmp_path / "events.csv").write_text(EVENTS_CSV, encoding="utf-8")
    reports = load_paths([tmp_path / "events.csv"], kind="events", engine=warehouse)
    assert all(r.ok for r in reports), [r.message for r in reports]
    users.add_account(warehouse, FUNDER, PASSWORD, "funder",
                      {"regions": ["84"], "editions": [EDITION]}, actor="test")
    url = warehouse.url.render_as_string(hide_password=False)
    for name, value in {"DATABASE_URL": url, "IMPACT_PSEUDONYM_KEY": TEST_PSEUDONYM_KEY,
                        "IMPACT_SMTP_URL": smtp.url, "IMPACT_MAIL_FROM": SENDER,
                        "IMPACT_PUBLIC_URL": PUBLIC_URL}.items():
        monkeypatch.setenv(name, value)
    yield warehouse
    settings.configure(None)


def impact(*args):
    """One `impact` command, its settings read from the environment like a new process."""
    from impact.cli import cli

    settings.configure(None)
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result


def publish(engine, edition: str = EDITION) -> list[snapshots.Snapshot]:
    return snapshots.publish_edition(edition, actor="test", engine=engine)


def attachment(message) -> bytes:
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert len(parts) == 1
    return parts[0].get_content()


def flat(text: str) -> str:
    """Whitespace as single spaces, no-break ones included (French typography)."""
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def pdf_text(pdf: bytes, folder: Path) -> str:
    path = folder / "attached.pdf"
    path.write_bytes(pdf)
    return flat(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                               check=True).stdout)


def statuses(engine) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(
            select(delivery.c.edition, delivery.c.period, delivery.c.status)
            .order_by(delivery.c.delivery_id))]


# ---- the required story: one funder, one publication, one mail ----------------------------------

@requires_pdf_tools
def test_a_funder_receives_its_published_report_once(deliverable, smtp, tmp_path):
    users.add_account(deliverable, OTHER, PASSWORD, "funder", {"regions": ["11"]}, actor="test")
    assert impact("subscriptions", "add", FUNDER, "--every", "publication").exit_code == 0
    published = {s.scope_key: s for s in publish(deliverable)}

    first = impact("deliver")
    second = impact("deliver")

    assert first.exit_code == 0, first.output
    snapshot_id = published["funder|regions=84"].snapshot_id
    assert first.output.splitlines() == [f"{FUNDER} {EDITION} (snapshot-{snapshot_id}): sent"]
    assert second.exit_code == 0 and second.output.strip() == "nothing to deliver"
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == FUNDER and message["From"] == SENDER
    assert EDITION in message["Subject"] and "Auvergne-Rhône-Alpes" in message["Subject"]
    body = flat(message.get_body(("plain",)).get_content())
    today = dt.datetime.now(dt.UTC)
    assert f"Publié le : {today:%d/%m/%Y}" in body
    assert "Périmètre : Rapport financeur : région Auvergne-Rhône-Alpes" in body
    assert f"{PUBLIC_URL}/rapport?edition={EDITION}&lang=fr" in body
    assert message.get_body(("html",)).get_content().count(f'href="{PUBLIC_URL}/rapport') == 1

    text = pdf_text(attachment(message), tmp_path)
    assert "Rapport financeur : région Auvergne-Rhône-Alpes" in text
    assert f" {sum(ATTENDEES_84)} " in text              # 120 + 35 attendees in region 84
    assert f"{ATTENDEES_11:,}".replace(",", " ") not in text  # region 11's 4 321: not its
    assert f"{sum(ATTENDEES_84) + ATTENDEES_11:,}".replace(",", " ") not in text
    assert "Île-de-France" not in text


@requires_pdf_tools
def test_a_monthly_subscriber_gets_one_mail_per_month(deliverable, smtp):
    impact("subscriptions", "add", FUNDER, "--every", "month", "--lang", "en")
    publish(deliverable)

    runs = [impact("deliver", "--now", day) for day in ("2026-01-05", "2026-01-20",
                                                        "2026-02-02")]

    assert [r.exit_code for r in runs] == [0, 0, 0]
    assert runs[0].output.strip() == f"{FUNDER} {EDITION} (2026-01): sent"
    assert runs[1].output.strip() == "nothing to deliver"
    assert runs[2].output.strip() == f"{FUNDER} {EDITION} (2026-02): sent"
    assert len(smtp.messages) == 2
    assert smtp.messages[0]["Subject"].startswith(f"Latitudes impact report, edition {EDITION}")
    assert statuses(deliverable) == [(EDITION, "2026-01", "sent"), (EDITION, "2026-02", "sent")]


@requires_pdf_tools
def test_a_publication_subscriber_gets_only_new_publications(deliverable, smtp):
    # Both editions lie inside its scope now: it has no edition in it.
    users.update_account(deliverable, FUNDER, role="funder", scope={"regions": ["84"]},
                         actor="test")
    publish(deliverable, EDITION)  # published before the subscription: not sent
    impact("subscriptions", "add", FUNDER, "--every", "publication")

    before = impact("deliver")
    publish(deliverable, NEXT_EDITION)
    after = impact("deliver")

    assert before.output.strip() == "nothing to deliver"
    assert after.exit_code == 0
    assert [line.split(" (")[0] for line in after.output.splitlines()] == [
        f"{FUNDER} {NEXT_EDITION}"]
    assert len(smtp.messages) == 1 and NEXT_EDITION in smtp.messages[0]["Subject"]


@requires_pdf_tools
def test_a_refused_mail_is_reported_and_sent_at_the_next_run(deliverable, smtp):
    impact("subscriptions", "add", FUNDER, "--every", "quarter")
    publish(deliverable)
    smtp.refuse = True

    failed = impact("deliver", "--now", "2026-04-01")
    smtp.refuse = False
    retried = impact("deliver", "--now", "2026-04-02")

    assert failed.exit_code == 1
    assert failed.output.strip().startswith(f"{FUNDER} {EDITION} (2026-Q2): failed: ")
    assert "550" in failed.output
    assert retried.exit_code == 0, retried.output
    assert retried.output.strip() == f"{FUNDER} {EDITION} (2026-Q2): sent"
    assert len(smtp.messages) == 1
    assert statuses(deliverable) == [(EDITION, "2026-Q2", "sent")]


@requires_pdf_tools
def test_an_unreachable_server_is_a_failure_to_retry(deliverable, smtp):
    impact("subscriptions", "add", FUNDER, "--every", "month")
    publish(deliverable)
    smtp.controller.stop()

    result = impact("deliver", "--now", "2026-03-03")

    assert result.exit_code == 1
    assert f"{FUNDER} {EDITION} (2026-03): failed: " in result.output
    assert statuses(deliverable) == [(EDITION, "2026-03", "failed")]


def test_dry_run_sends_nothing_and_says_what_it_would(deliverable, smtp):
    users.add_account(deliverable, OTHER, PASSWORD, "funder", {"regions": ["11"]}, actor="test")
    impact("subscriptions", "add", FUNDER, "--every", "month")
    impact("subscriptions", "add", OTHER, "--every", "month", "--edition", NEXT_EDITION)
    published = {s.scope_key: s for s in publish(deliverable)}

    result = impact("deliver", "--dry-run", "--now", "2026-01-05")

    assert result.exit_code == 0, result.output
    snapshot = published["funder|regions=84"]
    assert sorted(result.output.splitlines()) == sorted([
        (f"{FUNDER} {EDITION} (2026-01): would send: snapshot #{snapshot.snapshot_id} of "
         f"{snapshot.published_at:%Y-%m-%d}"),
        f"{OTHER} - (2026-01): nothing: no published report of any edition for its scope",
    ])
    assert smtp.messages == [] and statuses(deliverable) == []


@pytest.mark.parametrize("missing", [["IMPACT_SMTP_URL"], ["IMPACT_MAIL_FROM"],
                                     ["IMPACT_SMTP_URL", "IMPACT_MAIL_FROM"]])
def test_without_mail_settings_deliver_says_so_in_one_line(deliverable, monkeypatch, missing):
    for name in missing:
        monkeypatch.delenv(name)
    impact("subscriptions", "add", FUNDER, "--every", "month")

    result = impact("deliver")

    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert " and ".join(missing) in result.output and "not set" in result.output


def test_a_bad_smtp_url_is_one_line(deliverable, monkeypatch):
    monkeypatch.setenv("IMPACT_SMTP_URL", "mail.example.org:25")
    result = impact("deliver")
    assert result.exit_code == 1
    assert result.output.strip() == ("impact: IMPACT_SMTP_URL must look like "
                                     "smtp://user:password@host:port or "
                                     "smtps://user:password@host:port")


@requires_pdf_tools
def test_two_runs_at_once_send_each_report_once(deliverable, smtp):
    """Two `impact deliver` processes started together: every report goes exactly once."""
    users.add_account(deliverable, OTHER, PASSWORD, "funder", {"regions": ["11"]}, actor="test")
    users.add_account(deliverable, "equipe@example.org", PASSWORD, "staff", actor="test")
    for address in (FUNDER, OTHER, "equipe@example.org"):
        impact("subscriptions", "add", address, "--every", "publication")
    publish(deliverable)
    settings.configure(None)

    command = [str(Path(sys.executable).with_name("impact")), "deliver"]
    runs = [subprocess.Popen(command, env=dict(os.environ), cwd=ROOT, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    sent = [line for out, _ in outputs for line in out.splitlines() if line.endswith(": sent")]
    assert len(sent) == 3, outputs
    assert sorted(m["To"] for m in smtp.messages) == sorted([FUNDER, OTHER,
                                                             "equipe@example.org"])
    assert [s for _, _, s in statuses(deliverable)] == ["sent"] * 3


def test_a_delivery_is_claimed_once(deliverable):
    """The claim itself, as two runs see it: the second finds it taken, a failed one is
    taken back."""
    impact("subscriptions", "add", FUNDER, "--every", "month")
    sub = subscriptions.get_subscription(deliverable, FUNDER)

    first = subscriptions.claim(deliverable, sub.subscription_id, EDITION, "2026-01", None)
    second = subscriptions.claim(deliverable, sub.subscription_id, EDITION, "2026-01", None)
    subscriptions.mark_failed(deliverable, first, "550 mailbox unavailable")
    third = subscriptions.claim(deliverable, sub.subscription_id, EDITION, "2026-01", None)
    fourth = subscriptions.claim(deliverable, sub.subscription_id, EDITION, "2026-01", None)

    assert first is not None and second is None
    assert third == first and fourth is None


# ---- subscriptions ------------------------------------------------------------------------------

def test_subscriptions_add_list_remove(deliverable):
    added = impact("subscriptions", "add", FUNDER.upper(), "--every", "quarter", "--edition",
                   EDITION, "--lang", "en")
    listed = impact("subscriptions", "list", "--json")
    removed = impact("subscriptions", "remove", FUNDER)
    empty = impact("subscriptions", "list")

    assert added.exit_code == 0, added.output
    assert added.output.strip() == f"{FUNDER} subscribed: quarter, {EDITION}, in en"
    [entry] = json.loads(listed.output)
    assert (entry["email"], entry["every"], entry["editions"], entry["lang"],
            entry["last_sent_at"]) == (FUNDER, "quarter", [EDITION], "en", None)
    assert removed.output.strip() == f"subscription of {FUNDER} removed"
    assert "no subscription yet" in empty.output
    with deliverable.connect() as conn:
        actions = list(conn.scalars(select(audit_log.c.action)
                                    .where(audit_log.c.action.like("subscription%"))
                                    .order_by(audit_log.c.audit_id)))
    assert actions == ["subscription_add", "subscription_remove"]


def test_the_language_defaults_to_the_apps(deliverable, monkeypatch):
    monkeypatch.setenv("IMPACT_LANG", "en")
    impact("subscriptions", "add", FUNDER, "--every", "month")
    assert subscriptions.get_subscription(deliverable, FUNDER).lang == "en"


@pytest.mark.parametrize("args, message", [
    (["nobody@example.org", "--every", "month"], "no account 'nobody@example.org'"),
    ([FUNDER, "--every", "month", "--edition", "2031-2032"], "no edition 2031-2032"),
    ([FUNDER, "--every", "month", "--edition", "2024"], "'2024' is not an edition"),
])
def test_subscriptions_add_refuses_in_one_line(deliverable, args, message):
    result = impact("subscriptions", "add", *args)
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert line.startswith(f"impact: {message}")


def test_a_disabled_account_cannot_subscribe_and_is_skipped(deliverable):
    impact("subscriptions", "add", FUNDER, "--every", "month")
    users.add_account(deliverable, OTHER, PASSWORD, "funder", {"regions": ["11"]}, actor="test")
    users.update_account(deliverable, OTHER, is_active=False, actor="test")
    users.update_account(deliverable, FUNDER, is_active=False, actor="test")

    refused = impact("subscriptions", "add", OTHER, "--every", "month")
    run = impact("deliver", "--dry-run")

    assert refused.exit_code == 1 and "disabled" in refused.output
    assert run.output.strip() == f"{FUNDER}: skipped: the account '{FUNDER}' is disabled"


def test_removing_an_account_removes_its_subscription(deliverable):
    impact("subscriptions", "add", FUNDER, "--every", "month")
    users.remove_account(deliverable, FUNDER, actor="test")
    assert subscriptions.list_subscriptions(deliverable) == []
    with deliverable.connect() as conn:
        assert conn.execute(text("select count(*) from subscription")).scalar() == 0


# ---- the mail server and the mail ---------------------------------------------------------------

def test_smtp_url_user_and_password_are_url_decoded():
    server = mail.smtp_server("smtps://relay%40example.org:p%40ss%3Aw%2Frd@mail.example.org")
    assert (server.scheme, server.host, server.port, server.user, server.password) == (
        "smtps", "mail.example.org", 465, "relay@example.org", "p@ss:w/rd")
    assert "p@ss" not in str(server)


def test_login_with_an_encoded_password_reaches_the_server():
    from aiosmtpd.smtp import AuthResult

    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=True)

    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(),
                            authenticator=authenticator, auth_require_tls=False)
    controller.start()
    try:
        message = mail.compose(to=FUNDER, sender=SENDER, edition=EDITION, audience="x",
                               published_at=dt.datetime(2026, 1, 5), every="month", lang="en",
                               pdf=b"%PDF-1.7 test")
        mail.send(message, mail.smtp_server(
            f"smtp://relay%40example.org:p%40ss%3Aw%2Frd@127.0.0.1:{controller.port}"))
    finally:
        controller.stop()
    assert seen == [("relay@example.org", "p@ss:w/rd")]
    assert len(mailbox.messages) == 1


def test_the_mail_says_what_it_holds_without_a_link_when_no_public_url():
    message = mail.compose(to=FUNDER, sender=SENDER, edition=EDITION,
                           audience="Funder report: region Auvergne-Rhône-Alpes",
                           published_at=dt.datetime(2026, 1, 5, 9, 30), every="quarter",
                           lang="en", pdf=b"%PDF-1.7 test")
    plain = message.get_body(("plain",)).get_content()
    assert "Scope: Funder report: region Auvergne-Rhône-Alpes" in plain
    assert "Published on: 5 Jan 2026" in plain
    assert "Attachment: impact-report-2024-2025.pdf (PDF)" in plain
    assert "http" not in plain and "href" not in message.get_body(("html",)).get_content()
    assert "every quarter" in plain


# ---- the accounts page (admins only, as the page already enforces) ------------------------------

def test_the_accounts_page_subscribes_and_unsubscribes(deliverable):
    from dashboard.app import create_app

    create_app(make_settings(deliverable.url.render_as_string(hide_password=False)))
    from dashboard.pages.admin import (
        SubscriptionForm,
        perform_subscription,
        subscriptions_table,
    )

    admin = "admin@example.org"
    added = perform_subscription("add", SubscriptionForm(FUNDER, "publication", (EDITION,),
                                                         "en"), admin, "fr", deliverable)
    again = perform_subscription("add", SubscriptionForm(FUNDER, "month"), admin, "en",
                                 deliverable)
    table = json.dumps(subscriptions_table(subscriptions.list_subscriptions(deliverable), "fr")
                       .to_plotly_json(), default=lambda c: c.to_plotly_json(),
                       ensure_ascii=False)
    removed = perform_subscription("remove", SubscriptionForm(FUNDER), admin, "fr",
                                   deliverable)
    nobody = perform_subscription("remove", SubscriptionForm(FUNDER), admin, "en", deliverable)

    assert added == (f"{FUNDER} recevra le rapport publié par e-mail.", True)
    assert again == (f"{FUNDER} is already subscribed: unsubscribe it first.", False)
    assert FUNDER in table and "à chaque publication d'une édition" in table
    assert EDITION in table and "anglais" in table
    assert removed == (f"{FUNDER} ne recevra plus le rapport.", True)
    assert nobody == (f"{FUNDER} has no subscription.", False)
    with deliverable.connect() as conn:
        audited = conn.execute(select(audit_log.c.actor, audit_log.c.action)
                               .where(audit_log.c.action.like("subscription%"))
                               .order_by(audit_log.c.audit_id)).all()
    assert [tuple(row) for row in audited] == [(admin, "subscription_add"),
                                               (admin, "subscription_remove")]


def test_only_admins_may_run_the_subscription_callbacks(deliverable):
    from dashboard import auth
    from dashboard.app import create_app
    from dashboard.pages import admin

    app = create_app(make_settings(deliverable.url.render_as_string(hide_password=False)))
    app.server.test_client().get("/_dash-layout")  # Dash gathers its callbacks at a request
    mine = [key for key in app.callback_map
            if any(part in key for part in (admin.SUB_BODY, admin.SUB_TABLE, admin.SUB_STATUS))]
    assert len(mine) == 3
    assert all(set(auth.callback_roles(app, key)) == {"admin"} for key in mine)


@pytest.fixture
def certificate(tmp_path, monkeypatch):
    """A self-signed certificate for 127.0.0.1, trusted by this test's TLS clients only
    (SSL_CERT_FILE is where OpenSSL's default context looks)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is missing")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    return cert, key


@pytest.mark.parametrize("scheme", ["smtp", "smtps"])
def test_mail_goes_over_tls(certificate, scheme):
    """smtp://: STARTTLS, which this server requires before any mail; smtps://: TLS from the
    first byte."""
    import ssl

    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(*certificate)
    mailbox = Mailbox()
    tls = ({"tls_context": server_context, "require_starttls": True} if scheme == "smtp"
           else {"ssl_context": server_context})
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), **tls)
    controller.start()
    try:
        message = mail.compose(to=FUNDER, sender=SENDER, edition=EDITION, audience="x",
                               published_at=dt.datetime(2026, 1, 5), every="month", lang="fr",
                               pdf=b"%PDF-1.7 test")
        mail.send(message, mail.smtp_server(f"{scheme}://127.0.0.1:{controller.port}"))
    finally:
        controller.stop()
    assert [m["To"] for m in mailbox.messages] == [FUNDER]
