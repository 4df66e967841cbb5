"""What every section of the data page shares: kinds of file, waves, tools, the grid's French
texts, and labels, reasons, dates and sizes as text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

from dash import html

from dashboard.components.filters import FILTERS
from dashboard.i18n import fmt_date, fmt_decimal, fmt_int, register, t, tn
from dashboard.view import parse_search


JOB_PARAM, BATCH_PARAM = "job", "batch"
FILTER_DROPDOWNS = [dropdown for _param, dropdown, *_ in FILTERS]  # in FILTER_PARAMS order
KINDS = ("organisations", "projects", "students", "events", "guide", "survey", "org-survey")
WAVES_OF_KIND = {"survey": ("pre", "post"), "org-survey": ("end", "six_months")}
ACCEPT = ".csv,.tsv,.txt,.xlsx,.xlsm,.zip"
POLL_MS = 1000
BATCHES_SHOWN = 100
GRID_ROWS = 1000
PARIS = ZoneInfo("Europe/Paris")
COUNTED_TABLES = ("organisation", "project", "student", "tour_event", "guide_record",
                  "survey_response", "org_followup", "rejected_row")
TOOLS = {"google_forms": "Google Forms", "google_sheets": "Google Sheets",
         "microsoft_forms": "Microsoft Forms", "kobotoolbox": "KoboToolbox",
         "limesurvey": "LimeSurvey", "typeform": "Typeform", "framaforms": "Framaforms"}
ROW_PREFIX = re.compile(r"^row \d+: ")  # the grid shows the row number in its own column
REFERENCED = re.compile(r"cannot be taken out: (\d+) (.+?) loaded by other batches")

register({
    "data.nav": {"fr": "Données", "en": "Data"},
    "data.title": {"fr": "Données", "en": "Data"},
    "data.lede": {
        "fr": "Chargez les tableurs et les exports de formulaires du programme, lisez ce qui a "
              "été chargé ou mis de côté, et annulez un chargement si besoin. Les filtres "
              "ci-dessus ne s'appliquent pas à cette page.",
        "en": "Load the programme's spreadsheets and form exports, read what was loaded or "
              "set aside, and undo a load if needed. The filters above do not apply to this "
              "page."},
    "data.forbidden": {"fr": "Cette page est réservée à l'équipe Latitudes.",
                       "en": "This page is for Latitudes staff only."},
    # upload form
    "data.upload.title": {"fr": "Charger des fichiers", "en": "Load files"},
    "data.upload.intro": {
        "fr": "Chaque ligne est vérifiée : une ligne en erreur est mise de côté avec sa raison, "
              "jamais perdue ni chargée à moitié. Recharger le même fichier ne change rien.",
        "en": "Every row is checked: a row in error is set aside with its reason, never lost "
              "nor half loaded. Loading the same file again changes nothing."},
    "data.upload.drop": {"fr": "Déposez vos fichiers ici", "en": "Drop your files here"},
    "data.upload.browse": {"fr": "ou cliquez pour les choisir", "en": "or click to choose them"},
    "data.upload.formats": {
        "fr": "CSV, XLSX ou ZIP (export Google Forms) · {max_mb} Mo au plus par envoi",
        "en": "CSV, XLSX or ZIP (Google Forms export) · at most {max_mb} MB per upload"},
    "data.upload.none": {"fr": "Aucun fichier choisi.", "en": "No file chosen."},
    "data.upload.chosen.one": {"fr": "{n} fichier choisi :", "en": "{n} file chosen:"},
    "data.upload.chosen.other": {"fr": "{n} fichiers choisis :", "en": "{n} files chosen:"},
    "data.upload.kind": {"fr": "Type de données", "en": "Kind of data"},
    "data.upload.kind.auto": {"fr": "Reconnaître d'après les en-têtes",
                              "en": "Recognise from the headers"},
    "data.upload.wave": {"fr": "Vague (questionnaires)", "en": "Wave (surveys)"},
    "data.upload.wave.none": {"fr": "Lue dans le fichier", "en": "Read from the file"},
    "data.upload.edition": {"fr": "Édition (questionnaires)", "en": "Edition (surveys)"},
    "data.upload.edition.placeholder": {"fr": "ex. 2025-2026", "en": "e.g. 2025-2026"},
    "data.upload.options_help": {
        "fr": "Laissez le type en automatique : il est reconnu d'après les en-têtes. La vague "
              "et l'édition ne servent qu'aux questionnaires qui ne les indiquent pas.",
        "en": "Leave the kind on automatic: it is recognised from the headers. The wave and "
              "the edition only matter for surveys that do not say them."},
    "data.upload.submit": {"fr": "Charger les fichiers", "en": "Load the files"},
    "data.upload.sending": {"fr": "Envoi des fichiers… {pct}", "en": "Sending the files… {pct}"},
    "data.upload.started": {"fr": "Fichiers envoyés : suivez leur chargement ci-dessous.",
                            "en": "Files sent: follow their load below."},
    "data.upload.session": {"fr": "Votre session a expiré : reconnectez-vous, puis envoyez "
                                  "de nouveau les fichiers.",
                            "en": "Your session has expired: sign in again, then send the "
                                  "files again."},
    "data.upload.network": {
        "fr": "Le serveur ne répond pas : vérifiez la connexion, puis réessayez.",
        "en": "The server does not answer: check the connection, then try again."},
    "data.upload.too_large_local": {
        "fr": "Ces fichiers font {size} : c'est plus que les {max_mb} Mo acceptés par envoi. "
              "Envoyez-les en plusieurs fois, ou compressez-les en ZIP.",
        "en": "These files weigh {size}: more than the {max_mb} MB accepted per upload. Send "
              "them in several goes, or zip them."},
    # kinds, waves, statuses, reasons
    "data.kind.organisations": {"fr": "Organisations", "en": "Organisations"},
    "data.kind.projects": {"fr": "Projets", "en": "Projects"},
    "data.kind.students": {"fr": "Étudiants (inscriptions)", "en": "Students (enrolments)"},
    "data.kind.events": {"fr": "Événements du Tour de France", "en": "Tour de France events"},
    "data.kind.guide": {"fr": "Diffusion du guide", "en": "Guide distribution"},
    "data.kind.survey": {"fr": "Questionnaire étudiants", "en": "Student survey"},
    "data.kind.org-survey": {"fr": "Suivi des organisations",
                             "en": "Organisation follow-up survey"},
    "data.wave.pre": {"fr": "Avant le programme (pre)", "en": "Before the programme (pre)"},
    "data.wave.post": {"fr": "Après le programme (post)", "en": "After the programme (post)"},
    "data.wave.end": {"fr": "Fin de projet (end)", "en": "End of project (end)"},
    "data.wave.six_months": {"fr": "Six mois après (six_months)",
                             "en": "Six months later (six_months)"},
    "data.tool.template": {"fr": "modèle Latitudes", "en": "Latitudes template"},
    "data.status.loaded": {"fr": "Chargé", "en": "Loaded"},
    "data.status.unloaded": {"fr": "Annulé", "en": "Undone"},
    "data.status.failed": {"fr": "Échec", "en": "Failed"},
    "data.status.running": {"fr": "En cours", "en": "Running"},
    "data.status.dry_run": {"fr": "Essai", "en": "Dry run"},
    "data.demo_tag": {"fr": "démo", "en": "demo"},
    "data.reason.duplicate_key": {"fr": "ligne en double", "en": "duplicate row"},
    "data.reason.invalid_value": {"fr": "valeur invalide", "en": "invalid value"},
    "data.reason.missing_value": {"fr": "valeur manquante", "en": "missing value"},
    "data.reason.unknown_school": {"fr": "école inconnue", "en": "unknown school"},
    "data.reason.unknown_organisation": {"fr": "organisation inconnue",
                                         "en": "unknown organisation"},
    "data.reason.unknown_project": {"fr": "projet inconnu", "en": "unknown project"},
    "data.reason.invalid_dates": {"fr": "dates incohérentes", "en": "inconsistent dates"},
    "data.reason.inconsistent_counts": {"fr": "effectifs incohérents",
                                        "en": "inconsistent counts"},
    "data.reason.missing_identifier": {"fr": "identifiant manquant",
                                       "en": "missing identifier"},
    "data.reason.superseded": {"fr": "remplacée par une réponse plus récente",
                               "en": "superseded by a later response"},
    "data.reason.incomplete": {"fr": "réponse incomplète", "en": "incomplete response"},
    "data.reason.invalid_answer": {"fr": "réponse invalide", "en": "invalid answer"},
    "data.reason.invalid_date": {"fr": "date invalide", "en": "invalid date"},
    "data.reason.empty_response": {"fr": "réponse vide", "en": "empty response"},
    "data.reason.missing_wave": {"fr": "vague manquante", "en": "missing wave"},
    "data.reason.missing_edition": {"fr": "édition manquante", "en": "missing edition"},
    # the job panel and its reports
    "data.job.running": {"fr": "Chargement en cours", "en": "Loading"},
    "data.job.reading": {"fr": "Lecture des fichiers…", "en": "Reading the files…"},
    "data.job.waiting": {"fr": "En attente…", "en": "Waiting…"},
    "data.job.progress": {"fr": "Fichiers terminés : {done} sur {total}",
                          "en": "Files done: {done} of {total}"},
    "data.job.current": {"fr": "Fichier en cours : {file}", "en": "Current file: {file}"},
    "data.job.report": {"fr": "Rapport de chargement", "en": "Load report"},
    "data.job.finished_at": {"fr": "Terminé le {date} à {time}.", "en": "Finished on {date} at "
                                                                        "{time}."},
    "data.job.summary": {"fr": "{files} : {parts}.", "en": "{files}: {parts}."},
    "data.job.loaded.one": {"fr": "{n} chargé", "en": "{n} loaded"},
    "data.job.loaded.other": {"fr": "{n} chargés", "en": "{n} loaded"},
    "data.job.skipped.one": {"fr": "{n} déjà chargé", "en": "{n} already loaded"},
    "data.job.skipped.other": {"fr": "{n} déjà chargés", "en": "{n} already loaded"},
    "data.job.failed_files.one": {"fr": "{n} refusé", "en": "{n} refused"},
    "data.job.failed_files.other": {"fr": "{n} refusés", "en": "{n} refused"},
    "data.job.failed": {"fr": "Le chargement s'est arrêté sur une erreur inattendue ({error}). "
                              "Rien n'a été écrit pour le fichier en cours.",
                        "en": "The load stopped on an unexpected error ({error}). Nothing "
                              "was written for the file in progress."},
    "data.job.lost": {"fr": "Le chargement a été interrompu (le serveur a redémarré ?). Les "
                            "fichiers terminés figurent dans la liste des lots ; rien n'a été "
                            "écrit pour le fichier en cours. Envoyez de nouveau les autres.",
                      "en": "The load was interrupted (did the server restart?). Finished "
                            "files appear in the batch list; nothing was written for the file "
                            "in progress. Send the others again."},
    "data.job.unknown": {"fr": "Ce rapport n'est plus disponible (ils sont gardés {days} "
                               "jours). Les lots chargés restent dans la liste ci-dessous.",
                         "en": "This report is no longer available (reports are kept {days} "
                               "days). Loaded batches remain in the list below."},
    "data.job.close": {"fr": "Fermer le rapport", "en": "Close the report"},
    "data.count.files.one": {"fr": "{n} fichier", "en": "{n} file"},
    "data.count.files.other": {"fr": "{n} fichiers", "en": "{n} files"},
    "data.count.rows.one": {"fr": "{n} ligne", "en": "{n} row"},
    "data.count.rows.other": {"fr": "{n} lignes", "en": "{n} rows"},
    "data.report.loaded": {"fr": "Chargé", "en": "Loaded"},
    "data.report.skipped": {"fr": "Déjà chargé", "en": "Already loaded"},
    "data.report.failed": {"fr": "Refusé", "en": "Refused"},
    "data.report.dry_run": {"fr": "Essai", "en": "Dry run"},
    "data.report.batch": {"fr": "lot {batch_id}", "en": "batch {batch_id}"},
    "data.report.recognised": {"fr": "Reconnu : {kind} ({tool})", "en": "Recognised: {kind} "
                                                                        "({tool})"},
    "data.report.read.one": {"fr": "{n} ligne lue", "en": "{n} row read"},
    "data.report.read.other": {"fr": "{n} lignes lues", "en": "{n} rows read"},
    "data.report.loaded_rows": {"fr": "{n} ({new}, {updated}, {unchanged})",
                                "en": "{n} ({new}, {updated}, {unchanged})"},
    "data.report.loaded.one": {"fr": "{n} chargée", "en": "{n} loaded"},
    "data.report.loaded.other": {"fr": "{n} chargées", "en": "{n} loaded"},
    "data.report.new.one": {"fr": "{n} nouvelle", "en": "{n} new"},
    "data.report.new.other": {"fr": "{n} nouvelles", "en": "{n} new"},
    "data.report.updated.one": {"fr": "{n} mise à jour", "en": "{n} updated"},
    "data.report.updated.other": {"fr": "{n} mises à jour", "en": "{n} updated"},
    "data.report.unchanged.one": {"fr": "{n} inchangée", "en": "{n} unchanged"},
    "data.report.unchanged.other": {"fr": "{n} inchangées", "en": "{n} unchanged"},
    "data.report.rejected.one": {"fr": "{n} rejetée", "en": "{n} rejected"},
    "data.report.rejected.other": {"fr": "{n} rejetées", "en": "{n} rejected"},
    "data.report.reasons": {"fr": "Raisons des rejets : {reasons}",
                            "en": "Reasons for rejection: {reasons}"},
    "data.report.set_aside.one": {
        "fr": "{n} réponse mise de côté (son libellé n'a pas été lu) : dites ce qu'il veut "
              "dire sous « Réponses mises de côté », plus bas.",
        "en": "{n} answer set aside (its label was not read): say what it means under "
              "\"Answers set aside\", below."},
    "data.report.set_aside.other": {
        "fr": "{n} réponses mises de côté (leur libellé n'a pas été lu) : dites ce qu'ils "
              "veulent dire sous « Réponses mises de côté », plus bas.",
        "en": "{n} answers set aside (their label was not read): say what they mean under "
              "\"Answers set aside\", below."},
    "data.report.ignored": {"fr": "Colonnes ignorées : {columns}",
                            "en": "Columns ignored: {columns}"},
    "data.report.skipped_detail": {
        "fr": "Ce fichier a déjà été chargé (lot {batch_id}) : rien n'a été écrit.",
        "en": "This file was already loaded (batch {batch_id}): nothing was written."},
    "data.report.see_rejected": {"fr": "Voir les lignes rejetées", "en": "See the rejected rows"},
    "data.report.failed_help": {
        "fr": "Rien de ce fichier n'a été écrit. Corrigez-le puis envoyez-le de nouveau.",
        "en": "Nothing of this file was written. Fix it, then send it again."},
    # warehouse and batches
    "data.status.title": {"fr": "Contenu de l'entrepôt", "en": "What the warehouse holds"},
    "data.table.organisation": {"fr": "Organisations", "en": "Organisations"},
    "data.table.project": {"fr": "Projets", "en": "Projects"},
    "data.table.student": {"fr": "Inscriptions d'étudiants", "en": "Student enrolments"},
    "data.table.tour_event": {"fr": "Événements", "en": "Events"},
    "data.table.guide_record": {"fr": "Diffusions du guide", "en": "Guide records"},
    "data.table.survey_response": {"fr": "Réponses aux questionnaires",
                                   "en": "Survey responses"},
    "data.table.survey_answer": {"fr": "Réponses aux questions", "en": "Survey answers"},
    "data.table.org_followup": {"fr": "Suivis d'organisations", "en": "Organisation follow-ups"},
    "data.table.rejected_row": {"fr": "Lignes rejetées", "en": "Rejected rows"},
    "data.batches.title": {"fr": "Chargements (lots), du plus récent au plus ancien",
                           "en": "Loads (batches), newest first"},
    "data.batches.none": {"fr": "Aucun chargement pour l'instant.", "en": "No load yet."},
    "data.batches.more": {"fr": "Les {shown} plus récents sur {total}.",
                          "en": "The {shown} most recent of {total}."},
    "data.batches.caption": {
        "fr": "Chaque fichier chargé forme un lot. « Annuler » retire de l'entrepôt les lignes "
              "que le lot a écrites.",
        "en": "Each loaded file makes a batch. \"Undo\" takes the rows the batch wrote back "
              "out of the warehouse."},
    "data.col.batch": {"fr": "Lot", "en": "Batch"},
    "data.col.file": {"fr": "Fichier", "en": "File"},
    "data.col.kind": {"fr": "Données", "en": "Data"},
    "data.col.when": {"fr": "Chargé le", "en": "Loaded on"},
    "data.col.read": {"fr": "Lues", "en": "Read"},
    "data.col.loaded": {"fr": "Chargées", "en": "Loaded"},
    "data.col.rejected": {"fr": "Rejetées", "en": "Rejected"},
    "data.col.status": {"fr": "État", "en": "Status"},
    "data.col.action": {"fr": "Action", "en": "Action"},
    "data.col.row": {"fr": "Ligne", "en": "Row"},
    "data.col.problem": {"fr": "Problème", "en": "Problem"},
    "data.col.reason": {"fr": "Détail", "en": "Detail"},
    "data.when": {"fr": "{date} à {time}", "en": "{date} at {time}"},
    "data.batches.see": {"fr": "voir les lignes rejetées du lot {batch_id}",
                         "en": "see the rejected rows of batch {batch_id}"},
    "data.undo.button": {"fr": "Annuler", "en": "Undo"},
    "data.undo.label": {"fr": "Annuler le lot {batch_id} ({file})",
                        "en": "Undo batch {batch_id} ({file})"},
    "data.undo.confirm": {
        "fr": "Annuler le lot {batch_id} ({file}) ?\n\nLes lignes qu'il a écrites ({rows}) "
              "seront retirées de l'entrepôt, avec ses lignes rejetées. Le fichier pourra "
              "être chargé de nouveau.",
        "en": "Undo batch {batch_id} ({file})?\n\nThe rows it wrote ({rows}) will be taken "
              "out of the warehouse, with its rejected rows. The file can be loaded again."},
    "data.undo.done": {"fr": "Lot {batch_id} annulé : {removed}.",
                       "en": "Batch {batch_id} undone: {removed}."},
    "data.undo.nothing": {"fr": "aucune ligne à retirer", "en": "no row to take out"},
    "data.undo.refused": {"fr": "Le lot {batch_id} n'a pas été annulé : {why}",
                          "en": "Batch {batch_id} was not undone: {why}"},
    "data.undo.referenced": {
        "fr": "{n} ligne(s) d'autres lots ({what}) y font référence. Annulez d'abord ces "
              "lots-là.",
        "en": "{n} row(s) of other batches ({what}) refer to it. Undo those batches first."},
    # rejected rows
    "data.rejected.title": {"fr": "Lignes rejetées du lot {batch_id} · {file}",
                            "en": "Rejected rows of batch {batch_id} · {file}"},
    "data.rejected.close": {"fr": "Fermer", "en": "Close"},
    "data.rejected.none": {"fr": "Ce lot n'a aucune ligne rejetée.",
                           "en": "This batch has no rejected row."},
    "data.rejected.summary.one": {"fr": "{n} ligne rejetée : {reasons}.",
                                  "en": "{n} rejected row: {reasons}."},
    "data.rejected.summary.other": {"fr": "{n} lignes rejetées : {reasons}.",
                                    "en": "{n} rejected rows: {reasons}."},
    "data.rejected.moved": {
        "fr": "Lignes de ce lot relancées depuis dans un lot suivant : {n}.",
        "en": "Rows of this batch since re-run into a later batch: {n}."},
    "data.rejected.unknown": {"fr": "Il n'y a pas de lot {batch_id}.",
                              "en": "There is no batch {batch_id}."},
    "data.rejected.download": {"fr": "Télécharger pour corriger :",
                               "en": "Download to fix them:"},
    "data.rejected.csv": {"fr": "CSV", "en": "CSV"},
    "data.rejected.csv_fr": {"fr": "CSV Excel (FR)", "en": "CSV Excel (FR)"},
    "data.rejected.download_help": {
        "fr": "Corrigez les cellules, puis chargez le fichier ici : les colonnes row_number et "
              "reason seront ignorées.",
        "en": "Fix the cells, then load the file here: the row_number and reason columns "
              "will be ignored."},
    "data.rejected.grid_more": {"fr": "Les {shown} premières lignes sur {total} ; le "
                                      "téléchargement les contient toutes.",
                                "en": "The first {shown} rows of {total}; the download holds "
                                      "them all."},
    "data.rejected.grid_label": {"fr": "Lignes rejetées et leurs raisons",
                                 "en": "Rejected rows and their reasons"},
    "data.alias.title": {"fr": "Écoles non reconnues", "en": "Schools not recognised"},
    "data.alias.help": {
        "fr": "Indiquez à quelle école correspond chaque nom : il sera reconnu dans tous les "
              "chargements suivants.",
        "en": "Say which school each name stands for: it will be recognised in every later "
              "load."},
    "data.alias.name": {"fr": "« {name} »", "en": "\"{name}\""},
    "data.alias.rows": {"fr": "({rows})", "en": "({rows})"},
    "data.alias.choose": {"fr": "École correspondant à « {name} »",
                          "en": "School that \"{name}\" stands for"},
    "data.alias.add": {"fr": "Ajouter ce nom", "en": "Add this name"},
    "data.alias.add_label": {"fr": "Ajouter « {name} » comme nom de l'école choisie",
                             "en": "Add \"{name}\" as a name of the chosen school"},
    "data.alias.known": {"fr": "reconnu désormais : {school}", "en": "now recognised: {school}"},
    "data.alias.added": {"fr": "« {name} » désigne maintenant {school}.",
                         "en": "\"{name}\" now stands for {school}."},
    "data.alias.already": {"fr": "« {name} » désignait déjà {school}.",
                           "en": "\"{name}\" already stood for {school}."},
    "data.alias.pick_first": {"fr": "Choisissez d'abord l'école dans la liste.",
                              "en": "Choose the school from the list first."},
    "data.rerun.title": {"fr": "Relancer les lignes rejetées", "en": "Re-run the rejected rows"},
    "data.rerun.help": {
        "fr": "Une fois les noms d'écoles ajoutés (ou les organisations manquantes chargées), "
              "relancez ces lignes : elles sont chargées comme un nouveau lot, et celles qui "
              "restent en erreur y apparaissent de nouveau avec leur raison.",
        "en": "Once the school names are added (or the missing organisations loaded), re-run "
              "these rows: they are loaded as a new batch, and those still in error appear "
              "there again with their reason."},
    "data.rerun.button": {"fr": "Relancer {rows}", "en": "Re-run {rows}"},
    "data.rerun.skipped_duplicate": {
        "fr": "Lignes en double, non relancées (elles écraseraient la première) : {n}. "
              "Corrigez-les dans le fichier téléchargé.",
        "en": "Duplicated rows, not re-run (they would overwrite the first one): {n}. Fix "
              "them in the downloaded file."},
    "data.rerun.skipped_shortened": {
        "fr": "Lignes dont un texte a été raccourci ou masqué à l'enregistrement, non "
              "relancées : {n}. Corrigez-les dans le fichier téléchargé.",
        "en": "Rows with a text shortened or hidden when stored, not re-run: {n}. Fix them "
              "in the downloaded file."},
    "data.rerun.people": {
        "fr": "Les lignes de données personnelles (étudiants, questionnaires) ne peuvent pas "
              "être relancées d'ici : les identifiants des personnes ne sont jamais conservés, "
              "par conception. Après avoir ajouté les noms d'écoles, annulez ce lot, puis "
              "chargez de nouveau le fichier d'origine (ou un export plus récent du même "
              "formulaire).",
        "en": "Rows of people's data (students, surveys) cannot be re-run from here: people's "
              "identifiers are never kept, by design. After adding the school names, undo "
              "this batch, then load the original file again (or a newer export of the same "
              "form)."},
    "data.rerun.columns": {
        "fr": "Ces lignes ne peuvent pas être relancées d'ici : la colonne obligatoire "
              "« {columns} » n'est jamais conservée avec les lignes rejetées. Complétez le "
              "fichier téléchargé à partir du fichier d'origine, puis chargez-le.",
        "en": "These rows cannot be re-run from here: the required column '{columns}' is "
              "never kept with rejected rows. Fill it in the downloaded file from the "
              "original one, then load it."},
    "data.rerun.started": {"fr": "Relance lancée : son rapport s'affiche en haut de la page.",
                           "en": "Re-run started: its report shows at the top of the page."},
    "data.grid.page": {"fr": "Page", "en": "Page"},
    # answers set aside and the labels staff map
    "data.labels.title": {"fr": "Réponses mises de côté", "en": "Answers set aside"},
    "data.labels.help": {
        "fr": "Une réponse dont le libellé n'a pas pu être lu (un libellé inconnu, un nombre "
              "hors de l'échelle) est mise de côté : le reste du questionnaire compte, et "
              "cette réponse attend ici. Dites quelle réponse de l'échelle chaque libellé "
              "veut dire : les réponses mises de côté sont relues aussitôt, et ce libellé sera "
              "lu dans tous les chargements suivants.",
        "en": "An answer whose label could not be read (an unknown label, a number outside "
              "the scale) is set aside: the rest of the questionnaire counts, and this answer "
              "waits here. Say which answer of the scale each label means: the answers set "
              "aside are re-read at once, and the label will be read in every later load."},
    "data.labels.none": {
        "fr": "Aucune réponse mise de côté : toutes les réponses des questionnaires ont été "
              "lues.",
        "en": "No answer set aside: every answer of the surveys was read."},
    "data.labels.summary.one": {"fr": "{n} réponse mise de côté, en attente d'un libellé :",
                                "en": "{n} answer set aside, waiting for its label:"},
    "data.labels.summary.other": {"fr": "{n} réponses mises de côté, en attente de leur "
                                        "libellé :",
                                  "en": "{n} answers set aside, waiting for their label:"},
    "data.labels.answers.one": {"fr": "{n} réponse", "en": "{n} answer"},
    "data.labels.answers.other": {"fr": "{n} réponses", "en": "{n} answers"},
    "data.labels.where": {"fr": "Échelle : {scale} · dans : {questions}",
                          "en": "Scale: {scale} · in: {questions}"},
    "data.labels.question": {"fr": "« {question} » ({n})", "en": "\"{question}\" ({n})"},
    "data.labels.waits": {
        "fr": "déjà lu comme « {step} » : ces réponses attendent un autre libellé de la même "
              "réponse (plusieurs choix).",
        "en": "already reads \"{step}\": these answers wait for another label of the same "
              "answer (several choices)."},
    "data.labels.hidden": {
        "fr": "libellé non montré (il ressemble à l'identifiant d'une personne) : corrigez "
              "ces réponses dans le fichier, puis chargez-le de nouveau.",
        "en": "label not shown (it looks like a person's identifier): fix these answers in "
              "the file, then load it again."},
    "data.labels.number": {
        "fr": "un nombre hors de l'échelle ne peut pas valoir une autre réponse : corrigez ces "
              "réponses dans le fichier, puis chargez-le de nouveau.",
        "en": "a number outside the scale cannot stand for another answer: fix these answers "
              "in the file, then load it again."},
    "data.labels.choose": {"fr": "Réponse que veut dire « {label} »",
                           "en": "Answer that \"{label}\" means"},
    "data.labels.save": {"fr": "Enregistrer", "en": "Save"},
    # The button's name starts with its visible text (WCAG 2.5.3, label in name).
    "data.labels.save_label": {
        "fr": "Enregistrer : lire « {label} » comme la réponse choisie ({scale})",
        "en": "Save: read \"{label}\" as the chosen answer ({scale})"},
    "data.labels.pick_first": {"fr": "Choisissez d'abord la réponse dans la liste.",
                               "en": "Choose the answer from the list first."},
    "data.labels.outside": {
        "fr": "« {value} » n'est pas une réponse de l'échelle {scale} : choisissez-en une "
              "dans la liste.",
        "en": "\"{value}\" is not an answer of the {scale} scale: choose one from the list."},
    "data.labels.mapped": {"fr": "« {label} » se lit maintenant « {step} » ({scale}) : {reread}.",
                           "en": "\"{label}\" now reads \"{step}\" ({scale}): {reread}."},
    "data.labels.reread.one": {"fr": "{n} réponse relue", "en": "{n} answer re-read"},
    "data.labels.reread.other": {"fr": "{n} réponses relues", "en": "{n} answers re-read"},
    "data.labels.unmapped": {
        "fr": "« {label} » n'est plus lu comme « {step} » ({scale}) : {again}.",
        "en": "\"{label}\" no longer reads \"{step}\" ({scale}): {again}."},
    "data.labels.again.one": {"fr": "{n} réponse de nouveau mise de côté",
                              "en": "{n} answer set aside again"},
    "data.labels.again.other": {"fr": "{n} réponses de nouveau mises de côté",
                                "en": "{n} answers set aside again"},
    "data.labels.refused": {"fr": "Le libellé n'a pas été enregistré : {why}",
                            "en": "The label was not saved: {why}"},
    "data.labels.unmap_refused": {"fr": "La correspondance n'a pas été retirée : {why}",
                                  "en": "The mapping was not removed: {why}"},
    "data.labels.failed": {
        "fr": "L'entrepôt n'a pas répondu : rien n'a changé. Réessayez dans un instant.",
        "en": "The warehouse did not answer: nothing changed. Try again in a moment."},
    "data.mappings.title": {"fr": "Libellés enregistrés", "en": "Labels saved"},
    "data.mappings.help": {
        "fr": "Chaque libellé ci-dessous est lu comme la réponse indiquée, dans tous les "
              "chargements. Le retirer remet de côté les réponses qui l'utilisent.",
        "en": "Each label below reads as the answer shown, in every load. Removing it sets "
              "the answers that use it aside again."},
    "data.mappings.none": {"fr": "Aucun libellé enregistré pour l'instant.",
                           "en": "No label saved yet."},
    "data.mappings.caption": {"fr": "Libellés lus comme une réponse de l'échelle",
                              "en": "Labels read as an answer of the scale"},
    "data.mappings.col.label": {"fr": "Libellé", "en": "Label"},
    "data.mappings.col.scale": {"fr": "Échelle", "en": "Scale"},
    "data.mappings.col.value": {"fr": "Lu comme", "en": "Reads as"},
    "data.mappings.col.by": {"fr": "Enregistré par", "en": "Saved by"},
    "data.mappings.col.when": {"fr": "Le", "en": "On"},
    "data.mappings.remove": {"fr": "Retirer", "en": "Remove"},
    "data.mappings.remove_label": {"fr": "Retirer le libellé « {label} » ({scale})",
                                   "en": "Remove the label \"{label}\" ({scale})"},
    "data.scale.knows_ess": {"fr": "connaissance de l'ESS", "en": "knowledge of the SSE"},
    "data.scale.agreement": {"fr": "accord, de 1 à 5", "en": "agreement, 1 to 5"},
    "data.scale.satisfaction": {"fr": "satisfaction, de 1 à 5", "en": "satisfaction, 1 to 5"},
    "data.scale.recommend": {"fr": "recommandation, de 0 à 10",
                             "en": "recommendation, 0 to 10"},
    "data.scale.ess_option": {"fr": "structure de l'ESS", "en": "kind of SSE organisation"},
    "data.scale.option_ticked": {"fr": "case cochée ou non", "en": "box ticked or not"},
    "data.step.recommend.0": {"fr": "pas du tout probable", "en": "not at all likely"},
    "data.step.recommend.10": {"fr": "très probable", "en": "extremely likely"},
})

AG_GRID_FR = {  # the texts AG Grid draws itself (English by default)
    "page": "Page", "of": "sur", "to": "à", "more": "plus", "next": "Suivante",
    "last": "Dernière", "first": "Première", "previous": "Précédente",
    "firstPage": "Première page", "lastPage": "Dernière page", "nextPage": "Page suivante",
    "previousPage": "Page précédente", "pageSizeSelectorLabel": "Lignes par page :",
    "noRowsToShow": "Aucune ligne", "loadingOoo": "Chargement…", "filterOoo": "Filtrer…",
    "equals": "Égal à", "notEqual": "Différent de", "contains": "Contient",
    "notContains": "Ne contient pas", "startsWith": "Commence par", "endsWith": "Finit par",
    "blank": "Vide", "notBlank": "Non vide", "andCondition": "ET", "orCondition": "OU",
    "ariaFilterValue": "Valeur du filtre", "ariaFilterInput": "Champ de filtre",
    "sortAscending": "Tri croissant", "sortDescending": "Tri décroissant",
}


# ---- formats ----

def kind_label(kind: str | None, lang: str) -> str:
    return t(f"data.kind.{kind}", lang) if kind in KINDS else (kind or "—")


def tool_label(tool: str | None, lang: str) -> str:
    if tool == "template":
        return t("data.tool.template", lang)
    return TOOLS.get(tool or "", tool or "—")


def reason_label(code: str, lang: str) -> str:
    key = f"data.reason.{code}"
    from dashboard.i18n import MESSAGES

    return t(key, lang) if key in MESSAGES else code.replace("_", " ")


def reasons_text(reasons: dict, lang: str) -> str:
    """'école inconnue (2), valeur invalide (1)': the reasons, most rows first."""
    return ", ".join(f"{reason_label(code, lang)} ({fmt_int(n, lang)})"
                     for code, n in sorted(reasons.items(), key=lambda item: -item[1]))


def when_text(value, lang: str) -> str:
    """A UTC timestamp of the warehouse, in Paris time: 23/11/2026 à 14:05."""
    if not value:
        return "—"
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone(PARIS)
    return t("data.when", lang, date=fmt_date(local, lang), time=local.strftime("%H:%M"))


def size_text(size: int, lang: str) -> str:
    units = ("o", "ko", "Mo", "Go") if lang == "fr" else ("B", "KB", "MB", "GB")
    value, unit = float(size), 0
    while value >= 1000 and unit < len(units) - 1:
        value, unit = value / 1000, unit + 1
    number = fmt_int(value, lang) if unit == 0 else fmt_decimal(value, lang)
    return f"{number}\u202f{units[unit]}" if lang == "fr" else f"{number} {units[unit]}"


def rows_text(n: int, lang: str) -> str:
    return tn("data.count.rows", n, lang)


def date_time(value: dt.datetime, lang: str) -> dict:
    local = value.astimezone(PARIS) if value.tzinfo else value.replace(tzinfo=dt.UTC).astimezone(
        PARIS)
    return {"date": fmt_date(local, lang), "time": local.strftime("%H:%M")}


def whole_number(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def refusal_text(message: str, lang: str) -> str:
    match = REFERENCED.search(message)
    if match:
        return t("data.undo.referenced", lang, n=fmt_int(int(match.group(1)), lang),
                 what=match.group(2))
    return message


def alert_box(text: str, colour: str) -> html.Div:
    return html.Div(text, className=f"alert alert-{colour} data-alert",
                    role="alert" if colour in ("danger", "warning") else None)


def dom_id(component_id: dict) -> str:
    """The DOM id Dash gives a pattern-matching id (its stringifyId), for a label's htmlFor."""
    return "{" + ",".join(f"{json.dumps(key)}:{json.dumps(value, ensure_ascii=False)}"
                          for key, value in sorted(component_id.items())) + "}"


def signed_in_email() -> str | None:
    """Who is saving: the account's e-mail (None outside a request)."""
    from dashboard import auth

    account = auth.current_account()
    return account.email if account is not None else None


def job_of(search: str | None) -> str | None:
    """The job id a URL shows (tests)."""
    return parse_search(search).get(JOB_PARAM)
