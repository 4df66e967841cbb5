"""What every section of the outcomes page shares: its map measures, the vocabularies of
statuses, tech types, causes and use, and rates and counts as text.
"""

from __future__ import annotations

import pandas as pd

from dashboard.components.kpi import suppressed_text
from dashboard.i18n import MISSING, fmt_int, fmt_pct, register, t


MEASURES = {  # URL value -> (column of outcomes.export_table, n column or None, percent)
    "projects": ("projects", None, False),
    "delivery": ("delivery_rate_pct", "decided", True),
    "in_use": ("in_use_rate_pct", "in_use_answers", True),
}
DEFAULT_MEASURE = "projects"
FRAGILE_MIN = 5  # = dashboard.queries.outcomes.FRAGILE_MIN_ANSWERS
EXPORT_FORMATS = ("csv", "csv-fr", "xlsx")
STATUSES = ("submitted", "selected", "in_progress", "delivered", "abandoned")
TECH_TYPES = ("web_app", "mobile_app", "data_analysis", "algorithm_ai", "blockchain", "iot",
              "website", "other")
CAUSES = ("education", "sante", "environnement", "inclusion", "emploi", "culture",
          "solidarite_internationale", "autre")
IN_USE_ANSWERS = ("oui", "partiellement", "non")

register({
    "outcomes.nav": {"fr": "Résultats des projets", "en": "Project outcomes"},
    "outcomes.title": {"fr": "Résultats des projets", "en": "Project outcomes"},
    "outcomes.lede": {
        "fr": "Les projets réalisés pour les organisations de l'ESS : livraison, usage six "
              "mois après, satisfaction des organisations et personnes engagées.",
        "en": "The projects built for SSE organisations: delivery, use six months later, the "
              "organisations' satisfaction and the people involved."},
    # KPI cards
    "outcomes.kpi.projects": {"fr": "Projets", "en": "Projects"},
    "outcomes.kpi.projects.detail": {
        "fr": "dont {in_progress} en cours, {abandoned} abandonnés",
        "en": "of which {in_progress} in progress, {abandoned} abandoned"},
    "outcomes.kpi.organisations": {"fr": "Organisations servies", "en": "Organisations served"},
    "outcomes.kpi.organisations.detail": {"fr": "structures de l'ESS avec au moins un projet",
                                          "en": "SSE organisations with at least one project"},
    "outcomes.kpi.delivered": {"fr": "Projets livrés", "en": "Projects delivered"},
    "outcomes.kpi.delivered.detail": {"fr": "sur {n} projets terminés (livrés ou abandonnés)",
                                      "en": "of {n} finished projects (delivered or abandoned)"},
    "outcomes.kpi.delivery_rate": {"fr": "Taux de livraison", "en": "Delivery rate"},
    "outcomes.kpi.delivery_rate.detail": {"fr": "livrés / (livrés + abandonnés), n = {n}",
                                          "en": "delivered / (delivered + abandoned), n = {n}"},
    "outcomes.kpi.in_use": {"fr": "Utilisés à six mois", "en": "In use at six months"},
    "outcomes.kpi.in_use.detail": {
        "fr": "répondent « oui » ; {partial} « partiellement » · n = {n} réponses",
        "en": "answer “yes”; {partial} “partly” · n = {n} answers"},
    "outcomes.kpi.satisfaction": {"fr": "Satisfaction des organisations",
                                  "en": "Organisations' satisfaction"},
    "outcomes.kpi.satisfaction.value": {"fr": "{mean} / 5", "en": "{mean} / 5"},
    "outcomes.kpi.satisfaction.detail": {"fr": "moyenne en fin de projet · n = {n} réponses",
                                         "en": "mean at the end of the project · n = {n} answers"},
    "outcomes.kpi.beneficiaries": {"fr": "Bénéficiaires touchés", "en": "Beneficiaries reached"},
    "outcomes.kpi.beneficiaries.detail": {
        "fr": "déclarés par les organisations à six mois",
        "en": "reported by the organisations at six months"},
    "outcomes.kpi.students": {"fr": "Étudiants engagés", "en": "Students involved"},
    "outcomes.kpi.students.detail": {"fr": "avec {mentors} mentors bénévoles",
                                     "en": "with {mentors} volunteer mentors"},
    "outcomes.kpi.students.hidden": {"fr": "Masqué : moins de {k} personnes · {mentors} mentors",
                                     "en": "Hidden: fewer than {k} people · {mentors} mentors"},
    "outcomes.kpi.no_answer": {"fr": "aucune réponse au questionnaire de suivi",
                               "en": "no answer to the follow-up survey"},
    "outcomes.kpi.no_finished": {"fr": "aucun projet terminé", "en": "no finished project"},
    "outcomes.kpi.hidden_orgs": {"fr": "Masqué : moins de {k} organisations ont répondu",
                                 "en": "Hidden: fewer than {k} organisations answered"},
    "outcomes.fragile": {"fr": "estimation fragile", "en": "fragile estimate"},
    "outcomes.fragile_short": {"fr": "fragile", "en": "fragile"},
    "outcomes.fragile_count": {
        "fr": "{types} moins de 5 réponses : estimation fragile.",
        "en": "{types} fewer than 5 answers: fragile estimate."},
    "outcomes.count.types.one": {"fr": "{n} autre type a", "en": "{n} other type has"},
    "outcomes.count.types.other": {"fr": "{n} autres types ont", "en": "{n} other types have"},
    "outcomes.hidden_count": {
        "fr": "{types} (moins de 5 organisations ont répondu).",
        "en": "{types} (fewer than 5 organisations answered)."},
    "outcomes.count.hidden.one": {"fr": "{n} type masqué", "en": "{n} type hidden"},
    "outcomes.count.hidden.other": {"fr": "{n} types masqués", "en": "{n} types hidden"},
    "outcomes.count.types_all.one": {"fr": "{n} type a", "en": "{n} type has"},
    "outcomes.count.types_all.other": {"fr": "{n} types ont", "en": "{n} types have"},
    # the map
    "outcomes.map.title": {"fr": "Les projets par région de l'organisation",
                           "en": "Projects by the organisation's region"},
    "outcomes.map.measure": {"fr": "Mesure affichée", "en": "Measure shown"},
    "outcomes.measure.projects": {"fr": "Projets", "en": "Projects"},
    "outcomes.measure.delivery": {"fr": "Taux de livraison", "en": "Delivery rate"},
    "outcomes.measure.in_use": {"fr": "Utilisés à six mois", "en": "In use at six months"},
    "outcomes.map.summary": {
        "fr": "Des projets dans {regions} sur 18. {measure}, régions en tête : {top}.",
        "en": "Projects in {regions} out of 18. {measure}, leading regions: {top}."},
    "outcomes.map.summary_none": {"fr": "{measure} : aucune région pour cette sélection.",
                                  "en": "{measure}: no region for this selection."},
    "outcomes.map.note": {
        "fr": "Un projet compte dans la région de son organisation. Cliquez sur une région "
              "pour filtrer la page, de nouveau pour retirer le filtre. Gris : pas de chiffre "
              "(aucun projet terminé ou aucune réponse) ou chiffre masqué. * : estimation "
              "fragile, moins de 5 projets.",
        "en": "A project counts in its organisation's region. Click a region to filter the "
              "page, again to remove the filter. Grey: no figure (no finished project or no "
              "answer) or a hidden figure. *: fragile estimate, fewer than 5 projects."},
    "outcomes.map.hidden": {"fr": "masqué (moins de {k} organisations)",
                            "en": "hidden (fewer than {k} organisations)"},
    "outcomes.col.region": {"fr": "Région", "en": "Region"},
    "outcomes.col.projects": {"fr": "Projets", "en": "Projects"},
    "outcomes.col.delivered": {"fr": "Livrés", "en": "Delivered"},
    "outcomes.col.abandoned": {"fr": "Abandonnés", "en": "Abandoned"},
    "outcomes.col.delivery_rate": {"fr": "Taux de livraison", "en": "Delivery rate"},
    "outcomes.col.in_use_rate": {"fr": "Utilisés à six mois", "en": "In use at six months"},
    "outcomes.col.beneficiaries": {"fr": "Bénéficiaires", "en": "Beneficiaries"},
    "outcomes.col.students": {"fr": "Étudiants", "en": "Students"},
    "outcomes.col.mentors": {"fr": "Mentors", "en": "Mentors"},
    "outcomes.rate_n": {"fr": "{rate} (n = {n})", "en": "{rate} (n = {n})"},
    # breakdowns
    "outcomes.breakdown.section": {"fr": "Les projets", "en": "The projects"},
    "outcomes.status.title": {"fr": "Projets par statut", "en": "Projects by status"},
    "outcomes.tech.title": {"fr": "Projets par type de technologie",
                            "en": "Projects by technology"},
    "outcomes.cause.title": {"fr": "Projets par cause de l'organisation",
                             "en": "Projects by the organisation's cause"},
    "outcomes.edition.title": {"fr": "Projets par édition", "en": "Projects by edition"},
    "outcomes.breakdown.summary": {
        "fr": "{projects} au total ; en tête : {top} ({count}).",
        "en": "{projects} in all; first: {top} ({count})."},
    "outcomes.edition.summary": {
        "fr": "{projects} de {first} à {last} ; le plus : {top} ({count}).",
        "en": "{projects} from {first} to {last}; the most: {top} ({count})."},
    "outcomes.empty": {"fr": "Aucun projet pour cette sélection.",
                       "en": "No project for this selection."},
    "outcomes.col.status": {"fr": "Statut", "en": "Status"},
    "outcomes.col.tech_type": {"fr": "Type de technologie", "en": "Technology"},
    "outcomes.col.cause": {"fr": "Cause", "en": "Cause"},
    "outcomes.col.edition": {"fr": "Édition", "en": "Edition"},
    "outcomes.status.submitted": {"fr": "Soumis", "en": "Submitted"},
    "outcomes.status.selected": {"fr": "Sélectionné", "en": "Selected"},
    "outcomes.status.in_progress": {"fr": "En cours", "en": "In progress"},
    "outcomes.status.delivered": {"fr": "Livré", "en": "Delivered"},
    "outcomes.status.abandoned": {"fr": "Abandonné", "en": "Abandoned"},
    "outcomes.tech.web_app": {"fr": "Application web", "en": "Web app"},
    "outcomes.tech.mobile_app": {"fr": "Application mobile", "en": "Mobile app"},
    "outcomes.tech.data_analysis": {"fr": "Analyse de données", "en": "Data analysis"},
    "outcomes.tech.algorithm_ai": {"fr": "Algorithme, IA", "en": "Algorithm, AI"},
    "outcomes.tech.blockchain": {"fr": "Blockchain", "en": "Blockchain"},
    "outcomes.tech.iot": {"fr": "Objets connectés", "en": "Connected objects"},
    "outcomes.tech.website": {"fr": "Site web", "en": "Website"},
    "outcomes.tech.other": {"fr": "Autre", "en": "Other"},
    "outcomes.cause.education": {"fr": "Éducation", "en": "Education"},
    "outcomes.cause.sante": {"fr": "Santé", "en": "Health"},
    "outcomes.cause.environnement": {"fr": "Environnement", "en": "Environment"},
    "outcomes.cause.inclusion": {"fr": "Inclusion", "en": "Inclusion"},
    "outcomes.cause.emploi": {"fr": "Emploi", "en": "Employment"},
    "outcomes.cause.culture": {"fr": "Culture", "en": "Culture"},
    "outcomes.cause.solidarite_internationale": {"fr": "Solidarité internationale",
                                                 "en": "International solidarity"},
    "outcomes.cause.autre": {"fr": "Autre", "en": "Other"},
    # satisfaction and use by tech type
    "outcomes.quality.section": {"fr": "Satisfaction et usage", "en": "Satisfaction and use"},
    "outcomes.satisfaction.title": {"fr": "Satisfaction des organisations, par type",
                                    "en": "Organisations' satisfaction, by technology"},
    "outcomes.satisfaction.summary": {
        "fr": "Satisfaction moyenne en fin de projet, sur 5 : {items}",
        "en": "Mean satisfaction at the end of the project, out of 5: {items}"},
    "outcomes.satisfaction.item": {"fr": "{tech} {mean} (n = {n})",
                                   "en": "{tech} {mean} (n = {n})"},
    "outcomes.satisfaction.empty": {"fr": "Aucune réponse en fin de projet pour cette sélection.",
                                    "en": "No end-of-project answer for this selection."},
    "outcomes.satisfaction.note": {
        "fr": "Note de 1 à 5 donnée par l'organisation en fin de projet. Barres grises et "
              "mention « estimation fragile » : moins de 5 réponses.",
        "en": "Score from 1 to 5 given by the organisation at the end of the project. Grey "
              "bars marked “fragile estimate”: fewer than 5 answers."},
    "outcomes.col.mean_satisfaction": {"fr": "Satisfaction moyenne", "en": "Mean satisfaction"},
    "outcomes.col.answers": {"fr": "Réponses", "en": "Answers"},
    "outcomes.in_use.title": {"fr": "Utilisés six mois après, par type",
                              "en": "In use six months later, by technology"},
    "outcomes.in_use.summary": {
        "fr": "Part des projets utilisés six mois après la livraison : {items}",
        "en": "Share of projects in use six months after delivery: {items}"},
    "outcomes.in_use.item": {"fr": "{tech} {rate} (n = {n})", "en": "{tech} {rate} (n = {n})"},
    "outcomes.in_use.empty": {"fr": "Aucune réponse au suivi à six mois pour cette sélection.",
                              "en": "No six-month follow-up answer for this selection."},
    "outcomes.in_use.note": {
        "fr": "Réponses des organisations au suivi à six mois. « Partiellement » est montré "
              "à part ; la barre ne compte que les « oui ». Moins de 5 réponses : estimation "
              "fragile.",
        "en": "Organisations' answers at the six-month follow-up. “Partly” is shown apart; "
              "the rate counts “yes” only. Fewer than 5 answers: fragile estimate."},
    "outcomes.in_use.yes": {"fr": "Oui", "en": "Yes"},
    "outcomes.in_use.partial": {"fr": "Partiellement", "en": "Partly"},
    "outcomes.in_use.no": {"fr": "Non", "en": "No"},
    "outcomes.col.in_use_yes": {"fr": "Oui", "en": "Yes"},
    "outcomes.col.in_use_partial": {"fr": "Partiellement", "en": "Partly"},
    "outcomes.hidden": {"fr": "masqué", "en": "hidden"},
    # projects table (staff)
    "outcomes.projects.title": {"fr": "Les projets, un par un", "en": "The projects, one by one"},
    "outcomes.projects.detail": {
        "fr": "{projects}. Triez en cliquant sur un en-tête, filtrez sous l'en-tête. "
              "Visible du personnel de Latitudes seulement.",
        "en": "{projects}. Sort by clicking a header, filter under it. Visible to Latitudes "
              "staff only."},
    "outcomes.grid.title": {"fr": "Titre", "en": "Title"},
    "outcomes.grid.organisation": {"fr": "Organisation", "en": "Organisation"},
    "outcomes.grid.school": {"fr": "École", "en": "School"},
    "outcomes.grid.region": {"fr": "Région", "en": "Region"},
    "outcomes.grid.edition": {"fr": "Édition", "en": "Edition"},
    "outcomes.grid.tech_type": {"fr": "Technologie", "en": "Technology"},
    "outcomes.grid.status": {"fr": "Statut", "en": "Status"},
    "outcomes.grid.satisfaction": {"fr": "Satisfaction (fin)", "en": "Satisfaction (end)"},
    "outcomes.grid.in_use": {"fr": "Utilisé à six mois", "en": "In use at six months"},
    # exports
    "outcomes.export.title": {"fr": "Données par région", "en": "Data by region"},
    "outcomes.export.detail": {
        "fr": "Le tableau agrégé derrière cette page (une ligne par région), pour la "
              "sélection en cours ; les chiffres masqués y restent masqués.",
        "en": "The aggregated table behind this page (one row per region), for the current "
              "selection; hidden figures stay hidden."},
    "outcomes.export.csv": {"fr": "CSV", "en": "CSV"},
    "outcomes.export.csv-fr": {"fr": "CSV Excel (FR)", "en": "CSV Excel (FR)"},
    "outcomes.export.xlsx": {"fr": "XLSX", "en": "XLSX"},
    # counts
    "outcomes.count.projects.one": {"fr": "{n} projet", "en": "{n} project"},
    "outcomes.count.projects.other": {"fr": "{n} projets", "en": "{n} projects"},
    "outcomes.count.regions.one": {"fr": "{n} région", "en": "{n} region"},
    "outcomes.count.regions.other": {"fr": "{n} régions", "en": "{n} regions"},
})


