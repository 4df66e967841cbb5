"""Survey answers as people write them (etl.answers, and the cell readers of etl.survey_formats).

Every variant family of issue 14 in French and English: curly apostrophes, missing accents,
capitals, inclusive writing, step numbers written with the label, bare numbers, out-of-range
numbers, a number and a label that disagree, every shipped wording, and the wordings left out as
ambiguous. Pure functions and one small Google Forms file; no database.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd
import pytest

from etl.answers import answer_key, scale_step, written_step
from etl.extract import read_table
from etl.survey_formats import ANSWERS_CSV, ESS_OPTIONS, load_vocabulary, parse_survey
from etl.survey_formats.cells import choice_bits, scale_value, ticked_mark

README = ANSWERS_CSV.parent / "README.md"
SCALE_RANGES = {"agreement": (1, 5), "satisfaction": (1, 5), "knows_ess": (0, 2)}


def vocab():
    return load_vocabulary()


def step(text: str, scale: str) -> float:
    low, high = SCALE_RANGES[scale]
    return scale_value(text, vocab().scales[scale], low, high)


def unreadable(value: float) -> bool:
    return isinstance(value, float) and math.isnan(value)


def shipped_rows(*scales: str) -> list[dict]:
    with ANSWERS_CSV.open(encoding="utf-8-sig", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["scale"] in scales]


def without_accents(text: str) -> str:
    return text.translate(str.maketrans("àâäéèêëîïôöùûüçÀÂÉÈÊÎÔÙÛÇ", "aaaeeeeiioouuucAAEEEIOUUC"))


# --------------------------------------------------------------------------- one key per wording

@pytest.mark.parametrize("variant, canonical", [
    ("Plutôt d’accord", "Plutôt d'accord"),          # curly apostrophe
    ("Plutôt d‘accord", "Plutôt d'accord"),
    ("Plutôt dʼaccord", "Plutôt d'accord"),
    ("Plutôt d`accord", "Plutôt d'accord"),
    ("Plutot d'accord", "Plutôt d'accord"),          # no accents
    ("PLUTÔT D'ACCORD", "Plutôt d'accord"),          # capitals
    ("plutôt d'accord", "Plutôt d'accord"),
    ("Plutôt\u00a0d'accord", "Plutôt d'accord"),     # no-break space
    ("Plutôt\u202fd'accord", "Plutôt d'accord"),     # narrow no-break space
    ("  Plutôt   d'accord.  ", "Plutôt d'accord"),   # spaces and trailing punctuation
    ("« Plutôt d'accord »", "Plutôt d'accord"),      # quotes
    ('"Plutôt d\'accord"', "Plutôt d'accord"),
    ("Tout à fait d'accord !", "Tout à fait d'accord"),
    ("Ni d'accord, ni pas d'accord", "Ni d'accord ni pas d'accord"),
    ("STRONGLY AGREE", "Strongly agree"),
    ("Neither agree, nor disagree.", "Neither agree nor disagree"),
    ("Oui precisement", "Oui, précisément"),
    ("Cœur", "Coeur"),
])
def test_case_accents_apostrophes_spaces_and_punctuation_share_a_key(variant, canonical):
    assert answer_key(variant) == answer_key(canonical)


@pytest.mark.parametrize("variant", [
    "satisfait(e)", "satisfait·e", "satisfait.e", "satisfait-e", "satisfait/e", "satisfaite",
    "satisfait·e·s", "satisfait.e.s", "satisfait(e)s", "satisfait(e)(s)", "satisfaits",
    "satisfaites", "Satisfait·E", "SATISFAITE", "satisfait‧e", "satisfait•e"])
def test_inclusive_and_feminine_forms_of_satisfait_key_as_satisfait(variant):
    assert answer_key(variant) == answer_key("satisfait")


@pytest.mark.parametrize("variant, masculine", [
    ("attentif·ve", "attentif"), ("attentive", "attentif"), ("attentif(ve)", "attentif"),
    ("attentifs", "attentif"), ("attentives", "attentif"),
    ("heureux·se", "heureux"), ("heureuse", "heureux"), ("heureuses", "heureux"),
    ("intéressé·e", "intéressé"), ("intéressée", "intéressé"), ("interessee", "intéressé"),
    ("intéressés", "intéressé"), ("intéressées", "intéressé"),
    ("créateur·rice", "créateur"), ("créateur·trice", "créateur"), ("créateur(rice)", "créateur"),
    ("content·e", "content"), ("contente", "content"), ("mécontente", "mécontent"),
    ("premier·ère", "premier"), ("bon·ne", "bon"), ("professionnel·le", "professionnel"),
    ("Très insatisfait·e", "Très insatisfait"),
    ("Pas du tout satisfait(e)", "Pas du tout satisfait"),
])
def test_other_french_feminine_forms_key_as_their_masculine(variant, masculine):
    assert answer_key(variant) == answer_key(masculine)


@pytest.mark.parametrize("word", ["créatrice", "matrice"])
def test_a_bare_rice_word_is_left_alone(word):
    """`-rice` written out is not always a feminine (`matrice`): only the inclusive mark is read."""
    assert answer_key(word) == word.replace("é", "e")


@pytest.mark.parametrize("text", ["c'est-à-dire", "peut-être", "Co-operative", "Y a-t-il"])
def test_hyphens_inside_ordinary_words_are_not_taken_for_inclusive_marks(text):
    assert answer_key(text) == answer_key(text.replace("-", " "))


def test_tick_marks_key_as_themselves_and_empty_stays_empty():
    assert answer_key("✓") == "✓" and answer_key(" ✔️ ") == "✔"
    assert answer_key("") == "" and answer_key("   ") == ""


# --------------------------------------------------------------------------- steps with numbers

@pytest.mark.parametrize("text, number, out_of, label", [
    ("4", 4, None, ""), ("4,0", 4, None, ""), ("4.0", 4, None, ""), (" 4 ", 4, None, ""),
    ("4/5", 4, 5, ""), ("4 / 5", 4, 5, ""), ("4 sur 5", 4, 5, ""),
    ("4 - Plutôt d'accord", 4, None, "Plutôt d'accord"),
    ("4 – Plutôt d'accord", 4, None, "Plutôt d'accord"),
    ("4. Plutôt d'accord", 4, None, "Plutôt d'accord"),
    ("4) Plutôt d'accord", 4, None, "Plutôt d'accord"),
    ("(4) Plutôt d'accord", 4, None, "Plutôt d'accord"),
    ("4: Plutôt d'accord", 4, None, "Plutôt d'accord"),
    ("Plutôt d'accord (4)", 4, None, "Plutôt d'accord"),
    ("Plutôt d'accord(4)", 4, None, "Plutôt d'accord"),
    ("Plutôt d'accord [4]", 4, None, "Plutôt d'accord"),
    ("Plutôt d'accord - 4", 4, None, "Plutôt d'accord"),
    ("Plutôt d'accord 4/5", 4, 5, "Plutôt d'accord"),
    ("Agree (4)", 4, None, "Agree"),
    ("Plutôt d'accord", None, None, "Plutôt d'accord"),
    ("4.5", None, None, "4.5"),
])
def test_a_step_number_is_read_before_or_after_the_label(text, number, out_of, label):
    assert written_step(text) == (number, out_of, label)


@pytest.mark.parametrize("text, expected", [
    ("4", 4.0), ("4,0", 4.0), ("4.0", 4.0), ("1", 1.0), ("5", 5.0), ("4/5", 4.0),
    ("4 - Plutôt d'accord", 4.0), ("4. Plutôt d’accord", 4.0), ("(4) PLUTOT D'ACCORD", 4.0),
    ("Plutôt d'accord (4)", 4.0), ("Plutôt d'accord - 4", 4.0), ("2 - Disagree", 2.0),
    ("Strongly agree (5)", 5.0), ("5 - Tout à fait d'accord", 5.0),
])
def test_agreement_numbers_alone_or_agreeing_with_their_label_are_read(text, expected):
    assert step(text, "agreement") == expected


@pytest.mark.parametrize("text", [
    "0", "6", "7", "-1", "4.5", "4,5",              # outside 1-5 or not a step
    "4/10", "8/10",                                 # written out of another maximum
    "5 - Plutôt d'accord", "Plutôt d'accord (5)",   # number and label disagree
    "1 - Strongly agree", "Agree - 2",
    "4 - Assez bien",                               # a number with an unknown label: not guessed
    "Peut-être", "", "-",
    "4 - " + "un avis écrit en toutes lettres, " * 10,  # free text, not a step
])
def test_agreement_answers_that_cannot_be_read_for_sure_are_unreadable(text):
    assert unreadable(step(text, "agreement"))


def test_the_range_is_the_scales_own():
    assert step("2", "knows_ess") == 2.0 and unreadable(step("3", "knows_ess"))
    assert scale_step("10", {}, 0, 10) == 10.0 and unreadable(scale_step("11", {}, 0, 10))
    assert scale_step("0", {}, 0, 10) == 0.0 and scale_step("8/10", {}, 0, 10) == 8.0


# --------------------------------------------------------------------------- the shipped wordings

# The decisions a reader should be able to check without opening the CSV (README, "Answer
# wordings"): hedged and near-middle wordings, and every tool's defaults.
DECIDED = [
    ("agreement", "Pas du tout d'accord", 1), ("agreement", "Tout à fait en désaccord", 1),
    ("agreement", "Plutôt pas d'accord", 2), ("agreement", "Pas d'accord", 2),
    ("agreement", "Plutôt en désaccord", 2), ("agreement", "En désaccord", 2),
    ("agreement", "Pas vraiment d'accord", 2), ("agreement", "Peu d'accord", 2),
    ("agreement", "Ni d'accord ni pas d'accord", 3),
    ("agreement", "Ni d'accord ni en désaccord", 3),
    ("agreement", "Neutre", 3), ("agreement", "Moyennement d'accord", 3),
    ("agreement", "Plutôt d'accord", 4), ("agreement", "D'accord", 4),
    ("agreement", "Assez d'accord", 4),
    ("agreement", "Tout à fait d'accord", 5), ("agreement", "Entièrement d'accord", 5),
    ("agreement", "Totalement d'accord", 5), ("agreement", "Complètement d'accord", 5),
    ("agreement", "Strongly disagree", 1), ("agreement", "Somewhat disagree", 2),
    ("agreement", "Disagree", 2), ("agreement", "Neither agree nor disagree", 3),
    ("agreement", "Neutral", 3), ("agreement", "Somewhat agree", 4), ("agreement", "Agree", 4),
    ("agreement", "Strongly agree", 5), ("agreement", "Completely agree", 5),
    ("satisfaction", "Très insatisfait", 1), ("satisfaction", "Pas du tout satisfait", 1),
    ("satisfaction", "Insatisfait", 2), ("satisfaction", "Peu satisfait", 2),
    ("satisfaction", "Plutôt insatisfait", 2), ("satisfaction", "Plutôt pas satisfait", 2),
    ("satisfaction", "Moyennement satisfait", 3),
    ("satisfaction", "Ni satisfait ni insatisfait", 3),
    ("satisfaction", "Neutre", 3), ("satisfaction", "Plutôt satisfait", 4),
    ("satisfaction", "Satisfait", 4), ("satisfaction", "Très satisfait", 5),
    ("satisfaction", "Tout à fait satisfait", 5), ("satisfaction", "Extrêmement satisfait", 5),
    ("satisfaction", "Very dissatisfied", 1), ("satisfaction", "Somewhat dissatisfied", 2),
    ("satisfaction", "Neither satisfied nor dissatisfied", 3),
    ("satisfaction", "Somewhat satisfied", 4), ("satisfaction", "Extremely satisfied", 5),
    ("knows_ess", "Oui, précisément", 2), ("knows_ess", "Oui précisément", 2),
    ("knows_ess", "Oui, tout à fait", 2), ("knows_ess", "Oui, je sais précisément", 2),
    ("knows_ess", "Vaguement", 1), ("knows_ess", "Oui, vaguement", 1), ("knows_ess", "Un peu", 1),
    ("knows_ess", "J'en ai une vague idée", 1), ("knows_ess", "Non", 0),
    ("knows_ess", "Non, pas du tout", 0), ("knows_ess", "Pas du tout", 0),
    ("knows_ess", "Yes, precisely", 2), ("knows_ess", "Yes, exactly", 2),
    ("knows_ess", "Vaguely", 1), ("knows_ess", "Somewhat", 1), ("knows_ess", "No", 0),
    ("knows_ess", "Not at all", 0),
]


@pytest.mark.parametrize("scale, label, value", DECIDED)
def test_each_decided_wording_reads_as_its_step(scale, label, value):
    assert step(label, scale) == value


@pytest.mark.parametrize("row", shipped_rows("agreement", "satisfaction", "knows_ess"),
                         ids=lambda row: f"{row['scale']}:{row['label']}")
def test_each_shipped_wording_and_its_variants_read_as_its_value(row):
    scale, label, value = row["scale"], row["label"], float(row["value"])
    written = [label, label.upper(), label.lower(), without_accents(label),
               label.replace("'", "’"), f"{int(value)} - {label}", f"{label} ({int(value)})"]
    assert [step(text, scale) for text in written] == [value] * len(written)


@pytest.mark.parametrize("row", shipped_rows("agreement", "satisfaction"),
                         ids=lambda row: f"{row['scale']}:{row['label']}")
def test_a_shipped_wording_with_another_number_is_unreadable(row):
    other = 1 if row["value"] != "1" else 2
    assert unreadable(step(f"{other} - {row['label']}", row["scale"]))


@pytest.mark.parametrize("text, expected", [
    ("Satisfait·e", 4.0), ("Très satisfaite", 5.0), ("Pas du tout satisfait.e", 1.0),
    ("Insatisfait-e", 2.0), ("Ni satisfait(e) ni insatisfait(e)", 3.0), ("satisfait·e·s", 4.0),
    ("Plutôt satisfaite", 4.0), ("Tres insatisfaite", 1.0), ("4 - Satisfaite", 4.0),
    ("SOMEWHAT DISSATISFIED", 2.0),
])
def test_satisfaction_in_inclusive_writing_and_feminine_forms(text, expected):
    assert step(text, "satisfaction") == expected


# Wordings left out on purpose (README "Left out as ambiguous"): set aside for staff to decide.
AMBIGUOUS = [
    ("agreement", "Sans opinion"), ("agreement", "Sans avis"), ("agreement", "Je ne sais pas"),
    ("agreement", "NSP"), ("agreement", "Indécis"), ("agreement", "Undecided"),
    ("agreement", "Uncertain"), ("agreement", "Not sure"), ("agreement", "Don't know"),
    ("agreement", "No opinion"), ("agreement", "Non concerné"), ("agreement", "Not applicable"),
    ("agreement", "Légèrement d'accord"), ("agreement", "Légèrement en désaccord"),
    ("agreement", "Slightly agree"), ("agreement", "Slightly disagree"),
    ("agreement", "Un peu d'accord"), ("agreement", "Moderately agree"),
    ("agreement", "Mitigé"), ("agreement", "Oui"), ("agreement", "Non"), ("agreement", "Yes"),
    ("satisfaction", "Sans opinion"), ("satisfaction", "Moderately satisfied"),
    ("satisfaction", "Slightly satisfied"), ("satisfaction", "Quite satisfied"),
    ("satisfaction", "Mitigé"),
    ("knows_ess", "Oui"), ("knows_ess", "Yes"), ("knows_ess", "Je ne sais pas"),
    ("knows_ess", "I don't know"), ("knows_ess", "Pas vraiment"), ("knows_ess", "Not really"),
]


@pytest.mark.parametrize("scale, label", AMBIGUOUS)
def test_ambiguous_wordings_are_unreadable_and_listed_in_the_readme(scale, label):
    assert unreadable(step(label, scale))
    assert unreadable(step(f"3 - {label}", scale))  # a number does not rescue an unknown label
    assert f"`{label}`" in README.read_text(encoding="utf-8")


def test_the_shipped_list_has_no_colliding_labels():
    load_vocabulary.cache_clear()
    scales = load_vocabulary().scales  # raises if two labels of a scale collide
    for scale in ("agreement", "satisfaction", "knows_ess", "option_ticked", "ess_option"):
        rows = shipped_rows(scale)
        assert {answer_key(r["label"]): r["value"] for r in rows} == scales[scale]


def test_colliding_labels_are_refused_at_load_naming_both(tmp_path):
    answers = tmp_path / "survey_answers.csv"
    answers.write_text("scale,lang,label,value\nsatisfaction,fr,Satisfait,4\n"
                       "satisfaction,fr,Satisfaite,5\n", encoding="utf-8")
    with pytest.raises(ValueError, match="'Satisfait' .*'Satisfaite' .*satisfaction"):
        load_vocabulary(answers=answers)


def test_plural_labels_of_two_kinds_of_structure_collide_too(tmp_path):
    answers = tmp_path / "survey_answers.csv"
    answers.write_text("scale,lang,label,value\ness_option,fr,Fondation,fondation\n"
                       "ess_option,fr,Fondations,association\n", encoding="utf-8")
    with pytest.raises(ValueError, match="'Fondation' .*'Fondations'"):
        load_vocabulary(answers=answers)


# --------------------------------------------------------------------------- ticks and choices

@pytest.mark.parametrize("mark", ["x", "X", "✓", "✔", "✔️", "☑", "☒", "oui", "Oui", "OUI", "Yes",
                                  "yes", "Y", "1", "1.0", "1,0", "Vrai", "VRAI", "TRUE", "true",
                                  "coché", "Cochée", "coche", "Sélectionné", "Checked", "Selected"])
def test_ticked_marks(mark):
    assert ticked_mark(mark, "fondation", vocab()) == 1.0


@pytest.mark.parametrize("mark", ["non", "Non", "No", "N", "0", "0.0", "false", "FAUX", "☐",
                                  "Non coché", "Unchecked", "Not selected"])
def test_unticked_marks(mark):
    assert ticked_mark(mark, "fondation", vocab()) == 0.0


@pytest.mark.parametrize("mark", ["", "2", "peut-être", "✗", "Association"])
def test_unreadable_or_empty_marks(mark):
    assert unreadable(ticked_mark(mark, "fondation", vocab()))


@pytest.mark.parametrize("label", ["Fondation", "Fondations", "FONDATIONS", "fondation"])
def test_an_old_typeform_cell_holding_the_options_label(label):
    assert ticked_mark(label, "fondation", vocab()) == 1.0


def bits(*codes: str) -> int:
    return sum(1 << ESS_OPTIONS.index(code) for code in codes)


@pytest.mark.parametrize("text, codes", [
    ("Association", ["association"]), ("Associations", ["association"]),
    ("associations loi 1901", ["association"]),
    ("Coopérative", ["cooperative"]), ("Cooperatives", ["cooperative"]),
    ("Coop", ["cooperative"]), ("Coops", ["cooperative"]), ("SCOP", ["cooperative"]),
    ("Mutuelle", ["mutuelle"]), ("Mutuelles", ["mutuelle"]), ("Mutual societies", ["mutuelle"]),
    ("Fondations", ["fondation"]), ("Foundations", ["fondation"]),
    ("Entreprise sociale", ["entreprise_sociale"]),
    ("Entreprises sociales", ["entreprise_sociale"]),
    ("Entreprises de l'ESUS", ["entreprise_sociale"]),
    ("Entreprises de l’ESUS", ["entreprise_sociale"]),
    ("ESUS", ["entreprise_sociale"]), ("Social enterprises", ["entreprise_sociale"]),
    ("Entreprise solidaire d'utilite sociale", ["entreprise_sociale"]),
])
def test_kinds_of_structure_in_singular_plural_and_other_wordings(text, codes):
    assert vocab().option(text) == codes[0]
    assert choice_bits(text, vocab(), {}) == bits(*codes)


@pytest.mark.parametrize("text, codes", [
    ("Associations; Fondations", ["association", "fondation"]),
    ("Coop, Mutuelles, ESUS", ["cooperative", "mutuelle", "entreprise_sociale"]),
    ("Social enterprises, Co-ops", ["entreprise_sociale", "cooperative"]),
    ("ASSOCIATION;COOPERATIVE", ["association", "cooperative"]),
    ("Association Entreprise sociale (ESUS)", ["association", "entreprise_sociale"]),
    (" / Association / Coopérative", ["association", "cooperative"]),
    ("Aucune", []), ("Aucune de ces structures", []), ("None of the above", []),
])
def test_multi_select_cells_in_other_wordings(text, codes):
    assert choice_bits(text, vocab(), {}) == bits(*codes)


@pytest.mark.parametrize("text", ["Association;Scop du coin", "Entreprise de l'ESS", "Charity",
                                  "Fonds de dotation", "Association;Non-profit"])
def test_an_unknown_piece_leaves_the_cell_unreadable(text):
    assert choice_bits(text, vocab(), {}) is None


def test_code_mode_option_codes_still_reach_their_kind():
    assert choice_bits("A1 A3", vocab(), {"a1": "association", "a3": "mutuelle"}) == bits(
        "association", "mutuelle")


# --------------------------------------------------------------------------- a whole export

QUESTIONS = ["Savez-vous précisément ce qu'est l'économie sociale et solidaire (ESS) ?",
             "Quelles structures de l'ESS connaissez-vous ?",
             "Je veux que mon travail soit utile à la société.",
             "J'envisage de travailler dans l'ESS ou pour l'intérêt général.",
             "Êtes-vous satisfait(e) du programme ?",
             "Quelle est la probabilité que vous recommandiez le programme à un(e) ami(e) ?"]
HEADERS = ["Horodateur", "Adresse e-mail", "École", *QUESTIONS]
PEOPLE = [("2026/05/20 10:01:00 AM UTC+2", "alice.durand@example.org", "INSA Lyon"),
          ("2026/05/20 10:02:00 AM UTC+2", "bruno.lefevre@example.org", "UTC"),
          ("2026/05/20 10:03:00 AM UTC+2", "chloe.morel@example.org", "ENSAI")]
CANONICAL = [
    ["Oui, précisément", "Association;Coopérative", "Tout à fait d'accord",
     "Plutôt pas d'accord", "Très satisfait(e)", "9"],
    ["Vaguement", "Mutuelle;Entreprise sociale (ESUS)", "Plutôt d'accord",
     "Ni d'accord ni pas d'accord", "Satisfait(e)", "7"],
    ["Non", "", "Pas du tout d'accord", "Plutôt d'accord", "Peu satisfait(e)", "3"],
]
VARIANTS = [
    ["OUI PRECISEMENT", "Associations;Coopératives", "5 - Tout à fait d’accord",
     "Plutôt en désaccord", "Très satisfaite", "9,0"],
    ["Oui, vaguement", "Mutuelles;Entreprises de l'ESUS", "(4) Plutôt d'accord",
     "Neutre", "satisfait·e", "7/10"],
    ["Non, pas du tout", "", "Tout à fait en désaccord", "D’accord (4)", "Peu satisfait.e", "3"],
]


def google_forms_csv(path: Path, answers: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows([*person, *row] for person, row in zip(PEOPLE, answers))
    return path


def pseudonymise(identifier: str) -> str:
    return "p-" + identifier.split("@")[0]


def test_an_export_in_other_wordings_gives_the_same_responses(tmp_path):
    canonical = parse_survey(read_table(google_forms_csv(tmp_path / "canonical.csv", CANONICAL)),
                             pseudonymise=pseudonymise)
    variant = parse_survey(read_table(google_forms_csv(tmp_path / "variants.csv", VARIANTS)),
                           pseudonymise=pseudonymise)
    assert canonical.tool == variant.tool == "google_forms"
    assert canonical.rejected.empty and variant.rejected.empty
    pd.testing.assert_frame_equal(variant.responses, canonical.responses)
    # what the canonical file says, step by step
    out = canonical.responses
    assert out["knows_ess"].tolist() == [2.0, 1.0, 0.0]
    assert out["wants_useful"].tolist() == [5.0, 4.0, 1.0]
    assert out["consider_ess_career"].tolist() == [2.0, 3.0, 4.0]
    assert out["satisfaction"].tolist() == [5.0, 4.0, 2.0]
    assert out["recommend"].tolist() == [9.0, 7.0, 3.0]
    assert out["ess_structures_choices"].tolist() == [
        "association;cooperative", "mutuelle;entreprise_sociale", ""]


def test_waves_written_out_in_full_are_read(tmp_path):
    """The wave column is read elsewhere (by name_key): its labels keep keys both share."""
    rows = [[*PEOPLE[0], "Après le programme", "Non"], [*PEOPLE[1], "AVANT", "Non"]]
    path = tmp_path / "waves.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([[*HEADERS[:3], "Vague", QUESTIONS[0]], *rows])
    out = parse_survey(read_table(path), pseudonymise=pseudonymise).responses
    assert out["wave"].tolist() == ["post", "pre"]
