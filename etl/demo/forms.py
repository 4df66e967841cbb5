"""The same answers as the form tools export them (SURVEY_FORMATS.md): Google Forms,
KoboToolbox, Microsoft Forms, LimeSurvey, Typeform, Framaforms; to time real loads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from etl.demo.generator import (
    CURRENT_EDITION, EDITIONS, LIKERT_ITEMS, STRUCTURE_LABELS, Generator, demo_email, generate,
    wave_start)


AGREEMENT_LABELS = ("Pas du tout d'accord", "Plutôt pas d'accord", "Ni d'accord ni pas d'accord",
                    "Plutôt d'accord", "Tout à fait d'accord")
SATISFACTION_LABELS = ("Pas du tout satisfait(e)", "Insatisfait(e)",
                       "Ni satisfait(e) ni insatisfait(e)", "Satisfait(e)", "Très satisfait(e)")
LIKERT_GRID = "Êtes-vous d'accord avec les affirmations suivantes ?"
SURVEY_ITEMS = ("knows_ess", "ess_structures_known", *LIKERT_ITEMS, "satisfaction", "recommend")
PARIS = "Europe/Paris"


@dataclass(frozen=True)
class FormExport:
    """One survey file as a form tool writes it; `wave` is what `impact load --wave` is told."""

    path: Path
    tool: str
    edition: str
    wave: str
    responses: int
    answers: int  # answered questions, e-mail and school included (DESIGN 10's count)


def question_texts() -> dict[str, str]:
    """The French question text of each item, as the forms' headers write it."""
    from etl.survey_formats import QUESTIONNAIRE_CSV

    texts: dict[str, str] = {}
    for row in pd.read_csv(QUESTIONNAIRE_CSV, dtype=str).itertuples():
        if row.lang == "fr":
            texts.setdefault(row.item, row.text)
    return texts


def _items_of(frame: pd.DataFrame) -> list[str]:
    return [item for item in SURVEY_ITEMS if item in frame.columns]


def _answer_count(frame: pd.DataFrame) -> int:
    """E-mail, school and each answered question of every response."""
    items = frame[_items_of(frame)]
    answered = items.notna() & items.astype(str).ne("")
    return int(answered.to_numpy().sum()) + 2 * len(frame)


