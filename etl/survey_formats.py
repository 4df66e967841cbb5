"""Student survey exports -> one canonical row per response. Pure functions, no database.

Reads what Google Forms (its CSV and its linked Sheet), Microsoft Forms, KoboToolbox,
LimeSurvey, Typeform, Framaforms and the project's template write (SURVEY_FORMATS.md). Which
header means which questionnaire item, and which answer means which value, is data, so a new
wording is a data change:

- `data/reference/questionnaire.csv`: question texts per item (French, English, template codes);
- `data/reference/survey_answers.csv`: answer labels per scale (Likert, options, waves...);
- `data/reference/survey_columns.csv`: the tools' metadata columns (identifier, school, times);
- `data/mappings/<tool>-<fingerprint>.toml`: one per form exported in code mode (Kobo "XML
  values", LimeSurvey "answer codes"), written once by staff from a generated skeleton.

People's identifiers only ever reach the `pseudonymise` callback: responses carry the
pseudonym, and rejected rows and messages carry no e-mail, student number, name or free text.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from etl.answers import answer_key, bare_number, scale_step, singular_key, singular_word
from etl.extract import RawTable
from etl.reference import name_key
from etl.settings import DATA_DIR

TOOLS = ("google_forms", "google_sheets", "microsoft_forms", "kobotoolbox", "limesurvey",
         "typeform", "framaforms", "template")
ITEMS = ("knows_ess", "ess_structures_known", "wants_useful", "tech_for_good",
         "consider_ess_career", "intends_volunteer", "satisfaction", "recommend")
ESS_OPTIONS = ("association", "cooperative", "mutuelle", "fondation", "entreprise_sociale")
WAVES = ("pre", "post")
RESPONSE_COLUMNS = ("row_number", "pseudonym", "tool_response_id", "answers_hash", "school",
                    "submitted_at", "wave", "edition", *ITEMS, "ess_structures_choices")
TEXT_COLUMNS = ("pseudonym", "tool_response_id", "school", "wave", "edition",
                "ess_structures_choices")
REJECTED_COLUMNS = ("row_number", "reason_code", "reason", "data")
# One row per answer the vocabulary cannot read (see etl.labels): `read` when a staff mapping
# reads it; else it is set aside and the item counts as not answered in its response.
SET_ASIDE_COLUMNS = ("row_number", "item", "scale", "question", "label", "label_key", "option",
                     "known_choices", "read")
# reason_code values of rejected rows.
INCOMPLETE, INVALID_ANSWER, INVALID_DATE, EMPTY_RESPONSE = (
    "incomplete", "invalid_answer", "invalid_date", "empty_response")

REFERENCE_DIR = DATA_DIR / "reference"
QUESTIONNAIRE_CSV = REFERENCE_DIR / "questionnaire.csv"
ANSWERS_CSV = REFERENCE_DIR / "survey_answers.csv"
COLUMNS_CSV = REFERENCE_DIR / "survey_columns.csv"
MAPPINGS_DIR = DATA_DIR / "mappings"
PARIS = "Europe/Paris"

# Which answer scale of survey_answers.csv each item reads, and its numeric range.
ITEM_SCALES = {"knows_ess": ("knows_ess", 0, 2), "wants_useful": ("agreement", 1, 5),
               "tech_for_good": ("agreement", 1, 5), "consider_ess_career": ("agreement", 1, 5),
               "intends_volunteer": ("agreement", 1, 5), "satisfaction": ("satisfaction", 1, 5),
               "recommend": ("recommend", 0, 10)}
# Column kinds that never reach a rejected row's `data`: people, and anything not loaded
# (an extra question, a note or a tag may be free text). Kind 'unused' is a tool's column known
# to carry people's own content (Kobo `_notes`, quiz scores): reported as ignored, like unknowns.
PERSONAL_KINDS = {"email", "student_number", "name", "personal", "unused", None, "ignore"}
# Tools that can export codes instead of question texts (Framaforms: "Form Key" headers).
CODE_MODE_TOOLS = ("kobotoolbox", "limesurvey", "framaforms")
MAPPING_ROLES = ("school", "email", "student_number", "name", "wave", "edition", "submitted_at",
                 "response_id", "ignore")


class SurveyFormatError(ValueError):
    """The whole file cannot be read as a student survey; one line, for a person, names the file."""


class MappingMissing(SurveyFormatError):
    """A code-mode export whose form has no mapping file yet; a skeleton was written to fill in."""

    def __init__(self, message: str, skeleton_path: Path, mapping_path: Path):
        super().__init__(message)
        self.skeleton_path = skeleton_path
        self.mapping_path = mapping_path


@dataclass
class SurveyParse:
    tool: str
    responses: pd.DataFrame     # RESPONSE_COLUMNS, one row per response kept
    rejected: pd.DataFrame      # REJECTED_COLUMNS
    ignored_columns: list[str]  # headers that match no item or known metadata
    mapping_file: str | None = None  # the code-mode mapping used, for the load's lineage
    set_aside: pd.DataFrame = field(  # SET_ASIDE_COLUMNS, of the responses kept only
        default_factory=lambda: pd.DataFrame(columns=list(SET_ASIDE_COLUMNS)))


# --------------------------------------------------------------------------- vocabularies

@dataclass(frozen=True)
class Vocabulary:
    questions: dict[str, tuple[str, str]]          # name_key(text) -> (item, lang)
    scales: dict[str, dict[str, str]]              # scale -> answer_key(label) -> value
    labels: dict[str, list[str]]                   # scale -> labels, for messages
    columns: dict[tuple[str, str], tuple[str, str, int]]  # (tool|'*', key) -> (role, zone, rank)

    def question(self, text: str) -> str | None:
        found = self.questions.get(name_key(text))
        return found[0] if found else None

    def column_role(self, tool: str, text: str) -> tuple[str, str, int] | None:
        key = name_key(text)
        return self.columns.get((tool, key)) or self.columns.get(("*", key))

    def option(self, label: str) -> str | None:
        """The kind of ESS structure a label names, in any case, with or without accents, in the
        singular or the plural, with or without a note in brackets (`Entreprise sociale (ESUS)`)."""
        options = self.scales["ess_option"]
        for text in (label, re.sub(r"\([^()]*\)", " ", label)):
            found = options.get(answer_key(text)) or _by_singular(options).get(singular_key(text))
            if found:
                return found
        return None


def _by_singular(labels: dict[str, str]) -> dict[str, str]:
    """`labels` keyed by `singular_key` too, so `Fondations` finds `Fondation`. A stored key has
    lost its word boundaries, so only its last word's plural is dropped: the reference lists
    labels in the singular. Built once per content (the vocabulary's, or one with staff labels
    merged in)."""
    cached = _SINGULAR_CACHE.get(id(labels))
    if cached is not None and cached[0] == labels:
        return cached[1]
    index = {singular_word(key): value for key, value in labels.items()}
    _SINGULAR_CACHE[id(labels)] = (dict(labels), index)
    return index


_SINGULAR_CACHE: dict[int, tuple[dict[str, str], dict[str, str]]] = {}


def _read_reference(path: Path, columns: tuple[str, ...]) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if rows and not set(columns) <= set(rows[0]):
        raise ValueError(f"{path.name}: expected the columns {', '.join(columns)}")
    return rows


@lru_cache(maxsize=4)
def load_vocabulary(questionnaire: Path = QUESTIONNAIRE_CSV, answers: Path = ANSWERS_CSV,
                    columns: Path = COLUMNS_CSV) -> Vocabulary:
    questions = {}
    for row in _read_reference(questionnaire, ("item", "lang", "text")):
        if row["item"] not in ITEMS:
            raise ValueError(f"{questionnaire.name}: unknown item '{row['item']}'")
        questions[name_key(row["text"])] = (row["item"], row["lang"])
    scales: dict[str, dict[str, str]] = {}
    labels: dict[str, list[str]] = {}
    answer_rows = _read_reference(answers, ("scale", "lang", "label", "value"))
    _check_answer_collisions(answers, answer_rows)
    for row in answer_rows:
        scales.setdefault(row["scale"], {})[answer_key(row["label"])] = row["value"]
        labels.setdefault(row["scale"], []).append(row["label"])
    roles = {}
    for rank, row in enumerate(_read_reference(columns, ("role", "tool", "header", "naive_time"))):
        roles.setdefault((row["tool"], name_key(row["header"])),
                         (row["role"], row["naive_time"] or "local", rank))
    return Vocabulary(questions, scales, labels, roles)


_NOUN_SCALES = ("ess_option", "ess_none")  # also looked up blind to plurals (Vocabulary.option)


def _check_answer_collisions(path: Path, rows: list[dict]) -> None:
    """Two labels of one scale that read the same once case, accents, apostrophes, inclusive
    forms (and, for the kinds of structure, plurals) are set aside must give the same value:
    otherwise an answer written either way could not be read for sure."""
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    for row in rows:
        scale, label, value = row["scale"], row["label"], row["value"]
        keys = {answer_key(label)}
        if scale in _NOUN_SCALES:
            keys.add(singular_word(answer_key(label)))
        for key in keys:
            first = seen.setdefault((scale, key), (label, value))
            if first[1] != value:
                raise ValueError(
                    f"{path.name}: labels '{first[0]}' ({first[1] or 'empty'}) and '{label}' "
                    f"({value or 'empty'}) of scale {scale} read as the same answer; give them "
                    f"the same value or remove one")


def with_label_maps(vocab: Vocabulary, label_maps: dict[str, dict[str, str]] | None
                    ) -> Vocabulary:
    """The vocabulary with the staff's answer mappings (etl.labels: scale -> answer key ->
    value) added to its scales' labels; a multi-select label mapped to "none" names none."""
    if not label_maps:
        return vocab
    scales = {scale: dict(labels) for scale, labels in vocab.scales.items()}
    for scale, mapped in label_maps.items():
        for key, value in mapped.items():
            if scale == "ess_option" and value == "none":
                scales.setdefault("ess_none", {})[key] = ""
            else:
                scales.setdefault(scale, {})[key] = value
    return replace(vocab, scales=scales)


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
_CODE_HEADER = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*(?:\[[A-Za-z0-9_\-]+\])?(?:/[A-Za-z0-9_.\-]+)*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _clean_header(text: str) -> str:
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
    headers = [_clean_header(h) for h in raw.headers]
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


