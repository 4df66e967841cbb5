"""The mail that carries a published report to a subscriber, and the server that sends it.

Built with the standard library's `email` package: a plain-text body with a simple HTML
alternative, the PDF attached. The mail server is `IMPACT_SMTP_URL`:
`smtp://user:password@host:port` upgrades to TLS with STARTTLS whenever the server offers it,
`smtps://user:password@host:port` speaks TLS from the first byte; user and password are
URL-encoded (an "@" in a password is written %40).
"""

from __future__ import annotations

import datetime as dt
import html
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr
from urllib.parse import unquote, urlencode, urlsplit

from dashboard.i18n import fmt_date, t

TIMEOUT_SECONDS = 60
DEFAULT_PORTS = {"smtp": 25, "smtps": 465}


class MailSettingsError(ValueError):
    """IMPACT_SMTP_URL or IMPACT_MAIL_FROM is missing or cannot be used."""


class SendError(RuntimeError):
    """The mail server could not be reached, or refused the mail: one line, for the report."""


@dataclass(frozen=True)
class SmtpServer:
    scheme: str
    host: str
    port: int
    user: str
    password: str

    def __str__(self) -> str:  # never the password
        return f"{self.scheme}://{self.host}:{self.port}"


def smtp_server(url: str) -> SmtpServer:
    """IMPACT_SMTP_URL read and checked."""
    if not url:
        raise MailSettingsError("IMPACT_SMTP_URL is not set")
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise MailSettingsError("IMPACT_SMTP_URL must look like smtp://user:password@host:port "
                                "or smtps://user:password@host:port")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise MailSettingsError("IMPACT_SMTP_URL has a port that is not a number") from None
    return SmtpServer(parts.scheme, parts.hostname, port, unquote(parts.username or ""),
                      unquote(parts.password or ""))


def mail_sender(value: str) -> str:
    """IMPACT_MAIL_FROM checked: an address, with or without a display name."""
    if not value:
        raise MailSettingsError("IMPACT_MAIL_FROM is not set")
    if "@" not in parseaddr(value)[1]:
        raise MailSettingsError(f"IMPACT_MAIL_FROM is not an e-mail address: '{value}'")
    return value


def report_link(public_url: str, edition: str, lang: str) -> str:
    query = urlencode({"edition": edition, "lang": lang})
    return f"{public_url.rstrip('/')}/rapport?{query}"


def compose(*, to: str, sender: str, edition: str, audience: str,
            published_at: dt.datetime, every: str, lang: str, pdf: bytes,
            public_url: str = "") -> EmailMessage:
    """The mail of one delivery: what it holds (edition, scope, publication date), a link to
    the dashboard when IMPACT_PUBLIC_URL is set, and the PDF."""
    file_name = t("mail.file", lang, edition=edition)
    lines = [
        t("mail.holds", lang, edition=edition),
        t("mail.scope", lang, audience=audience),
        t("mail.published", lang, date=fmt_date(published_at, lang)),
        t("mail.attachment", lang, file=file_name),
    ]
    link = report_link(public_url, edition, lang) if public_url else ""
    why = t("mail.why", lang, email=to, every=t(f"mail.every.{every}", lang))
    text = "\n\n".join([t("mail.greeting", lang), lines[0], "\n".join(lines[1:]),
                        *([t("mail.link", lang, url=link)] if link else []), why]) + "\n"
    body = [f"<p>{html.escape(t('mail.greeting', lang))}</p>",
            f"<p>{html.escape(lines[0])}</p>",
            "<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in lines[1:]) + "</ul>"]
    if link:
        anchor = f'<a href="{html.escape(link)}">{html.escape(link)}</a>'
        body.append("<p>" + html.escape(t("mail.link", lang, url="\0")).replace("\0", anchor)
                    + "</p>")
    body.append(f'<p style="color:#555;font-size:90%">{html.escape(why)}</p>')
    page = (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"></head>'
            f'<body style="font-family:sans-serif">{"".join(body)}</body></html>')

    message = EmailMessage()
    message["Subject"] = t("mail.subject", lang, edition=edition, audience=audience)
    message["From"] = sender
    message["To"] = to
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].split("@")[-1] or None)
    message["Content-Language"] = lang
    message.set_content(text)
    message.add_alternative(page, subtype="html")
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=file_name)
    return message


def send(message: EmailMessage, server: SmtpServer) -> None:
    """Hand one mail to the server; SendError (one line) when it cannot be done."""
    context = ssl.create_default_context()
    try:
        if server.scheme == "smtps":
            client = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT_SECONDS,
                                      context=context)
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS)
        with client:
            client.ehlo()
            if server.scheme == "smtp" and client.has_extn("starttls"):
                client.starttls(context=context)
                client.ehlo()
            if server.user:
                client.login(server.user, server.password)
            client.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        code, reason = next(iter(error.recipients.values()))
        raise SendError(f"{server} refused the recipient: {code} {_text(reason)}") from None
    except smtplib.SMTPResponseException as error:
        raise SendError(f"{server} answered {error.smtp_code} {_text(error.smtp_error)}") \
            from None
    except (smtplib.SMTPException, OSError) as error:  # OSError: refused, timed out, TLS
        raise SendError(f"cannot send through {server}: {_text(error) or type(error).__name__}")\
            from None


def _text(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return " ".join(str(value).split())
