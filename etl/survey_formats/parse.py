"""A survey export -> one canonical row per response kept, the rejected rows with their
reasons, and the answers set aside (`parse_survey`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from etl.answers import answer_key
from etl.extract import RawTable
from etl.reference import name_key
from etl.survey_formats.cells import (
    bits_to_codes, cell_text, choice_bits, data_value, item_missing, map_unique, scale_value,
    ticked_mark, unknown_pieces)
from etl.survey_formats.columns import Column, classify_columns, clean_header, detect_tool
from etl.survey_formats.mappings import (
    Mapping, apply_mapping, find_mapping, is_code_mode, mapping_path_for, read_mapping,
    write_skeleton)
from etl.survey_formats.times import TIME_DTYPE, edition_of, parse_edition, parse_times
from etl.survey_formats.vocabulary import (
    CODE_MODE_TOOLS, EMPTY_RESPONSE, ESS_OPTIONS, INCOMPLETE, INVALID_ANSWER, INVALID_DATE, ITEMS,
    ITEM_SCALES, MAPPINGS_DIR, PERSONAL_KINDS, REJECTED_COLUMNS, RESPONSE_COLUMNS,
    SET_ASIDE_COLUMNS, TEXT_COLUMNS, WAVES, MappingMissing, SurveyFormatError, SurveyParse,
    Vocabulary, load_vocabulary, with_label_maps)


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
    if find_mapping(MAPPINGS_DIR, tool, raw.header_fingerprint) is not None:
        return True
    about_projects = any(name_key(h) in ("projectid", "projet") for h in raw.headers)
    return tool in CODE_MODE_TOOLS and is_code_mode(columns) and not about_projects


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
    mapping_file = find_mapping(mappings_dir, tool, raw.header_fingerprint)
    if mapping_file:
        mapping = read_mapping(mapping_file)
        columns = apply_mapping(columns, mapping, vocab)
    elif tool in CODE_MODE_TOOLS and not _has_items(columns) and is_code_mode(columns):
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
                frame[column.position] = map_unique(
                    frame[column.position], lambda v, c=codes: c.get(cell_text(v).lower(), v))
        return frame

    def _first_present(self, kind: str, parse: Callable = cell_text) -> pd.Series:
        result = pd.Series(None, index=self.frame.index, dtype=object)
        for column in self._of(kind):
            values = map_unique(self.frame[column.position], parse).astype(object)
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
                text = pd.Series([v.strip() if type(v) is str else cell_text(v)
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
        langs = [self.vocab.questions.get(name_key(clean_header(c.header)), (None, None))[1]
                 for c in self.columns if c.kind == "item"]
        return langs.count("en") <= langs.count("fr")

    def _submitted_at(self) -> pd.Series:
        result = pd.Series(pd.NaT, index=self.frame.index, dtype=TIME_DTYPE)
        for column in self._of("submitted_at"):
            values = self.frame[column.position]
            if self.tool == "limesurvey":  # not date-stamped: submitted, but when is unknown
                values = values.where(values.map(cell_text, na_action="ignore")
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
                marks = self.frame[column.position].map(cell_text, na_action="ignore")
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
            found = map_unique(values, lambda v: waves.get(answer_key(cell_text(v))))
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
            found = map_unique(values, parse_edition)
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
            found = map_unique(values, lambda v: scale_value(v, labels, low, high)).astype(float)
            plain = found if labels is plain_labels else map_unique(
                values, lambda v: scale_value(v, plain_labels, low, high)).astype(float)
            unknown = (values.notna() & plain.isna() & result.isna()).to_numpy()
            for position in np.flatnonzero(unknown):
                self._set_aside(position, item, scale, column, cell_text(values.iat[position]),
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
            ticked = map_unique(values, lambda v, o=column.option: ticked_mark(v, o, self.vocab))
            plain = ticked if self.vocab is self.base else map_unique(
                values, lambda v, o=column.option: ticked_mark(v, o, self.base))
            for position in np.flatnonzero((values.notna() & plain.isna()).to_numpy()):
                detail_set_aside.append((position, column, cell_text(values.iat[position]),
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
                            known_choices=bits_to_codes(int(detail_plain_bits.iat[position])))
        summary_bits = pd.Series(0, index=index, dtype=np.int64)
        summary_unread = pd.Series(False, index=index)
        extra = self._code_options(summaries)
        expected = ("must name known kinds of structure (" +
                    ", ".join(self.vocab.labels["ess_option"][:5]) + ")")
        use_detail = detail_seen | (not summaries)
        for column in summaries:
            values = self.frame[column.position]
            bits = map_unique(values, lambda v: choice_bits(v, self.vocab, extra))
            plain = bits if self.vocab is self.base else map_unique(
                values, lambda v: choice_bits(v, self.base, extra))
            unknown = (values.notna() & plain.isna() & ~use_detail).to_numpy()
            for position in np.flatnonzero(unknown):
                text = cell_text(values.iat[position])
                pieces, known = unknown_pieces(text, self.base, extra)
                for piece in pieces:
                    self._set_aside(position, "ess_structures_known", "ess_option", column,
                                    piece, not pd.isna(bits.iat[position]), expected,
                                    known_choices=bits_to_codes(known))
            summary_unread |= values.notna() & bits.isna()
            summary_bits |= bits.fillna(0).astype(np.int64)
        bits = detail_bits.where(use_detail, summary_bits)
        unread = detail_unread.where(use_detail, summary_unread)
        lookup = {b: bits_to_codes(b) for b in bits.unique()}
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
        text = cell_text(value)
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
            data = {key: data_value(value, identifier) for key, value in zip(keys, row)}
            records.append((int(self.rows[position]), code, reason, data))
        return pd.DataFrame(records, columns=list(REJECTED_COLUMNS)).astype(
            {"row_number": "int64", "reason_code": object, "reason": object, "data": object})

    def _ignored(self) -> list[str]:
        return [c.header or f"(column {c.position + 1})" for c in self.columns
                if c.kind in (None, "unused", "edition") and c.position not in self.consumed]


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
        parts.append(map_unique(responses[item], lambda v: f"{v:g}").astype(object)
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