def looks_like_student_survey(raw: RawTable) -> bool:
    """True when the headers name questionnaire items, or a mapping file describes this form,
    or it is a survey tool's export in code mode (its load then asks for the mapping).

    `satisfaction` alone is not enough, and a `project_id` column rules a coded export out:
    the organisations' follow-up survey asks for both.
    """
    tool = detect_tool(raw)
    columns = classify_columns(raw, tool)
    if {c.item for c in columns if c.kind in ("item", "option")} - {"satisfaction"}:
        return True
    if _find_mapping(MAPPINGS_DIR, tool, raw.header_fingerprint) is not None:
        return True
    about_projects = any(name_key(h) in ("projectid", "projet") for h in raw.headers)
    return tool in CODE_MODE_TOOLS and _is_code_mode(columns) and not about_projects


# --------------------------------------------------------------------------- code-mode mappings

@dataclass(frozen=True)
class Mapping:
    path: Path
    columns: dict[str, str]             # header (lower-cased) -> item, role or option label
    answers: dict[str, dict[str, str]]  # header (lower-cased) -> code (lower-cased) -> answer


def mapping_path_for(mappings_dir: Path, tool: str, fingerprint: str) -> Path:
    return Path(mappings_dir) / f"{tool}-{fingerprint}.toml"


