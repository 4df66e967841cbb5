"""The annual-report pack: one XLSX with a sheet per figure table and a "méthodologie" sheet,
and the report's charts as PNG (print resolution, scale 3) and SVG.

Everything comes from the report dict (`collect.collect`, or a published snapshot), through
the query layer's own functions (`snapshot=`), so the pack's numbers are the report's. The
XLSX is written by `dashboard.exports.to_xlsx`: hidden cells read "< K", text cells that a
spreadsheet would run as a formula are neutralised, numbers stay numbers.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
import zipfile
from pathlib import Path

import pandas as pd

from dashboard.exports import ExportMeta, set_aside_notes, suppression_mask, to_xlsx
from dashboard.queries import awareness, guide, outcomes, reach
from dashboard.report import charts, collect
from dashboard.report.render import _batch_ranges

BREAKDOWN_FIGURES = ["n_matched", "pre_pct", "post_pct", "diff_pp", "ci_low_pp", "ci_high_pp",
                     "fragile"]
KPI_SKIPPED = ("fragile", "suppressed", "hidden_regions")

# DESIGN.md section 7, figure by figure: (sheet.column, French, English).
DEFINITIONS = [
    ("reach.events",
     ("Événements du Tour de France ; un événement appartient à l'édition de sa date et à la "
      "région de son region_code."),
     ("Tour de France events; an event belongs to the edition of its date and to the region "
      "of its region_code.")),
    ("reach.cities",
     "Villes distinctes des événements de la région.",
     "Distinct cities of the region's events."),
    ("reach.schools_reached",
     "Écoles distinctes nommées sur les événements.",
     "Distinct schools named on the events."),
    ("reach.attendees / students_attending / organisations_attending",
     ("Sommes des participants, étudiants présents et organisations présentes déclarés par "
      "événement (comptages d'événements, jamais masqués)."),
     ("Sums of attendees, students attending and organisations attending reported per event "
      "(event head counts, never hidden).")),
    ("reach.guide_copies",
     ("Exemplaires et téléchargements du guide dont la région est connue (région du relevé, "
      "sinon de l'école, de l'organisation ou de l'événement)."),
     ("Guide copies and downloads whose region is known (the record's, else its school's, "
      "organisation's or event's).")),
    ("reach_kpis.regions_covered",
     "Régions avec au moins un événement, sur 18.",
     "Regions with at least one event, out of 18."),
    ("guide_kpis.events_with_guide_pct",
     ("Part des événements de la sélection où le guide a été remis (nommés sur au moins un "
      "relevé de diffusion)."),
     ("Share of the selection's events where the guide was handed out (named on at least one "
      "distribution record).")),
    ("awareness (knows_ess)",
     ("« Sait précisément ce qu'est l'ESS » = réponse « Oui, précisément ». Apparié : "
      "répondants ayant répondu avant et après dans la même édition ; écart en points avec "
      "IC 95 % de Newcombe (méthode 10) et p-value exacte de McNemar. Non apparié : toutes "
      "les réponses d'avant face à toutes celles d'après, intervalles de Wilson et de "
      "Newcombe."),
     ("“Knows precisely what the SSE is” = answer “Yes, precisely”. Paired: respondents who "
      "answered before and after in the same edition; difference in points with Newcombe's "
      "95% CI (method 10) and the exact McNemar p-value. Unpaired: every answer before "
      "against every answer after, Wilson and Newcombe intervals.")),
    ("awareness (Likert items)",
     ("Part d'accord (4 ou 5 sur 5), avant et après ; variation moyenne appariée avec son IC "
      "95 %."),
     ("Share agreeing (4 or 5 out of 5), before and after; mean paired change with its 95% "
      "CI.")),
    ("awareness (satisfaction, recommend)",
     ("Après seulement : satisfaction = part de 4 ou 5 ; recommandation = part de promoteurs "
      "(9 ou 10) et net promoter score."),
     ("After only: satisfaction = share answering 4 or 5; recommend = share of promoters (9 "
      "or 10) and net promoter score.")),
    ("awareness n",
     ("n = nombre de répondants à la question ; attrition = répondants d'avant sans réponse "
      "après."),
     ("n = respondents who answered the item; attrition = respondents before with no answer "
      "after.")),
    ("outcomes.projects",
     "Projets de l'édition ; la région d'un projet est celle de son organisation.",
     "Projects of the edition; a project's region is its organisation's."),
    ("outcomes.delivery_rate_pct",
     "Livrés / (livrés + abandonnés), d'après le statut des projets.",
     "Delivered / (delivered + abandoned), from the projects' status."),
    ("outcomes.in_use_rate_pct",
     "Réponses « oui » / réponses au suivi à six mois (« partiellement » compté à part).",
     "“Yes” answers / answers of the six-month follow-up (“partly” counted apart)."),
    ("outcomes.mean_satisfaction",
     "Moyenne de 1 à 5 de la satisfaction au suivi de fin de projet.",
     "Mean 1-5 satisfaction at the end-of-project follow-up."),
    ("outcomes.beneficiaries_reached",
     "Somme des bénéficiaires déclarés au suivi à six mois.",
     "Sum of beneficiaries reported at the six-month follow-up."),
    ("outcomes.students / mentors",
     "Sommes des students_count et mentors_count des projets.",
     "Sums of the projects' students_count and mentors_count."),
    ("< K",
     ("Chiffre masqué : construit sur moins de K personnes (ou, pour les financeurs et les "
      "écoles, K organisations répondantes), ou total qui permettrait de le retrouver."),
     ("Hidden figure: built from fewer than K people (or, for funders and schools, K "
      "responding organisations), or a total that would give it back.")),
    ("estimation fragile",
     "Moins de 30 personnes ou intervalle de plus de 30 points.",
     "Fewer than 30 people or an interval wider than 30 points."),
    ("référence nationale",
     ("Étude BCG / IPSOS : environ 1 étudiant ingénieur sur 5 sait précisément ce qu'est "
      "l'ESS ; 97 % veulent être utiles à la société."),
     ("BCG / IPSOS study: about 1 engineering student in 5 knows precisely what the SSE is; "
      "97% want to be useful to society.")),
]


def french_spaces(text: str) -> str:
    """No-break spaces of French typography: narrow before ; ? ! % and inside « », plain
    before a colon."""
    text = re.sub(r" ([;?!%»])", "\u202f\\1", text).replace("« ", "«\u202f")
    return text.replace(" :", "\u00a0:")


def _kpi_frame(kpis: dict, hidden=()) -> tuple[pd.DataFrame, pd.DataFrame]:
    names = [name for name in kpis if name not in KPI_SKIPPED]
    frame = pd.DataFrame({"figure": names, "value": [kpis[name] for name in names]})
    frame["value"] = frame["value"].astype(object)
    mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    mask["value"] = frame["figure"].isin(list(hidden)).to_numpy()
    return frame, mask


def sheets(data: dict) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """The pack's tables by sheet name, and the masks of their hidden cells."""
    figures = data["figures"]
    tables: dict[str, pd.DataFrame] = {}
    masks: dict[str, pd.DataFrame] = {}

    def add(name: str, frame: pd.DataFrame, mask: pd.DataFrame | None = None):
        mask = frame.attrs.get("suppressed_mask") if mask is None else mask
        frame = frame.copy()
        frame.attrs = {}
        tables[name] = frame
        if mask is not None:
            masks[name] = mask

    add("reach", reach.export_table(None, None, None, snapshot=figures))
    add("reach_kpis", *_kpi_frame(reach.reach_kpis(None, None, None, snapshot=figures)))
    add("guide_kpis", *_kpi_frame(guide.guide_kpis(None, None, None, snapshot=figures)))
    add("awareness", awareness.export_table(None, None, None, snapshot=figures))
    add("awareness_items", awareness.items_table(None, None, None, snapshot=figures))
    for dimension in awareness.BREAKDOWN_DIMENSIONS:
        frame = awareness.breakdown(dimension, None, None, None, snapshot=figures)
        add(f"awareness_by_{dimension}", frame, suppression_mask(frame, BREAKDOWN_FIGURES))
    add("outcomes", outcomes.export_table(None, None, None, snapshot=figures))
    kpis = outcomes.outcomes_kpis(None, None, None, snapshot=figures)
    add("outcomes_kpis", *_kpi_frame(kpis, kpis["suppressed"]))
    for dimension in outcomes.DIMENSIONS:
        add(f"outcomes_by_{dimension}",
            outcomes.by_dimension(dimension, None, None, None, snapshot=figures))
    frame = outcomes.satisfaction_by_tech(None, None, None, snapshot=figures)
    add("satisfaction_by_tech", frame,
        suppression_mask(frame, ["satisfaction_n", "mean_satisfaction"]))
    return tables, masks


