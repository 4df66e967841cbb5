"""Which form tool wrote an export, and what each of its columns holds (SURVEY_FORMATS.md
section 2): items, options of the multi-select, the tools' metadata, people's identifiers.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace

import pandas as pd

from etl.extract import RawTable
from etl.reference import name_key
from etl.survey_formats.vocabulary import Vocabulary, load_vocabulary


# --------------------------------------------------------------------------- tool detection

_KOBO_COLUMNS = {"_uuid", "_submission_time", "_index", "_id", "__version__", "_status",
                 "_validation_status", "_submitted_by"}
_GOOGLE_TIMESTAMPS = {"horodateur", "timestamp", "marcatemporal", "zeitstempel",
                      "informazionicronologiche", "carimbodedatahora"}
_GOOGLE_FORMS_TIME = re.compile(r"^\s*\d{4}/\d{1,2}/\d{1,2}\s")


def detect_tool(raw: RawTable) -> str:
    """One of TOOLS, from the headers' fingerprints (SURVEY_FORMATS.md 2.7)."""
    keys = [name_key(h) for h in raw.headers]
    lowered = {h.strip().lower() for h in raw.headers}
    if raw.group_headers or keys[:2] in (["serial", "sid"], ["webformserial", "webformsid"]):
        return "framaforms"
    if len(_KOBO_COLUMNS & lowered) >= 2:
        return "kobotoolbox"
    if keys and keys[0] in ("id", "responseid", "iddelareponse") and any(
            k in ("submitdate", "datesubmitted", "datedesoumission") for k in keys[1:4]):
        return "limesurvey"
    if (raw.headers and raw.headers[0].strip() == "#") or "submitdateutc" in keys or (
            "networkid" in keys and "startdateutc" in keys):
        return "typeform"
    first = set(keys[:4])
    if "id" in keys[:2] and ({"starttime", "completiontime"} <= first
                             or {"heurededebut", "heuredefin"} <= first):
        return "microsoft_forms"
    if keys and keys[0] in _GOOGLE_TIMESTAMPS:
        return "google_forms" if _written_by_forms(raw.frame[0]) else "google_sheets"
    return "template"


def _written_by_forms(timestamps: pd.Series) -> bool:
    """The Forms CSV writes `2025/10/06 9:14:02 AM UTC+2`; the Sheet writes its locale's date."""
    sample = timestamps.dropna().head(20)
    if sample.empty:
        return True
    return all(isinstance(v, str) and _GOOGLE_FORMS_TIME.match(v) for v in sample)


# --------------------------------------------------------------------------- header matching

@dataclass(frozen=True)
class Column:
    """What one column of the export holds."""

    position: int
    header: str
    kind: str | None            # 'item', 'option', a role of survey_columns.csv, or None
    item: str | None = None     # for 'item' and 'option'
    option: str | None = None   # for 'option': the canonical code of the ESS structure kind
    naive_time: str = "local"   # for 'submitted_at': zone of times written without one
    rank: int = 0               # preference among columns of the same kind


_HTML_TAG = re.compile(r"<[^>]+>")
_RECALL = re.compile(r"\{\{[^}]*\}\}")
_NUMBERING = re.compile(r"^\s*(?:q(?:uestion)?\s*)?\d+(?:\.\d+)*\s*[.):\-–]\s*", re.I)
_CODE_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(?:\[[^\]]*\])?\.\s+")
_TRAILING_HINT = re.compile(r"\s*(?:\*|\([^()]*\))\s*$")
_BRACKETED = re.compile(r"^(.*?)\s*\[([^\[\]]+)\]\s*$")
CODE_HEADER = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*(?:\[[A-Za-z0-9_\-]+\])?(?:/[A-Za-z0-9_.\-]+)*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def clean_header(text: str) -> str:
    """Older Typeform titles keep HTML and recall placeholders; neither is part of the question."""
    text = html.unescape(_HTML_TAG.sub(" ", str(text)))
    return " ".join(_RECALL.sub(" ", text).split())


