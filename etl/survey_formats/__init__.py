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

One module a step, each reading only the ones before it: `vocabulary` (the questionnaire and
its words), `cells` (one cell as an answer), `times` (submission times, editions), `columns`
(which tool, which column is what), `mappings` (code-mode mapping files), `parse` (the whole
export). This face hands on what the rest of the project uses.
"""

from etl.survey_formats.cells import scale_value
from etl.survey_formats.columns import classify_columns, detect_tool
from etl.survey_formats.parse import looks_like_student_survey, parse_survey
from etl.survey_formats.times import edition_of, parse_edition, parse_times
from etl.survey_formats.vocabulary import (
    ANSWERS_CSV, ESS_OPTIONS, ITEMS, QUESTIONNAIRE_CSV, RESPONSE_COLUMNS, TOOLS, WAVES,
    MappingMissing, SurveyFormatError, SurveyParse, Vocabulary, load_vocabulary)

__all__ = [
    "ANSWERS_CSV", "ESS_OPTIONS", "ITEMS", "QUESTIONNAIRE_CSV", "RESPONSE_COLUMNS", "TOOLS",
    "WAVES", "MappingMissing", "SurveyFormatError", "SurveyParse", "Vocabulary",
    "classify_columns", "detect_tool", "edition_of", "load_vocabulary",
    "looks_like_student_survey", "parse_edition", "parse_survey", "parse_times", "scale_value",
]
