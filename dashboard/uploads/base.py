"""What the uploads share: the refusal of a request or an action, said in the page's language.
"""

from __future__ import annotations

from dashboard.i18n import register, t


register({
    "data.upload.error.forbidden": {
        "fr": "Réservé à l'équipe Latitudes : connectez-vous avec un compte staff.",
        "en": "Latitudes staff only: sign in with a staff account."},
    "data.upload.error.csrf": {
        "fr": "Le formulaire a expiré : rechargez la page, puis envoyez de nouveau les fichiers.",
        "en": "The form has expired: reload the page, then send the files again."},
    "data.upload.error.too_large": {
        "fr": "Envoi trop volumineux : {max_mb} Mo au plus par envoi. Envoyez les fichiers "
              "en plusieurs fois, ou compressez-les en ZIP.",
        "en": "Upload too large: at most {max_mb} MB per upload. Send the files in several "
              "goes, or zip them."},
    "data.upload.error.no_file": {
        "fr": "Aucun fichier reçu : choisissez au moins un fichier CSV, XLSX ou ZIP.",
        "en": "No file received: choose at least one CSV, XLSX or ZIP file."},
    "data.upload.error.kind": {
        "fr": "Type de données inconnu : « {value} ».", "en": "Unknown kind of data: '{value}'."},
    "data.upload.error.wave": {
        "fr": "Vague inconnue : « {value} » (pre, post, end ou six_months).",
        "en": "Unknown wave: '{value}' (pre, post, end or six_months)."},
    "data.upload.error.wave_kind": {
        "fr": "La vague « {wave} » ne s'applique pas au type « {kind} ».",
        "en": "The wave '{wave}' does not apply to the kind '{kind}'."},
    "data.upload.error.edition": {
        "fr": "« {value} » n'est pas une édition comme 2025-2026.",
        "en": "'{value}' is not an edition such as 2025-2026."},
    "data.upload.error.no_secret": {
        "fr": "Envoi impossible : le serveur n'a pas de SECRET_KEY (elle protège les "
              "formulaires). Demandez à l'administrateur de la définir.",
        "en": "Uploads are off: the server has no SECRET_KEY (it protects forms). Ask the "
              "administrator to set it."},
    "data.upload.error.not_found": {
        "fr": "Ce chargement est introuvable (les rapports sont gardés {days} jours).",
        "en": "This load cannot be found (reports are kept for {days} days)."},
    "data.upload.error.batch": {
        "fr": "Il n'y a pas de lot {batch_id}.", "en": "There is no batch {batch_id}."},
    "data.upload.error.failed": {
        "fr": "L'envoi a échoué ({status}).", "en": "The upload failed ({status})."},
    "data.alias.error.name": {
        "fr": "« {name} » ne peut pas servir de nom d'école (vide, raccourci ou masqué).",
        "en": "'{name}' cannot be used as a school name (empty, shortened or hidden)."},
    "data.alias.error.school": {
        "fr": "Choisissez une école de la liste.", "en": "Choose a school from the list."},
    "data.alias.error.taken": {
        "fr": "« {name} » désigne déjà une autre école : {school}. Rien n'a été changé.",
        "en": "'{name}' already stands for another school: {school}. Nothing was changed."},
    "data.rerun.error.people": {
        "fr": "Ces lignes ne peuvent pas être relancées : les identifiants des personnes ne "
              "sont jamais conservés. Annulez le lot, puis chargez de nouveau le fichier "
              "d'origine.",
        "en": "These rows cannot be re-run: people's identifiers are never kept. Undo the "
              "batch, then load the original file again."},
    "data.rerun.error.columns": {
        "fr": "Ces lignes ont été enregistrées sans une colonne obligatoire : elles ne "
              "peuvent pas être relancées d'ici.",
        "en": "These rows were stored without a required column: they cannot be re-run from "
              "here."},
    "data.rerun.error.not_loaded": {
        "fr": "Ce lot n'est plus chargé : il n'y a rien à relancer.",
        "en": "This batch is no longer loaded: there is nothing to re-run."},
    "data.rerun.error.nothing": {
        "fr": "Aucune ligne rejetée de ce lot ne peut être relancée.",
        "en": "No rejected row of this batch can be re-run."},
})


class UploadRefused(ValueError):
    """A request or an action the page refuses; `key` and `fields` make its message."""

    def __init__(self, key: str, status: int = 400, **fields):
        super().__init__(key)
        self.key, self.status, self.fields = key, status, fields

    def message(self, lang: str) -> str:
        return t(self.key, lang, **self.fields)
