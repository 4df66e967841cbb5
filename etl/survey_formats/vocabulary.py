"""The student questionnaire and the words that answer it: items, scales, waves, the
canonical columns of a parsed survey, and the vocabulary read from `data/reference/`.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import pandas as pd

from etl.answers import answer_key, singular_key, singular_word
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
            found = options.get(answer_key(text)) or by_singular(options).get(singular_key(text))
            if found:
                return found
        return None


def by_singular(labels: dict[str, str]) -> dict[str, str]:
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
