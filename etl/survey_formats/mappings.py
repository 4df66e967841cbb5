"""Code-mode exports (Kobo "XML values", LimeSurvey "answer codes", Framaforms keys): the
mapping file staff write once per form, `data/mappings/<tool>-<fingerprint>.toml`, and the
skeleton written for them to fill in.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from etl.answers import answer_key
from etl.extract import RawTable
from etl.survey_formats.cells import cell_text, choice_bits
from etl.survey_formats.columns import CODE_HEADER, Column
from etl.survey_formats.vocabulary import (
    ESS_OPTIONS, ITEMS, MAPPING_ROLES, SurveyFormatError, Vocabulary, load_vocabulary)


@dataclass(frozen=True)
class Mapping:
    path: Path
    columns: dict[str, str]             # header (lower-cased) -> item, role or option label
    answers: dict[str, dict[str, str]]  # header (lower-cased) -> code (lower-cased) -> answer


def mapping_path_for(mappings_dir: Path, tool: str, fingerprint: str) -> Path:
    return Path(mappings_dir) / f"{tool}-{fingerprint}.toml"


def find_mapping(mappings_dir: Path, tool: str, fingerprint: str) -> Path | None:
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


def is_code_mode(columns: list[Column]) -> bool:
    unknown = [c for c in columns if c.kind is None and c.header]
    coded = [c for c in unknown if CODE_HEADER.match(c.header.strip())]
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
    distinct = sorted({cell_text(v) for v in values.dropna().unique()})
    if len(distinct) > limit or any("@" in v or len(v) > 40 for v in distinct):
        return []
    return distinct


def _needs_translation(code: str) -> bool:
    """Codes that already read as an answer (numbers, Y, `vaguement`...) need no mapping line."""
    vocab = load_vocabulary()
    key = answer_key(code)
    if re.fullmatch(r"\d+", code) or choice_bits(code, vocab, {}) is not None:
        return False
    return not any(key in vocab.scales[scale] for scale in
                   ("option_ticked", "knows_ess", "agreement", "satisfaction", "wave"))
