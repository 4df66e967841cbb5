"""Move inline `register({...})` messages into the gettext catalogues, and refresh the template.

    python -m dashboard.i18n.extract            # convert, then rewrite messages.pot
    python -m dashboard.i18n.extract --check    # only report what is not converted (exit 1)

A module that still calls `register({key: {"fr": ..., "en": ...}})` with a written dict (a
branch written before the catalogues) is converted: each message goes to
`locale/fr/LC_MESSAGES/messages.po` and `locale/en/LC_MESSAGES/messages.po` (`key.one` and
`key.other` together become one plural entry), the call is deleted from the module, and
`register` leaves its import when nothing else uses it. A key already in the catalogues with
another text stops the conversion before any file is written. The template `messages.pot`
holds the keys of the French catalogue, for `pybabel update` (see docs/i18n.md).
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import re
import sys
from pathlib import Path
from typing import Mapping

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from dashboard.i18n import (
    LANGS, LOCALE_DIR, PLURAL_ORDER, CatalogueError, catalogue_path, plural_tags,
)

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # dashboard/
TEMPLATE = LOCALE_DIR / "messages.pot"
PROJECT = "Latitudes Impact"
TEAM = "Latitudes <team@example.org>"
HEADER = ("# {what} of Latitudes Impact: msgid is the key the code passes to t() and tn().\n"
          "# Written by python -m dashboard.i18n.extract; update with pybabel (docs/i18n.md).")
PO_WIDTH = 100


# ---- catalogues ----

def plural_entries(messages: Mapping[str, Mapping[str, str]]) -> list[tuple]:
    """(msgid, texts by language) per entry; `key.one` + `key.other` become one plural entry.

    A plural entry's msgid is the pair ("key.one", "key.other"); its texts, one per CLDR
    category of the language (French: one, many, other), take `key.<category>` when given,
    else `key.other`.
    """
    entries = []
    for key, texts in messages.items():
        stem, _, form = key.rpartition(".")
        pair = (f"{stem}.one", f"{stem}.other")
        if form in PLURAL_ORDER and all(k in messages for k in pair):
            if form == "one":
                entries.append((pair, {lang: tuple(
                    messages.get(f"{stem}.{tag}", messages[pair[1]])[lang]
                    for tag in plural_tags(lang)) for lang in LANGS}))
        else:
            entries.append((key, {lang: texts[lang] for lang in LANGS}))
    return entries


def load(lang: str | None) -> Catalog:
    """The catalogue of `lang` (None: the template), or a new empty one."""
    path = TEMPLATE if lang is None else catalogue_path(lang)
    if path.exists():
        with path.open("rb") as handle:
            return read_po(handle, locale=lang)
    now = dt.datetime.now(dt.timezone.utc)
    catalogue = Catalog(locale=lang, project=PROJECT, version="1", copyright_holder="Latitudes",
                        msgid_bugs_address=TEAM, last_translator=TEAM, language_team=TEAM,
                        creation_date=now, revision_date=now, fuzzy=False)
    catalogue.header_comment = HEADER.format(
        what=f"{Locale.parse(lang).english_name} messages" if lang else "Template")
    return catalogue


def save(catalogue: Catalog, lang: str | None) -> None:
    path = TEMPLATE if lang is None else catalogue_path(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalogue, width=PO_WIDTH, sort_output=True, ignore_obsolete=True,
                 include_previous=False)


def add_messages(catalogues: dict[str, Catalog], messages: Mapping) -> int:
    """Add {key: {"fr", "en"}} to the catalogues; a key known with another text is an error."""
    added = 0
    for msgid, texts in plural_entries(messages):
        for lang in LANGS:
            known = catalogues[lang].get(msgid[0] if isinstance(msgid, tuple) else msgid)
            if known is not None and known.string != texts[lang]:
                raise CatalogueError(f"message '{msgid}' is already in the {lang} catalogue "
                                     "with another text")
            if known is None:
                catalogues[lang].add(msgid, texts[lang])
                added += lang == LANGS[0]
    return added


def template_from(source: Catalog) -> Catalog:
    """The .pot: every key of the French catalogue, texts empty."""
    template = load(None)
    for message in list(template):
        if message.id:
            template.delete(message.id)
    for message in source:
        if message.id:
            empty = ("", "") if message.pluralizable else ""
            template.add(message.id, empty)
    template.fuzzy = False
    return template


def template_is_current() -> bool:
    if not TEMPLATE.exists():
        return False
    written = {m.id for m in load(None) if m.id}
    return written == {m.id for m in load("fr") if m.id}


# ---- modules that still register their messages ----

def _constants(tree: ast.Module) -> dict:
    """Module-level names bound to a literal (NB = "\u00a0"), for f-strings in a dict."""
    names = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name):
            try:
                names[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                continue
    return names


def register_calls(source: str) -> list[tuple[int, int, dict]]:
    """(first line, last line, messages) of each top-level `register({...})` statement."""
    tree = ast.parse(source)
    names = _constants(tree)
    calls = []
    for node in tree.body:
        call = node.value if isinstance(node, ast.Expr) else None
        if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "register" \
                and len(call.args) == 1 and isinstance(call.args[0], ast.Dict):
            messages = _evaluate(call.args[0], names, node.lineno)
            calls.append((node.lineno, node.end_lineno, messages))
    return calls


def _evaluate(node: ast.Dict, names: dict, line: int) -> dict:
    """The written dict's value: strings, f-strings of module constants, nothing run."""
    try:
        messages = eval(compile(ast.Expression(node), "<messages>", "eval"),
                        {"__builtins__": {}}, dict(names))
    except Exception as error:  # noqa: BLE001 - any failure means "not a written dict"
        raise CatalogueError(f"line {line}: the messages are not written out ({error})")
    for key, texts in messages.items():
        missing = [lang for lang in LANGS if not isinstance(texts, dict) or not texts.get(lang)]
        if missing:
            raise CatalogueError(f"line {line}: message '{key}' has no text in "
                                 f"{', '.join(missing)}")
    return messages