def meta(data: dict, lang: str, published: dict | None = None) -> ExportMeta:
    """The 'méthodologie' sheet: filters, audience, as-of date, K, version, definitions."""
    notes = {
        "editions": ", ".join(data["editions"]),
        "audience": data["scope_key"],
        "load_batches": _batch_ranges(data["batch_ids"]),
        "content_hash_sha256": collect.content_hash(data),
        "is_demo": data["is_demo"],
    }
    if published:
        notes["published_snapshot"] = (f"{published['snapshot_id']} "
                                       f"({published['published_at']})")
    for key, french, english in DEFINITIONS:
        notes[f"définition · {key}"] = french_spaces(french) if lang == "fr" else english
    if data.get("set_aside_answers") is not None:  # absent from reports published before it
        notes.update(set_aside_notes(data["set_aside_answers"], (lang,)))
    as_of = dt.datetime.fromisoformat(data["as_of"]) if data["as_of"] else None
    return ExportMeta(figure="pack", filters=data["filters"], k=data["k"], as_of=as_of,
                      scope=data["scope"]["role"], methodology_version=data["methodology_version"],
                      notes=notes)


def workbook(data: dict, lang: str = "fr", published: dict | None = None) -> bytes:
    tables, masks = sheets(data)
    return to_xlsx(tables, meta(data, lang, published), masks)


def slug(data: dict) -> str:
    editions = data["filters"]["editions"]
    if not editions:
        return "toutes-editions" if len(data["editions"]) != 1 else data["editions"][0]
    return "_".join(editions)


def write_pack(data: dict, folder: Path, lang: str = "fr",
               published: dict | None = None) -> list[Path]:
    """Write the pack into `folder` (created if needed); returns the files written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / f"latitudes-impact-{slug(data)}.xlsx"]
    written[0].write_bytes(workbook(data, lang, published))
    for name, figure in charts.build(data, lang).items():
        png, svg = folder / f"{name}.png", folder / f"{name}.svg"
        png.write_bytes(charts.png(figure))
        svg.write_text(charts.svg(figure), encoding="utf-8")
        written += [png, svg]
    return written


def pack_zip(data: dict, lang: str = "fr", published: dict | None = None) -> bytes:
    """The pack as one ZIP (the page's download)."""
    out = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="impact-pack-") as folder:
        files = write_pack(data, Path(folder), lang, published)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in files:
                archive.write(path, arcname=path.name)
    return out.getvalue()
