"""One cell of an export read as an answer: a step of a scale, a ticked option, the kinds of
structure named in a multi-select cell (labels as people write them, etl.answers).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Callable

import numpy as np
import pandas as pd

from etl.answers import answer_key, bare_number, scale_step, singular_key
from etl.reference import name_key
from etl.survey_formats.vocabulary import ESS_OPTIONS, Vocabulary, by_singular


def cell_text(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value).strip()


def map_unique(values: pd.Series, parse: Callable) -> pd.Series:
    """Parse each distinct cell once: a national export repeats a handful of answers."""
    present = values.dropna()
    lookup = {value: parse(value) for value in present.unique()}
    return values.map(lookup, na_action="ignore")


def scale_value(value, labels: dict[str, str], low: int, high: int) -> float:
    """The step of the scale a cell names (label, number, or both agreeing), NaN if unreadable;
    `labels` is keyed by `answer_key` (etl.answers.scale_step)."""
    return scale_step(cell_text(value), labels, low, high)


def ticked_mark(value, option: str, vocab: Vocabulary) -> float:
    """1.0 ticked, 0.0 not, NaN unreadable. Marks are read like labels (`x`, `✓`, `Oui`,
    `VRAI`, `coché`, `1,0`...); old Typeform writes the option's own label."""
    text = cell_text(value)
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


def choice_bits(value, vocab: Vocabulary, extra: dict[str, str]) -> int | None:
    """Bit set of the kinds named in one multi-select cell, or None when a part is unknown.

    Tools join choices with `;`, `, `, `,`, ` / ` or a space, and a label may itself hold
    spaces or commas, so the cell is cut at every separator and the pieces are put back
    together against the known labels.
    """
    options, nones = vocab.scales["ess_option"], vocab.scales["ess_none"]
    pieces = [p for p in _PIECES.split(cell_text(value)) if _HAS_WORD.search(p)]
    # Code-mode `extra` codes are keyed by name_key; labels by answer_key, and by their
    # singular for a plural written in the cell (`Fondations`).
    keyings = [(extra, [name_key(p) for p in pieces]),
               (options, [answer_key(p) for p in pieces]),
               (by_singular(options), [singular_key(p) for p in pieces])]
    none_keyings = [(nones, keyings[1][1]), (by_singular(nones), keyings[2][1])]
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


def data_value(value, identifier: str | None):
    """A rejected row's cell, kept as written unless it could be someone's identifier."""
    if value is None:
        return None
    text = cell_text(value)
    if "@" in text or (identifier is not None and text == identifier):
        return None
    return value if isinstance(value, (int, float, str)) else text


def item_missing(values: pd.Series, position: int) -> bool:
    value = values.iat[position]
    return value is None or (isinstance(value, float) and np.isnan(value))


_PIECE = re.compile(r"[^;,/|\s]+")


def unknown_pieces(text: str, vocab: Vocabulary, extra: dict[str, str]) -> tuple[list[str], int]:
    """The parts of a multi-select cell that name no known kind (consecutive unknown words kept
    together, as written), and the bits of the kinds it does name; the fewest unknown parts
    win, as `choice_bits` puts the pieces back together."""
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


def bits_to_codes(bits: int) -> str:
    return ";".join(code for i, code in enumerate(ESS_OPTIONS) if bits >> i & 1)
