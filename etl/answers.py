"""Survey answers as people write them: one key per wording, and the step of a scale it names.

`answer_key` is the key under which every label of `data/reference/survey_answers.csv` (and
every label staff map later) is stored and looked up. Two writings of one answer share a key:

- case, accents and ligatures (`Œ` -> `oe`), apostrophes (' ’ ‘ ʼ ` ´), spaces of any kind
  (no-break, narrow no-break, tabs), quotes and punctuation around or between the words;
- inclusive writing, which adds the feminine ending after a mark: `satisfait(e)`,
  `satisfait·e`, `satisfait.e`, `satisfait-e`, `satisfait/e`, with a plural after it
  (`satisfait·e·s`, `satisfait(e)s`, `satisfait(e)(s)`) and the endings `e`, `se` (heureux·se),
  `ve` (attentif·ve), `rice` / `trice` / `ice` (créateur·rice), `ère` (premier·ère), `ne`, `le`,
  `te` (bon·ne, professionnel·le, net·te): the key keeps the masculine word before the mark;
- feminine and plural forms written out in full, for the adjective and participle endings the
  answer scales use: `-é`/`-ée`/`-és`/`-ées` (also `-ee`/`-ees` written without accents),
  `-if`/`-ive`/`-ifs`/`-ives`, `-eux`/`-euse`/`-euses`, `-ait`/`-aite`/`-aits`/`-aites`
  (satisfait, insatisfait), `-ent`/`-ente`, `-ant`/`-ante` and their plurals (content,
  intéressant).

Not handled, on purpose: a bare `-rice` (`créatrice`) or `-eur`/`-euse` noun, because many words
end so without being a feminine (`matrice`, `cicatrice`); a bare `-es` without accent
(`informes`), which cannot be told from other words; other bare plurals, except for the kinds of
structure (`singular_key`). Keys are compared, never shown: `agree` keys as `agre` (the `-ee`
rule), which is harmless because every label and every answer goes through the same function.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Mapping

_IGNORED = dict.fromkeys(map(ord, "\ufe0e\ufe0f\u200b\u200c\u200d\u2060\u00ad"))
_LIGATURES = {"œ": "oe", "æ": "ae"}
_APOSTROPHES = re.compile(r"[’‘ʼ`´′ʹ]")
_MARKS = "·‧•∙⋅./\\-"
_LETTER = r"[^\W\d_]"
_ENDING = r"(?:trice|rice|ice|euse|se|ve|[eè]re|ne|le|te|e)s?"
_INCLUSIVE = re.compile(
    rf"(?<={_LETTER})(?:\((?:{_ENDING}|s)\)|[{re.escape(_MARKS)}]{_ENDING})"
    rf"(?:\(s\)|[{re.escape(_MARKS)}]?s)?(?!{_LETTER})")
_WORD = re.compile(r"[^\W_]+")
# Bare feminine and plural endings: (pattern on the word, replacement, shortest word it applies to).
_ACCENTED_ENDINGS = ((re.compile(r"ées?$|és$"), "é", 3),)
_PLAIN_ENDINGS = (
    (re.compile(r"ees?$"), "e", 3),
    (re.compile(r"ives?$|ifs$"), "if", 6),
    (re.compile(r"euses?$"), "eux", 6),
    (re.compile(r"aites?$|aits$"), "ait", 5),
    (re.compile(r"(en|an)(?:tes?|ts)$"), r"\1t", 6),
)


def answer_words(text: str) -> list[str]:
    """The words of an answer, each reduced as `answer_key` says; digits are words too."""
    text = unicodedata.normalize("NFKC", str(text)).translate(_IGNORED).casefold()
    text = _APOSTROPHES.sub("'", text)
    for ligature, letters in _LIGATURES.items():
        text = text.replace(ligature, letters)
    text = _INCLUSIVE.sub("", text)
    return [_masculine(word) for word in _WORD.findall(text)]


def answer_key(text: str) -> str:
    """Key of an answer, the same for every writing of it (see the module's docstring).

    A text with no letter or digit (a tick mark such as `✓`) keys as itself without spaces, so
    that such marks can be listed too.
    """
    words = answer_words(text)
    if words:
        return "".join(words)
    return "".join(unicodedata.normalize("NFKC", str(text)).translate(_IGNORED).split())


def singular_key(text: str) -> str:
    """`answer_key`, also blind to a plural `s` on each word of three letters or more (not on
    `-ss` or `-us`: `ESUS`), for nouns such as the kinds of ESS structure."""
    words = answer_words(text)
    return "".join(singular_word(word) for word in words) if words else answer_key(text)


def singular_word(word: str) -> str:
    """A word without its plural `s` (three letters or more; not `-ss` or `-us`)."""
    if len(word) >= 3 and word.endswith("s") and not word.endswith(("ss", "us")):
        return word[:-1]
    return word


def _strip_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _masculine(word: str) -> str:
    for pattern, replacement, shortest in _ACCENTED_ENDINGS:
        if len(word) >= shortest:
            word = pattern.sub(replacement, word)
    word = _strip_accents(word)
    for pattern, replacement, shortest in _PLAIN_ENDINGS:
        if len(word) >= shortest and pattern.search(word):
            return pattern.sub(replacement, word)
    return word


# --------------------------------------------------------------------------- steps of a scale

_NUMBER = r"(?P<number>\d+)(?:[.,]0+)?"
_OUT_OF = r"(?:\s?(?:/|sur|out of)\s?(?P<out_of>\d+))?"
_STEP = rf"[(\[]?\s?{_NUMBER}{_OUT_OF}\s?[)\]]?"
_BARE = re.compile(rf"^{_STEP}$", re.I)
_STEP_FIRST = re.compile(rf"^{_STEP}\s?(?:[-–—:.=)]\s?|\s)", re.I)
_STEP_LAST = re.compile(rf"(?:\s?[-–—:=,]\s?|\s|(?=[(\[])){_STEP}\s?\.?$", re.I)
_HAS_LETTER = re.compile(_LETTER)
# Longer cells are free text, not a scale's answer: read as a label only, never scanned for
# numbers (which also keeps the patterns' cost bounded).
_LONGEST_STEP_ANSWER = 200


def written_step(text: str) -> tuple[int | None, int | None, str]:
    """(step number, the maximum it is written out of, label) of an answer such as
    `4 - Plutôt d'accord`, `(4) Plutôt d'accord`, `Plutôt d'accord (4)`, `4/5` or `4,0`; the
    number is None when none is written, the label '' when only a number is."""
    text = " ".join(str(text).split())
    if len(text) > _LONGEST_STEP_ANSWER:
        return None, None, text
    bare = _BARE.match(text)
    if bare:
        return _step_of(bare, "")
    first = _STEP_FIRST.match(text)
    if first and _HAS_LETTER.search(text[first.end():]):
        return _step_of(first, text[first.end():])
    last = _STEP_LAST.search(text)
    if last and _HAS_LETTER.search(text[:last.start()]):
        return _step_of(last, text[:last.start()])
    return None, None, text


def _step_of(match: re.Match, label: str) -> tuple[int, int | None, str]:
    out_of = match.groupdict().get("out_of")
    return int(match.group("number")), int(out_of) if out_of else None, label.strip()


def scale_step(text: str, labels: Mapping[str, str], low: int, high: int) -> float:
    """The step of a `low`-`high` scale an answer names, NaN when it cannot be read for sure.

    `labels` maps `answer_key(label)` to the step. A number and a label may both be written,
    the number before or after; they must agree. A number outside [low, high], a number written
    out of another maximum (`4/10` on a 1-5 scale), a label not in `labels` (a wording left out
    as ambiguous, or a number with an unknown label) are unreadable: never guessed.
    """
    number, out_of, label = written_step(text)
    if out_of is not None and out_of != high:
        return math.nan
    from_label = _label_step(label, labels) if label else None
    if label and from_label is None:
        return math.nan
    if number is not None and from_label is not None and number != from_label:
        return math.nan
    step = number if number is not None else from_label
    if step is None or not low <= step <= high:
        return math.nan
    return float(step)


def _label_step(label: str, labels: Mapping[str, str]) -> int | None:
    value = labels.get(answer_key(label))
    if value in (None, ""):
        return None
    try:
        step = float(value)
    except ValueError:
        return None
    return int(step) if step.is_integer() else None


def bare_number(text: str) -> int | None:
    """The whole number an answer is, written `4`, `4.0` or `4,0`; None for anything else."""
    match = re.fullmatch(r"\s*(\d+)(?:[.,]0+)?\s*", str(text))
    return int(match.group(1)) if match else None