def _match_question(text: str, vocab: Vocabulary) -> str | None:
    """The item a question text names, allowing numbering, a code prefix or a hint around it."""
    candidates = [text, _NUMBERING.sub("", text), _CODE_PREFIX.sub("", text),
                  _TRAILING_HINT.sub("", text)]
    # A statement of a Likert grid may be written after its question's title.
    tail = re.split(r"[?:]\s+", text)
    if len(tail) > 1:
        candidates.append(tail[-1])
    for candidate in candidates:
        item = vocab.question(candidate)
        if item:
            return item
    return None


def _effective_groups(raw: RawTable) -> list[str]:
    """Framaforms writes a block label above the first column of its block only."""
    groups, current = [], ""
    for position in range(len(raw.headers)):
        label = raw.group_headers[position] if position < len(raw.group_headers) else ""
        current = label or current
        groups.append(current)
    return groups


def classify_columns(raw: RawTable, tool: str, vocab: Vocabulary | None = None) -> list[Column]:
    vocab = vocab or load_vocabulary()
    headers = [clean_header(h) for h in raw.headers]
    groups = _effective_groups(raw) if raw.group_headers else [""] * len(headers)
    whole_ess_column = any(_match_question(h, vocab) == "ess_structures_known" for h in headers)
    columns = [_classify(position, raw.headers[position], header, groups[position], tool,
                         whole_ess_column, vocab) for position, header in enumerate(headers)]
    return [_by_values(column, raw.frame[column.position]) if column.kind is None else column
            for column in columns]


def _classify(position: int, header: str, text: str, group: str, tool: str,
              whole_ess_column: bool, vocab: Vocabulary) -> Column:
    plain = Column(position, header, None)
    if not text:
        return plain
    role = vocab.column_role(tool, text)
    if role:
        return replace(plain, kind=role[0], naive_time=role[1], rank=role[2])
    item = _match_question(text, vocab)
    if item:
        return replace(plain, kind="item", item=item)
    bracketed = _BRACKETED.match(text)
    if bracketed:  # LimeSurvey and Google Forms grids: `Question [Sub-question]`
        base, sub = bracketed.groups()
        return _sub_question(plain, _match_question(base, vocab), sub, vocab)
    if "/" in text:  # Kobo: `Group/Question`, `Question/Option`, `Group/Question/Option`
        parts = text.split("/")
        item = _match_question(parts[-1], vocab)
        if item:
            return replace(plain, kind="item", item=item)
        column = _sub_question(plain, _match_question(parts[-2], vocab), parts[-1], vocab)
        if column.kind:
            return column
        role = vocab.column_role("*", parts[-1])
        return replace(plain, kind=role[0], rank=role[2]) if role else plain
    option = vocab.option(text)
    if option:
        # Framaforms "Separate" columns sit under their question's block label; old Typeform
        # files have no question column at all, only one column per option.
        group_item = _match_question(group, vocab) if group else None
        old_typeform = tool == "typeform" and not group and not whole_ess_column
        if group_item == "ess_structures_known" or old_typeform:
            return replace(plain, kind="option", item="ess_structures_known", option=option)
    return plain


def _sub_question(plain: Column, base_item: str | None, sub: str, vocab: Vocabulary) -> Column:
    if base_item == "ess_structures_known":
        option = vocab.option(sub)
        if option:
            return replace(plain, kind="option", item=base_item, option=option)
        return plain  # `[other]`, `[comment]`: free text
    item = _match_question(sub, vocab)
    if item and item != "ess_structures_known":
        return replace(plain, kind="item", item=item)
    return plain


def _by_values(column: Column, values: pd.Series) -> Column:
    """An e-mail question has any title; its answers give it away. The tool's own e-mail
    column, when there is one, is preferred (it is the verified address)."""
    sample = values.dropna().head(200)
    if len(sample) and sum(bool(_EMAIL.match(str(v).strip())) for v in sample) >= 0.8 * len(sample):
        return replace(column, kind="email", rank=1_000_000 + column.position)
    return column