def _drop_import(source: str) -> str:
    """Take `register` out of `from dashboard.i18n import ...` when nothing uses it any more."""
    tree = ast.parse(source)
    used = any(isinstance(n, ast.Name) and n.id == "register" for n in ast.walk(tree))
    if used:
        return source
    lines = source.splitlines(keepends=True)
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "dashboard.i18n" \
                and any(alias.name == "register" for alias in node.names):
            start, end = node.lineno - 1, node.end_lineno
            if len(node.names) == 1:
                return "".join(lines[:start] + lines[end:])
            text = "".join(lines[start:end])
            text = re.sub(r"\bregister,\s*", "", text, count=1) if re.search(
                r"\bregister,", text) else re.sub(r",\s*register\b", "", text, count=1)
            return "".join(lines[:start]) + text + "".join(lines[end:])
    return source


def without_calls(source: str, calls: list[tuple[int, int, dict]]) -> str:
    lines = source.splitlines(keepends=True)
    for first, last, _ in sorted(calls, reverse=True):
        del lines[first - 1:last]
        if 2 <= first <= len(lines) and not lines[first - 2].strip() \
                and not lines[first - 1].strip():
            del lines[first - 1]  # the blank line that separated the call from what follows
    return _drop_import("".join(lines))


def modules_with_messages(root: Path | None = None) -> dict[Path, list]:
    root = root or PACKAGE_DIR
    found = {}
    for path in sorted(root.rglob("*.py")):
        if path.parent.name == "i18n" or ".venv" in path.parts:
            continue
        try:
            calls = register_calls(path.read_text(encoding="utf-8"))
        except CatalogueError as error:
            raise CatalogueError(f"{path.relative_to(root.parent)}, {error}") from None
        if calls:
            found[path] = calls
    return found


# ---- command ----

def convert(root: Path | None = None) -> list[str]:
    """Move every inline message dict under `root` (dashboard/) into the catalogues."""
    root = root or PACKAGE_DIR
    catalogues = {lang: load(lang) for lang in LANGS}
    found = modules_with_messages(root)
    moved = [(path, len(m), add_messages(catalogues, m))
             for path, calls in found.items() for *_, m in calls]
    if any(added for *_, added in moved):
        for lang in LANGS:
            catalogues[lang].revision_date = dt.datetime.now(dt.timezone.utc)
    for lang in LANGS:
        save(catalogues[lang], lang)
    for path, calls in found.items():
        path.write_text(without_calls(path.read_text(encoding="utf-8"), calls), encoding="utf-8")
    save(template_from(catalogues["fr"]), None)
    return [f"{path.relative_to(root.parent)}: {count} messages moved, {added} new entries"
            for path, count, added in moved]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.i18n.extract",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 when a module registers messages inline "
                             "or messages.pot is out of date")
    args = parser.parse_args(argv)
    try:
        return check() if args.check else _convert_and_report()
    except CatalogueError as error:
        print(f"nothing changed: {error}", file=sys.stderr)
        return 1


def check() -> int:
    """1 when a module still writes messages inline or the template is behind, else 0."""
    left = [str(p.relative_to(PACKAGE_DIR.parent)) for p in modules_with_messages()]
    for path in left:
        print(f"{path}: messages written inline; run python -m dashboard.i18n.extract")
    current = template_is_current()
    if not current:
        print("messages.pot does not list the French catalogue's keys; "
              "run python -m dashboard.i18n.extract")
    return 1 if left or not current else 0


def _convert_and_report() -> int:
    for line in convert():
        print(line)
    print("catalogues and template written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
