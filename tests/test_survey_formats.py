"""Student survey exports of every form tool -> canonical responses (etl.survey_formats).

Expected values are read off the example files: tests/data/survey-examples/ (byte-exact copies
of SURVEY_FORMATS.md, the same three invented students in every tool) and
tests/data/survey-messy/ (variants that real staff files show). No database is needed.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import re
import shutil
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from etl.extract import read_table
from etl.survey_formats import (
    ITEMS, RESPONSE_COLUMNS, TOOLS, MappingMissing, SurveyFormatError, detect_tool, edition_of,
    load_vocabulary, looks_like_student_survey, parse_edition, parse_survey, parse_times)

DATA = Path(__file__).parent / "data"
EXAMPLES = DATA / "survey-examples"
MESSY = DATA / "survey-messy"
PROJECT_MAPPINGS = Path(__file__).resolve().parent.parent / "data" / "mappings"
KEY = b"test-key-0123456789"

# The three students of every example file, in file order (SURVEY_FORMATS.md section 2).
SCHOOLS = ["CentraleSupélec", "INSA Lyon", "IMT Atlantique"]
KNOWS_ESS = [1.0, 2.0, 0.0]                 # Vaguement, Oui précisément, Non
CHOICES = ["association;cooperative", "association;mutuelle;fondation", ""]
CHOICE_COUNTS = [2.0, 3.0, 0.0]             # the third left the multi-select empty: none known
WANTS_USEFUL = [5.0, 4.0, 3.0]              # 5 / Tout à fait d'accord, 4 / Plutôt, 3 / Ni...ni
TECH_FOR_GOOD = [4.0, 5.0, 3.0]
RECOMMEND_MS_FORMS = [9.0, 10.0, 6.0]
EMAILS = ["camille.martin@example.org", "yanis.benali@example.org", "lea.nguyen@example.org"]
EDITION = "2025-2026"                       # 6 October 2025 is after 1 September 2025
# Submission times in Europe/Paris (UTC+2 in October) as each tool writes them.
FORMS_TIMES = ["2025-10-06 09:14:02", "2025-10-06 09:15:40", "2025-10-06 14:03:11"]
KOBO_UTC_TIMES = ["2025-10-06 07:14:05", "2025-10-06 07:15:44", "2025-10-06 12:03:15"]
KOBO_TIMES = ["2025-10-06 09:14:05", "2025-10-06 09:15:44", "2025-10-06 14:03:15"]  # UTC + 2 h
FRAMAFORMS_TIMES = ["2025-10-06 09:14", "2025-10-06 09:15", "2025-10-06 14:03"]  # minutes only
KOBO_UUIDS = ["0b6c2f0e-3f7a-4c55-9d0e-1a2b3c4d5e61", "7d1e9a40-2c3b-4e8f-a6b1-9f8e7d6c5b42",
              "c3a5e7f9-1b2d-4f60-8e9a-0b1c2d3e4f53"]
TYPEFORM_TOKENS = ["k2v9x0q1w8e7r6t5y4u3i2o1p0a9s8d7", "m4n5b6v7c8x9z0l1k2j3h4g5f6d7s8a9"]
ALL = [0, 1, 2]
FIRST_TWO = [0, 1]  # the third response is incomplete in LimeSurvey and Typeform

# file, tool, students kept, times, item columns present, response ids, identified by e-mail
EXAMPLE_CASES = [
    ("google_forms_fr.csv", "google_forms", ALL, FORMS_TIMES,
     {"knows_ess", "ess_structures_known", "wants_useful", "tech_for_good"}, None, True),
    ("google_sheets_fr.csv", "google_sheets", ALL, FORMS_TIMES,
     {"knows_ess", "ess_structures_known", "wants_useful", "tech_for_good"}, None, True),
    ("microsoft_forms_fr.xlsx", "microsoft_forms", ALL, FORMS_TIMES,
     {"knows_ess", "ess_structures_known", "wants_useful", "tech_for_good", "recommend"},
     ["1", "2", "3"], True),
    ("kobotoolbox_labels_fr.csv", "kobotoolbox", ALL, KOBO_TIMES,
     {"knows_ess", "ess_structures_known", "wants_useful"}, KOBO_UUIDS, False),
    ("kobotoolbox_xml_values.csv", "kobotoolbox", ALL, KOBO_TIMES,
     {"knows_ess", "ess_structures_known", "wants_useful"}, KOBO_UUIDS, False),
    ("limesurvey_fr_fulltext.csv", "limesurvey", FIRST_TWO, FORMS_TIMES,
     {"knows_ess", "ess_structures_known", "wants_useful", "tech_for_good"}, ["1", "2"], False),
    ("limesurvey_codes.csv", "limesurvey", FIRST_TWO, FORMS_TIMES,
     {"knows_ess", "ess_structures_known", "wants_useful", "tech_for_good"}, ["1", "2"], False),
    ("typeform.csv", "typeform", FIRST_TWO, FORMS_TIMES,
     {"knows_ess", "ess_structures_known", "wants_useful"}, TYPEFORM_TOKENS, False),
    ("framaforms_delimited.csv", "framaforms", ALL, FRAMAFORMS_TIMES,
     {"knows_ess", "ess_structures_known", "wants_useful", "tech_for_good"},
     ["1843", "1844", "1845"], False),
]


def pseudonym(identifier: str) -> str:
    """What the loader does: HMAC of the trimmed, lower-cased identifier."""
    return hmac.new(KEY, identifier.strip().lower().encode(), hashlib.sha256).hexdigest()


class RecordingPseudonymiser:
    def __init__(self):
        self.seen: list[str] = []

    def __call__(self, identifier: str) -> str:
        self.seen.append(identifier)
        return pseudonym(identifier)


def parse(path: Path, **options):
    return parse_survey(read_table(path), pseudonymise=pseudonym, **options)


def pick(values, rows):
    return [values[i] for i in rows]


def times(texts):
    return [pd.Timestamp(t) for t in texts]


def emails_in(path: Path) -> set[str]:
    text = path.read_bytes().decode("utf-8", errors="replace") if path.suffix != ".xlsx" \
        else "\n".join(str(v) for v in read_table(path).frame.to_numpy().ravel())
    if path.name.endswith("cp1252.csv"):
        text = path.read_bytes().decode("cp1252")
    return set(re.findall(r"[\w.+-]+@example\.org", text))


def everything_written(result) -> str:
    return "\n".join([repr(result.responses), result.responses.to_csv(),
                      repr(result.rejected), repr(result.rejected["data"].tolist()),
                      repr(result.ignored_columns)])


# --------------------------------------------------------------------------- the examples

@pytest.mark.parametrize("name, tool", [(c[0], c[1]) for c in EXAMPLE_CASES])
def test_each_example_is_recognised(name, tool):
    raw = read_table(EXAMPLES / name)
    assert detect_tool(raw) == tool
    assert looks_like_student_survey(raw)


@pytest.mark.parametrize("name, tool, kept, submitted, present, ids, identified", EXAMPLE_CASES)
def test_each_example_parses_to_the_same_answers(name, tool, kept, submitted, present, ids,
                                                 identified):
    result = parse(EXAMPLES / name)
    out = result.responses
    assert result.tool == tool
    assert list(out.columns) == list(RESPONSE_COLUMNS)
    assert out["row_number"].tolist() == [2 + i + (2 if tool == "framaforms" else 0) for i in kept]
    assert out["school"].tolist() == pick(SCHOOLS, kept)
    assert out["knows_ess"].tolist() == pick(KNOWS_ESS, kept)
    assert out["ess_structures_known"].tolist() == pick(CHOICE_COUNTS, kept)
    assert out["ess_structures_choices"].tolist() == pick(CHOICES, kept)
    assert out["wants_useful"].tolist() == pick(WANTS_USEFUL, kept)
    if "tech_for_good" in present:
        assert out["tech_for_good"].tolist() == pick(TECH_FOR_GOOD, kept)
    for item in set(ITEMS) - present:
        assert out[item].isna().all(), item
    assert out["submitted_at"].tolist() == times(pick(submitted, kept))
    assert out["submitted_at"].dt.tz is None
    assert out["edition"].tolist() == [EDITION] * len(kept)
    assert out["wave"].isna().all()  # no wave column: the caller says which wave it is
    assert out["tool_response_id"].tolist() == (ids or [None] * len(kept))
    expected_pseudonyms = [pseudonym(EMAILS[i]) for i in kept] if identified else [None] * len(kept)
    if tool == "microsoft_forms":
        expected_pseudonyms[1] = None  # `anonymous`
    assert out["pseudonym"].tolist() == expected_pseudonyms
    # The answers hash keys the responses without a pseudonym; identified ones need none.
    anonymous = [p is None for p in expected_pseudonyms]
    assert out["answers_hash"][anonymous].str.fullmatch(r"[0-9a-f]{64}").all()
    assert out["answers_hash"][anonymous].nunique() == sum(anonymous)
    assert out["answers_hash"][[not a for a in anonymous]].isna().all()


def test_microsoft_forms_anonymous_response_keeps_its_tool_id():
    out = parse(EXAMPLES / "microsoft_forms_fr.xlsx").responses
    anonymous = out[out["row_number"] == 3].iloc[0]
    assert anonymous["pseudonym"] is None
    assert anonymous["tool_response_id"] == "2"
    assert out["recommend"].tolist() == RECOMMEND_MS_FORMS


def test_pseudonymise_gets_the_trimmed_identifier_and_names_are_dropped():
    recorder = RecordingPseudonymiser()
    result = parse_survey(read_table(EXAMPLES / "microsoft_forms_fr.xlsx"), pseudonymise=recorder)
    assert sorted(recorder.seen) == sorted([EMAILS[0], EMAILS[2]])  # not `anonymous`
    written = everything_written(result)
    assert "Camille Martin" not in written and "Léa Nguyen" not in written


@pytest.mark.parametrize("name, reason", [
    ("limesurvey_fr_fulltext.csv", "no submission date"),
    ("limesurvey_codes.csv", "no submission date"),
    ("typeform.csv", "Typeform marks it partial"),
])
def test_incomplete_responses_are_rejected_not_dropped(name, reason):
    rejected = parse(EXAMPLES / name).rejected
    assert rejected["row_number"].tolist() == [4]
    assert rejected["reason_code"].tolist() == ["incomplete"]
    assert rejected["reason"].tolist() == [f"row 4: incomplete response ({reason})"]
    assert rejected["data"][0]["École" if "fulltext" in name or name == "typeform.csv"
                               else "ecole"] in ("IMT Atlantique", "IMTA")


def test_unused_columns_are_reported():
    assert parse(EXAMPLES / "typeform.csv").ignored_columns == [
        "Avez-vous déjà fait du bénévolat ?", "Tags"]  # `promo` gave the edition
    assert parse(EXAMPLES / "kobotoolbox_labels_fr.csv").ignored_columns == ["_notes", "_tags"]
    assert parse(EXAMPLES / "google_forms_fr.csv").ignored_columns == []


def test_typeform_hidden_promo_gives_the_edition_unless_told():
    assert parse(EXAMPLES / "typeform.csv").responses["edition"].tolist() == [EDITION] * 2
    out = parse(EXAMPLES / "typeform.csv", edition="2024-2025", wave="pre").responses
    assert out["edition"].tolist() == ["2024-2025"] * 2
    assert out["wave"].tolist() == ["pre"] * 2


def test_code_mode_examples_load_through_the_shipped_mappings():
    kobo = parse(EXAMPLES / "kobotoolbox_xml_values.csv")
    lime = parse(EXAMPLES / "limesurvey_codes.csv")
    assert Path(kobo.mapping_file).name == "kobotoolbox-11ef6ed98786.toml"
    assert Path(lime.mapping_file).name == "limesurvey-315adc5f7949.toml"
    for result in (kobo, lime):  # the same answers as the full-text exports of the same data
        assert result.responses["school"].tolist()[:2] == SCHOOLS[:2]


# --------------------------------------------------------------------------- messy variants

def test_google_sheets_english_is_month_first():
    out = parse(MESSY / "google_sheets_en.csv").responses
    assert out["submitted_at"].tolist() == times(
        ["2025-10-06 09:14:02", "2025-10-13 14:03:11", "2026-01-05 08:00:00"])
    assert out["knows_ess"].tolist() == [1.0, 2.0, 0.0]
    # ", "-joined checkboxes split against the known labels; FR and EN labels both read
    assert out["ess_structures_choices"].tolist() == [
        "association;entreprise_sociale", "cooperative;mutuelle;fondation;entreprise_sociale", ""]
    assert out["ess_structures_known"].tolist() == [2.0, 4.0, 0.0]
    assert out["wants_useful"].tolist() == [5.0, 4.0, 4.0]   # Strongly agree, 4, Agree
    assert out["satisfaction"].tolist() == [5.0, 4.0, 3.0]   # Very satisfied, 4, 3
    assert out["recommend"].tolist() == [9.0, 10.0, 6.0]
    assert parse(MESSY / "google_sheets_en.csv").ignored_columns == ["Score"]


def test_french_excel_resave_windows_1252_semicolons():
    result = parse(MESSY / "google_sheets_fr_cp1252.csv")
    assert result.tool == "google_sheets"
    out = result.responses
    # Rows 3 and 4 have one unreadable answer each: set aside alone, the responses are kept.
    assert out["row_number"].tolist() == [2, 3, 4]
    assert out["submitted_at"].tolist()[0] == times(["2025-10-06 09:14"])[0]
    assert out["school"].tolist()[0] == "Centrale Supélec"  # raw text; resolved by the loader
    assert out["consider_ess_career"].tolist() == [4.0, 3.0, 4.0]  # header and label with ’
    assert out["wants_useful"].tolist()[0] == 5.0 and out["wants_useful"][1:].isna().all()
    set_aside = result.set_aside.set_index("row_number")
    assert set_aside.loc[3, "question"] == "Je veux que mon travail soit utile à la société."
    assert (set_aside.loc[3, "label"], set_aside.loc[3, "scale"]) == ("7", "agreement")
    assert set_aside.loc[4, "label"] is None  # an e-mail typed in a Likert: never stored
    assert set_aside.loc[4, "label_key"] is None
    rejected = result.rejected.set_index("row_number")
    assert list(rejected.index) == [5]
    assert rejected.loc[5, "reason_code"] == "empty_response"
    assert result.ignored_columns == ["Avez-vous déjà fait du bénévolat ?"]
    written = everything_written(result)
    assert "Restos du cœur" not in written and "Chloé Fabre" not in written  # free text


def test_old_typeform_one_column_per_option_and_an_email_question():
    result = parse(MESSY / "typeform_old_columns.csv")
    out = result.responses
    assert out["ess_structures_choices"].tolist() == ["association;fondation;entreprise_sociale"]
    assert out["ess_structures_known"].tolist() == [3.0]
    assert out["knows_ess"].tolist() == [1.0]               # title with <strong> tags
    assert out["pseudonym"].tolist() == [pseudonym("zoe.martin@example.org")]
    assert out["wave"].tolist() == ["pre"]                  # hidden field
    assert out["submitted_at"].tolist() == times(["2025-10-06 09:12:30"])  # UTC + 2 h
    assert result.rejected["reason_code"].tolist() == ["incomplete"]  # no Submit Date


def test_typeform_2018_slash_joined_choices_and_nps_out_of_range():
    result = parse(MESSY / "typeform_2018.csv")
    out = result.responses
    assert out["ess_structures_choices"].tolist() == [
        "association;cooperative;entreprise_sociale", "mutuelle"]
    assert out["recommend"].tolist()[0] == 8.0 and pd.isna(out["recommend"].iat[1])
    assert out["submitted_at"].tolist()[0] == times(["2026-06-01 14:04:00"])[0]  # UTC + 2 h
    assert out["school"].tolist() == ["UTC", "UTT"]  # the school, not a time zone
    assert result.rejected.empty
    [set_aside] = result.set_aside.to_dict("records")  # the 11 only: the response is kept
    assert (set_aside["row_number"], set_aside["scale"], set_aside["label"]) == (3, "recommend",
                                                                                "11")
    assert set_aside["question"] == ("Quelle est la probabilité que vous recommandiez le "
                                     "programme à un(e) ami(e) ?")


def test_kobo_group_prefixes_utc_times_and_the_edition_boundary():
    out = parse(MESSY / "kobotoolbox_groups.csv").responses
    # _submission_time is UTC: 01:30 UTC on the night clocks go forward is 03:30 in Paris;
    # 21:30 UTC on 31 August is still 2025-2026, 22:30 UTC is already 1 September in Paris.
    assert out["submitted_at"].tolist() == times(
        ["2026-03-29 03:30:00", "2026-08-31 23:30:00", "2026-09-01 00:30:00"])
    assert out["edition"].tolist() == ["2025-2026", "2025-2026", "2026-2027"]
    assert out["wave"].tolist() == ["post", "post", "pre"]  # `après`, `avant`
    assert out["school"].tolist() == ["Polytech Nantes", "Centrale Nantes", "Centrale Nantes"]
    # detail columns (1/0) win over the space-joined summary
    assert out["ess_structures_choices"].tolist() == [
        "association;entreprise_sociale", "cooperative", ""]
    assert out["tech_for_good"].tolist() == [4.0, 3.0, 1.0]
    assert out["intends_volunteer"].tolist() == [5.0, 2.0, 4.0]


def test_framaforms_draft_and_english_site_dates():
    result = parse(MESSY / "framaforms_draft.csv")
    out = result.responses
    assert out["submitted_at"].tolist() == times(["2026-05-13 10:02"])  # day 13: month first
    assert out["ess_structures_choices"].tolist() == ["association"]
    assert result.rejected["reason"].tolist() == [
        "row 5: incomplete response (a Framaforms draft)"]
    assert "IP Address" not in result.rejected["data"][0]


def test_template_with_french_headers_and_student_numbers():
    recorder = RecordingPseudonymiser()
    result = parse_survey(read_table(MESSY / "template_fr.csv"), pseudonymise=recorder)
    out = result.responses
    assert result.tool == "template"
    assert recorder.seen == ["21500001", "21500002"]
    assert out["pseudonym"].tolist() == [pseudonym("21500001"), pseudonym("21500002"), None]
    assert out["submitted_at"].tolist() == times(
        ["2026-05-20", "2026-05-21", "2026-05-22 14:30"])  # ISO and French dates
    assert out["wave"].tolist() == ["post"] * 3
    assert out["edition"].tolist() == ["2025-2026"] * 3
    assert out["ess_structures_known"].tolist() == [2.0, 0.0, 0.0]  # `Aucune` is none known
    assert out["satisfaction"].tolist() == [5.0, 4.0, 2.0]  # 5, Satisfait(e), 2
    assert out["recommend"].tolist() == [10.0, 7.0, 3.0]


def test_template_xlsx_with_excel_serial_dates(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["email", "school", "wave", "submitted_at", "knows_ess", "wants_useful"])
    # 46149 is 2026-05-07 (days since 1899-12-30); .75 is 18:00
    sheet.append(["  Nina.Blanc@example.org ", "UTT", "pre", 46149.75, "Non", 2])
    sheet.append(["anonymous", "UTT", "pre", datetime(2026, 5, 8, 9, 30), "Vaguement", 5.0])
    path = tmp_path / "modele.xlsx"
    book.save(path)
    recorder = RecordingPseudonymiser()
    out = parse_survey(read_table(path), pseudonymise=recorder).responses
    assert recorder.seen == ["Nina.Blanc@example.org"]  # trimmed; the caller lower-cases
    assert out["submitted_at"].tolist() == times(["2026-05-07 18:00", "2026-05-08 09:30"])
    assert out["wants_useful"].tolist() == [2.0, 5.0]
    assert out["pseudonym"].tolist()[1] is None


def test_microsoft_forms_english_workbook(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Form1"
    sheet.append(["ID", "Start time", "Completion time", "Email", "Name", "Last modified time",
                  "School", "Do you know precisely what the social and solidarity economy (SSE) is?",
                  "Which kinds of SSE organisations do you know?",
                  "I intend to put my skills at the service of a non-profit.", "Total points",
                  "Quiz feedback"])
    sheet.append([7, datetime(2026, 1, 15, 10, 0), datetime(2026, 1, 15, 10, 5), "anonymous",
                  None, None, "ENSAI", "Yes, precisely", "Foundation;Social enterprise;",
                  "Strongly disagree", 0, None])
    path = tmp_path / "forms.xlsx"
    book.save(path)
    result = parse(path)
    assert result.tool == "microsoft_forms"
    row = result.responses.iloc[0]
    assert (row["pseudonym"], row["tool_response_id"]) == (None, "7")
    assert row["submitted_at"] == pd.Timestamp("2026-01-15 10:05")  # completion, Paris time
    assert row["ess_structures_choices"] == "fondation;entreprise_sociale"
    assert row["intends_volunteer"] == 1.0
    assert result.ignored_columns == ["Total points", "Quiz feedback"]


def test_google_sheets_and_kobo_workbooks_with_typed_times(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    sheets = openpyxl.Workbook()
    sheet = sheets.active
    sheet.title = "Form Responses 1"
    sheet.append(["Timestamp", "Email address", "School", "Which kinds of SSE organisations do you know?"])
    sheet.append([datetime(2025, 10, 6, 9, 14, 2, 512000), "mia.faure@example.org", "EFREI",
                  "Association, Mutual"])
    sheets.save(tmp_path / "sheet.xlsx")
    out = parse(tmp_path / "sheet.xlsx").responses
    assert parse(tmp_path / "sheet.xlsx").tool == "google_sheets"
    assert out["submitted_at"].tolist() == times(["2025-10-06 09:14:02.512"])  # local already
    assert out["ess_structures_choices"].tolist() == ["association;mutuelle"]

    kobo = openpyxl.Workbook()
    sheet = kobo.active
    sheet.title = "Questionnaire ESS"
    sheet.append(["École", "Je veux que mon travail soit utile à la société.", "_id", "_uuid",
                  "_submission_time", "_index"])
    sheet.append(["EFREI", "Plutôt d'accord", 7, "u-7", datetime(2026, 1, 15, 8, 0), 1])
    kobo.save(tmp_path / "kobo.xlsx")
    out = parse(tmp_path / "kobo.xlsx").responses
    assert out["submitted_at"].tolist() == times(["2026-01-15 09:00"])  # UTC cell, winter: +1 h
    assert out["tool_response_id"].tolist() == ["u-7"]


def test_the_organisations_follow_up_template_is_not_a_student_survey(tmp_path):
    path = tmp_path / "suivi.csv"
    path.write_text("project_id,wave,delivered,in_use,satisfaction,mission_impact\n"
                    "p1,end,oui,oui,4,5\n", encoding="utf-8")
    assert not looks_like_student_survey(read_table(path))


def test_a_code_mode_export_without_mapping_asks_for_one(tmp_path):
    path = MESSY / "limesurvey_codes_unmapped.csv"
    raw = read_table(path)
    assert looks_like_student_survey(raw)  # so that its load asks for the mapping
    with pytest.raises(MappingMissing) as caught:
        parse_survey(raw, pseudonymise=pseudonym, mappings_dir=tmp_path)
    error = caught.value
    expected = tmp_path / f"limesurvey-{raw.header_fingerprint}.toml"
    assert error.mapping_path == expected
    assert error.skeleton_path.exists() and error.skeleton_path.parent == tmp_path
    message = str(error)
    assert "limesurvey_codes_unmapped.csv" in message and str(expected) in message
    assert "\n" not in message
    skeleton = error.skeleton_path.read_text(encoding="utf-8")
    for code_column in ('"q1" = ""', '"q2[SQ001]" = ""', '"q2[SQ005]" = ""', '"q3[SQ001]" = ""'):
        assert code_column in skeleton
    assert "@" not in skeleton  # the e-mail column is recognised, its values never listed

    # What staff do: fill the skeleton in and save it under the name the message gave.
    filled = (skeleton.replace('"etab" = ""', '"etab" = "school"')
              .replace('"q1" = ""', '"q1" = "knows_ess"')
              .replace('"q2[SQ001]" = ""', '"q2[SQ001]" = "Association"')
              .replace('"q2[SQ002]" = ""', '"q2[SQ002]" = "Coopérative"')
              .replace('"q2[SQ005]" = ""', '"q2[SQ005]" = "Entreprise sociale (ESUS)"')
              .replace('"q3[SQ001]" = ""', '"q3[SQ001]" = "wants_useful"')
              .replace('"A1" = ""', '"A1" = "Oui, précisément"').replace('"A3" = ""', '"A3" = "Non"')
              .replace('"UTC" = ""', '"UTC" = "UTC"').replace('"UTT" = ""', '"UTT" = "UTT"'))
    expected.write_text(filled, encoding="utf-8")
    out = parse_survey(raw, pseudonymise=pseudonym, mappings_dir=tmp_path).responses
    assert out["knows_ess"].tolist() == [2.0, 0.0]
    assert out["ess_structures_choices"].tolist() == ["association;entreprise_sociale", ""]
    assert out["wants_useful"].tolist() == [5.0, 2.0]
    assert out["pseudonym"].tolist() == [pseudonym("sarah.klein@example.org"),
                                         pseudonym("paul.henry@example.org")]
    assert looks_like_student_survey(read_table(EXAMPLES / "limesurvey_codes.csv"))


def test_a_mapping_listing_the_fingerprint_serves_a_new_version_of_the_form(tmp_path):
    raw = read_table(EXAMPLES / "limesurvey_codes.csv")
    text = (PROJECT_MAPPINGS / "limesurvey-315adc5f7949.toml").read_text(encoding="utf-8")
    (tmp_path / "questionnaire-ess-lime.toml").write_text(text, encoding="utf-8")
    result = parse_survey(raw, pseudonymise=pseudonym, mappings_dir=tmp_path)
    assert result.responses["knows_ess"].tolist() == [1.0, 2.0]


def test_a_wrong_mapping_names_its_file_and_line(tmp_path):
    raw = read_table(EXAMPLES / "limesurvey_codes.csv")
    text = (PROJECT_MAPPINGS / "limesurvey-315adc5f7949.toml").read_text(encoding="utf-8")
    path = tmp_path / "limesurvey-315adc5f7949.toml"
    path.write_text(text.replace('connaitess = "knows_ess"', 'connaitess = "knows"'),
                    encoding="utf-8")
    with pytest.raises(SurveyFormatError, match=r"limesurvey-315adc5f7949\.toml: column "
                                                r"'connaitess' -> 'knows'"):
        parse_survey(raw, pseudonymise=pseudonym, mappings_dir=tmp_path)


# --------------------------------------------------------------------------- people's data

@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*")) + sorted(MESSY.glob("*.csv")),
                         ids=lambda p: p.name)
def test_no_identifier_or_name_leaves_the_parse(path, tmp_path):
    emails = emails_in(path)
    try:
        result = parse_survey(read_table(path), pseudonymise=pseudonym, mappings_dir=(
            tmp_path if "unmapped" in path.name else PROJECT_MAPPINGS))
        written = everything_written(result)
    except SurveyFormatError as error:
        written = str(error) + error.skeleton_path.read_text(encoding="utf-8")
    for email in emails:
        assert email not in written
        assert email.split("@")[0] not in written


# --------------------------------------------------------------------------- whole-file errors

def test_a_file_that_is_not_a_student_survey_is_refused(tmp_path):
    path = tmp_path / "projects.csv"
    path.write_text("project_id,title,org_id\np1,Carte des fontaines,o1\n", encoding="utf-8")
    raw = read_table(path)
    assert not looks_like_student_survey(raw)
    with pytest.raises(SurveyFormatError, match=r"^projects\.csv: no column"):
        parse_survey(raw, pseudonymise=pseudonym)


def test_wave_and_edition_arguments_are_checked():
    raw = read_table(EXAMPLES / "google_forms_fr.csv")
    with pytest.raises(SurveyFormatError, match="wave must be pre or post"):
        parse_survey(raw, pseudonymise=pseudonym, wave="middle")
    with pytest.raises(SurveyFormatError, match="edition must be written like 2025-2026"):
        parse_survey(raw, pseudonymise=pseudonym, edition="2025")
    assert parse_survey(raw, pseudonymise=pseudonym, wave="avant").responses["wave"].eq("pre").all()


# --------------------------------------------------------------------------- small rules

def write_csv(tmp_path: Path, rows: list[list[str]], name: str = "export.csv") -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_limesurvey_not_date_stamped_is_complete_without_a_time(tmp_path):
    path = write_csv(tmp_path, [
        ["id", "submitdate", "lastpage", "École",
         "Savez-vous précisément ce qu'est l'économie sociale et solidaire (ESS) ?"],
        ["9", "1980-01-01 00:00:00", "3", "UTT", "Non"]])
    out = parse(path, edition="2025-2026").responses
    assert out["submitted_at"].isna().all() and out["knows_ess"].tolist() == [0.0]
    assert out["edition"].tolist() == ["2025-2026"]


def test_unknown_labels_and_dates_name_row_column_and_value(tmp_path):
    path = write_csv(tmp_path, [
        ["Horodateur", "Savez-vous précisément ce qu'est l'économie sociale et solidaire (ESS) ?",
         "Quelles structures de l'ESS connaissez-vous ?"],
        ["2025/10/06 9:14:02 AM UTC+2", "Peut-être", "Association"],
        ["hier", "Non", "Association;Scop du coin"]])
    result = parse(path)
    # Row 2's unknown label is set aside alone; row 3 is rejected for its date, and its
    # unreadable answer is named in the reason too.
    assert result.responses["row_number"].tolist() == [2]
    assert result.responses["knows_ess"].isna().all()
    assert result.responses["ess_structures_choices"].tolist() == ["association"]
    assert result.set_aside[["row_number", "scale", "label"]].values.tolist() == [
        [2, "knows_ess", "Peut-être"]]
    rejected = result.rejected
    assert rejected["reason"].tolist() == [
        "row 3: 'Horodateur' is not a date and time, got 'hier'; row 3: 'Quelles structures de "
        "l'ESS connaissez-vous ?' must name known kinds of structure (Association, Associations,"
        " Coopérative, Coopératives, Mutuelle), got 'Association;Scop du coin'"]
    assert rejected["reason_code"].tolist() == ["invalid_date"]


def test_limesurvey_array_and_grid_headers_map_through_their_brackets(tmp_path):
    path = write_csv(tmp_path, [
        ["id", "submitdate",
         "Êtes-vous d’accord avec les affirmations suivantes ? [J'envisage de travailler dans "
         "l'ESS ou pour l'intérêt général.]",
         "Quelles structures de l'ESS connaissez-vous ? [Entreprise sociale]",
         "Quelles structures de l'ESS connaissez-vous ? [Autre]", "Q9. How likely are you to "
         "recommend the programme to a friend?"],
        ["1", "2025-10-06 09:14:02", "Plutôt pas d'accord", "Oui", "Une SCOP", "7"]])
    result = parse(path)
    row = result.responses.iloc[0]
    assert (row["consider_ess_career"], row["ess_structures_choices"], row["recommend"]) == (
        2.0, "entreprise_sociale", 7.0)
    assert result.ignored_columns == ["Quelles structures de l'ESS connaissez-vous ? [Autre]"]


@pytest.mark.parametrize("text, paris", [
    ("2025/10/06 9:14:02 AM UTC+2", "2025-10-06 09:14:02"),
    ("2023/11/13 4:20:37 pm CET", "2023-11-13 16:20:37"),
    ("2017/05/02 12:11:03 PM GMT+2", "2017-05-02 12:11:03"),
    ("2025/10/06 7:14:02 AM UTC", "2025-10-06 09:14:02"),
    ("2025-10-06T09:14:02.530+02:00", "2025-10-06 09:14:02.530"),
    ("2026-01-15T08:00:00Z", "2026-01-15 09:00:00"),
])
def test_google_forms_and_iso_times_honour_their_zone(text, paris):
    parsed, unreadable = parse_times(pd.Series([text], dtype=object))
    assert parsed[0] == pd.Timestamp(paris) and not unreadable[0]


def test_utc_times_become_paris_time_with_summer_and_winter_offsets():
    utc = pd.Series(["2026-01-15 08:00:00", "2026-07-15 08:00:00"], dtype=object)
    parsed, _ = parse_times(utc, naive_time="utc")
    assert parsed.tolist() == times(["2026-01-15 09:00:00", "2026-07-15 10:00:00"])


@pytest.mark.parametrize("moment, edition", [
    ("2025-10-06 09:14", "2025-2026"), ("2026-08-31 23:59", "2025-2026"),
    ("2026-09-01 00:00", "2026-2027"), ("2026-01-01 00:00", "2025-2026")])
def test_academic_year_rule(moment, edition):
    assert edition_of(pd.Series([pd.Timestamp(moment)])).tolist() == [edition]


@pytest.mark.parametrize("text, edition", [
    ("2025-2026", "2025-2026"), ("2025/26", "2025-2026"), (" 2025 – 2026 ", "2025-2026"),
    ("2025-2027", None), ("2027", None)])
def test_edition_values(text, edition):
    assert parse_edition(text) == edition


def test_vocabulary_files_cover_every_item_in_both_languages():
    vocab = load_vocabulary()
    langs = {}
    for item, lang in vocab.questions.values():
        langs.setdefault(item, set()).add(lang)
    assert {item: {"fr", "en", "code"} <= found for item, found in langs.items()} == \
        {item: True for item in ITEMS}
    assert set(TOOLS) >= {tool for tool, _ in vocab.columns if tool != "*"}