def _find_mapping(mappings_dir: Path, tool: str, fingerprint: str) -> Path | None:
    """The form's own file, else any mapping that lists this fingerprint (a new form version)."""
    exact = mapping_path_for(mappings_dir, tool, fingerprint)
    if exact.exists():
        return exact
    if not Path(mappings_dir).is_dir():
        return None
    for path in sorted(Path(mappings_dir).glob("*.toml")):
        try:
            form = tomllib.loads(path.read_text(encoding="utf-8")).get("form", {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            continue
        if fingerprint in form.get("fingerprints", []):
            return path
    return None


def read_mapping(path: Path) -> Mapping:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SurveyFormatError(f"mapping file {path.name}: not valid TOML ({error})")
    columns = {str(k).strip().lower(): str(v).strip() for k, v in data.get("columns", {}).items()}
    answers = {str(column).strip().lower(): {str(k).strip().lower(): str(v).strip()
                                             for k, v in codes.items()}
               for column, codes in data.get("answers", {}).items()}
    for column, codes in answers.items():
        empty = [code for code, answer in codes.items() if not answer]
        if empty:
            raise SurveyFormatError(f"mapping file {path.name}: the answer of code '{empty[0]}' "
                                    f"of column '{column}' is not filled in")
    return Mapping(path, columns, answers)


def _target_column(column: Column, target: str, mapping: Mapping, vocab: Vocabulary) -> Column:
    name = mapping.path.name
    if not target:
        raise SurveyFormatError(f"mapping file {name}: column '{column.header}' is not filled in "
                                f"(write an item name, a role such as school, or ignore)")
    if target in ITEMS:
        return replace(column, kind="item", item=target)
    if target in MAPPING_ROLES:
        return replace(column, kind=target, rank=-1)
    code = target.split(":", 1)[1] if target.startswith("ess_structures_known:") else target
    option = code if code in ESS_OPTIONS else vocab.option(code)
    if option:
        return replace(column, kind="option", item="ess_structures_known", option=option)
    raise SurveyFormatError(
        f"mapping file {name}: column '{column.header}' -> '{target}' is neither an item "
        f"({', '.join(ITEMS)}), a role ({', '.join(MAPPING_ROLES)}) nor a kind of ESS structure")


def apply_mapping(columns: list[Column], mapping: Mapping, vocab: Vocabulary) -> list[Column]:
    mapped = [_target_column(c, mapping.columns[c.header.strip().lower()], mapping, vocab)
              if c.header.strip().lower() in mapping.columns else c for c in columns]
    # Kobo `question/option` and LimeSurvey `question[SQ001]` follow from their question's line.
    ess_bases = {h for h, target in mapping.columns.items() if target == "ess_structures_known"}
    return [_derived_option(c, ess_bases, mapping, vocab) if c.kind is None else c for c in mapped]


def _derived_option(column: Column, ess_bases: set[str], mapping: Mapping,
                    vocab: Vocabulary) -> Column:
    match = re.match(r"^(.+?)(?:/([^/]+)|\[([^\]]+)\])$", column.header.strip().lower())
    if not match or match.group(1) not in ess_bases:
        return column
    code = match.group(2) or match.group(3)
    label = mapping.answers.get(match.group(1), {}).get(code, code)
    option = label if label in ESS_OPTIONS else vocab.option(label)
    return replace(column, kind="option", item="ess_structures_known", option=option) \
        if option else column


def _is_code_mode(columns: list[Column]) -> bool:
    unknown = [c for c in columns if c.kind is None and c.header]
    coded = [c for c in unknown if _CODE_HEADER.match(c.header.strip())]
    return bool(coded) and 2 * len(coded) >= len(unknown)


def write_skeleton(raw: RawTable, tool: str, columns: list[Column], mapping_path: Path) -> Path:
    """A mapping file to fill in: every unrecognised column, with the codes seen in it."""
    skeleton = mapping_path.with_name(mapping_path.name + ".skeleton")
    lines = [
        f"# Mapping of a {tool} export whose headers and answers are codes ({raw.file_name}).",
        f"# Fill in every \"\" below, then save this file as {mapping_path.name}",
        "# (without .skeleton) in the same folder and load the export again.",
        "#",
        "# [columns]: what each column holds, one of",
        "#   an item: " + ", ".join(ITEMS),
        "#   one option column of \"Quelles structures de l'ESS connaissez-vous ?\": the option,",
        "#     e.g. \"Association\", \"Coopérative\", \"Mutuelle\", \"Fondation\", \"Entreprise sociale\"",
        "#   a role: " + ", ".join(MAPPING_ROLES),
        "# [answers.<column>]: what each code of that column means, written as the questionnaire's",
        "#   answer (\"Oui, précisément\", \"Vaguement\", \"Non\", \"Tout à fait d'accord\"...) or its number.",
        "",
        "[form]",
        f"tool = {json.dumps(tool)}",
        f"fingerprints = [{json.dumps(raw.header_fingerprint)}]",
        "",
        "[columns]",
    ]
    unknown = [c for c in columns if c.kind is None and c.header]
    seen = {c.position: _codes_seen(raw.frame[c.position]) for c in unknown}
    for column in unknown:
        codes = seen[column.position]
        note = f"  # values seen: {', '.join(codes)}" if codes else ""
        lines.append(f"{json.dumps(column.header, ensure_ascii=False)} = \"\"{note}")
    for column in unknown:
        codes = [c for c in seen[column.position] if _needs_translation(c)]
        if codes:
            lines += ["", f"[answers.{json.dumps(column.header, ensure_ascii=False)}]"]
            lines += [f"{json.dumps(code, ensure_ascii=False)} = \"\"" for code in codes]
    for column in columns:
        if column.kind == "school":
            codes = _codes_seen(raw.frame[column.position])
            if codes:
                lines += ["", "# Optional: the schools' names for their codes.",
                          f"# [answers.{json.dumps(column.header, ensure_ascii=False)}]"]
                lines += [f"# {json.dumps(code, ensure_ascii=False)} = \"\"" for code in codes]
    skeleton.parent.mkdir(parents=True, exist_ok=True)
    skeleton.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return skeleton


def _codes_seen(values: pd.Series, limit: int = 15) -> list[str]:
    """Distinct short codes; none at all for a column that may hold free text or addresses."""
    distinct = sorted({_cell_text(v) for v in values.dropna().unique()})
    if len(distinct) > limit or any("@" in v or len(v) > 40 for v in distinct):
        return []
    return distinct


def _needs_translation(code: str) -> bool:
    """Codes that already read as an answer (numbers, Y, `vaguement`...) need no mapping line."""
    vocab = load_vocabulary()
    key = answer_key(code)
    if re.fullmatch(r"\d+", code) or _choices(code, vocab, {}) is not None:
        return False
    return not any(key in vocab.scales[scale] for scale in
                   ("option_ticked", "knows_ess", "agreement", "satisfaction", "wave"))


# --------------------------------------------------------------------------- cell values

def _cell_text(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value).strip()


def _map_unique(values: pd.Series, parse: Callable) -> pd.Series:
    """Parse each distinct cell once: a national export repeats a handful of answers."""
    present = values.dropna()
    lookup = {value: parse(value) for value in present.unique()}
    return values.map(lookup, na_action="ignore")


def _scale_value(value, labels: dict[str, str], low: int, high: int) -> float:
    """The step of the scale a cell names (label, number, or both agreeing), NaN if unreadable;
    `labels` is keyed by `answer_key` (etl.answers.scale_step)."""
    return scale_step(_cell_text(value), labels, low, high)


def _ticked(value, option: str, vocab: Vocabulary) -> float:
    """1.0 ticked, 0.0 not, NaN unreadable. Marks are read like labels (`x`, `✓`, `Oui`,
    `VRAI`, `coché`, `1,0`...); old Typeform writes the option's own label."""
    text = _cell_text(value)
    if not text:
        return np.nan
    number = bare_number(text)
    if number is not None:
        return float(number) if number in (0, 1) else np.nan
    mark = vocab.scales["option_ticked"].get(answer_key(text))
    if mark not in (None, ""):
        return float(mark)
    return 1.0 if vocab.option(text) == option else np.nan


_PIECES = re.compile(r"[;,/|\s]+")
_HAS_WORD = re.compile(r"[^\W_]")


def _choices(value, vocab: Vocabulary, extra: dict[str, str]) -> int | None:
    """Bit set of the kinds named in one multi-select cell, or None when a part is unknown.

    Tools join choices with `;`, `, `, `,`, ` / ` or a space, and a label may itself hold
    spaces or commas, so the cell is cut at every separator and the pieces are put back
    together against the known labels.
    """
    options, nones = vocab.scales["ess_option"], vocab.scales["ess_none"]
    pieces = [p for p in _PIECES.split(_cell_text(value)) if _HAS_WORD.search(p)]
    # Code-mode `extra` codes are keyed by name_key; labels by answer_key, and by their
    # singular for a plural written in the cell (`Fondations`).
    keyings = [(extra, [name_key(p) for p in pieces]),
               (options, [answer_key(p) for p in pieces]),
               (_by_singular(options), [singular_key(p) for p in pieces])]
    none_keyings = [(nones, keyings[1][1]), (_by_singular(nones), keyings[2][1])]
    reach: dict[int, int] = {0: 0}
    for start in range(len(pieces)):
        if start not in reach:
            continue
        for end in range(start + 1, min(len(pieces), start + 8) + 1):
            code = _known(keyings, start, end)
            if code in ESS_OPTIONS:
                reach[end] = reach[start] | (1 << ESS_OPTIONS.index(code))
            elif _known(none_keyings, start, end) is not None:
                reach[end] = reach[start]
    return reach.get(len(pieces))


def _known(keyings: list[tuple[dict[str, str], list[str]]], start: int, end: int) -> str | None:
    """The value of pieces[start:end] in the first dictionary that knows them ('' for the
    `ess_none` labels), None if none does."""
    for labels, keys in keyings:
        key = "".join(keys[start:end])
        if key in labels:
            return labels[key]
    return None


# --------------------------------------------------------------------------- times

_FORMS_TIME = re.compile(
    r"^(?P<date>\d{4}/\d{1,2}/\d{1,2})\s+(?P<time>\d{1,2}:\d{2}(?::\d{2})?)"
    r"\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?)?\s*(?P<zone>.*)$")
_ISO_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
_ISO_OFFSET = r"[T ]\d{1,2}:\d{2}.*(?:Z|[+-]\d{2}:?\d{2})$"
_SLASH_DATE = re.compile(r"^\d{1,2}[/.]\d{1,2}[/.]\d{4}")
_SERIAL = re.compile(r"^\d{5}(?:[.,]\d+)?$")
_ZONE_OFFSETS = {"utc": 0, "gmt": 0, "z": 0, "wet": 0, "west": 60, "bst": 60, "cet": 60,
                 "cest": 120, "eet": 120, "eest": 180, "est": -300, "edt": -240, "cst": -360,
                 "cdt": -300, "mst": -420, "mdt": -360, "pst": -480, "pdt": -420}
_DAY_FIRST = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d/%m/%Y %I:%M:%S %p",
              "%d/%m/%Y %I:%M %p")
_MONTH_FIRST = tuple(f.replace("%d/%m", "%m/%d") for f in _DAY_FIRST)
_TIME_DTYPE = "datetime64[us]"


def _zone_minutes(zone: str) -> float | None:
    """Minutes east of UTC written in a Google Forms timestamp; NaN when none; None if unknown."""
    zone = zone.strip().lower()
    if not zone:
        return np.nan
    if zone in _ZONE_OFFSETS:
        return float(_ZONE_OFFSETS[zone])
    match = re.fullmatch(r"(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", zone)
    if not match:
        return None
    minutes = int(match.group(2)) * 60 + int(match.group(3) or 0)
    return float(minutes if match.group(1) == "+" else -minutes)


def _utc_to_paris(times: pd.Series) -> pd.Series:
    return times.dt.tz_localize("UTC").dt.tz_convert(PARIS).dt.tz_localize(None).astype(_TIME_DTYPE)


def _naive(times: pd.Series, naive_time: str) -> pd.Series:
    times = times.astype(_TIME_DTYPE)
    return _utc_to_paris(times) if naive_time == "utc" and len(times) else times


def parse_times(values: pd.Series, naive_time: str = "local", dayfirst: bool = True
                ) -> tuple[pd.Series, pd.Series]:
    """Naive Europe/Paris times, and the mask of cells that are not a readable time.

    `naive_time` says what a time written without a zone is: 'utc' (Kobo `_submission_time`,
    Typeform) or 'local' (everything else, taken as Europe/Paris).
    """
    result = pd.Series(pd.NaT, index=values.index, dtype=_TIME_DTYPE)
    present = values.notna()
    if not present.any():
        return result, present
    cells = values[present]
    if pd.api.types.infer_dtype(cells, skipna=False) == "string":  # a CSV: text only, at once
        is_text = pd.Series(True, index=cells.index)
        is_time = is_number = pd.Series(False, index=cells.index)
    else:
        is_text = cells.map(lambda v: isinstance(v, str))
        is_time = cells.map(lambda v: isinstance(v, (datetime, date, pd.Timestamp)))
        is_number = ~is_text & ~is_time & cells.map(lambda v: isinstance(v, (int, float)))
    if is_time.any():
        typed = pd.to_datetime(cells[is_time].map(pd.Timestamp), utc=False, errors="coerce")
        result[typed.index] = _naive(typed, naive_time)
    if is_number.any():
        result[cells[is_number].index] = _serial_days(cells[is_number].astype(float))
    if is_text.any():
        strings = cells[is_text]
        text = pd.Series([v.strip() for v in strings.tolist()], index=strings.index, dtype=object)
        result[text.index] = _parse_time_text(text, naive_time, dayfirst)
    return result, present & result.isna()


def _serial_days(days: pd.Series) -> pd.Series:
    """Excel serial dates (days since 1899-12-30, Excel's leap-year bug included), local time."""
    plausible = days.where((days > 20000) & (days < 80000))
    return pd.to_datetime(plausible, unit="D", origin="1899-12-30").astype(_TIME_DTYPE)


def _parse_time_text(text: pd.Series, naive_time: str, dayfirst: bool) -> pd.Series:
    result = pd.Series(pd.NaT, index=text.index, dtype=_TIME_DTYPE)
    # One pass for the common Google Forms shape; the other shapes are tried on what is left.
    matches = [_FORMS_TIME.match(v) for v in text.tolist()]
    forms = np.fromiter((m is not None for m in matches), dtype=bool, count=len(matches))
    if forms.any():
        result[forms] = _parse_forms_times(text[forms], [m for m in matches if m is not None])
    text = text[~forms]
    if text.empty:
        return result
    iso = text.str.match(_ISO_DATE.pattern)
    if iso.any():
        with_offset = iso & text.str.contains(_ISO_OFFSET, regex=True)
        if with_offset.any():
            aware = pd.to_datetime(text[with_offset], format="ISO8601", utc=True, errors="coerce")
            result[aware.index] = aware.dt.tz_convert(PARIS).dt.tz_localize(None).astype(_TIME_DTYPE)
        plain = iso & ~with_offset
        if plain.any():
            naive = pd.to_datetime(text[plain], format="ISO8601", errors="coerce")
            result[naive.index] = _naive(naive, naive_time)
    slash = text.str.match(_SLASH_DATE.pattern)
    if slash.any():
        result[text[slash].index] = _naive(_parse_slash_dates(text[slash], dayfirst), naive_time)
    serial = text.str.match(_SERIAL.pattern)
    if serial.any():
        result[text[serial].index] = _serial_days(text[serial].str.replace(",", ".").astype(float))
    return result


def _parse_forms_times(text: pd.Series, matches: list[re.Match]) -> pd.Series:
    """`2025/10/06 9:14:02 AM UTC+2`, `2023/11/13 4:20:37 pm CET`: the zone is honoured.

    The clock is read as 24-hour and AM/PM applied afterwards, because pandas' `%p` path is
    about ten times slower and a national export has 100,000 of these.
    """
    clocks = [m["time"] if m["time"].count(":") == 2 else m["time"] + ":00" for m in matches]
    base = pd.Series([f"{m['date']} {c}" for m, c in zip(matches, clocks)], index=text.index)
    local = pd.to_datetime(base, format="%Y/%m/%d %H:%M:%S", errors="coerce").astype(_TIME_DTYPE)
    ampm = pd.Series([m["ampm"] or "" for m in matches], index=text.index, dtype=object)
    ampm = ampm.map({a: re.sub(r"[.\s]", "", a).upper() for a in ampm.unique()})
    hour = local.dt.hour
    twelve = pd.Timedelta(hours=12)
    local = local.where(~(ampm.ne("") & ((hour > 12) | (hour == 0))))  # `13:00 PM` is no time
    local = local.where(~(ampm.eq("PM") & (hour < 12)), local + twelve)
    local = local.where(~(ampm.eq("AM") & (hour == 12)), local - twelve)
    zones = pd.Series([m["zone"] for m in matches], index=text.index)
    minutes = zones.map({z: _zone_minutes(z) for z in zones.unique()})
    unknown_zone = minutes.isna() & zones.str.strip().ne("")
    result = local.where(~unknown_zone)
    zoned = minutes.notna()
    if zoned.any():
        utc = local[zoned] - pd.to_timedelta(minutes[zoned].astype(float), unit="m")
        result[zoned] = _utc_to_paris(utc)
    return result


def _parse_slash_dates(text: pd.Series, dayfirst: bool) -> pd.Series:
    """Day-first or month-first as the header language says, unless the cells prove otherwise."""
    text = (text.str.replace(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})", r"\1/\2/\3", regex=True)
                .str.replace(r"\s+-\s+", " ", regex=True))  # Framaforms: `06/10/2025 - 09:14`
    preferred, other = (_DAY_FIRST, _MONTH_FIRST) if dayfirst else (_MONTH_FIRST, _DAY_FIRST)
    first = _try_formats(text, preferred)
    if first.isna().any():
        second = _try_formats(text, other)
        if second.notna().sum() > first.notna().sum():
            return second
    return first


