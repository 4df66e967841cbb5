"""The public page's texts, French and English side by side."""

from dashboard.i18n import register

register({
    "public.title": {"fr": "Notre impact", "en": "Our impact"},
    "public.doc_title": {"fr": "Notre impact · Latitudes", "en": "Our impact · Latitudes"},
    "public.intro": {
        "fr": "Les chiffres publiés du programme Latitudes : le Tour de France de la tech "
              "engagée, la sensibilisation des étudiants à l'économie sociale et solidaire "
              "(ESS) et les projets menés avec des structures de l'ESS.",
        "en": "The published figures of the Latitudes programme: the Tour de France of "
              "tech for good, students' awareness of the social and solidarity economy (SSE) "
              "and the projects carried out with SSE organisations."},
    "public.nothing": {
        "fr": "Aucune édition n'est encore publiée. Les chiffres apparaîtront ici dès leur "
              "publication.",
        "en": "No edition has been published yet. The figures will appear here once "
              "published."},
    "public.edition": {"fr": "Édition {edition}", "en": "Edition {edition}"},
    "public.as_of": {"fr": "Chiffres publiés le {date}", "en": "Figures published on {date}"},
    "public.awareness": {"fr": "Connaissent précisément l'ESS",
                         "en": "Know precisely what the SSE is"},
    "public.awareness.none": {"fr": "aucune réponse au questionnaire",
                              "en": "no answer to the questionnaire"},
    "public.awareness.values": {"fr": "{before} avant, {after} après",
                                "en": "{before} before, {after} after"},
    "public.map.title": {"fr": "Événements par région, édition {edition}",
                         "en": "Events by region, edition {edition}"},
    "public.map.caption": {
        "fr": "Plus la couleur est foncée, plus la région a accueilli d'événements ; en gris, "
              "aucun. Les mêmes chiffres figurent dans le tableau.",
        "en": "The darker the colour, the more events the region hosted; grey: none. The "
              "table gives the same figures."},
    "public.legend": {"fr": "Événements", "en": "Events"},
    "public.table.caption": {"fr": "Chiffres par région, édition {edition}",
                             "en": "Figures by region, edition {edition}"},
    "public.table.region": {"fr": "Région", "en": "Region"},
    "public.table.events": {"fr": "Événements", "en": "Events"},
    "public.table.attendees": {"fr": "Participants", "en": "Attendees"},
    "public.table.guide": {"fr": "Guides", "en": "Guides"},
    "public.table.aware_after": {"fr": "ESS connue après", "en": "SSE known after"},
    "public.commentary": {"fr": "Le mot de l'équipe", "en": "A word from the team"},
    "public.method.title": {"fr": "Méthode", "en": "Method"},
    "public.method.frozen": {
        "fr": "Chaque édition montre les chiffres de son rapport publié, figés à la date de "
              "publication : les données reçues ensuite n'apparaissent qu'à la publication "
              "suivante.",
        "en": "Each edition shows the figures of its published report, frozen on the date "
              "of publication: data received later appear only at the next publication."},
    "public.method.awareness": {
        "fr": "Sensibilisation : part des étudiants qui déclarent connaître précisément l'ESS, "
              "avant et après le programme, parmi ceux qui ont répondu aux deux "
              "questionnaires (sinon, parmi toutes les réponses).",
        "en": "Awareness: the share of students who say they know precisely what the SSE "
              "is, before and after the programme, among those who answered both "
              "questionnaires (otherwise, among all answers)."},
    "public.method.k": {
        "fr": "Secret statistique : tout chiffre construit sur moins de {k} personnes est "
              "masqué (« < {k} »), ainsi que ceux qui permettraient de le retrouver par "
              "différence.",
        "en": "Statistical confidentiality: any figure built from fewer than {k} people is "
              "hidden (\"< {k}\"), and so are those from which it could be worked out by "
              "difference."},
    "public.sign_in": {"fr": "Se connecter", "en": "Sign in"},
    "public.switch": {"fr": "English", "en": "Français"},
    "public.switch_label": {"fr": "Read this page in English",
                            "en": "Lire cette page en français"},
    "public.section.tour_map": {"fr": "Tour de France", "en": "Tour de France"},
    "public.section.awareness_headline": {"fr": "Sensibilisation", "en": "Awareness"},
    "public.section.outcomes_by_region": {"fr": "Projets par région",
                                          "en": "Projects by region"},
    "public.section.guide": {"fr": "Guide", "en": "Guide"},
})
