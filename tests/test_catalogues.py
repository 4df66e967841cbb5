"""The gettext catalogues: complete, parsed by Babel, in step with the code and the template.

A key the code asks for that a catalogue lacks, an empty or fuzzy translation, a plural entry
missing one of its language's CLDR forms, or a module still writing its messages inline fails
here, before a page shows a key instead of a sentence.
"""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from dashboard import i18n
from dashboard.i18n import LANGS, NNBSP, CatalogueError, plural_form, plural_tags, tn
from dashboard.i18n import extract

ROOT = Path(__file__).resolve().parents[1]
CODE_DIRS = ("dashboard", "impact")


def catalogue(lang):
    with i18n.catalogue_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang, abort_invalid=True)


def entries(lang):
    return {message.id: message for message in catalogue(lang) if message.id}


@pytest.mark.parametrize("lang", LANGS)
def test_catalogue_parses_with_cldr_plural_forms(lang):
    po = catalogue(lang)
    assert po.locale.language == lang
    assert po.num_plurals == len(plural_tags(lang))  # fr: one, many, other; en: one, other
    assert not po.fuzzy


@pytest.mark.parametrize("lang", LANGS)
def test_no_translation_is_empty_or_fuzzy(lang):
    problems = []
    for msgid, message in entries(lang).items():
        texts = message.string if message.pluralizable else (message.string,)
        if message.fuzzy or not all(text.strip() for text in texts):
            problems.append(msgid)
        if message.pluralizable and len(texts) != len(plural_tags(lang)):
            problems.append(msgid)
    assert problems == []


def test_both_catalogues_hold_the_same_keys_and_fields():
    french, english = entries("fr"), entries("en")
    assert sorted(map(str, french)) == sorted(map(str, english))
    for msgid, message in french.items():
        fr_texts = message.string if message.pluralizable else (message.string,)
        en_texts = english[msgid].string if message.pluralizable else (english[msgid].string,)
        fields = {tuple(sorted(re.findall(r"{(\w+)", text))) for text in fr_texts + en_texts}
        assert len(fields) == 1, msgid


def test_plural_entries_are_keyed_one_and_other():
    for msgid, message in entries("fr").items():
        if message.pluralizable:
            stem = msgid[0].removesuffix(".one")
            assert msgid == (f"{stem}.one", f"{stem}.other")


def _keys_used() -> tuple[set[str], set[str], set[str]]:
    """(keys given to t, keys given to tn, constant prefixes of f-string keys) in the code."""
    plain, counted, prefixes = set(), set(), set()
    for folder in CODE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) in
                        ("t", "tn") and node.args):
                    continue
                key = node.args[0]
                found = counted if node.func.id == "tn" else plain
                options = [key.body, key.orelse] if isinstance(key, ast.IfExp) else [key]
                for option in options:
                    if isinstance(option, ast.Constant):
                        found.add(option.value)
                    elif isinstance(option, ast.JoinedStr) and option.values and \
                            isinstance(option.values[0], ast.Constant):
                        prefixes.add(option.values[0].value)
    return plain, counted, prefixes


def test_every_key_used_in_the_code_is_in_the_catalogues():
    known = i18n.read_catalogues()[0]
    plain, counted, prefixes = _keys_used()
    assert len(plain) > 500 and counted  # the scan does see the code's calls
    assert sorted(plain - set(known)) == []
    assert sorted(k for k in counted if f"{k}.one" not in known or f"{k}.other" not in known) \
        == []
    assert sorted(p for p in prefixes if not any(k.startswith(p) for k in known)) == []


def test_no_module_writes_its_messages_inline_and_the_template_is_current(capsys):
    assert extract.main(["--check"]) == 0, capsys.readouterr().out
    template = {m.id for m in read_po(extract.TEMPLATE.open("rb")) if m.id}
    assert template == set(entries("fr"))