def _try_formats(text: pd.Series, formats: tuple[str, ...]) -> pd.Series:
    result = pd.Series(pd.NaT, index=text.index, dtype=_TIME_DTYPE)
    for fmt in formats:
        missing = result.isna()
        if not missing.any():
            break
        result[missing] = pd.to_datetime(text[missing], format=fmt, errors="coerce")
    return result


def edition_of(times: pd.Series) -> pd.Series:
    """Academic year of each time: an edition starts on 1 September (Europe/Paris)."""
    start = times.dt.year - (times.dt.month < 9).astype("Int64")
    labels = start.astype("Int64").astype(str) + "-" + (start + 1).astype("Int64").astype(str)
    return labels.astype(object).where(times.notna(), None)


_EDITION = re.compile(r"^\s*(\d{4})\s*[-/–]\s*(\d{2}|\d{4})\s*$")


def parse_edition(value) -> str | None:
    match = _EDITION.match(_cell_text(value))
    if not match:
        return None
    first, second = int(match.group(1)), match.group(2)
    second = int(second) if len(second) == 4 else first // 100 * 100 + int(second)
    return f"{first}-{second}" if second == first + 1 else None


# --------------------------------------------------------------------------- the parse

class _Problems:
    """Per row, the reasons it is rejected; built only for the rows concerned."""

    def __init__(self):
        self.by_row: dict[int, list[tuple[str, str]]] = {}

    def add(self, mask, code: str, message: Callable[[int], str]) -> None:
        for position in np.flatnonzero(np.asarray(mask, dtype=bool)):
            self.by_row.setdefault(int(position), []).append((code, message(int(position))))

    def verdict(self, position: int) -> tuple[str, str]:
        problems = self.by_row[position]
        for code, reason in problems:
            if code == INCOMPLETE:  # a partial response's missing answers are no news
                return code, reason
        return problems[0][0], "; ".join(reason for _, reason in problems)