def _local_times(frame: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(frame["submitted_at"]).reset_index(drop=True)


def _utc_offsets(local: pd.Series) -> pd.Series:
    """Hours east of UTC of Europe/Paris at each local time (1 in winter, 2 in summer)."""
    aware = local.dt.tz_localize(PARIS, ambiguous=np.zeros(len(local), dtype=bool),
                                 nonexistent="shift_forward")
    utc = aware.dt.tz_convert("UTC").dt.tz_localize(None)
    return ((local - utc) / pd.Timedelta(hours=1)).round().astype(int)


def _to_utc(local: pd.Series) -> pd.Series:
    return local - pd.to_timedelta(_utc_offsets(local), unit="h")


def _google_forms_times(local: pd.Series) -> list[str]:
    """`2025/10/06 9:14:02 AM UTC+2`: 12-hour clock without a leading zero, then the zone."""
    hours = local.dt.hour.to_numpy()
    clock = [f"{h % 12 or 12}:{rest} {'PM' if h >= 12 else 'AM'} UTC+{offset}"
             for h, rest, offset in zip(hours, local.dt.strftime("%M:%S"), _utc_offsets(local))]
    return [f"{day} {time}" for day, time in zip(local.dt.strftime("%Y/%m/%d"), clock)]


def _choice_labels(frame: pd.DataFrame) -> list[list[str]]:
    return [cell.split(";") if cell else [] for cell in frame["ess_structures_known"].fillna("")]


def _labelled(values: pd.Series, labels: tuple[str, ...]) -> np.ndarray:
    return np.asarray(labels, dtype=object)[values.to_numpy().astype(int) - 1]


def _write_csv(frame: pd.DataFrame, path: Path, *, sep: str = ",", quote_all: bool = True,
               line_end: str = "\r\n", bom: bool = False, header: bool = True) -> None:
    import csv

    text = frame.to_csv(index=False, sep=sep, lineterminator=line_end, header=header,
                        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    path.write_bytes(("\ufeff" if bom else "").encode("utf-8") + text.encode("utf-8"))


def _google_forms(frame: pd.DataFrame, names: dict[str, str], path: Path, rng=None) -> None:
    """Forms' own CSV: every field quoted, CRLF, checkboxes joined with `;`, scales as numbers."""
    texts = question_texts()
    out = {"Horodateur": _google_forms_times(_local_times(frame)),
           "Adresse e-mail": frame["email"].to_numpy(),
           "École": frame["school"].map(names).to_numpy()}
    for item in _items_of(frame):
        out[texts[item]] = frame[item].to_numpy()
    _write_csv(pd.DataFrame(out), path)


def _kobotoolbox(frame: pd.DataFrame, names: dict[str, str], path: Path, rng) -> None:
    """Labels export: `;`, every field quoted, CRLF, UTC `_submission_time`, option columns."""
    import uuid

    texts = question_texts()
    local = _local_times(frame)
    offsets = _utc_offsets(local)
    started = local - pd.to_timedelta(rng.integers(90, 600, len(frame)), unit="s")
    zone = [f"+{o:02d}:00" for o in offsets]
    uuids = [str(uuid.UUID(bytes=rng.bytes(16), version=4)) for _ in range(len(frame))]
    chosen = _choice_labels(frame)
    ess = texts["ess_structures_known"]
    out = {"start": [t + z for t, z in zip(started.dt.strftime("%Y-%m-%dT%H:%M:%S.000"), zone)],
           "end": [t + z for t, z in zip(local.dt.strftime("%Y-%m-%dT%H:%M:%S.000"), zone)],
           "Adresse e-mail": frame["email"].to_numpy(),
           "École": frame["school"].map(names).to_numpy(),
           texts["knows_ess"]: frame["knows_ess"].to_numpy(),
           ess: [" ".join(labels) for labels in chosen]}
    for label in STRUCTURE_LABELS:
        out[f"{ess}/{label}"] = [("1" if label in labels else "0") if labels else ""
                                 for labels in chosen]
    for item in LIKERT_ITEMS:
        out[texts[item]] = _labelled(frame[item], AGREEMENT_LABELS)
    if "satisfaction" in frame:
        out[texts["satisfaction"]] = _labelled(frame["satisfaction"], SATISFACTION_LABELS)
        out[texts["recommend"]] = frame["recommend"].to_numpy()
    n = len(frame)
    received = _to_utc(local) + pd.to_timedelta(rng.integers(1, 30, n), unit="s")
    out |= {"_id": np.arange(512_340_001, 512_340_001 + n),
            "_uuid": uuids, "_submission_time": received.dt.strftime("%Y-%m-%dT%H:%M:%S"),
            "_validation_status": "", "_notes": "", "_status": "submitted_via_web",
            "_submitted_by": "", "__version__": "vTq3XbLmN8pQr2sW4yZa1b", "_tags": "",
            "meta/rootUuid": [f"uuid:{u}" for u in uuids], "_index": np.arange(1, n + 1)}
    _write_csv(pd.DataFrame(out), path, sep=";")


def _microsoft_forms(frame: pd.DataFrame, names: dict[str, str], path: Path, rng) -> None:
    """`Form1` sheet: typed local datetimes, multi-select joined with `;` and a trailing `;`."""
    import xlsxwriter

    texts = question_texts()
    local = _local_times(frame)
    started = local - pd.to_timedelta(rng.integers(90, 600, len(frame)), unit="s")
    columns = {"ID": np.arange(1, len(frame) + 1), "Heure de début": started,
               "Heure de fin": local, "Adresse de messagerie": frame["email"].to_numpy(),
               "Nom": [f"Étudiant {e.split('@')[0][-6:]}" for e in frame["email"]],
               "Heure de la dernière modification": [None] * len(frame),
               "École": frame["school"].map(names).to_numpy(),
               texts["knows_ess"]: frame["knows_ess"].to_numpy(),
               texts["ess_structures_known"]: [";".join(labels) + ";" if labels else None
                                               for labels in _choice_labels(frame)]}
    for item in LIKERT_ITEMS:
        columns[texts[item]] = _labelled(frame[item], AGREEMENT_LABELS)
    for item in ("satisfaction", "recommend"):
        if item in frame:
            columns[texts[item]] = frame[item].to_numpy()
    book = xlsxwriter.Workbook(str(path))  # shared strings, as Excel and Forms write them
    sheet = book.add_worksheet("Form1")
    when = book.add_format({"num_format": "m/d/yy h:mm:ss"})
    sheet.write_row(0, 0, list(columns))
    values = [list(v.dt.to_pydatetime()) if isinstance(v, pd.Series) else list(v)
              for v in columns.values()]
    for number, row in enumerate(zip(*values), start=1):
        for column, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.datetime):
                sheet.write_datetime(number, column, value, when)
            else:
                sheet.write(number, column, value.item() if hasattr(value, "item") else value)
    book.close()


def _limesurvey(frame: pd.DataFrame, names: dict[str, str], path: Path, rng) -> None:
    """Full question texts and answers: BOM, `;`, every field quoted, CRLF, a last empty line."""
    texts = question_texts()
    local = _local_times(frame)
    started = local - pd.to_timedelta(rng.integers(90, 600, len(frame)), unit="s")
    stamp = "%Y-%m-%d %H:%M:%S"
    out = {"ID de la réponse": np.arange(1, len(frame) + 1),
           "Date de soumission": local.dt.strftime(stamp), "Dernière page": 3,
           "Langue de départ": "fr", "Tête de série": rng.integers(10**8, 2 * 10**9, len(frame)),
           "Date de lancement": started.dt.strftime(stamp),
           "Date de la dernière action": local.dt.strftime(stamp),
           "Adresse e-mail": frame["email"].to_numpy(),
           "École": frame["school"].map(names).to_numpy(),
           texts["knows_ess"]: frame["knows_ess"].to_numpy()}
    chosen = _choice_labels(frame)
    for label in STRUCTURE_LABELS:
        out[f"{texts['ess_structures_known']} [{label}]"] = [
            "Oui" if label in labels else "Non" for labels in chosen]
    for item in LIKERT_ITEMS:
        out[f"{LIKERT_GRID} [{texts[item]}]"] = _labelled(frame[item], AGREEMENT_LABELS)
    if "satisfaction" in frame:
        out[texts["satisfaction"]] = _labelled(frame["satisfaction"], SATISFACTION_LABELS)
        out[texts["recommend"]] = frame["recommend"].to_numpy()
    _write_csv(pd.DataFrame(out), path, sep=";", bom=True)
    with path.open("ab") as handle:
        handle.write(b"\r\n")


def _typeform(frame: pd.DataFrame, names: dict[str, str], path: Path, rng) -> None:
    """`#` token first, choices joined with `,`, UTC dates, quoted only when needed, LF."""
    texts = question_texts()
    local = _local_times(frame)
    submitted = _to_utc(local)
    started = submitted - pd.to_timedelta(rng.integers(90, 600, len(frame)), unit="s")
    alphabet = np.array(list("abcdefghijklmnopqrstuvwxyz0123456789"))
    tokens = ["".join(row) for row in alphabet[rng.integers(0, 36, (len(frame), 32))]]
    out = {"#": tokens, "Adresse e-mail": frame["email"].to_numpy(),
           "École": frame["school"].map(names).to_numpy(),
           texts["knows_ess"]: frame["knows_ess"].to_numpy(),
           texts["ess_structures_known"]: [",".join(labels) for labels in _choice_labels(frame)]}
    for item in LIKERT_ITEMS + ("satisfaction", "recommend"):
        if item in frame:
            out[texts[item]] = frame[item].to_numpy()
    stamp = "%Y-%m-%d %H:%M:%S"
    out |= {"Response Type": "completed", "Start Date (UTC)": started.dt.strftime(stamp),
            "Stage Date (UTC)": "", "Submit Date (UTC)": submitted.dt.strftime(stamp),
            "Network ID": [f"{v:010x}" for v in rng.integers(0, 16**10, len(frame))],
            "Tags": ""}
    _write_csv(pd.DataFrame(out), path, quote_all=False, line_end="\n")


def _framaforms(frame: pd.DataFrame, names: dict[str, str], path: Path, rng=None) -> None:
    """Title row, block-label row, labels row; `X` per ticked option; `d/m/Y - H:i` times."""
    texts = question_texts()
    title = f"Questionnaire ESS – {frame['wave'].iat[0]} {frame['edition'].iat[0]}"
    when = _local_times(frame).dt.strftime("%d/%m/%Y - %H:%M")
    n = len(frame)
    chosen = _choice_labels(frame)
    blocks = {"Serial": "Submission Details"}
    out = {"Serial": np.arange(1, n + 1), "SID": np.arange(1843, 1843 + n),
           "Submitted Time": when, "Completed Time": when, "Modified Time": when, "Draft": 0,
           "IP Address": "", "UID": 0, "Username": "",
           "Adresse e-mail": frame["email"].to_numpy(),
           "École": frame["school"].map(names).to_numpy(),
           texts["knows_ess"]: frame["knows_ess"].to_numpy()}
    blocks[STRUCTURE_LABELS[0]] = texts["ess_structures_known"]
    for label in STRUCTURE_LABELS:
        out[label] = ["X" if label in labels else "" for labels in chosen]
    blocks[texts[LIKERT_ITEMS[0]]] = LIKERT_GRID
    for item in LIKERT_ITEMS:
        out[texts[item]] = _labelled(frame[item], AGREEMENT_LABELS)
    if "satisfaction" in frame:
        out[texts["satisfaction"]] = _labelled(frame["satisfaction"], SATISFACTION_LABELS)
        out[texts["recommend"]] = frame["recommend"].to_numpy()
    body = pd.DataFrame(out).astype(object)
    headers = pd.DataFrame([[title] + [""] * (len(out) - 1),
                            [blocks.get(column, "") for column in out], list(out)],
                           columns=list(out), dtype=object)
    _write_csv(pd.concat([headers, body]), path, sep=";", line_end="\n", header=False)


# Which edition and wave each tool's export carries: the three latest editions, both waves.
FORM_EXPORTS = (("google_forms", 0, "pre"), ("kobotoolbox", 0, "post"),
                ("microsoft_forms", 1, "pre"), ("limesurvey", 1, "post"),
                ("typeform", 2, "pre"), ("framaforms", 2, "post"))
# Each writer: (canonical answers, school names by id, path, random generator) -> the file.
FORM_WRITERS = {"google_forms": _google_forms, "kobotoolbox": _kobotoolbox,
                "microsoft_forms": _microsoft_forms, "limesurvey": _limesurvey,
                "typeform": _typeform, "framaforms": _framaforms}
NATIONAL_EXPORT_RESPONSES = 100_000


def write_form_exports(folder: Path, seed: int = 42, scale: str = "default") -> list[FormExport]:
    """The demo's latest survey answers as the six form tools export them (one tool per edition
    and wave), so that loads are timed on real-looking files; at national scale also the
    single national export of 100,000 responses (`write_national_export`)."""
    gen, _, surveys = generate(seed, scale)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names = dict(zip(gen.schools["school_id"], gen.schools["name"]))
    exports = []
    for tool, editions_back, wave in FORM_EXPORTS:
        edition_name = EDITIONS[-1 - editions_back]
        frame = surveys.get((edition_name, wave))
        if frame is None or frame.empty:
            continue
        frame = frame.sort_values("submitted_at", kind="stable").reset_index(drop=True)
        suffix = "xlsx" if tool == "microsoft_forms" else "csv"
        path = folder / f"{tool}_{edition_name}_{wave}.{suffix}"
        FORM_WRITERS[tool](frame, names, path, gen.rng)
        exports.append(FormExport(path, tool, edition_name, wave, len(frame),
                                  _answer_count(frame)))
    if scale == "national":
        exports.append(write_national_export(folder / "google_forms_national.csv", seed))
    return exports


def national_survey(seed: int = 42, responses: int = NATIONAL_EXPORT_RESPONSES,
                    edition_name: str = CURRENT_EDITION) -> tuple[Generator, pd.DataFrame]:
    """One national post questionnaire: `responses` students of the 200 schools, 8 items each."""
    gen = Generator(seed, "national")
    rng = gen.rng
    schools = gen.pick(gen.schools["school_id"], responses)
    effect = pd.Series(schools).map(gen.school_effect).to_numpy()
    knows = np.where(rng.random(responses) < 0.45, 2, np.where(rng.random(responses) < 0.7, 1, 0))
    editions = pd.Series(edition_name, index=range(responses))
    # Answered over May, in the daytime (8:00 to 22:00), to the second.
    seconds = (rng.integers(0, 31, responses) * 86_400 + 8 * 3600
               + rng.integers(0, 14 * 3600, responses))
    submitted = wave_start(editions, "post") + pd.to_timedelta(seconds, unit="s")
    frame = gen.responses([demo_email(i) for i in range(1, responses + 1)], schools, editions,
                          submitted, "post", knows, effect, vectorised=True)
    return gen, frame.sort_values("submitted_at", kind="stable").reset_index(drop=True)


def write_national_export(path: Path, seed: int = 42,
                          responses: int = NATIONAL_EXPORT_RESPONSES) -> FormExport:
    """The ETL benchmark's input: one Google Forms CSV of 100,000 responses x 10 answers
    (e-mail, school and the 8 items), i.e. 1 million answers, as Forms writes it."""
    gen, frame = national_survey(seed, responses)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _google_forms(frame, dict(zip(gen.schools["school_id"], gen.schools["name"])), path)
    return FormExport(path, "google_forms", CURRENT_EDITION, "post", len(frame),
                      _answer_count(frame))