def test_tn_takes_the_cldr_form_of_the_language():
    assert plural_form(1_000_000, "fr") == "many"  # CLDR French: "1 million de ..."
    assert plural_form(1.5, "fr") == "one" and plural_form(1.5, "en") == "other"
    assert plural_form(1.0, "en") == "one"  # a float count that is whole
    assert tn("count.events", 1, "fr") == "1 événement"
    assert tn("count.events", 0, "fr") == "0 événement"
    assert tn("count.events", 0, "en") == "0 events"
    assert tn("count.events", 1_000_000, "fr") == f"1{NNBSP}000{NNBSP}000 événements"


# ---- the conversion of a module written with register({...}) ----

PAGE = '''\
    """A page written before the catalogues."""

    from dashboard.i18n import fmt_int, register, t

    NB = "\\u00a0"

    register({
        "demo.title": {"fr": f"Titre{NB}: {{x}}", "en": "Title: {x}"},
        "demo.items.one": {"fr": "{n} élément", "en": "{n} item"},
        "demo.items.other": {"fr": "{n} éléments", "en": "{n} items"},
    })


    def title(lang):
        return t("demo.title", lang, x=fmt_int(1, lang))
'''


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A package with one page, and empty catalogues of its own."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "page.py").write_text(textwrap.dedent(PAGE), encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")
    monkeypatch.setattr(extract, "TEMPLATE", tmp_path / "locale" / "messages.pot")
    return package


def test_extract_moves_a_modules_messages_into_the_catalogues(workspace):
    assert extract.convert(workspace) == ["pkg/page.py: 3 messages moved, 2 new entries"]
    page = (workspace / "page.py").read_text(encoding="utf-8")
    assert "register" not in page and "from dashboard.i18n import fmt_int, t\n" in page
    assert "\n\n\n\ndef title" not in page and "\n\n\ndef title" in page
    compile(page, "page.py", "exec")

    french, english = entries("fr"), entries("en")
    assert french["demo.title"].string == "Titre\u00a0: {x}"
    pair = ("demo.items.one", "demo.items.other")
    assert french[pair].string == ("{n} élément", "{n} éléments", "{n} éléments")
    assert english[pair].string == ("{n} item", "{n} items")
    messages, plurals = i18n.read_catalogues()
    assert messages["demo.items.other"] == {"fr": "{n} éléments", "en": "{n} items"}
    assert plurals["demo.items"]["fr"]["many"] == "{n} éléments"
    template = {m.id: m.string for m in read_po(extract.TEMPLATE.open("rb")) if m.id}
    assert template == {"demo.title": "", pair: ("", "")}


def test_extract_refuses_a_key_known_with_another_text(workspace):
    extract.convert(workspace)
    other = workspace / "other.py"
    other.write_text('from dashboard.i18n import register\n\nregister({"demo.title": '
                     '{"fr": "Autre", "en": "Other"}})\n', encoding="utf-8")
    before = i18n.catalogue_path("fr").read_bytes()
    with pytest.raises(CatalogueError, match="demo.title"):
        extract.convert(workspace)
    assert i18n.catalogue_path("fr").read_bytes() == before
    assert "register({" in other.read_text(encoding="utf-8")


@pytest.mark.parametrize("written, problem", [
    ('{"demo.x": {"fr": "Seul"}}', "pkg/half.py, line 3: message 'demo.x' has no text in en"),
    ('{"demo.x": {"fr": TEXTS, "en": "y"}}', "pkg/half.py, line 3: the messages are not written"),
])
def test_extract_names_the_module_and_line_of_a_dict_it_cannot_move(workspace, written, problem,
                                                                    capsys, monkeypatch):
    (workspace / "half.py").write_text(
        f"from dashboard.i18n import register\n\nregister({written})\n", encoding="utf-8")
    monkeypatch.setattr(extract, "PACKAGE_DIR", workspace)
    assert extract.main([]) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"nothing changed: {problem}") and error.count("\n") == 1
    assert not i18n.catalogue_path("fr").exists()