def parse_survey(raw: RawTable, *, pseudonymise: Callable[[str], str], wave: str | None = None,
                 edition: str | None = None, mappings_dir: Path = MAPPINGS_DIR,
                 label_maps: dict[str, dict[str, str]] | None = None) -> SurveyParse:
    """`label_maps`: the staff's answer mappings (etl.labels.label_maps), read on top of the
    vocabulary; an answer neither reads is set aside, not its response."""
    vocab = load_vocabulary()
    wave = _checked_wave(wave, raw, vocab)
    if edition is not None and parse_edition(edition) != edition:
        raise SurveyFormatError(f"{raw.file_name}: edition must be written like 2025-2026, "
                                f"got '{edition}'")
    tool = detect_tool(raw)
    columns = classify_columns(raw, tool, vocab)
    mapping = None
    mapping_file = _find_mapping(mappings_dir, tool, raw.header_fingerprint)
    if mapping_file:
        mapping = read_mapping(mapping_file)
        columns = apply_mapping(columns, mapping, vocab)
    elif tool in CODE_MODE_TOOLS and not _has_items(columns) and _is_code_mode(columns):
        path = mapping_path_for(mappings_dir, tool, raw.header_fingerprint)
        skeleton = write_skeleton(raw, tool, columns, path)
        raise MappingMissing(
            f"{raw.file_name}: this {tool} export writes codes instead of the questions; "
            f"describe its columns once in {path} (a skeleton to fill in was written to "
            f"{skeleton})", skeleton, path)
    if not _has_items(columns):
        raise SurveyFormatError(f"{raw.file_name}: no column is a question of the student "
                                f"questionnaire; is this a student survey export?")
    return _Parser(raw, tool, columns, mapping, with_label_maps(vocab, label_maps), pseudonymise,
                   wave, edition, base=vocab).run()


def _has_items(columns: list[Column]) -> bool:
    return any(c.kind in ("item", "option") for c in columns)


def _checked_wave(wave: str | None, raw: RawTable, vocab: Vocabulary) -> str | None:
    if wave is None:
        return None
    found = vocab.scales["wave"].get(answer_key(wave))
    if found not in WAVES:
        raise SurveyFormatError(f"{raw.file_name}: wave must be pre or post, got '{wave}'")
    return found


