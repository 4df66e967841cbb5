"""One settings object: defaults, then the environment (and `.env`), then overrides for tests.

Every setting is declared once in `SETTINGS`, which the README and `.env.example` document.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"

DEMO_PSEUDONYM_KEY = "demo-key-not-for-real-data"
# An origin a CSP source list accepts as it is: http(s), a host name or address, a port.
ORIGIN = re.compile(r"https?://(\*\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?/?")


@dataclass(frozen=True)
class Setting:
    env: str
    default: str
    help: str


SETTINGS: dict[str, Setting] = {
    "database_url": Setting(
        "DATABASE_URL", f"sqlite:///{DATA_DIR / 'warehouse.sqlite'}",
        "SQLAlchemy URL of the warehouse (SQLite file, or postgresql+psycopg://...)."),
    "pseudonym_key": Setting(
        "IMPACT_PSEUDONYM_KEY", "",
        "Secret key of the keyed hash that pseudonymises people; loading people's data "
        "is refused without it."),
    "min_cell": Setting(
        "IMPACT_MIN_CELL", "5", "K: figures built from fewer than K people are hidden."),
    "secret_key": Setting(
        "SECRET_KEY", "", "Signs the session cookies; required in production."),
    "default_lang": Setting("IMPACT_LANG", "fr", "Default interface language (fr or en)."),
    "redis_url": Setting(
        "REDIS_URL", "", "Redis URL for the shared figure cache (several workers or machines)."),
    "env": Setting(
        "IMPACT_ENV", "development", "`production` enforces SECRET_KEY and secure cookies."),
    "secure_cookies": Setting(
        "IMPACT_SECURE_COOKIES", "", "Force secure cookies on (1) or off (0); default: on in "
                                     "production only."),
    "max_upload_mb": Setting("IMPACT_MAX_UPLOAD_MB", "100", "Largest accepted upload, in MB."),
    "upload_dir": Setting(
        "IMPACT_UPLOAD_DIR", "", "Folder of uploaded files and load jobs (default: data/); a "
                             "disk every web server shares when there are several machines."),
    "cache_prefix": Setting(
        "IMPACT_CACHE_PREFIX", "impact:fig:", "Prefix of the figure cache's keys in Redis; "
                                              "deployments sharing one Redis need their own."),
    "db_pool_size": Setting(
        "IMPACT_DB_POOL_SIZE", "5", "PostgreSQL connections each process keeps open."),
    "db_max_overflow": Setting(
        "IMPACT_DB_MAX_OVERFLOW", "5", "Extra PostgreSQL connections a process may open "
                                       "under load."),
    "trusted_proxies": Setting(
        "IMPACT_TRUSTED_PROXIES", "0", "Reverse proxies in front of the web server whose "
                                       "X-Forwarded-For/-Proto/-Host are trusted (0: none; 1 "
                                       "behind one proxy), so that the sign-in limit per "
                                       "address counts visitors, not the proxy."),
    "smtp_url": Setting(
        "IMPACT_SMTP_URL", "", "Mail server of scheduled report delivery: "
                               "smtp://user:password@host:port (STARTTLS when offered) or "
                               "smtps://... (implicit TLS); user and password URL-encoded."),
    "mail_from": Setting(
        "IMPACT_MAIL_FROM", "", "Sender address of delivered reports, e.g. "
                                "Latitudes Impact <impact@example.org>."),
    "public_url": Setting(
        "IMPACT_PUBLIC_URL", "", "Address of the dashboard for links in delivered reports' "
                                 "mails, e.g. https://impact.example.org (none: no link)."),
    "embed_origins": Setting(
        "IMPACT_EMBED_ORIGINS", "", "Sites allowed to frame the public page /public, e.g. "
                                    "https://www.example.org (space or comma separated; "
                                    "none: no site may frame it)."),
}


@dataclass(frozen=True)
class Settings:
    database_url: str = SETTINGS["database_url"].default
    pseudonym_key: str = ""
    min_cell: int = 5
    secret_key: str = ""
    default_lang: str = "fr"
    redis_url: str = ""
    env: str = "development"
    secure_cookies: str = ""
    max_upload_mb: int = 100
    upload_dir: str = ""
    cache_prefix: str = "impact:fig:"
    db_pool_size: int = 5
    db_max_overflow: int = 5
    trusted_proxies: int = 0
    smtp_url: str = ""
    mail_from: str = ""
    public_url: str = ""
    embed_origins: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def cookies_secure(self) -> bool:
        if self.secure_cookies in ("0", "1"):
            return self.secure_cookies == "1"
        return self.is_production

    def replace(self, **changes) -> "Settings":
        return dataclasses.replace(self, **changes)


def _coerce(name: str, raw: str):
    kind = Settings.__dataclass_fields__[name].type
    if kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise SettingsError(f"{SETTINGS[name].env} must be a whole number, not '{raw}'")
    return raw


class SettingsError(ValueError):
    """A setting has a value that cannot be used."""


def from_environment(environ=None, dotenv: bool = True) -> Settings:
    if dotenv and environ is None:
        from dotenv import load_dotenv

        load_dotenv(PROJECT_ROOT / ".env", override=False)
    environ = os.environ if environ is None else environ
    values = {}
    for name, setting in SETTINGS.items():
        raw = environ.get(setting.env)
        if raw not in (None, ""):
            values[name] = _coerce(name, raw)
    settings = Settings(**values)
    if settings.min_cell < 1:
        raise SettingsError("IMPACT_MIN_CELL must be at least 1")
    if settings.trusted_proxies < 0:
        raise SettingsError("IMPACT_TRUSTED_PROXIES must be 0 or more")
    if settings.default_lang not in ("fr", "en"):
        raise SettingsError("IMPACT_LANG must be fr or en")
    embed_origins(settings.embed_origins)
    return settings


def embed_origins(text: str) -> tuple[str, ...]:
    """IMPACT_EMBED_ORIGINS as a tuple of origins (scheme://host[:port], no path), or a
    SettingsError naming the first entry that is not one."""
    origins = []
    for entry in text.replace(",", " ").split():
        if not ORIGIN.fullmatch(entry):
            raise SettingsError(f"IMPACT_EMBED_ORIGINS: '{entry}' is not an origin such as "
                                "https://www.example.org (scheme, host, optional port)")
        origins.append(entry.rstrip("/").lower())
    return tuple(origins)


_current: Settings | None = None
_on_configure: list[Callable[[], None]] = []


def get_settings() -> Settings:
    global _current
    if _current is None:
        _current = from_environment()
    return _current


def configure(settings: Settings | None) -> None:
    """Replace the settings in force (tests), or forget them (None: re-read the environment).
    What was built from the old settings is let go (`on_configure`)."""
    global _current
    _current = settings
    for forget in _on_configure:
        forget()


def on_configure(forget: Callable[[], None]) -> None:
    """Call `forget()` whenever the settings in force are replaced: the warehouse engines
    (`etl.db`) close their connections, which the old settings opened."""
    if forget not in _on_configure:
        _on_configure.append(forget)