def measure_of(value: str | None) -> str:
    return value if value in MEASURES else DEFAULT_MEASURE


def vocabulary_label(kind: str, value: str, lang: str) -> str:
    key = {"status": "outcomes.status", "tech_type": "outcomes.tech",
           "cause": "outcomes.cause"}[kind]
    try:
        return t(f"{key}.{value}", lang)
    except KeyError:
        return str(value)


def is_missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def rate_text(rate: float | None, n, lang: str, k: int, *, hidden: bool = False) -> str:
    """"81 % (n = 47)"; with ", estimation fragile" under 5 answers; "< K" when hidden."""
    if hidden:
        return suppressed_text(k)
    if is_missing(rate) or is_missing(n) or not n:
        return MISSING
    text = t("outcomes.rate_n", lang, rate=fmt_pct(rate, lang), n=fmt_int(n, lang))
    return f"{text}, {t('outcomes.fragile', lang)}" if int(n) < FRAGILE_MIN else text


def count_text(value, lang: str, k: int) -> str:
    return suppressed_text(k) if is_missing(value) else fmt_int(value, lang)


def measure_label(measure: str, lang: str) -> str:
    return t(f"outcomes.measure.{measure}", lang)


def first_largest(values: list) -> int:
    """The position of the largest value, the first one among equals (what a stable sort in
    descending order puts first)."""
    return max(range(len(values)), key=values.__getitem__)
