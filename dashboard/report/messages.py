"""The report's texts, French and English side by side (keys prefixed "report.").

French typography: a no-break space before ":" (U+00A0), a narrow no-break space (U+202F)
before "%", ";", "?" and "!" and inside « guillemets ». Numbers come formatted by
`dashboard.i18n` (decimal comma, narrow no-break space between thousands).
"""

from dashboard.i18n import register

NB = "\u00a0"   # before a colon
NN = "\u202f"   # before ; ? ! % and inside guillemets

register({
    # ---- the page ----
    "report.nav": {"fr": "Rapport", "en": "Report"},
    "report.title": {"fr": "Rapport", "en": "Report"},
    "report.lede": {
        "fr": "Le rapport financeur de la sélection, prêt à imprimer : les chiffres clés des "
              "trois questions, les graphiques et la méthodologie.",
        "en": "The funder report of the selection, ready to print: the key figures of the "
              "three questions, the charts and the methodology."},
    "report.download_pdf": {"fr": "Télécharger le PDF", "en": "Download the PDF"},
    "report.download_pack": {"fr": "Pack rapport annuel (XLSX + graphiques)",
                             "en": "Annual-report pack (XLSX + charts)"},
    "report.publish": {"fr": "Publier cette édition", "en": "Publish this edition"},
    "report.publish_help": {
        "fr": "Fige les chiffres de ce rapport et de ceux des comptes financeurs et écoles "
              f"pour cette édition{NN}; les financeurs verront la version publiée.",
        "en": "Freezes the figures of this report and of the funder and school accounts' "
              "reports for this edition; funders will see the published version."},
    "report.publish_one_edition": {
        "fr": "Pour publier, choisissez une seule édition dans les filtres (et aucun filtre "
              "d'école ou de région).",
        "en": "To publish, choose exactly one edition in the filters (and no school or "
              "region filter)."},
    "report.published_now": {
        "fr": f"Édition publiée{NB}: {{count}} version(s) figée(s) (national et comptes).",
        "en": "Edition published: {count} version(s) frozen (national and accounts)."},
    "report.publish_denied": {"fr": "Seule l'équipe peut publier une édition.",
                              "en": "Only staff can publish an edition."},
    "report.error": {"fr": "Le rapport n'a pas pu être produit. Réessayez dans un instant.",
                     "en": "The report could not be produced. Try again in a moment."},
    "report.status.published": {
        "fr": f"Version publiée le {{date}} à {{time}}{NB}: les chiffres ci-dessous sont ceux "
              f"de la publication (empreinte {{hash}}).",
        "en": "Published version of {date} at {time}: the figures below are those published "
              "(fingerprint {hash})."},
    "report.status.live": {
        "fr": "Chiffres en direct, non publiés.",
        "en": "Live figures, not published."},
    "report.status.live_range": {
        "fr": "Chiffres en direct (une publication porte sur une seule édition).",
        "en": "Live figures (a publication covers a single edition)."},
    "report.diff.title": {"fr": "Écarts avec les données actuelles",
                          "en": "Differences with the current data"},
    "report.diff.none": {
        "fr": "Les données actuelles donnent exactement les chiffres publiés.",
        "en": "The current data give exactly the published figures."},
    "report.diff.some": {
        "fr": "Des données chargées depuis la publication changent ces chiffres "
              f"(le rapport publié, lui, ne change pas){NB}:",
        "en": "Data loaded since the publication change these figures (the published "
              "report itself does not change):"},
    "report.diff.figure": {"fr": "Chiffre", "en": "Figure"},
    "report.diff.published": {"fr": "Publié", "en": "Published"},
    "report.diff.live": {"fr": "Données actuelles", "en": "Current data"},
    "report.diff.other_cells": {
        "fr": "et {n} autre(s) cellule(s) des tableaux détaillés.",
        "en": "and {n} other cell(s) of the detailed tables."},

    # ---- the report: first page ----
    "report.brand": {"fr": "Latitudes · Tech for Good", "en": "Latitudes · Tech for Good"},
    "report.doc_title": {"fr": "Rapport d'impact", "en": "Impact report"},
    "report.programme": {
        "fr": "Programme Tech for Good Explorers et Tour de France de l'ESS",
        "en": "Tech for Good Explorers programme and SSE Tour de France"},
    "report.edition.one": {"fr": "Édition {edition}", "en": "Edition {edition}"},
    "report.edition.range": {"fr": "Éditions {first} à {last}",
                             "en": "Editions {first} to {last}"},
    "report.edition.all": {"fr": "Toutes les éditions ({first} à {last})",
                           "en": "All editions ({first} to {last})"},
    "report.edition.none": {"fr": "Aucune édition", "en": "No edition"},
    "report.audience.national": {
        "fr": "Périmètre national, toutes les régions et toutes les écoles",
        "en": "National scope, every region and every school"},
    "report.audience.funder": {"fr": f"Rapport financeur{NB}: {{where}}",
                               "en": "Funder report: {where}"},
    "report.audience.school": {"fr": f"Rapport de l'école{NB}: {{where}}",
                               "en": "School report: {where}"},
    "report.audience.selection": {"fr": f"Sélection{NB}: {{where}}",
                                  "en": "Selection: {where}"},
    "report.audience.everywhere": {"fr": "toutes les régions", "en": "every region"},
    "report.audience.regions": {"fr": "régions {names}", "en": "regions {names}"},
    "report.audience.region": {"fr": "région {names}", "en": "region {names}"},
    "report.audience.account": {"fr": f"Compte{NB}: {{account}}", "en": "Account: {account}"},
    "report.as_of": {"fr": "Données au {date}", "en": "Data as of {date}"},
    "report.as_of.none": {"fr": "Aucune donnée chargée", "en": "No data loaded"},
    "report.published": {
        "fr": "Version publiée le {date} (empreinte SHA-256 {hash})",
        "en": "Published version of {date} (SHA-256 fingerprint {hash})"},
    "report.live": {"fr": "Chiffres en direct du {date}, non publiés",
                    "en": "Live figures of {date}, not published"},
    "report.demo": {
        "fr": f"Données de démonstration{NB}: chiffres fictifs, ne pas les citer.",
        "en": "Demonstration data: made-up figures, do not quote them."},
    "report.intro": {
        "fr": "Latitudes fait découvrir la Tech for Good aux étudiants des écoles d'ingénieurs "
              "et d'informatique. Ils réalisent des projets numériques pour des structures de "
              "l'économie sociale et solidaire (ESS), et le Tour de France de l'ESS va à leur "
              "rencontre dans les régions. Ce rapport répond à trois questions.",
        "en": "Latitudes introduces engineering and computer-science students to Tech for "
              "Good. They build digital projects for organisations of the social and "
              "solidarity economy (SSE), and the SSE Tour de France meets them in the regions. "
              "This report answers three questions."},

    # ---- question 1: reach ----
    "report.reach.title": {"fr": f"1. Qui le programme a-t-il touché{NN}?",
                           "en": "1. Whom did the programme reach?"},
    "report.reach.events": {"fr": "Événements", "en": "Events"},
    "report.reach.events.detail": {"fr": "du Tour de France de l'ESS",
                                   "en": "of the SSE Tour de France"},
    "report.reach.regions": {"fr": "Régions couvertes", "en": "Regions covered"},
    "report.reach.regions.detail": {"fr": "sur les 18 régions françaises",
                                    "en": "out of France's 18 regions"},
    "report.reach.attendees": {"fr": "Participants", "en": "Attendees"},
    "report.reach.attendees.detail": {"fr": "participations cumulées aux événements",
                                      "en": "total attendance at events"},
    "report.reach.guide": {"fr": "Guides diffusés", "en": "Guide copies"},
    "report.reach.guide.detail": {"fr": "exemplaires et téléchargements du guide",
                                  "en": "copies and downloads of the guide"},
    "report.reach.summary": {
        "fr": "{events} dans {cities} de {regions} ont réuni {attendees}, dont {students} "
              "et {organisations}, et touché {schools}.",
        "en": "{events} in {cities} of {regions} gathered {attendees}, including {students} "
              "and {organisations}, and reached {schools}."},
    "report.reach.none": {"fr": "Aucun événement du Tour de France dans cette sélection.",
                          "en": "No Tour de France event in this selection."},

    # ---- question 2: awareness ----
    "report.awareness.title": {"fr": f"2. Les étudiants connaissent-ils mieux l'ESS{NN}?",
                               "en": "2. Do students know the SSE better?"},
    "report.awareness.big": {"fr": "savent précisément ce qu'est l'ESS, avant → après le "
                                   "programme",
                             "en": "know precisely what the SSE is, before → after the "
                                   "programme"},
    "report.awareness.paired_note": {
        "fr": "les mêmes {n} étudiants interrogés avant et après",
        "en": "the same {n} students asked before and after"},
    "report.awareness.unpaired_note": {
        "fr": "toutes les réponses d'avant face à toutes celles d'après",
        "en": "every answer before against every answer after"},
    "report.awareness.baseline": {
        "fr": f"Référence nationale{NB}: 1 étudiant ingénieur sur 5 sait précisément ce qu'est "
              f"l'ESS, et 97{NN}% veulent être utiles à la société (étude BCG / IPSOS).",
        "en": "National baseline: 1 engineering student in 5 knows precisely what the SSE "
              "is, and 97% want to be useful to society (BCG / IPSOS study)."},
    "report.awareness.none": {
        "fr": "Aucune réponse au questionnaire étudiant dans cette sélection.",
        "en": "No answer to the student survey in this selection."},

    # ---- question 3: outcomes ----
    "report.outcomes.title": {"fr": f"3. Les projets ont-ils servi{NN}?",
                              "en": "3. Did the projects make a difference?"},
    "report.outcomes.projects": {"fr": "Projets", "en": "Projects"},
    "report.outcomes.projects.detail": {"fr": "pour {organisations} de l'ESS",
                                        "en": "for {organisations} of the SSE"},
    "report.outcomes.delivery": {"fr": "Taux de livraison", "en": "Delivery rate"},
    "report.outcomes.delivery.detail": {"fr": "{delivered} livrés sur {decided} terminés",
                                        "en": "{delivered} delivered out of {decided} "
                                              "finished"},
    "report.outcomes.delivery.none": {"fr": "aucun projet terminé (livré ou abandonné)",
                                      "en": "no finished project (delivered or abandoned)"},
    "report.outcomes.in_use": {"fr": "En usage à 6 mois", "en": "In use after 6 months"},
    "report.outcomes.in_use.detail": {
        "fr": "{yes} sur {n} réponses au suivi à 6 mois ({partial} en partie)",
        "en": "{yes} out of {n} six-month follow-up answers ({partial} partly)"},
    "report.outcomes.in_use.none": {"fr": "pas encore de réponse au suivi à 6 mois",
                                    "en": "no six-month follow-up answer yet"},
    "report.outcomes.satisfaction": {"fr": "Satisfaction", "en": "Satisfaction"},
    "report.outcomes.satisfaction.detail": {
        "fr": "des structures, moyenne sur 5 ({n} en fin de projet)",
        "en": "of the organisations, mean out of 5 ({n} at the project's end)"},
    "report.outcomes.satisfaction.none": {"fr": "pas encore de réponse en fin de projet",
                                          "en": "no end-of-project answer yet"},
    "report.outcomes.summary": {
        "fr": "{students} et {mentors} y ont travaillé{beneficiaries}.",
        "en": "{students} and {mentors} worked on them{beneficiaries}."},
    "report.outcomes.beneficiaries": {
        "fr": f"{NN}; à six mois, les structures déclarent {{n}} bénéficiaires touchés",
        "en": "; after six months, the organisations report {n} beneficiaries reached"},
    "report.suppressed": {"fr": "masqué (moins de {k} personnes ou structures)",
                          "en": "hidden (fewer than {k} people or organisations)"},
    "report.fragile": {"fr": "estimation fragile", "en": "fragile estimate"},

    # ---- charts ----
    "report.charts.title": {"fr": "Les chiffres en images", "en": "The figures in charts"},
    "report.map.title": {"fr": "Le Tour de France de l'ESS en régions",
                         "en": "The SSE Tour de France in the regions"},
    "report.map.caption": {
        "fr": "Nombre d'événements du Tour de France par région (chiffre sur la carte). Les "
              "cinq régions d'outre-mer sont rapprochées à l'ouest.",
        "en": "Number of Tour de France events per region (figure on the map). The five "
              "overseas regions are drawn closer, to the west."},
    "report.awareness_chart.title": {"fr": "Connaissance de l'ESS et engagement, avant et après",
                                     "en": "SSE awareness and commitment, before and after"},
    "report.awareness_chart.caption": {
        "fr": "Part des étudiants d'accord avec chaque énoncé, avant et après le programme "
              f"({{analysis}}). Trait noir{NB}: référence nationale (étude BCG / IPSOS).",
        "en": "Share of students agreeing with each statement, before and after the "
              "programme ({analysis}). Black tick: national baseline (BCG / IPSOS study)."},
    "report.awareness_chart.paired": {"fr": "réponses appariées", "en": "paired answers"},
    "report.awareness_chart.unpaired": {"fr": "réponses non appariées",
                                        "en": "unpaired answers"},
    "report.awareness_chart.before": {"fr": "Avant", "en": "Before"},
    "report.awareness_chart.after": {"fr": "Après", "en": "After"},
    "report.awareness_chart.reference": {"fr": "Référence nationale", "en": "National baseline"},
    "report.item.knows_ess": {"fr": "Sait précisément ce qu'est l'ESS",
                              "en": "Knows precisely what the SSE is"},
    "report.item.ess_structures_known": {"fr": "Connaît au moins 3 types de structures de l'ESS",
                                         "en": "Knows 3+ kinds of SSE organisations"},
    "report.item.wants_useful": {"fr": "Veut un travail utile à la société",
                                 "en": "Wants work useful to society"},
    "report.item.tech_for_good": {"fr": "Pense que le numérique peut aider la société",
                                  "en": "Thinks digital tech can help society"},
    "report.item.consider_ess_career": {"fr": "Envisage de travailler dans l'ESS",
                                        "en": "Considers working in the SSE"},
    "report.item.intends_volunteer": {"fr": "Compte s'engager pour une association",
                                      "en": "Intends to help a non-profit"},
    "report.outcomes_chart.title": {"fr": "Projets par région et par statut",
                                    "en": "Projects by region and status"},
    "report.outcomes_chart.caption": {
        "fr": "Région de la structure bénéficiaire. Taux de livraison\u00a0: projets livrés sur "
              "projets livrés ou abandonnés.",
        "en": "Region of the organisation served. Delivery rate: projects delivered out of "
              "projects delivered or abandoned."},
    "report.outcomes_chart.none": {"fr": "Aucun projet dans cette sélection.",
                                   "en": "No project in this selection."},
    "report.outcomes_chart.rate": {"fr": "{rate} livrés", "en": "{rate} delivered"},
    "report.status.delivered": {"fr": "Livrés", "en": "Delivered"},
    "report.status.in_progress": {"fr": "En cours", "en": "In progress"},
    "report.status.abandoned": {"fr": "Abandonnés", "en": "Abandoned"},
    "report.status.other": {"fr": "Sélectionnés ou déposés", "en": "Selected or submitted"},
    "report.chart.projects_axis": {"fr": "Projets", "en": "Projects"},
    "report.chart.share_axis": {"fr": "Part des étudiants", "en": "Share of students"},

    # ---- tables ----
    "report.table.region": {"fr": "Région", "en": "Region"},
    "report.table.events": {"fr": "Événements", "en": "Events"},
    "report.table.cities": {"fr": "Villes", "en": "Cities"},
    "report.table.attendees": {"fr": "Participants", "en": "Attendees"},
    "report.table.students": {"fr": "dont étudiants", "en": "of which students"},
    "report.table.guide": {"fr": "Guides diffusés", "en": "Guide copies"},
    "report.table.total": {"fr": "Total", "en": "Total"},
    "report.table.regions_caption": {
        "fr": "Par région (régions avec un événement ou des guides diffusés\u202f; guides "
              "dont la région est connue)",
        "en": "By region (regions with an event or guide copies; guides whose region is "
              "known)"},
    "report.table.item": {"fr": "Énoncé", "en": "Statement"},
    "report.table.before": {"fr": "Avant", "en": "Before"},
    "report.table.after": {"fr": "Après", "en": "After"},
    "report.table.change": {"fr": "Écart", "en": "Change"},
    "report.table.ci": {"fr": "IC 95\u202f%", "en": "95% CI"},
    "report.table.n": {"fr": "n", "en": "n"},
    "report.table.ci_range": {"fr": "{low} à {high}", "en": "{low} to {high}"},
    "report.table.items_caption": {
        "fr": "Détail par énoncé ({analysis}). Écart en points de pourcentage, avec son "
              "intervalle de confiance à 95\u202f%. n = étudiants ayant répondu.",
        "en": "Detail by statement ({analysis}). Change in percentage points, with its 95% "
              "confidence interval. n = students who answered."},
    "report.item.satisfaction": {"fr": "Satisfait du programme (après)",
                                 "en": "Satisfied with the programme (after)"},
    "report.item.recommend": {"fr": "Recommanderait le programme (après, 9-10 sur 10)",
                              "en": "Would recommend the programme (after, 9-10 of 10)"},

    # ---- methodology ----
    "report.method.title": {"fr": "Méthodologie", "en": "Methodology"},
    "report.method.who": {
        "fr": f"Qui a répondu{NB}: {{n_pre}} au questionnaire étudiant avant le programme, "
              f"{{n_post}} après{NN}; {{n_matched}} ont répondu aux deux{{attrition}}.",
        "en": "Who answered: {n_pre} to the student survey before the programme, {n_post} "
              "after it; {n_matched} answered both{attrition}."},
    "report.method.attrition": {
        "fr": " ({lost} répondants d'avant sans réponse après, soit {lost_pct})",
        "en": " ({lost} respondents before with no answer after, {lost_pct})"},
    "report.method.paired": {
        "fr": "Comparaison appariée (le chiffre principal)\u00a0: les mêmes étudiants avant "
              "et après, intervalle de confiance à 95\u202f% de Newcombe et test exact de "
              "McNemar. Comparaison non appariée (toutes les réponses d'avant face à toutes "
              "celles d'après, intervalles de Wilson et de Newcombe)\u00a0: en repli quand "
              "moins de K étudiants ont répondu aux deux.",
        "en": "Paired comparison (the headline figure): the same students before and after, "
              "Newcombe's 95% confidence interval and the exact McNemar test. Unpaired "
              "comparison (every answer before against every answer after, Wilson and "
              "Newcombe intervals): the fallback when fewer than K students answered both."},
    "report.method.analysis_paired": {"fr": "Ce rapport utilise la comparaison appariée.",
                                      "en": "This report uses the paired comparison."},
    "report.method.analysis_unpaired": {
        "fr": "Trop peu de réponses appariées ici\u00a0: ce rapport utilise la comparaison "
              "non appariée.",
        "en": "Too few paired answers here: this report uses the unpaired comparison."},
    "report.method.k": {
        "fr": "Secret statistique\u00a0: tout chiffre construit sur moins de K = {k} personnes "
              "(ou, pour les financeurs et les écoles, {k} structures répondantes) est masqué "
              "(«\u202f< {k}\u202f»), ainsi que les totaux qui permettraient de le retrouver.",
        "en": "Statistical confidentiality: any figure built from fewer than K = {k} people "
              "(or, for funders and schools, {k} responding organisations) is hidden "
              "(“< {k}”), as are the totals that would give it back."},
    "report.method.baseline": {
        "fr": "Référence nationale\u00a0: étude BCG / IPSOS\u00a0; environ 1 étudiant sur 5 "
              "en école d'ingénieurs sait précisément ce qu'est l'ESS, et 97\u202f% veulent "
              "être utiles à la société.",
        "en": "National baseline: BCG / IPSOS study; about 1 engineering student in 5 knows "
              "precisely what the SSE is, and 97% want to be useful to society."},
    "report.method.definitions": {
        "fr": "Définitions\u00a0: un événement compte dans l'édition de sa date et la région "
              "de son lieu\u00a0; un projet dans son édition et la région de sa structure. "
              "Taux de livraison = livrés / (livrés + abandonnés). En usage à 6 mois = "
              "réponses «\u202foui\u202f» / réponses au suivi à six mois. Satisfaction = "
              "moyenne de 1 à 5 au suivi de fin de projet. «\u202fEstimation fragile\u202f»\u00a0: "
              "moins de 30 personnes ou un intervalle de plus de 30 points.",
        "en": "Definitions: an event counts in the edition of its date and the region of its "
              "place; a project in its edition and its organisation's region. Delivery rate = "
              "delivered / (delivered + abandoned). In use after 6 months = “yes” answers / "
              "six-month follow-up answers. Satisfaction = mean from 1 to 5 at the "
              "end-of-project follow-up. “Fragile estimate”: fewer than 30 people or an "
              "interval wider than 30 points."},
    "report.method.sources": {
        "fr": "Sources\u00a0: chargements n° {batches} de l'entrepôt Latitudes Impact, "
              "données au {as_of}\u00a0; méthodologie version {version}.",
        "en": "Sources: loads no. {batches} of the Latitudes Impact warehouse, data as of "
              "{as_of}; methodology version {version}."},
    "report.method.set_aside.none": {
        "fr": f"Réponses mises de côté{NB}: aucune{NN}; toutes les réponses aux questionnaires "
              "de cette sélection ont été lues.",
        "en": "Answers set aside: none; every survey answer of this selection was read."},
    "report.method.set_aside.one": {
        "fr": f"Réponses mises de côté{NB}: {{n}} réponse à un questionnaire n'a pas pu être "
              f"lue (un libellé inconnu, un nombre hors de l'échelle){NN}; elle ne compte "
              "dans aucun chiffre de ce rapport, le reste du questionnaire compte. Elle attend "
              "que l'équipe Latitudes dise ce que veut dire son libellé.",
        "en": "Answers set aside: {n} survey answer could not be read (an unknown label, a "
              "number outside the scale); it counts in no figure of this report, the rest of "
              "the questionnaire does. It waits for Latitudes staff to say what its label "
              "means."},
    "report.method.set_aside.other": {
        "fr": f"Réponses mises de côté{NB}: {{n}} réponses aux questionnaires n'ont pas pu "
              f"être lues (un libellé inconnu, un nombre hors de l'échelle){NN}; elles ne "
              "comptent dans aucun chiffre de ce rapport, le reste de chaque questionnaire "
              "compte. Elles attendent que l'équipe Latitudes dise ce que veulent dire leurs "
              "libellés.",
        "en": "Answers set aside: {n} survey answers could not be read (an unknown label, a "
              "number outside the scale); they count in no figure of this report, the rest of "
              "each questionnaire does. They wait for Latitudes staff to say what their "
              "labels mean."},
    "report.method.more": {
        "fr": "Définition de chaque chiffre, libellé des questions et tableaux détaillés\u00a0: "
              "tableau de bord Latitudes Impact et pack rapport annuel (XLSX).",
        "en": "Definition of every figure, question wording and detailed tables: the "
              "Latitudes Impact dashboard and the annual-report pack (XLSX)."},

    # ---- footer (every page) ----
    "report.footer.filters": {"fr": "Filtres\u00a0: {filters}", "en": "Filters: {filters}"},
    "report.footer.editions": {"fr": "éditions {values}", "en": "editions {values}"},
    "report.footer.edition": {"fr": "édition {values}", "en": "edition {values}"},
    "report.footer.all_editions": {"fr": "toutes les éditions", "en": "all editions"},
    "report.footer.schools": {"fr": "écoles {values}", "en": "schools {values}"},
    "report.footer.all_schools": {"fr": "toutes les écoles", "en": "all schools"},
    "report.footer.regions": {"fr": "régions {values}", "en": "regions {values}"},
    "report.footer.all_regions": {"fr": "toutes les régions", "en": "all regions"},
    "report.footer.line": {
        "fr": "{filters} · Données au {as_of} · K = {k} · Méthodologie v{version}",
        "en": "{filters} · Data as of {as_of} · K = {k} · Methodology v{version}"},
    "report.footer.page": {"fr": "Page", "en": "Page"},

    # ---- the pack ----
    "report.pack.readme": {
        "fr": "Pack rapport annuel Latitudes Impact",
        "en": "Latitudes Impact annual-report pack"},

    # ---- plural counts used in sentences ----
    "report.count.events.one": {"fr": "{n} événement", "en": "{n} event"},
    "report.count.events.other": {"fr": "{n} événements", "en": "{n} events"},
    "report.count.cities.one": {"fr": "{n} ville", "en": "{n} city"},
    "report.count.cities.other": {"fr": "{n} villes", "en": "{n} cities"},
    "report.count.regions.one": {"fr": "{n} région", "en": "{n} region"},
    "report.count.regions.other": {"fr": "{n} régions", "en": "{n} regions"},
    "report.count.attendees.one": {"fr": "{n} participant", "en": "{n} attendee"},
    "report.count.attendees.other": {"fr": "{n} participants", "en": "{n} attendees"},
    "report.count.students.one": {"fr": "{n} étudiant", "en": "{n} student"},
    "report.count.students.other": {"fr": "{n} étudiants", "en": "{n} students"},
    "report.count.organisations.one": {"fr": "{n} organisation", "en": "{n} organisation"},
    "report.count.organisations.other": {"fr": "{n} organisations", "en": "{n} organisations"},
    "report.count.structures.one": {"fr": "{n} structure", "en": "{n} organisation"},
    "report.count.structures.other": {"fr": "{n} structures", "en": "{n} organisations"},
    "report.count.schools.one": {"fr": "{n} école", "en": "{n} school"},
    "report.count.schools.other": {"fr": "{n} écoles", "en": "{n} schools"},
    "report.count.mentors.one": {"fr": "{n} mentor bénévole", "en": "{n} volunteer mentor"},
    "report.count.mentors.other": {"fr": "{n} mentors bénévoles",
                                   "en": "{n} volunteer mentors"},
    "report.count.answers.one": {"fr": "{n} réponse", "en": "{n} answer"},
    "report.count.answers.other": {"fr": "{n} réponses", "en": "{n} answers"},
})
