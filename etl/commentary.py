"""Staff's comments on the figures: what happened that year, beside the number it explains.

One module for the pages' editor and the command line (`impact comments ...`), so both apply
the same rules and write the same audit entries:

- a comment belongs to a section (`COMMENTARY_SECTIONS`: the tour map, the awareness
  headline, outcomes by region, the guide), an edition and optionally a region (no region: a
  national comment). There is at most one comment per (section, edition, region): saving
  again replaces its text;
- the text is French (required) and English (optional: English readers see the French text,
  marked as French, rather than nothing: a comment explains a figure they read too);
- the text is plain text or a small subset of Markdown (`markup`): paragraphs, line breaks,
  *emphasis*, **strong**, `code`, lists and links to http(s) or mailto addresses. Raw HTML is
  shown as text; anything else (headings, images, other link schemes) stays as typed;
- every add, change and removal is audited (who, when; never the text, which could name
  someone).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markdown_it import MarkdownIt
from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from etl import audit
from etl.rules import RuleError
from etl.schema import COMMENTARY_SECTIONS, commentary, edition, region

MAX_LENGTH = 2000  # characters per language: a comment is a short note, not an article
LINK_SCHEMES = ("http://", "https://", "mailto:")
ADDED, CHANGED, REMOVED = audit.COMMENTARY_ACTIONS
# The Markdown rules kept off: what they would draw has no place in a short note.
DISABLED_RULES = ("heading", "lheading", "image", "code", "fence", "blockquote", "hr",
                  "html_block", "html_inline", "reference")


class CommentaryError(RuleError):
    """A comment the rules refuse."""


@dataclass(frozen=True)
class Comment:
    commentary_id: int
    section: str
    edition: str
    region_code: str | None
    text_fr: str
    text_en: str | None
    created_by: str | None
    created_at: dt.datetime
    updated_by: str | None
    updated_at: dt.datetime

    def text(self, lang: str) -> tuple[str, str]:
        """(text, its language) for a reader of `lang`: the French text when no English."""
        if lang == "en" and self.text_en:
            return self.text_en, "en"
        return self.text_fr, "fr"

    def frozen(self) -> dict:
        """What a published report keeps of it."""
        return {"section": self.section, "edition": self.edition,
                "region_code": self.region_code, "text_fr": self.text_fr,
                "text_en": self.text_en}


# ---- markup ----------------------------------------------------------------------------------

def _safe_link(url: str) -> bool:
    return url.strip().lower().startswith(LINK_SCHEMES)


def markup() -> MarkdownIt:
    """The Markdown parser of comments: CommonMark without raw HTML, with links limited to
    http(s) and mailto."""
    parser = MarkdownIt("commonmark", {"html": False})
    parser.disable(list(DISABLED_RULES))
    parser.validateLink = _safe_link
    return parser


def to_html(text: str) -> str:
    """The comment as HTML (the PDF): every character of the text escaped, links checked."""
    return markup().render(text or "")


# ---- rules -----------------------------------------------------------------------------------

def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _clean_text(value: str | None, lang: str, required: bool) -> str | None:
    text = (value or "").replace("\r\n", "\n").strip()
    if not text:
        if required:
            raise CommentaryError("the French text is empty: write the comment in French "
                                  "(English is optional)", "empty")
        return None
    if len(text) > MAX_LENGTH:
        raise CommentaryError(f"the {'French' if lang == 'fr' else 'English'} text has "
                              f"{len(text)} characters, more than {MAX_LENGTH}", "too_long",
                              text_lang=lang, n=len(text), max=MAX_LENGTH)
    return text


def _check_place(conn: Connection, section: str, edition_value: str,
                 region_code: str | None) -> tuple[str, str | None]:
    if section not in COMMENTARY_SECTIONS:
        raise CommentaryError(f"'{section}' is not a section "
                              f"({', '.join(COMMENTARY_SECTIONS)})", "section", value=section)
    from etl.transform.common import parse_edition_value

    normalised = parse_edition_value(edition_value or "")
    if normalised is None or conn.scalar(select(edition.c.edition)
                                         .where(edition.c.edition == normalised)) is None:
        raise CommentaryError(f"no edition '{edition_value}' in the warehouse", "edition",
                              value=edition_value)
    code = (region_code or "").strip() or None
    if code is not None and conn.scalar(select(region.c.region_code)
                                        .where(region.c.region_code == code)) is None:
        raise CommentaryError(f"'{code}' is not a region code such as 84", "region",
                              value=code)
    return normalised, code


def _place(section: str, edition_value: str, region_code: str | None):
    region_clause = (commentary.c.region_code.is_(None) if region_code is None
                     else commentary.c.region_code == region_code)
    return (commentary.c.section == section, commentary.c.edition == edition_value,
            region_clause)


def _comment(row) -> Comment:
    return Comment(**{name: getattr(row, name) for name in Comment.__dataclass_fields__})


def _detail(found: Comment | dict) -> dict:
    get = found.get if isinstance(found, dict) else lambda name: getattr(found, name)
    return {"commentary_id": get("commentary_id"), "section": get("section"),
            "edition": get("edition"), "region_code": get("region_code")}


# ---- reading ---------------------------------------------------------------------------------

def list_comments(engine: Engine, *, editions=None, sections=None) -> list[Comment]:
    """Every comment (of some editions and sections), by edition, section and region."""
    query = select(commentary).order_by(
        commentary.c.edition, commentary.c.section, commentary.c.region_code.is_not(None),
        commentary.c.region_code, commentary.c.commentary_id)  # national first, as on pages
    if editions:
        query = query.where(commentary.c.edition.in_(list(editions)))
    if sections:
        query = query.where(commentary.c.section.in_(list(sections)))
    with engine.connect() as conn:
        return [_comment(row) for row in conn.execute(query)]


def find(engine: Engine, section: str, edition_value: str,
         region_code: str | None = None) -> Comment | None:
    """The comment of one place, or None."""
    with engine.connect() as conn:
        row = conn.execute(select(commentary).where(
            *_place(section, edition_value, region_code or None))).first()
    return None if row is None else _comment(row)


# ---- writing ---------------------------------------------------------------------------------

def save(engine: Engine, section: str, edition_value: str, region_code: str | None,
         text_fr: str | None, text_en: str | None = None, *, actor: str | None) -> Comment:
    """Add the comment of a place, or replace its text when it has one already."""
    fr = _clean_text(text_fr, "fr", required=True)
    en = _clean_text(text_en, "en", required=False)
    now = _now()
    with engine.begin() as conn:
        edition_value, region_code = _check_place(conn, section, edition_value, region_code)
        place = _place(section, edition_value, region_code)
        existing = conn.scalar(select(commentary.c.commentary_id).where(*place))
        if existing is None:
            existing = conn.execute(commentary.insert().values(
                section=section, edition=edition_value, region_code=region_code, text_fr=fr,
                text_en=en, created_by=actor, created_at=now, updated_by=actor,
                updated_at=now)).inserted_primary_key[0]
            action = ADDED
        else:
            conn.execute(commentary.update().where(commentary.c.commentary_id == existing)
                         .values(text_fr=fr, text_en=en, updated_by=actor, updated_at=now))
            action = CHANGED
        audit.record(conn, actor=actor, action=action, detail={
            "commentary_id": existing, "section": section, "edition": edition_value,
            "region_code": region_code, "chars_fr": len(fr), "chars_en": len(en or "")})
        row = conn.execute(select(commentary)
                           .where(commentary.c.commentary_id == existing)).first()
    return _comment(row)


def add(engine: Engine, section: str, edition_value: str, region_code: str | None,
        text_fr: str | None, text_en: str | None = None, *, actor: str | None) -> Comment:
    """A new comment; refused when the place has one (change it with `save`)."""
    found = find(engine, section, edition_value, region_code)
    if found is not None:
        raise CommentaryError(f"{_where(found)} has a comment already: change or remove it",
                              "exists")
    return save(engine, section, edition_value, region_code, text_fr, text_en, actor=actor)


def remove(engine: Engine, commentary_id: int, *, actor: str | None) -> Comment:
    """Remove a comment (published reports keep their copy)."""
    with engine.begin() as conn:
        row = conn.execute(select(commentary)
                           .where(commentary.c.commentary_id == commentary_id)).first()
        if row is None:
            raise CommentaryError(f"no comment {commentary_id}", "missing",
                                  value=commentary_id)
        found = _comment(row)
        conn.execute(commentary.delete().where(commentary.c.commentary_id == commentary_id))
        audit.record(conn, actor=actor, action=REMOVED, detail=_detail(found))
    return found


def _where(found: Comment) -> str:
    place = f"region {found.region_code}" if found.region_code else "national"
    return f"{found.section}, {found.edition}, {place}"
