"""What every section of the Tour de France page shares: its map measures, event types,
channels, colours and texts.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from dash import html

from dashboard.i18n import fmt_pct, register, t


MEASURES = {  # URL value -> column of reach.export_table
    "events": "events", "attendees": "attendees", "students": "students_attending",
    "schools": "schools_reached", "guide": "guide_copies",
}
DEFAULT_MEASURE = "events"
EVENT_TYPES = ("conference", "workshop", "hackathon", "forum", "webinar")
CHANNELS = ("download", "print", "event", "partner_mailing")
FRAGILE_MIN = 5  # a share of fewer than 5 schools or organisations is flagged as fragile
EXPORT_FORMATS = ("csv", "csv-fr", "xlsx")
GUIDE_COLOUR = "#E69F00"
STAGE_COLOURS = ("#08519c", "#3182bd", "#6baed6", "#009E73")


register({
    "tour.nav": {"fr": "Tour de France", "en": "Tour de France"},
    "tour.title": {"fr": "Le Tour de France", "en": "The Tour de France"},
    "tour.lede": {
        "fr": "Les événements du programme dans les régions, le public rencontré, les projets "
              "qui ont suivi et la diffusion du guide.",
        "en": "The programme's events in the regions, the people met, the projects that "
              "followed and the reach of the guide."},
    # KPI cards
    "tour.kpi.events": {"fr": "Événements", "en": "Events"},
    "tour.kpi.events.detail": {"fr": "conférences, ateliers, hackathons, forums et webinaires",
                               "en": "conferences, workshops, hackathons, forums and webinars"},
    "tour.kpi.regions": {"fr": "Régions couvertes", "en": "Regions covered"},
    "tour.kpi.regions.detail": {"fr": "régions avec au moins un événement",
                                "en": "regions with at least one event"},
    "tour.kpi.cities": {"fr": "Villes", "en": "Cities"},
    "tour.kpi.cities.detail": {"fr": "villes où le Tour s'est arrêté",
                               "en": "cities where the Tour stopped"},
    "tour.kpi.schools": {"fr": "Écoles touchées", "en": "Schools reached"},
    "tour.kpi.schools.detail": {"fr": "écoles distinctes nommées sur un événement",
                                "en": "distinct schools named on an event"},
    "tour.kpi.attendees": {"fr": "Participants", "en": "Attendees"},
    "tour.kpi.attendees.detail": {"fr": "participations cumulées aux événements",
                                  "en": "total attendance at events"},
    "tour.kpi.students": {"fr": "Étudiants présents", "en": "Students attending"},
    "tour.kpi.students.detail": {"fr": "participations d'étudiants aux événements",
                                 "en": "student attendance at events"},
    "tour.kpi.organisations": {"fr": "Organisations présentes", "en": "Organisations attending"},
    "tour.kpi.organisations.detail": {"fr": "participations de structures de l'ESS",
                                      "en": "attendance of SSE organisations"},
    "tour.kpi.guide": {"fr": "Guide diffusé", "en": "Guide distributed"},
    "tour.kpi.guide.detail": {"fr": "exemplaires et téléchargements du guide",
                              "en": "copies and downloads of the guide"},
    # the map
    "tour.map.title": {"fr": "Le Tour dans les régions", "en": "The Tour across the regions"},
    "tour.map.measure": {"fr": "Mesure affichée", "en": "Measure shown"},
    "tour.measure.events": {"fr": "Événements", "en": "Events"},
    "tour.measure.attendees": {"fr": "Participants", "en": "Attendees"},
    "tour.measure.students": {"fr": "Étudiants", "en": "Students"},
    "tour.measure.schools": {"fr": "Écoles touchées", "en": "Schools reached"},
    "tour.measure.guide": {"fr": "Exemplaires du guide", "en": "Guide copies"},
    "tour.measure_button.events": {"fr": "Événements", "en": "Events"},
    "tour.measure_button.attendees": {"fr": "Participants", "en": "Attendees"},
    "tour.measure_button.students": {"fr": "Étudiants", "en": "Students"},
    "tour.measure_button.schools": {"fr": "Écoles", "en": "Schools"},
    "tour.measure_button.guide": {"fr": "Guide", "en": "Guide"},
    "tour.map.summary": {
        "fr": "Le Tour est passé par {regions} sur 18. {measure}, régions en tête : {top}.",
        "en": "The Tour went through {regions} out of 18. {measure}, leading regions: {top}."},
    "tour.map.summary_none": {"fr": "{measure} : aucune région pour cette sélection.",
                              "en": "{measure}: no region for this selection."},
    "tour.map.note": {
        "fr": "Cliquez sur une région pour filtrer la page ; cliquez-la de nouveau pour "
              "retirer le filtre. Les régions d'outre-mer sont rapprochées à l'ouest, à des "
              "échelles différentes. Les exemplaires du guide sont comptés dans la région "
              "inscrite, sinon celle de l'école, de l'organisation ou de l'événement.",
        "en": "Click a region to filter the page; click it again to remove the filter. The "
              "overseas regions are moved to the west, at different scales. Guide copies "
              "count in the region written on the record, else that of its school, "
              "organisation or event."},
    "tour.col.region": {"fr": "Région", "en": "Region"},
    "tour.col.events": {"fr": "Événements", "en": "Events"},
    "tour.col.cities": {"fr": "Villes", "en": "Cities"},
    "tour.col.schools": {"fr": "Écoles touchées", "en": "Schools reached"},
    "tour.col.attendees": {"fr": "Participants", "en": "Attendees"},
    "tour.col.students": {"fr": "Étudiants présents", "en": "Students attending"},
    "tour.col.organisations": {"fr": "Organisations présentes", "en": "Organisations attending"},
    "tour.col.guide": {"fr": "Exemplaires du guide", "en": "Guide copies"},
    "tour.col.month": {"fr": "Mois", "en": "Month"},
    "tour.col.type": {"fr": "Type d'événement", "en": "Event type"},
    "tour.col.cumulative_events": {"fr": "Événements cumulés", "en": "Cumulative events"},
    "tour.col.cumulative_attendees": {"fr": "Participants cumulés",
                                      "en": "Cumulative attendees"},
    # the timeline
    "tour.type.conference": {"fr": "Conférence", "en": "Conference"},
    "tour.type.workshop": {"fr": "Atelier", "en": "Workshop"},
    "tour.type.hackathon": {"fr": "Hackathon", "en": "Hackathon"},
    "tour.type.forum": {"fr": "Forum", "en": "Forum"},
    "tour.type.webinar": {"fr": "Webinaire", "en": "Webinar"},
    "tour.type.total": {"fr": "Tous les types", "en": "All types"},
    "tour.timeline.section": {"fr": "Au fil des mois", "en": "Month by month"},
    "tour.timeline.events.title": {"fr": "Événements cumulés, par type",
                                   "en": "Cumulative events, by type"},
    "tour.timeline.attendees.title": {"fr": "Participants cumulés, par type d'événement",
                                      "en": "Cumulative attendees, by event type"},
    "tour.timeline.events.summary": {
        "fr": "De {start} à {end}, {events} ; le format le plus fréquent : {top} ({count}).",
        "en": "From {start} to {end}, {events}; the most frequent format: {top} ({count})."},
    "tour.timeline.attendees.summary": {
        "fr": "De {start} à {end}, {attendees} ; le plus de public : {top} ({count}).",
        "en": "From {start} to {end}, {attendees}; the largest audience: {top} ({count})."},
    "tour.timeline.empty": {"fr": "Aucun événement pour cette sélection.",
                            "en": "No event for this selection."},
    # conversion
    "tour.conversion.section": {"fr": "Du Tour aux projets", "en": "From the Tour to projects"},
    "tour.funnel.title": {"fr": "Des événements aux projets livrés",
                          "en": "From events to delivered projects"},
    "tour.funnel.events": {"fr": "Événements", "en": "Events"},
    "tour.funnel.schools": {"fr": "Écoles touchées", "en": "Schools reached"},
    "tour.funnel.converted": {"fr": "Écoles avec un projet", "en": "Schools with a project"},
    "tour.funnel.delivered": {"fr": "Projets livrés", "en": "Projects delivered"},
    "tour.funnel.summary": {
        "fr": "{events} {schools} ; {converted} au moins un projet dans "
              "l'édition de l'événement ou la suivante ({share}), pour {delivered}.",
        "en": "{events} {schools}; {converted} at least one project in the "
              "event's edition or the next ({share}), for {delivered}."},
    "tour.funnel.note": {
        "fr": "Une école est touchée quand elle est nommée sur un événement (hôte ou "
              "participante). Les projets de l'édition suivante comptent même hors du filtre "
              "d'édition. Les étapes n'ont pas la même unité : événements, écoles, projets.",
        "en": "A school is reached when it is named on an event (host or attendee). Projects "
              "of the next edition count even outside the edition filter. The stages have "
              "different units: events, schools, projects."},
    "tour.funnel.stage": {"fr": "Étape", "en": "Stage"},
    "tour.funnel.value": {"fr": "Nombre", "en": "Count"},
    "tour.conv_edition.title": {"fr": "Écoles touchées qui ont eu un projet, par édition",
                                "en": "Reached schools that had a project, by edition"},
    "tour.conv_edition.summary": {
        "fr": "Part des écoles touchées avec au moins un projet dans l'édition ou la "
              "suivante : {items}.",
        "en": "Share of reached schools with at least one project in the edition or the "
              "next: {items}."},
    "tour.conv_edition.item": {"fr": "{edition}, {share} ({converted} sur {reached})",
                               "en": "{edition}, {share} ({converted} of {reached})"},
    "tour.conv_edition.empty": {"fr": "Aucune école nommée sur un événement de la sélection.",
                                "en": "No school named on an event of the selection."},
    "tour.col.edition": {"fr": "Édition", "en": "Edition"},
    "tour.col.reached": {"fr": "Écoles touchées", "en": "Schools reached"},
    "tour.col.converted": {"fr": "Avec un projet", "en": "With a project"},
    "tour.col.share": {"fr": "Part", "en": "Share"},
    "tour.fragile_note": {
        "fr": "Barres grises et mention « estimation fragile » : part calculée sur moins de "
              "5 écoles ou organisations.",
        "en": "Grey bars marked “fragile estimate”: a share computed on fewer than 5 schools "
              "or organisations."},
    "tour.conv_region.title": {
        "fr": "Nouvelles organisations dans l'année qui suit le premier événement",
        "en": "New organisations in the year after the first event"},
    "tour.conv_region.summary": {
        "fr": "{organisations} ont lancé leur premier projet dans les 12 mois suivant le "
              "premier événement de leur région ({regions}).",
        "en": "{organisations} started their first project within 12 months after the first "
              "event in their region ({regions})."},
    "tour.conv_region.summary_none": {
        "fr": "Aucune organisation n'a lancé son premier projet dans les 12 mois suivant le "
              "premier événement de sa région.",
        "en": "No organisation started its first project within 12 months after the first "
              "event in its region."},
    "tour.conv_region.empty": {"fr": "Aucun événement pour cette sélection.",
                               "en": "No event for this selection."},
    "tour.conv_region.note": {
        "fr": "Régions ayant accueilli au moins un événement. Date d'un projet : son début, "
              "sinon le 1er septembre de son édition.",
        "en": "Regions that hosted at least one event. A project's date: its start, else "
              "1 September of its edition."},
    "tour.col.first_event": {"fr": "Premier événement", "en": "First event"},
    "tour.col.new_organisations": {"fr": "Nouvelles organisations", "en": "New organisations"},
    # the guide
    "tour.guide.section": {"fr": "Le guide", "en": "The guide"},
    "tour.guide.timeline.title": {"fr": "Diffusion cumulée du guide, par canal",
                                  "en": "Cumulative distribution of the guide, by channel"},
    "tour.guide.timeline.summary": {
        "fr": "De {start} à {end}, {copies} diffusés ; premier canal : {top} ({count}).",
        "en": "From {start} to {end}, {copies} distributed; first channel: {top} ({count})."},
    "tour.guide.timeline.empty": {"fr": "Aucune diffusion du guide pour cette sélection.",
                                  "en": "No distribution of the guide for this selection."},
    "tour.channel.download": {"fr": "Téléchargement", "en": "Download"},
    "tour.channel.print": {"fr": "Impression", "en": "Print"},
    "tour.channel.event": {"fr": "Remis en événement", "en": "Handed out at events"},
    "tour.channel.partner_mailing": {"fr": "Envoi partenaire", "en": "Partner mailing"},
    "tour.col.channel": {"fr": "Canal", "en": "Channel"},
    "tour.col.copies": {"fr": "Exemplaires", "en": "Copies"},
    "tour.col.cumulative_copies": {"fr": "Exemplaires cumulés", "en": "Cumulative copies"},
    "tour.col.audience": {"fr": "Public", "en": "Audience"},
    "tour.col.records": {"fr": "Envois", "en": "Records"},
    "tour.audience.students": {"fr": "Étudiants", "en": "Students"},
    "tour.audience.schools": {"fr": "Écoles", "en": "Schools"},
    "tour.audience.organisations": {"fr": "Organisations", "en": "Organisations"},
    "tour.audience.professionals": {"fr": "Professionnels", "en": "Professionals"},
    "tour.audience.other": {"fr": "Autres", "en": "Other"},
    "tour.guide.audience.title": {"fr": "Exemplaires du guide, par public",
                                  "en": "Guide copies, by audience"},
    "tour.guide.audience.summary": {
        "fr": "Premier public : {top}, {copies} sur {total}.",
        "en": "First audience: {top}, {copies} of {total}."},
    "tour.guide.conversion.title": {
        "fr": "Destinataires du guide avec un projet dans les 12 mois",
        "en": "Guide recipients with a project within 12 months"},
    "tour.guide.conversion.summary": {
        "fr": "Écoles : {schools}. Organisations : {organisations}.",
        "en": "Schools: {schools}. Organisations: {organisations}."},
    "tour.guide.conversion.item": {"fr": "{share} ({converted} sur {recipients})",
                                   "en": "{share} ({converted} of {recipients})"},
    "tour.guide.conversion.none": {"fr": "aucun destinataire", "en": "no recipient"},
    "tour.guide.conversion.note": {
        "fr": "Un destinataire compte s'il a un projet (même seulement soumis) daté dans les "
              "12 mois après son premier envoi de la sélection.",
        "en": "A recipient counts if it has a project (even only submitted) dated within "
              "12 months after its first record of the selection."},
    "tour.col.recipients": {"fr": "Destinataires", "en": "Recipients"},
    "tour.col.recipient_kind": {"fr": "Type de destinataire", "en": "Recipient"},
    "tour.guide.schools": {"fr": "Écoles", "en": "Schools"},
    "tour.guide.organisations": {"fr": "Organisations", "en": "Organisations"},
    "tour.guide.summary.title": {"fr": "Le guide en bref", "en": "The guide at a glance"},
    "tour.guide.summary.copies": {
        "fr": "{copies} : {downloads} en téléchargement, {print} imprimés, {event} remis en "
              "événement, {mailing} par envoi partenaire.",
        "en": "{copies}: {downloads} downloaded, {print} printed, {event} handed out at "
              "events, {mailing} by partner mailing."},
    "tour.guide.summary.recipients": {
        "fr": "Reçu par {schools} et {organisations} nommées.",
        "en": "Received by {schools} and {organisations} named on the records."},
    "tour.guide.summary.events": {
        "fr": "Remis lors de {share} des événements du Tour ({with_guide} sur {events}).",
        "en": "Handed out at {share} of the Tour's events ({with_guide} of {events})."},
    "tour.guide.summary.events_none": {"fr": "Aucun événement du Tour dans la sélection.",
                                       "en": "No Tour event in the selection."},
    "tour.guide.summary.conversion": {
        "fr": "Un projet dans les 12 mois : {schools} des écoles et {organisations} des "
              "organisations destinataires.",
        "en": "A project within 12 months: {schools} of recipient schools and "
              "{organisations} of recipient organisations."},
    "tour.fragile": {"fr": "estimation fragile", "en": "fragile estimate"},
    # exports
    "tour.export.title": {"fr": "Données par région", "en": "Data by region"},
    "tour.export.detail": {
        "fr": "Le tableau derrière cette page (une ligne par région), pour la sélection en "
              "cours.",
        "en": "The table behind this page (one row per region), for the current selection."},
    "tour.export.csv": {"fr": "CSV", "en": "CSV"},
    "tour.export.csv-fr": {"fr": "CSV Excel (FR)", "en": "CSV Excel (FR)"},
    "tour.export.xlsx": {"fr": "XLSX", "en": "XLSX"},
    # counts
    "tour.count.events_reached.one": {"fr": "{n} événement a touché", "en": "{n} event reached"},
    "tour.count.events_reached.other": {"fr": "{n} événements ont touché",
                                        "en": "{n} events reached"},
    "tour.count.events.one": {"fr": "{n} événement", "en": "{n} event"},
    "tour.count.events.other": {"fr": "{n} événements", "en": "{n} events"},
    "tour.count.regions.one": {"fr": "{n} région", "en": "{n} region"},
    "tour.count.regions.other": {"fr": "{n} régions", "en": "{n} regions"},
    "tour.count.schools.one": {"fr": "{n} école", "en": "{n} school"},
    "tour.count.schools.other": {"fr": "{n} écoles", "en": "{n} schools"},
    "tour.count.converted.one": {"fr": "{n} école a eu", "en": "{n} school had"},
    "tour.count.converted.other": {"fr": "{n} écoles ont eu", "en": "{n} schools had"},
    "tour.count.delivered.one": {"fr": "{n} projet livré", "en": "{n} delivered project"},
    "tour.count.delivered.other": {"fr": "{n} projets livrés", "en": "{n} delivered projects"},
    "tour.count.attendees.one": {"fr": "{n} participation", "en": "{n} attendee"},
    "tour.count.attendees.other": {"fr": "{n} participations", "en": "{n} attendees"},
    "tour.count.copies.one": {"fr": "{n} exemplaire", "en": "{n} copy"},
    "tour.count.copies.other": {"fr": "{n} exemplaires", "en": "{n} copies"},
    "tour.count.organisations.one": {"fr": "{n} organisation", "en": "{n} organisation"},
    "tour.count.organisations.other": {"fr": "{n} organisations", "en": "{n} organisations"},
})


def measure_of(value: str | None) -> str:
    return value if value in MEASURES else DEFAULT_MEASURE


def stack(*cards) -> html.Div:
    return html.Div(list(cards), className="d-flex flex-column gap-3")


def measure_label(measure: str, lang: str) -> str:
    return t(f"tour.measure.{measure}", lang)


@lru_cache(maxsize=512)
def month_text(month: str, lang: str) -> str:
    date = dt.date.fromisoformat(f"{month}-01")
    if lang == "fr":
        names = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                 "septembre", "octobre", "novembre", "décembre")
    else:
        names = ("January", "February", "March", "April", "May", "June", "July", "August",
                 "September", "October", "November", "December")
    return f"{names[date.month - 1]} {date.year}"


def type_label(event_type: str, lang: str) -> str:
    return t(f"tour.type.{event_type}", lang)


def ordered(values, vocabulary) -> list:
    present = list(dict.fromkeys(values))
    return [v for v in vocabulary if v in present] + [v for v in present if v not in vocabulary]


def totals_of(keys: list, values: list) -> dict:
    """The sum of `values` per key, keys in their first appearance's order (a groupby that
    keeps the order)."""
    totals: dict = {}
    for key, value in zip(keys, values):
        totals[key] = totals.get(key, 0) + value
    return totals


def first_largest(totals: dict):
    """The key with the largest value, the first one among equals (what a stable sort in
    descending order puts first)."""
    return max(totals, key=totals.__getitem__)


def share_text(share_pct: float | None, n: int, lang: str) -> str:
    """"17 %", with "estimation fragile" when fewer than FRAGILE_MIN stand behind it."""
    text = fmt_pct(share_pct, lang)
    return f"{text}, {t('tour.fragile', lang)}" if share_pct is not None and n < FRAGILE_MIN \
        else text
