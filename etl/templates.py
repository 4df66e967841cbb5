"""The input templates staff fill in: one per kind, CSV and XLSX, English and French headers.

`write_templates(folder)` regenerates data/templates/ from the declarations below; a test keeps
the committed files equal to what this writes.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from etl.settings import DATA_DIR

TEMPLATES_DIR = DATA_DIR / "templates"

# kind -> [(column, French header, description in French)]
TEMPLATES: dict[str, list[tuple[str, str, str]]] = {
    "organisations": [
        ("org_id", "id_organisation", "Identifiant unique de l'organisation (ex. ORG001)"),
        ("name", "nom", "Nom de l'organisation"),
        ("legal_form", "forme_juridique", "association, fondation, cooperative, mutuelle, "
                                          "entreprise_esus, collectivite, autre"),
        ("cause", "cause", "education, sante, environnement, inclusion, emploi, culture, "
                           "solidarite_internationale, autre"),
        ("city", "ville", "Ville"),
        ("region_code", "code_region", "Code INSEE de la région (ex. 84) ou son nom"),
    ],
    "projects": [
        ("project_id", "id_projet", "Identifiant unique du projet"),
        ("title", "titre", "Titre du projet"),
        ("org_id", "id_organisation", "Organisation bénéficiaire (déjà chargée)"),
        ("school_id", "ecole", "École des étudiants (nom ou identifiant)"),
        ("edition", "edition", "Année universitaire, ex. 2024-2025"),
        ("tech_type", "type_technique", "web_app, mobile_app, data_analysis, algorithm_ai, "
                                        "blockchain, iot, website, other"),
        ("status", "statut", "submitted, selected, in_progress, delivered, abandoned"),
        ("students_count", "nb_etudiants", "Nombre d'étudiants"),
        ("mentors_count", "nb_mentors", "Nombre de mentors bénévoles"),
        ("start_date", "date_debut", "Date de début (2024-10-01 ou 01/10/2024)"),
        ("end_date", "date_fin", "Date de fin"),
    ],
    "students": [
        ("email", "email", "E-mail (pseudonymisé au chargement, jamais stocké)"),
        ("student_number", "numero_etudiant", "Ou numéro étudiant (pseudonymisé)"),
        ("school", "ecole", "École (nom ou identifiant)"),
        ("edition", "edition", "Année universitaire, ex. 2024-2025"),
        ("project_id", "id_projet", "Projet de l'étudiant (facultatif)"),
        ("year_of_study", "annee_etudes", "Année d'études (1 à 8)"),
        ("gender", "genre", "f, m, x, undisclosed (facultatif)"),
    ],
    "events": [
        ("event_id", "id_evenement", "Identifiant unique de l'événement"),
        ("date", "date", "Date de l'événement"),
        ("city", "ville", "Ville"),
        ("region_code", "code_region", "Code INSEE de la région"),
        ("school_id", "ecole", "École hôte ou présente (facultatif)"),
        ("event_type", "type_evenement", "conference, workshop, hackathon, forum, webinar"),
        ("attendees", "participants", "Nombre de participants"),
        ("students_attending", "etudiants_presents", "Dont étudiants"),
        ("organisations_attending", "organisations_presentes", "Organisations présentes"),
    ],
    "guide": [
        ("record_id", "id_enregistrement", "Identifiant unique de la diffusion"),
        ("date", "date", "Date de la diffusion"),
        ("channel", "canal", "download, print, event, partner_mailing"),
        ("copies", "exemplaires", "Téléchargements ou exemplaires imprimés"),
        ("region_code", "code_region", "Région (facultatif)"),
        ("school_id", "ecole", "École destinataire (facultatif)"),
        ("org_id", "id_organisation", "Organisation destinataire (facultatif)"),
        ("event_id", "id_evenement", "Événement du Tour où le guide a été remis (facultatif)"),
        ("audience", "public", "students, schools, organisations, professionals, other"),
    ],
    "org-survey": [
        ("project_id", "id_projet", "Projet suivi"),
        ("wave", "vague", "end (fin de projet) ou six_months (6 mois après)"),
        ("delivered", "livre", "oui / non"),
        ("in_use", "utilise", "oui, partiellement, non"),
        ("satisfaction", "satisfaction", "1 à 5"),
        ("mission_impact", "impact_mission", "1 à 5"),
        ("beneficiaries_reached", "beneficiaires_atteints", "Nombre de bénéficiaires"),
        ("would_apply_again", "candidaterait_a_nouveau", "oui / non"),
    ],
    "survey": [
        ("email", "email", "E-mail du répondant (pseudonymisé ; vide si anonyme)"),
        ("school", "ecole", "École"),
        ("edition", "edition", "Année universitaire, ex. 2024-2025"),
        ("wave", "vague", "pre (avant le programme) ou post (après)"),
        ("submitted_at", "date_reponse", "Date et heure de la réponse"),
        ("knows_ess", "connait_ess", "Oui, précisément / Vaguement / Non"),
        ("ess_structures_known", "structures_ess_connues",
         "Association;Coopérative;Mutuelle;Fondation;Entreprise sociale (ESUS), séparées par ;"),
        ("wants_useful", "veut_etre_utile", "1 à 5"),
        ("tech_for_good", "tech_for_good", "1 à 5"),
        ("consider_ess_career", "envisage_carriere_ess", "1 à 5"),
        ("intends_volunteer", "intention_benevolat", "1 à 5"),
        ("satisfaction", "satisfaction", "1 à 5 (post seulement)"),
        ("recommend", "recommandation", "0 à 10 (post seulement)"),
    ],
}


def file_stem(kind: str) -> str:
    return kind.replace("-", "_")


def csv_text(headers: list[str], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerow(headers)
    return out.getvalue()


def xlsx_bytes(kind: str, french: bool) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    # A fixed creation date keeps the file identical from one generation to the next.
    import datetime as dt
    book.set_properties({"title": f"Latitudes Impact: {kind}", "created": dt.datetime(2026, 1, 1)})
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    data = book.add_worksheet("donnees" if french else "data")
    help_sheet = book.add_worksheet("aide")
    for col, (column, french_header, _) in enumerate(TEMPLATES[kind]):
        data.write_string(0, col, french_header if french else column, bold)
        data.set_column(col, col, 22)
    data.freeze_panes(1, 0)
    help_sheet.set_column(0, 1, 26)
    help_sheet.set_column(2, 2, 90)
    for col, title in enumerate(("colonne", "en-tête français", "contenu")):
        help_sheet.write_string(0, col, title, bold)
    for row, (column, french_header, description) in enumerate(TEMPLATES[kind], start=1):
        help_sheet.write_string(row, 0, column)
        help_sheet.write_string(row, 1, french_header)
        help_sheet.write_string(row, 2, description)
    book.close()
    return out.getvalue()


def write_templates(folder: Path = TEMPLATES_DIR) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, columns in TEMPLATES.items():
        stem = file_stem(kind)
        files = {
            f"{stem}.csv": csv_text([c for c, _, _ in columns]).encode("utf-8"),
            # French Excel opens semicolon-separated UTF-8 with a BOM correctly.
            f"{stem}_fr.csv": ("\ufeff" + csv_text([f for _, f, _ in columns], ";")).encode("utf-8"),
            f"{stem}.xlsx": xlsx_bytes(kind, french=False),
            f"{stem}_fr.xlsx": xlsx_bytes(kind, french=True),
        }
        for name, content in files.items():
            path = folder / name
            path.write_bytes(content)
            written.append(path)
    return written


if __name__ == "__main__":
    for path in write_templates():
        print(path.relative_to(DATA_DIR.parent))