@dataclass
class _Parser:
    raw: RawTable
    tool: str
    columns: list[Column]
    mapping: Mapping | None
    vocab: Vocabulary
    pseudonymise: Callable[[str], str]
    wave_given: str | None
    edition_given: str | None
    base: Vocabulary | None = None  # the vocabulary without the staff's mappings
    problems: _Problems = field(default_factory=_Problems)
    consumed: set[int] = field(default_factory=set)
    set_aside: list[dict] = field(default_factory=list)  # with their position and message

    def run(self) -> SurveyParse:
        self.base = self.base or self.vocab
        self.frame = self._translated(self.raw.frame)
        self.rows = np.asarray(self.raw.row_numbers, dtype=np.int64)
        self.identifiers = self._identifiers()
        submitted = self._submitted_at()
        self._incomplete()
        items, choices = self._items()
        out = pd.DataFrame({
            "row_number": self.rows,
            "pseudonym": self._pseudonyms(),
            "tool_response_id": self._text_of("response_id"),
            "answers_hash": None,
            "school": self._text_of("school"),
            "submitted_at": submitted,
            "wave": self._waves(),
            "edition": self._editions(submitted),
            **items,
            "ess_structures_choices": choices,
        }, index=self.frame.index)
        self._keep_set_aside_of(items)
        self._empty(items, choices)
        rejected_positions = sorted(self.problems.by_row)
        keep = np.ones(len(out), dtype=bool)
        keep[rejected_positions] = False
        responses = out[keep].reset_index(drop=True)
        responses["answers_hash"] = self._anonymous_keys(responses, np.flatnonzero(keep))
        for name in TEXT_COLUMNS:  # None, not NaN, for a missing text: what the loader writes
            responses[name] = responses[name].astype(object).where(responses[name].notna(), None)
        return SurveyParse(self.tool, responses[list(RESPONSE_COLUMNS)],
                           self._rejected(rejected_positions), self._ignored(),
                           str(self.mapping.path) if self.mapping else None,
                           self._set_aside_frame(set(rejected_positions)))

    def _anonymous_keys(self, responses: pd.DataFrame, positions: np.ndarray) -> pd.Series:
        """The answers hash of the responses without a pseudonym (those without the tool's
        response id too are keyed by it), None for the others: a national export's 100,000
        identified responses need none."""
        pseudonyms = responses["pseudonym"]
        anonymous = ~(pseudonyms.notna() & pseudonyms.astype(object).ne("")).to_numpy()
        hashes = pd.Series(None, index=responses.index, dtype=object)
        if anonymous.any():
            signatures = self._set_aside_signatures(positions[anonymous])
            hashes[anonymous] = _answers_hash(responses[anonymous], signatures).to_numpy()
        return hashes

    # ---- columns of one kind

    def _of(self, kind: str) -> list[Column]:
        found = sorted((c for c in self.columns if c.kind == kind), key=lambda c: c.rank)
        self.consumed.update(c.position for c in found)
        return found

    def _translated(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Code-mode answers become the questionnaire's labels before anything reads them."""
        if not self.mapping or not self.mapping.answers:
            return frame
        frame = frame.copy()
        for column in self.columns:
            codes = self.mapping.answers.get(column.header.strip().lower())
            if codes:
                frame[column.position] = _map_unique(
                    frame[column.position], lambda v, c=codes: c.get(_cell_text(v).lower(), v))
        return frame

    def _first_present(self, kind: str, parse: Callable = _cell_text) -> pd.Series:
        result = pd.Series(None, index=self.frame.index, dtype=object)
        for column in self._of(kind):
            values = _map_unique(self.frame[column.position], parse).astype(object)
            result = result.where(result.notna(), values)
        return result.where(result.notna(), None)

    def _text_of(self, kind: str) -> pd.Series:
        return self._first_present(kind)

    # ---- people

    def _identifiers(self) -> pd.Series:
        """E-mail first, else student number; `anonymous` (Microsoft Forms) is no one."""
        anonymous = {label.strip().lower() for label in self.vocab.labels["anonymous"]}
        result = pd.Series(None, index=self.frame.index, dtype=object)
        for kind in ("email", "student_number"):
            for column in self._of(kind):
                cells = self.frame[column.position].dropna()
                # Nearly every cell is distinct here: no point in parsing distinct values once.
                text = pd.Series([v.strip() if type(v) is str else _cell_text(v)
                                  for v in cells.tolist()], index=cells.index, dtype=object)
                text = text[text.ne("") & ~text.str.lower().isin(anonymous)]
                result = result.where(result.notna(), text.reindex(result.index).astype(object))
        self._of("name"), self._of("personal")
        return result.where(result.notna(), None)

    def _pseudonyms(self) -> pd.Series:
        present = self.identifiers.dropna()
        lookup = {value: self.pseudonymise(value) for value in present.unique()}
        return self.identifiers.map(lookup, na_action="ignore").astype(object).where(
            self.identifiers.notna(), None)

    # ---- times and completion

    def _dayfirst(self, header: str) -> bool:
        """Google Sheets writes its locale's date: `Timestamp` (English) means month first."""
        if name_key(header) == "timestamp":
            return False
        langs = [self.vocab.questions.get(name_key(_clean_header(c.header)), (None, None))[1]
                 for c in self.columns if c.kind == "item"]
        return langs.count("en") <= langs.count("fr")

    def _submitted_at(self) -> pd.Series:
        result = pd.Series(pd.NaT, index=self.frame.index, dtype=_TIME_DTYPE)
        for column in self._of("submitted_at"):
            values = self.frame[column.position]
            if self.tool == "limesurvey":  # not date-stamped: submitted, but when is unknown
                values = values.where(values.map(_cell_text, na_action="ignore")
                                      != "1980-01-01 00:00:00", None)
            times, unreadable = parse_times(values, column.naive_time, self._dayfirst(column.header))
            self.problems.add(unreadable & result.isna(), INVALID_DATE,
                              lambda p, c=column: self._message(p, c, "is not a date and time"))
            result = result.where(result.notna(), times)
        return result

    def _incomplete(self) -> None:
        """Typeform partials, LimeSurvey responses never submitted, Framaforms drafts."""
        index = self.frame.index
        if self.tool == "typeform":
            partial = pd.Series(False, index=index)
            for column in self._of("response_type"):
                kinds = self.frame[column.position].map(name_key, na_action="ignore")
                partial |= kinds.eq("partial").fillna(False).astype(bool)
            self._reject_incomplete(partial, "Typeform marks it partial")
        submitted = self._of("submitted_at")
        if self.tool in ("typeform", "limesurvey") and submitted:
            unsubmitted = pd.Series(True, index=index)
            for column in submitted:
                unsubmitted &= self.frame[column.position].isna()
            self._reject_incomplete(unsubmitted, "no submission date")
        if self.tool == "framaforms":
            draft = pd.Series(False, index=index)
            for column in self._of("draft"):
                marks = self.frame[column.position].map(_cell_text, na_action="ignore")
                draft |= marks.map(name_key, na_action="ignore").isin(["1", "yes", "oui", "true"])
            self._reject_incomplete(draft, "a Framaforms draft")

    def _reject_incomplete(self, mask: pd.Series, why: str) -> None:
        self.problems.add(mask, INCOMPLETE,
                          lambda p: f"row {self.rows[p]}: incomplete response ({why})")

    # ---- wave and edition

    def _waves(self) -> pd.Series:
        columns = self._of("wave")
        if self.wave_given:
            return pd.Series(self.wave_given, index=self.frame.index, dtype=object)
        result = pd.Series(None, index=self.frame.index, dtype=object)
        waves = self.vocab.scales["wave"]
        for column in columns:
            values = self.frame[column.position]
            found = _map_unique(values, lambda v: waves.get(answer_key(_cell_text(v))))
            self.problems.add(values.notna() & found.isna(), INVALID_ANSWER,
                              lambda p, c=column: self._message(p, c, "must be pre or post"))
            result = result.where(result.notna(), found)
        return result.astype(object).where(result.notna(), None)

    def _editions(self, submitted: pd.Series) -> pd.Series:
        if self.edition_given:
            self._of("edition")
            return pd.Series(self.edition_given, index=self.frame.index, dtype=object)
        result = pd.Series(None, index=self.frame.index, dtype=object)
        for column in sorted((c for c in self.columns if c.kind == "edition"),
                             key=lambda c: c.rank):
            values = self.frame[column.position]
            found = _map_unique(values, parse_edition)
            if found.isna().all():
                continue  # e.g. a `promo` of graduation years: reported as ignored
            self.consumed.add(column.position)
            self.problems.add(values.notna() & found.isna(), INVALID_ANSWER,
                              lambda p, c=column: self._message(
                                  p, c, "must be an edition like 2025-2026"))
            result = result.where(result.notna(), found)
        result = result.where(result.notna(), edition_of(submitted))
        return result.astype(object).where(result.notna(), None)

    # ---- questionnaire items

    def _items(self) -> tuple[dict[str, pd.Series], pd.Series]:
        items = {}
        for item in ITEMS:
            if item == "ess_structures_known":
                items[item], choices = self._ess()
            else:
                items[item] = self._scale_item(item)
        return items, choices

    def _scale_item(self, item: str) -> pd.Series:
        """The item's values; an answer neither the vocabulary nor a staff mapping reads (a
        label it does not know, 7 on a 1-5 scale) is set aside: NaN, as if not answered."""
        scale, low, high = ITEM_SCALES[item]
        labels = self.vocab.scales.get(scale, {})
        plain_labels = self.base.scales.get(scale, {})
        result = pd.Series(np.nan, index=self.frame.index, dtype=float)
        expected = (f"must be {' / '.join(self.vocab.labels['knows_ess'][:3])}"
                    if item == "knows_ess" else f"must be {low}-{high}")
        for column in self._of_item("item", item):
            values = self.frame[column.position]
            found = _map_unique(values, lambda v: _scale_value(v, labels, low, high)).astype(float)
            plain = found if labels is plain_labels else _map_unique(
                values, lambda v: _scale_value(v, plain_labels, low, high)).astype(float)
            unknown = (values.notna() & plain.isna() & result.isna()).to_numpy()
            for position in np.flatnonzero(unknown):
                self._set_aside(position, item, scale, column, _cell_text(values.iat[position]),
                                not np.isnan(found.iat[position]), expected)
            result = result.fillna(found)
        return result

    def _set_aside(self, position: int, item: str, scale: str, column: Column, label: str,
                   read: bool, expected: str, option: str | None = None,
                   known_choices: str | None = None) -> None:
        shown = not self._looks_like_identifier(label, position)
        self.set_aside.append({
            "position": int(position), "row_number": int(self.rows[position]), "item": item,
            "scale": scale, "question": column.header, "label": label if shown else None,
            "label_key": answer_key(label) if shown else None, "option": option,
            "known_choices": known_choices, "read": bool(read),
            "message": self._message(position, column, expected)})

    def _keep_set_aside_of(self, items: dict[str, pd.Series]) -> None:
        """An answer another column of the same item read is not set aside."""
        self.set_aside = [r for r in self.set_aside if r["read"] or item_missing(
            items[r["item"]], r["position"])]

    def _set_aside_signatures(self, positions: np.ndarray) -> list[dict[str, str]]:
        """Per kept response, item -> its unread labels: part of an anonymous response's key,
        so that a mapping made later does not make it a new response."""
        if not self.set_aside:
            return []
        by_position: dict[int, dict[str, list[str]]] = {}
        for r in self.set_aside:
            by_position.setdefault(r["position"], {}).setdefault(r["item"], []).append(
                r["label_key"] if r["label_key"] is not None else "?")
        return [{item: ",".join(keys) for item, keys in by_position.get(int(p), {}).items()}
                for p in positions]

    def _set_aside_frame(self, rejected: set[int]) -> pd.DataFrame:
        rows = [[r[k] for k in SET_ASIDE_COLUMNS] for r in self.set_aside
                if r["position"] not in rejected]
        # Object columns: a label not stored stays None (pandas would infer text and NaN).
        columns = {name: pd.Series([row[i] for row in rows], dtype=object)
                   for i, name in enumerate(SET_ASIDE_COLUMNS)}
        return pd.DataFrame(columns, columns=list(SET_ASIDE_COLUMNS))

    def _set_aside_messages(self, position: int) -> list[str]:
        if not hasattr(self, "_messages_by_position"):
            self._messages_by_position: dict[int, list[str]] = {}
            for r in self.set_aside:
                if not r["read"]:
                    self._messages_by_position.setdefault(r["position"], []).append(r["message"])
        return self._messages_by_position.get(position, [])

    def _of_item(self, kind: str, item: str) -> list[Column]:
        found = [c for c in self.columns if c.kind == kind and c.item == item]
        self.consumed.update(c.position for c in found)
        return found

    def _ess(self) -> tuple[pd.Series, pd.Series]:
        """Count and codes of the kinds of ESS structures known; detail columns win over a
        summary column, whose space-joined labels are ambiguous (Kobo)."""
        summaries = self._of_item("item", "ess_structures_known")
        options = self._of_item("option", "ess_structures_known")
        index = self.frame.index
        if not summaries and not options:
            return (pd.Series(np.nan, index=index, dtype=float),
                    pd.Series(None, index=index, dtype=object))
        detail_bits = pd.Series(0, index=index, dtype=np.int64)
        detail_plain_bits = pd.Series(0, index=index, dtype=np.int64)
        detail_seen = pd.Series(False, index=index)
        detail_unread = pd.Series(False, index=index)
        detail_set_aside = []
        for column in options:
            values = self.frame[column.position]
            ticked = _map_unique(values, lambda v, o=column.option: _ticked(v, o, self.vocab))
            plain = ticked if self.vocab is self.base else _map_unique(
                values, lambda v, o=column.option: _ticked(v, o, self.base))
            for position in np.flatnonzero((values.notna() & plain.isna()).to_numpy()):
                detail_set_aside.append((position, column, _cell_text(values.iat[position]),
                                         not np.isnan(ticked.iat[position])))
            detail_unread |= values.notna() & ticked.isna()
            bit = 1 << ESS_OPTIONS.index(column.option)
            detail_bits |= np.where(ticked.fillna(0).to_numpy() > 0, bit, 0)
            detail_plain_bits |= np.where(plain.fillna(0).to_numpy() > 0, bit, 0)
            detail_seen |= values.notna()
        for position, column, label, read in detail_set_aside:
            self._set_aside(position, "ess_structures_known", "option_ticked", column, label,
                            read, "must be ticked (X, Y, 1, Oui) or left empty",
                            option=column.option,
                            known_choices=_bits_to_codes(int(detail_plain_bits.iat[position])))
        summary_bits = pd.Series(0, index=index, dtype=np.int64)
        summary_unread = pd.Series(False, index=index)
        extra = self._code_options(summaries)
        expected = ("must name known kinds of structure (" +
                    ", ".join(self.vocab.labels["ess_option"][:5]) + ")")
        use_detail = detail_seen | (not summaries)
        for column in summaries:
            values = self.frame[column.position]
            bits = _map_unique(values, lambda v: _choices(v, self.vocab, extra))
            plain = bits if self.vocab is self.base else _map_unique(
                values, lambda v: _choices(v, self.base, extra))
            unknown = (values.notna() & plain.isna() & ~use_detail).to_numpy()
            for position in np.flatnonzero(unknown):
                text = _cell_text(values.iat[position])
                pieces, known = _unknown_pieces(text, self.base, extra)
                for piece in pieces:
                    self._set_aside(position, "ess_structures_known", "ess_option", column,
                                    piece, not pd.isna(bits.iat[position]), expected,
                                    known_choices=_bits_to_codes(known))
            summary_unread |= values.notna() & bits.isna()
            summary_bits |= bits.fillna(0).astype(np.int64)
        bits = detail_bits.where(use_detail, summary_bits)
        unread = detail_unread.where(use_detail, summary_unread)
        lookup = {b: _bits_to_codes(b) for b in bits.unique()}
        codes = bits.map(lookup).astype(object).where(~unread, None)
        counts = {b: float(bin(int(b)).count("1")) for b in lookup}
        return bits.map(counts).astype(float).where(~unread), codes

    def _code_options(self, summaries: list[Column]) -> dict[str, str]:
        """Code-mode summary cells hold option codes; the mapping says which kind each is."""
        extra = {}
        if self.mapping:
            for column in summaries:
                for code, label in self.mapping.answers.get(column.header.strip().lower(), {}).items():
                    option = label if label in ESS_OPTIONS else self.vocab.option(label)
                    if option:
                        extra[name_key(code)] = option
        return extra

    def _empty(self, items: dict[str, pd.Series], choices: pd.Series) -> None:
        answered = choices.fillna("").astype(str) != ""
        for item, values in items.items():
            if item != "ess_structures_known":
                answered |= values.notna()
        self.problems.add(~answered.to_numpy() & ~self._already_rejected(), EMPTY_RESPONSE,
                          lambda p: f"row {self.rows[p]}: no question of the questionnaire "
                                    f"is answered")

    def _already_rejected(self) -> np.ndarray:
        mask = np.zeros(len(self.frame), dtype=bool)
        mask[list(self.problems.by_row)] = True
        return mask

    # ---- reporting

    def _message(self, position: int, column: Column, expected: str) -> str:
        value = self.frame.iat[position, column.position]
        shown = self._shown(value, position)
        return f"row {self.rows[position]}: '{column.header}' {expected}, got {shown}"

    def _shown(self, value, position: int) -> str:
        """A cell as a person can check it, unless it could be someone's identifier."""
        text = _cell_text(value)
        if self._looks_like_identifier(text, position):
            return "a value that looks like an identifier (not shown)"
        return repr(text if len(text) <= 80 else text[:77] + "...")

    def _looks_like_identifier(self, text: str, position: int) -> bool:
        identifier = self.identifiers.iat[position]
        return "@" in text or (identifier is not None and text == identifier)

    def _rejected(self, positions: list[int]) -> pd.DataFrame:
        safe = [c for c in self.columns if c.kind not in PERSONAL_KINDS]
        keys: list[str] = []
        for column in safe:
            keys.append(column.header if column.header not in keys
                        else f"{column.header} ({column.position + 1})")
        cells = self.raw.frame.iloc[positions, [c.position for c in safe]].to_numpy().tolist()
        identifiers = self.identifiers.iloc[positions].tolist()
        records = []
        for position, row, identifier in zip(positions, cells, identifiers):
            code, reason = self.problems.verdict(position)
            if code != INCOMPLETE:  # its unreadable answers would have been set aside
                reason = "; ".join([reason, *self._set_aside_messages(position)])
            data = {key: _data_value(value, identifier) for key, value in zip(keys, row)}
            records.append((int(self.rows[position]), code, reason, data))
        return pd.DataFrame(records, columns=list(REJECTED_COLUMNS)).astype(
            {"row_number": "int64", "reason_code": object, "reason": object, "data": object})

    def _ignored(self) -> list[str]:
        return [c.header or f"(column {c.position + 1})" for c in self.columns
                if c.kind in (None, "unused", "edition") and c.position not in self.consumed]


def _data_value(value, identifier: str | None):
    """A rejected row's cell, kept as written unless it could be someone's identifier."""
    if value is None:
        return None
    text = _cell_text(value)
    if "@" in text or (identifier is not None and text == identifier):
        return None
    return value if isinstance(value, (int, float, str)) else text


def item_missing(values: pd.Series, position: int) -> bool:
    value = values.iat[position]
    return value is None or (isinstance(value, float) and np.isnan(value))


_PIECE = re.compile(r"[^;,/|\s]+")


def _unknown_pieces(text: str, vocab: Vocabulary, extra: dict[str, str]) -> tuple[list[str], int]:
    """The parts of a multi-select cell that name no known kind (consecutive unknown words kept
    together, as written), and the bits of the kinds it does name; the fewest unknown parts
    win, as `_choices` puts the pieces back together."""
    options, nones = vocab.scales["ess_option"], vocab.scales["ess_none"]
    spans = [m for m in _PIECE.finditer(text) if name_key(m.group())]
    keys = [name_key(m.group()) for m in spans]
    # best[i]: (unknown pieces, bits, unknown flags) over the first i pieces
    best: dict[int, tuple[int, int, tuple[bool, ...]]] = {0: (0, 0, ())}
    for start in range(len(keys)):
        if start not in best:
            continue
        unknown, bits, flags = best[start]
        candidates = [(start + 1, (unknown + 1, bits, flags + (True,)))]
        for end in range(start + 1, min(len(keys), start + 8) + 1):
            key = "".join(keys[start:end])
            code = extra.get(key) or options.get(key)
            if code in ESS_OPTIONS:
                candidates.append((end, (unknown, bits | 1 << ESS_OPTIONS.index(code),
                                         flags + (False,) * (end - start))))
            elif key in nones:
                candidates.append((end, (unknown, bits, flags + (False,) * (end - start))))
        for end, candidate in candidates:
            if end not in best or candidate[0] < best[end][0]:
                best[end] = candidate
    _, bits, flags = best[len(keys)]
    pieces, run = [], None
    for span, is_unknown in zip(spans, flags):
        if is_unknown:
            run = (run[0] if run else span.start(), span.end())
        elif run:
            pieces.append(text[run[0]:run[1]])
            run = None
    if run:
        pieces.append(text[run[0]:run[1]])
    return (pieces or [text]), bits


def _bits_to_codes(bits: int) -> str:
    return ";".join(code for i, code in enumerate(ESS_OPTIONS) if bits >> i & 1)


def _answers_hash(responses: pd.DataFrame,
                  set_aside: list[dict[str, str]] | None = None) -> pd.Series:
    """Key of an anonymous response without a tool id: same time and answers, same response.

    An answer the vocabulary cannot read counts by its label (`set_aside`: per response, item
    -> label keys), whether a staff mapping reads it or not, so that a mapping made between
    two loads of the same export does not turn its responses into new ones."""
    if responses.empty:
        return pd.Series([], dtype=object)
    parts = [responses["submitted_at"].astype(str).fillna("").tolist()]
    for item in ITEMS:
        parts.append(_map_unique(responses[item], lambda v: f"{v:g}").astype(object)
                     .fillna("").tolist())
    parts.append(responses["ess_structures_choices"].astype(object).fillna("").tolist())
    rows = [list(row) for row in zip(*parts)]
    for row, labels in zip(rows, set_aside or []):
        if labels:
            for item in labels:
                row[1 + ITEMS.index(item)] = ""
                if item == "ess_structures_known":
                    row[-1] = ""
            row.append("set_aside:" + ";".join(f"{i}={labels[i]}" for i in sorted(labels)))
    return pd.Series([hashlib.sha256("|".join(row).encode("utf-8")).hexdigest()
                      for row in rows], index=responses.index, dtype=object)
