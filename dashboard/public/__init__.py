"""The public impact page: `/public` (and `/public?lang=en`), for anybody, without signing in.

What it shows: the latest public snapshot of every published edition (`audience`): headline
figures, a map of events by region (inline SVG drawn here, `svgmap`) with its table, the
staff's commentary frozen with the snapshot, the publication date and the method. Never live
data: a load changes nothing here until staff publish the edition again.

How it is served: a plain Flask route rendering server-side HTML (`page`), no Dash, no script,
no session (the sign-in gate lets exactly this path through, `dashboard.auth.PUBLIC_PATHS`).
Its only links are the sign-in page and the other language. The query string is read for
`lang` only: `?edition=` or `?region=` select nothing.

Caching: the page changes only at publication, so its ETag is made of the public snapshots'
ids and publication times (and the language and this code's template); a request whose
If-None-Match holds it gets 304 without rendering, and a proxy may keep the page
(`Cache-Control: public`, `MAX_AGE`). A rendered page is also kept in memory by ETag.

Framing: `IMPACT_EMBED_ORIGINS` (space or comma separated origins) are the sites that may
frame this page (CSP `frame-ancestors`); without it nobody may, and every other page of the
site keeps refusing framing (`dashboard.security`).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
from functools import lru_cache

from flask import Flask, Response, request

from dashboard.public import audience

log = logging.getLogger(__name__)

PATH = "/public"
MAX_AGE = 300  # seconds a browser or proxy may reuse the page before asking again (ETag)
_RENDERED: dict[tuple[str, str], str] = {}  # (warehouse, ETag) -> page, the last few
_RENDERED_LIMIT = 8
_lock = threading.Lock()


def register(server: Flask) -> None:
    """Add the route; an IMPACT_EMBED_ORIGINS that is not a list of origins stops the start."""
    from etl.settings import embed_origins, get_settings

    embed_origins(get_settings().embed_origins)
    server.add_url_rule(PATH, "public_page", public_page, methods=["GET"])


def public_page() -> Response:
    from dashboard.view import lang_of
    from etl.db import get_engine

    lang = lang_of(request.args.get("lang"))
    engine = get_engine()
    found = audience.versions(engine)
    etag = page_etag(found, lang)
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        response = Response(_page(found, lang, etag, engine), mimetype="text/html")
    response.set_etag(etag)
    return with_headers(response)


def page_etag(found: list, lang: str) -> str:
    digest = hashlib.sha256(repr((found, lang, _code_version())).encode("utf-8"))
    return digest.hexdigest()[:32]


@lru_cache(maxsize=1)
def _code_version() -> str:
    """This package's code, template, stylesheet and texts: a release that changes the page
    changes the ETag too."""
    from pathlib import Path

    folder = Path(__file__).parent
    files = sorted([*folder.glob("*.py"), *folder.glob("templates/*")])
    return hashlib.sha256(b"".join(path.read_bytes() for path in files)).hexdigest()[:16]


def _page(found: list, lang: str, etag: str, engine) -> str:
    # The warehouse is part of the key: two warehouses served by one process (a test run,
    # a second deployment) may number and date their snapshots alike.
    key = (engine.url.render_as_string(hide_password=True), etag)
    with _lock:
        kept = _RENDERED.get(key)
    if kept is not None:
        return kept
    from dashboard.public.page import page_html

    text = page_html(_readable(found, engine), lang, sign_in="/login",
                     switch=f"{PATH}?lang={'en' if lang == 'fr' else 'fr'}")
    with _lock:
        if len(_RENDERED) >= _RENDERED_LIMIT:
            _RENDERED.pop(next(iter(_RENDERED)))
        _RENDERED[key] = text
    return text


def _readable(found: list, engine) -> list:
    """The snapshots, but one that fails its hash check (altered in the database), which is
    left out and logged in one line."""
    from dashboard.report import snapshots

    kept = []
    for edition, snapshot_id, _at in found:
        try:
            kept.append(snapshots.by_id(snapshot_id, engine))
        except snapshots.SnapshotError as error:
            log.warning("public page: edition %s left out: %s", edition, error)
    return kept


def content_security_policy(origins: tuple[str, ...]) -> str:
    """No script, no request of any kind; the page's one inline stylesheet by its hash; framed
    only by `origins`."""
    from dashboard.public.page import stylesheet

    digest = base64.b64encode(hashlib.sha256(stylesheet().encode("utf-8")).digest()).decode()
    ancestors = " ".join(origins) if origins else "'none'"
    return (f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; "
            f"form-action 'none'; frame-ancestors {ancestors}")


def with_headers(response: Response) -> Response:
    from etl.settings import embed_origins, get_settings

    origins = embed_origins(get_settings().embed_origins)
    response.headers["Content-Security-Policy"] = content_security_policy(origins)
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    if origins:
        response.frameable = True  # dashboard.security leaves out X-Frame-Options: DENY
    else:
        response.headers["X-Frame-Options"] = "DENY"
    return response
