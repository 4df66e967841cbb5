"""What every section of the awareness page shares: its tabs and download formats, colours,
the wording of the items, and numbers, intervals and counts of people as text.
"""

from __future__ import annotations

import math

import pandas as pd
from dash import html

from dashboard.components.kpi import suppressed_text
from dashboard.components.table_toggle import chart_card
from dashboard.figures import AFTER_COLOUR, TEXT_COLOUR
from dashboard.i18n import MISSING, fmt_decimal, fmt_int, fmt_pct, fmt_points, register, t
from dashboard.queries.awareness.items import WAVES


TABS = ("school", "region", "edition")
DEFAULT_TAB = "school"
EXPORT_FORMATS = {  # format of dashboard.exports.write: (file name ending, label key)
    "csv": (".csv", "awareness.download.csv"),
    "csv-fr": ("-excel-fr.csv", "awareness.download.csv_fr"),
    "xlsx": (".xlsx", "awareness.download.xlsx"),
}
EXPORT_FILE = "latitudes-impact-sensibilisation-ess"
# Fragile estimates (DESIGN.md section 7) are drawn as outlines (dots) or hatched (bars), never
# as low-contrast grey: the shape carries the meaning, the colour stays readable.
FRAGILE_HATCH = "/"
GRID = "#eef0f4"
LIKERT_COLOURS = ("#D55E00", "#E69F00", "#BBBBBB", "#56B4E9", "#0072B2")  # Okabe-Ito, diverging
NAVY = "#14213d"

register({
    "awareness.nav": {"fr": "Sensibilisation à l'ESS", "en": "SSE awareness"},
    "awareness.title": {"fr": "Sensibilisation à l'ESS", "en": "Awareness of the SSE"},
    "awareness.lede": {
        "fr": "Les étudiants connaissent-ils mieux l'économie sociale et solidaire après le "
              "programme ? Réponses au questionnaire avant et après, pour la sélection en cours.",
        "en": "Do students know the social and solidarity economy better after the programme? "
              "Survey answers before and after it, for the current selection."},
    # headline
    "awareness.headline.label": {"fr": "Le chiffre clé", "en": "The key figure"},
    "awareness.fallback": {
        "fr": "Moins de {k} étudiants ont répondu à la fois avant et après : la comparaison "
              "appariée n'est pas possible. Les chiffres clés viennent donc de la comparaison "
              "non appariée (toutes les réponses d'avant face à toutes celles d'après), moins "
              "précise car ce ne sont pas les mêmes personnes.",
        "en": "Fewer than {k} students answered both before and after: no paired comparison "
              "is possible. The key figures therefore come from the unpaired comparison (every "
              "answer before against every answer after), less precise because the people "
              "differ."},
    "awareness.kpi.pre": {"fr": "Avant le programme", "en": "Before the programme"},
    "awareness.kpi.post": {"fr": "Après le programme", "en": "After the programme"},
    "awareness.kpi.share.detail": {"fr": "connaissent précisément l'ESS · {interval}",
                                   "en": "know precisely what the SSE is · {interval}"},
    "awareness.kpi.change": {"fr": "Évolution", "en": "Change"},
    "awareness.kpi.change.detail": {"fr": "{interval} · {test}", "en": "{interval} · {test}"},
    "awareness.kpi.matched": {"fr": "Étudiants appariés", "en": "Matched students"},
    "awareness.kpi.matched.detail": {
        "fr": "ont répondu avant et après · {lost}",
        "en": "answered before and after · {lost}"},
    "awareness.kpi.matched.unpaired": {
        "fr": "{n_pre} réponses avant, {n_post} après (non appariées)",
        "en": "{n_pre} answers before, {n_post} after (unpaired)"},
    "awareness.kpi.lost": {"fr": "{share} des répondants d'avant perdus de vue",
                           "en": "{share} of the respondents before lost to follow-up"},
    "awareness.kpi.lost_hidden": {"fr": "perdus de vue : chiffre masqué",
                                  "en": "lost to follow-up: figure hidden"},
    "awareness.test.mcnemar": {"fr": "test exact de McNemar : p {p}",
                               "en": "exact McNemar test: p {p}"},
    "awareness.test.score": {"fr": "test du score : p {p}", "en": "score test: p {p}"},
    "awareness.interval": {"fr": "IC\u00a095\u202f%\u00a0: {low} à {high}",
                           "en": "95% CI: {low} to {high}"},
    "awareness.range": {"fr": "{low} à {high}", "en": "{low} to {high}"},
    "awareness.reference.name": {
        "fr": "Référence nationale, autre population (BCG / IPSOS)",
        "en": "National baseline, another population (BCG / IPSOS)"},
    "awareness.reference.short": {"fr": "réf. {value}", "en": "ref. {value}"},
    "awareness.reference.note": {
        "fr": "Pointillés : référence nationale externe (étude BCG / IPSOS auprès des "
              "étudiants d'écoles d'ingénieurs, une autre population que les répondants) : "
              "environ 1 sur 5 sait précisément ce qu'est l'ESS et 97 % veulent être utiles "
              "à la société. Un ordre de grandeur, pas un groupe de comparaison.",
        "en": "Dashed: external national baseline (BCG / IPSOS study of engineering "
              "students, another population than the respondents): about 1 in 5 knows "
              "precisely what the SSE is and 97% want to be useful to society. An order of "
              "magnitude, not a comparison group."},
    # series and legends
    "awareness.wave.pre": {"fr": "Avant", "en": "Before"},
    "awareness.wave.post": {"fr": "Après", "en": "After"},
    "awareness.legend.fragile": {
        "fr": "Estimation fragile (symbole évidé)", "en": "Fragile estimate (hollow symbol)"},
    "awareness.legend.fragile_bar": {
        "fr": "Estimation fragile (hachures)", "en": "Fragile estimate (hatched)"},
    "awareness.fragile.rule": {
        "fr": "Estimation fragile : moins de 30 personnes ou intervalle de plus de 30 points "
              "(symbole évidé ou barre hachurée).",
        "en": "Fragile estimate: fewer than 30 people or an interval wider than 30 points "
              "(hollow symbol or hatched bar)."},
    "awareness.analysis.paired": {"fr": "Appariée", "en": "Paired"},
    "awareness.analysis.unpaired": {"fr": "Non appariée", "en": "Unpaired"},
    "awareness.analysis.paired.long": {
        "fr": "Appariée : les mêmes étudiants avant et après",
        "en": "Paired: the same students before and after"},
    "awareness.analysis.unpaired.long": {
        "fr": "Non appariée : toutes les réponses d'avant et d'après",
        "en": "Unpaired: every answer before and after"},
    # comparison card
    "awareness.comparison.title": {
        "fr": "Connaissance précise de l'ESS : comparaison appariée et non appariée",
        "en": "Precise knowledge of the SSE: paired and unpaired comparisons"},
    "awareness.comparison.summary": {
        "fr": "Comparaison appariée : {paired}. Comparaison non appariée : {unpaired}.",
        "en": "Paired comparison: {paired}. Unpaired comparison: {unpaired}."},
    "awareness.comparison.line": {
        "fr": "{pre} avant, {post} après ({change}, {interval})",
        "en": "{pre} before, {post} after ({change}, {interval})"},
    "awareness.comparison.hidden": {
        "fr": "chiffres masqués (moins de {k} personnes)",
        "en": "figures hidden (fewer than {k} people)"},
    # attrition card
    "awareness.attrition.title": {"fr": "Qui a répondu après ? L'attrition",
                                  "en": "Who answered after? Attrition"},
    "awareness.attrition.summary": {
        "fr": "{identified} identifiés ont répondu avant le programme ; {matched} aussi "
              "après ; {lost} n'ont pas répondu après ({share}). Au départ, {lost_pre} des "
              "perdus de vue connaissaient précisément l'ESS, contre {completers_pre} de ceux "
              "qui ont répondu après.",
        "en": "{identified} identified students answered before the programme; {matched} "
              "also answered after it; {lost} did not answer after ({share}). At the start, "
              "{lost_pre} of those lost knew precisely what the SSE is, against "
              "{completers_pre} of those who answered after."},
    "awareness.attrition.counts_hidden": {
        "fr": "Nombres masqués : un des groupes compte moins de {k} personnes.",
        "en": "Counts hidden: one of the groups has fewer than {k} people."},
    "awareness.attrition.completers": {"fr": "Ont répondu après", "en": "Answered after"},
    "awareness.attrition.lost": {"fr": "Perdus de vue", "en": "Lost to follow-up"},
    "awareness.attrition.axis": {
        "fr": "Connaissaient précisément l'ESS avant le programme",
        "en": "Knew precisely what the SSE is before the programme"},
    "awareness.attrition.note": {
        "fr": "Si les deux parts sont proches, ceux qui n'ont pas répondu après ressemblaient "
              "au départ à ceux qui ont répondu : l'évolution appariée est moins susceptible "
              "d'être biaisée par l'attrition.",
        "en": "When the two shares are close, those who did not answer after resembled, at "
              "the start, those who did: the paired change is less likely to be biased by "
              "attrition."},
    "awareness.attrition.respondents": {"fr": "répondants d'avant identifiés",
                                        "en": "identified respondents before"},
    # items card and table
    "awareness.items.title": {"fr": "Tous les indicateurs, avant et après",
                              "en": "Every indicator, before and after"},
    "awareness.items.summary": {
        "fr": "Comparaison {analysis}, part des répondants : {lines}.",
        "en": "{analysis} comparison, share of respondents: {lines}."},
    "awareness.items.line": {"fr": "{item} {pre} → {post} ({change})",
                             "en": "{item} {pre} → {post} ({change})"},
    "awareness.items.line_hidden": {"fr": "{item} masqué (moins de {k})",
                                    "en": "{item} hidden (fewer than {k})"},
    "awareness.analysis.paired.adj": {"fr": "appariée", "en": "Paired"},
    "awareness.analysis.unpaired.adj": {"fr": "non appariée", "en": "Unpaired"},
    "awareness.table.title": {"fr": "Tableau des indicateurs", "en": "Indicators table"},
    "awareness.table.caption": {
        "fr": "Comparaison {analysis}. Évolution en points de pourcentage (après - avant), "
              "intervalle de confiance à 95 %.",
        "en": "{analysis} comparison. Change in percentage points (after - before), 95% "
              "confidence interval."},
    "awareness.col.item": {"fr": "Indicateur", "en": "Indicator"},
    "awareness.col.analysis": {"fr": "Comparaison", "en": "Comparison"},
    "awareness.col.pre": {"fr": "Avant", "en": "Before"},
    "awareness.col.post": {"fr": "Après", "en": "After"},
    "awareness.col.change": {"fr": "Évolution", "en": "Change"},
    "awareness.col.interval": {"fr": "IC 95 %", "en": "95% CI"},
    "awareness.col.p": {"fr": "p", "en": "p"},
    "awareness.col.n": {"fr": "n appariés", "en": "n matched"},
    "awareness.col.n_pre": {"fr": "n avant", "en": "n before"},
    "awareness.col.n_post": {"fr": "n après", "en": "n after"},
    "awareness.col.share": {"fr": "Part", "en": "Share"},
    "awareness.col.group": {"fr": "Groupe", "en": "Group"},
    "awareness.col.answer": {"fr": "Réponse", "en": "Answer"},
    "awareness.col.wave": {"fr": "Questionnaire", "en": "Survey"},
    "awareness.col.fragile": {"fr": "Fragile", "en": "Fragile"},
    "awareness.yes": {"fr": "oui", "en": "yes"},
    "awareness.no": {"fr": "non", "en": "no"},
    "awareness.structures.mean": {
        "fr": "Nombre moyen de types de structures de l'ESS cités",
        "en": "Mean number of kinds of SSE organisations named"},
    "awareness.mean_change": {"fr": "{value} pt sur 5", "en": "{value} pt out of 5"},
    "awareness.col.mean_change": {"fr": "Évolution moyenne (1 à 5)",
                                  "en": "Mean change (1 to 5)"},
    "awareness.not_applicable": {"fr": "sans objet", "en": "not applicable"},
    # likert card
    "awareness.likert.title": {"fr": "Les réponses en détail : de « pas du tout » à « tout à "
                                     "fait d'accord »",
                               "en": "The answers in detail: from strongly disagree to "
                                     "strongly agree"},
    "awareness.likert.summary": {
        "fr": "Part des répondants d'accord (plutôt ou tout à fait), avant puis après : "
              "{lines}.",
        "en": "Share of respondents who agree (agree or strongly agree), before then after: "
              "{lines}."},
    "awareness.likert.line": {"fr": "{item} {pre} → {post}", "en": "{item} {pre} → {post}"},
    "awareness.likert.note": {
        "fr": "Désaccord à gauche, accord à droite, réponses neutres au centre. Toutes les "
              "réponses de chaque vague (non appariées).",
        "en": "Disagreement to the left, agreement to the right, neutral answers in the "
              "centre. Every answer of each wave (unpaired)."},
    "awareness.likert.hidden": {"fr": "{wave} (< {k})", "en": "{wave} (< {k})"},
    "awareness.likert.empty": {"fr": "Aucune réponse aux questions d'opinion pour cette "
                                     "sélection.",
                               "en": "No answer to the opinion questions for this selection."},
    # post-only card
    "awareness.post.title": {"fr": "Après le programme : satisfaction et recommandation",
                             "en": "After the programme: satisfaction and recommendation"},
    "awareness.post.summary": {
        "fr": "{satisfaction} des répondants sont satisfaits du programme (4 ou 5 sur 5) ; "
              "{promoters} le recommanderaient (9 ou 10 sur 10), score net de recommandation "
              "(NPS) : {nps}.",
        "en": "{satisfaction} of respondents are satisfied with the programme (4 or 5 out of "
              "5); {promoters} would recommend it (9 or 10 out of 10), net promoter score "
              "(NPS): {nps}."},
    "awareness.post.hidden": {
        "fr": "Moins de {k} réponses après le programme : satisfaction et recommandation "
              "masquées.",
        "en": "Fewer than {k} answers after the programme: satisfaction and recommendation "
              "hidden."},
    "awareness.post.nps": {"fr": "Score net de recommandation (NPS)",
                           "en": "Net promoter score (NPS)"},
    "awareness.post.note": {
        "fr": "Questions posées après le programme seulement : pas de comparaison avant / "
              "après. NPS : part des 9-10 moins part des 0-6, de -100 à +100.",
        "en": "Asked after the programme only: no before / after comparison. NPS: share of "
              "9-10 minus share of 0-6, from -100 to +100."},
    # breakdown card
    "awareness.breakdown.title": {"fr": "Évolution par groupe", "en": "Change by group"},
    "awareness.breakdown.tab.school": {"fr": "Par école", "en": "By school"},
    "awareness.breakdown.tab.region": {"fr": "Par région", "en": "By region"},
    "awareness.breakdown.tab.edition": {"fr": "Par édition", "en": "By edition"},
    "awareness.breakdown.tabs_label": {"fr": "Regrouper par", "en": "Group by"},
    "awareness.breakdown.summary": {
        "fr": "Évolution de la part des étudiants appariés qui connaissent précisément l'ESS "
              "({dimension}) : de {low} ({low_group}) à {high} ({high_group}). {hidden}",
        "en": "Change in the share of matched students who know precisely what the SSE is "
              "({dimension}): from {low} ({low_group}) to {high} ({high_group}). {hidden}"},
    "awareness.breakdown.hidden.one": {
        "fr": "{n} groupe masqué (moins de {k} étudiants appariés, ou pour protéger un "
              "autre groupe).",
        "en": "{n} group hidden (fewer than {k} matched students, or to protect another "
              "group)."},
    "awareness.breakdown.hidden.other": {
        "fr": "{n} groupes masqués (moins de {k} étudiants appariés, ou pour protéger un "
              "autre groupe).",
        "en": "{n} groups hidden (fewer than {k} matched students, or to protect another "
              "group)."},
    "awareness.breakdown.none": {
        "fr": "Aucun groupe ne compte assez d'étudiants appariés pour être montré.",
        "en": "No group has enough matched students to be shown."},
    "awareness.breakdown.axis": {"fr": "Évolution (points de pourcentage)",
                                 "en": "Change (percentage points)"},
    "awareness.breakdown.dimension.school": {"fr": "par école", "en": "by school"},
    "awareness.breakdown.dimension.region": {"fr": "par région de l'école",
                                             "en": "by region of the school"},
    "awareness.breakdown.dimension.edition": {"fr": "par édition", "en": "by edition"},
    "awareness.breakdown.note": {
        "fr": "Trait vertical : aucune évolution. Les groupes trop petits sont affichés "
              "« < {k} », sans chiffre.",
        "en": "Vertical line: no change. Groups that are too small show “< {k}”, with no "
              "figure."},
    "awareness.breakdown.change": {"fr": "Évolution", "en": "Change"},
    # definitions
    "awareness.definition": {"fr": "Définition", "en": "Definition"},
    "awareness.def.question": {"fr": "Question", "en": "Question"},
    "awareness.def.counted": {"fr": "Compté comme positif", "en": "Counted as positive"},
    "awareness.def.population": {"fr": "Population", "en": "Population"},
    "awareness.def.method": {"fr": "Méthode", "en": "Method"},
    "awareness.def.caveats": {"fr": "Précautions", "en": "Caveats"},
    "awareness.def.scale": {"fr": "Échelle", "en": "Scale"},
    "awareness.def.knows_ess.counted": {"fr": "« Oui, précisément » (ni « Vaguement » ni "
                                              "« Non »)",
                                        "en": "“Yes, precisely” (neither “Vaguely” nor “No”)"},
    "awareness.def.population.paired": {
        "fr": "Appariée : étudiants identifiés ayant répondu avant et après dans la même "
              "édition. Non appariée : toutes les réponses de chaque vague, formulaires "
              "anonymes compris.",
        "en": "Paired: identified students who answered before and after in the same "
              "edition. Unpaired: every answer of each wave, anonymous forms included."},
    "awareness.def.method.paired": {
        "fr": "Parts avec intervalle de Wilson à 95 % ; différence appariée : intervalle de "
              "Newcombe (méthode 10) et test exact de McNemar ; différence non appariée : "
              "intervalle hybride de Newcombe et test du score.",
        "en": "Shares with a 95% Wilson interval; paired difference: Newcombe's interval "
              "(method 10) and the exact McNemar test; unpaired difference: Newcombe's hybrid "
              "interval and the score test."},
    "awareness.def.caveats.general": {
        "fr": "Réponses déclaratives. Chiffres masqués sous {k} personnes. La référence "
              "nationale vient d'une autre population : un ordre de grandeur.",
        "en": "Self-reported answers. Figures hidden under {k} people. The national "
              "baseline comes from another population: an order of magnitude."},
    "awareness.def.attrition.population": {
        "fr": "Étudiants identifiés (adresse e-mail ou numéro) ayant répondu avant le "
              "programme ; perdus de vue : sans réponse après dans la même édition. Les "
              "réponses anonymes ne peuvent être ni appariées ni perdues de vue.",
        "en": "Identified students (e-mail or number) who answered before the programme; "
              "lost to follow-up: no answer after in the same edition. Anonymous answers can "
              "be neither matched nor lost."},
    "awareness.def.items.counted": {
        "fr": "Connaissance : « Oui, précisément ». Structures : au moins 3 types cités "
              "(aucun est une réponse valable). Opinions : 4 ou 5 sur l'échelle de 1 "
              "(pas du tout d'accord) à 5 (tout à fait d'accord).",
        "en": "Knowledge: “Yes, precisely”. Organisations: at least 3 kinds named (none is "
              "a valid answer). Opinions: 4 or 5 on the scale from 1 (strongly disagree) to "
              "5 (strongly agree)."},
    "awareness.def.likert.population": {
        "fr": "Toutes les réponses de chaque vague (non appariées) ; n : les répondants qui "
              "ont répondu à la question.",
        "en": "Every answer of each wave (unpaired); n: the respondents who answered the "
              "question."},
    "awareness.def.post.counted": {
        "fr": "Satisfaction : 4 ou 5 sur 5. Recommandation : promoteurs, 9 ou 10 sur 10 ; "
              "détracteurs, 0 à 6.",
        "en": "Satisfaction: 4 or 5 out of 5. Recommendation: promoters, 9 or 10 out of 10; "
              "detractors, 0 to 6."},
    "awareness.def.post.population": {
        "fr": "Toutes les réponses après le programme, anonymes comprises ; masqué sous {k} "
              "réponses.",
        "en": "Every answer after the programme, anonymous ones included; hidden under {k} "
              "answers."},
    "awareness.def.breakdown.population": {
        "fr": "Étudiants appariés ; un étudiant compte pour l'école de sa réponse d'avant, la "
              "région de cette école et l'édition de ses réponses. Trié de la plus forte à la "
              "plus faible évolution.",
        "en": "Matched students; a student counts for the school of their answer before, "
              "that school's region and the edition of their answers. Sorted from the "
              "largest change to the smallest."},
    "awareness.def.breakdown.caveats": {
        "fr": "Un groupe de moins de {k} étudiants appariés est masqué, et un autre avec lui "
              "quand il le faut pour qu'on ne puisse pas le retrouver par différence. De petits "
              "groupes donnent des intervalles larges : comparer avec prudence.",
        "en": "A group of fewer than {k} matched students is hidden, and another one with it "
              "when needed so it cannot be recovered by subtraction. Small groups give wide "
              "intervals: compare with care."},
    # download
    "awareness.download.title": {"fr": "Télécharger les chiffres de la page",
                                 "en": "Download the figures of this page"},
    "awareness.download.text": {
        "fr": "Une ligne par indicateur et par comparaison (appariée, non appariée), pour la "
              "sélection en cours. Un chiffre masqué est vide dans le CSV (colonne "
              "« suppressed ») et vaut « < {k} » dans le fichier Excel.",
        "en": "One row per indicator and comparison (paired, unpaired), for the current "
              "selection. A hidden figure is blank in the CSV (column “suppressed”) and reads "
              "“< {k}” in the Excel file."},
    "awareness.download.csv": {"fr": "CSV", "en": "CSV"},
    "awareness.download.csv_fr": {"fr": "CSV Excel (FR)", "en": "CSV Excel (FR)"},
    "awareness.download.xlsx": {"fr": "XLSX", "en": "XLSX"},
    "awareness.download.label": {"fr": "Télécharger le tableau", "en": "Download the table"},
    "awareness.empty": {"fr": "Aucune réponse au questionnaire étudiant pour cette sélection.",
                        "en": "No answer to the student survey for this selection."},
})

# The wording of each item (DESIGN.md section 5), shown in the definitions.
QUESTIONS = {
    "knows_ess": ("Savez-vous précisément ce qu'est l'économie sociale et solidaire (ESS) ?",
                  "Do you know precisely what the social and solidarity economy (SSE) is?"),
    "ess_structures_known": ("Quelles structures de l'ESS connaissez-vous ?",
                             "Which kinds of SSE organisations do you know?"),
    "wants_useful": ("Je veux que mon travail soit utile à la société.",
                     "I want my work to be useful to society."),
    "tech_for_good": (("Les technologies numériques peuvent aider à résoudre des problèmes "
                       "sociaux et environnementaux."),
                      "Digital technologies can help solve social and environmental problems."),
    "consider_ess_career": ("J'envisage de travailler dans l'ESS ou pour l'intérêt général.",
                            "I am considering working in the SSE or for the public interest."),
    "intends_volunteer": (("J'ai l'intention de mettre mes compétences au service d'une "
                           "association."),
                          "I intend to put my skills at the service of a non-profit."),
    "satisfaction": ("Êtes-vous satisfait(e) du programme ?",
                     "How satisfied are you with the programme?"),
    "recommend": (("Quelle est la probabilité que vous recommandiez le programme à un(e) "
                   "ami(e) ?"),
                  "How likely are you to recommend the programme to a friend?"),
}
SHORT_LABELS = {  # for chart axes; the long labels (ITEM_LABELS) go in tables
    "knows_ess": ("Connaît précisément l'ESS", "Knows precisely what the SSE is"),
    "ess_structures_known": ("Cite au moins 3 types de structures",
                             "Names 3+ kinds of SSE organisations"),
    "wants_useful": ("Veut un travail utile à la société", "Wants work useful to society"),
    "tech_for_good": ("Le numérique peut aider la société", "Digital tech can help society"),
    "consider_ess_career": ("Envisage de travailler dans l'ESS", "Considers working in the SSE"),
    "intends_volunteer": ("Compte aider une association", "Intends to help a non-profit"),
    "satisfaction": ("Satisfaits (4 ou 5 sur 5)", "Satisfied (4 or 5 out of 5)"),
    "recommend": ("Promoteurs (9 ou 10 sur 10)", "Promoters (9 or 10 out of 10)"),
}


def tab_of(value: str | None) -> str:
    return value if value in TABS else DEFAULT_TAB


# ---- formatting -----------------------------------------------------------------------------

def missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def signed(value: float, lang: str, decimals: int = 0) -> str:
    text = fmt_decimal(value, lang, decimals)
    if text.lstrip("-").strip("0,.") == "":
        return fmt_decimal(0, lang, decimals)  # -0.2 reads "0", not "-0"
    return text if text.startswith("-") else f"+{text}"


def interval_text(low: float | None, high: float | None, lang: str, *,
                  percent: bool = False, named: bool = True) -> str:
    """"IC 95 % : +25 à +38" (a change in points) or "IC 95 % : 15 à 25 %" (a share);
    `named=False` leaves out "IC 95 %" (a table column that says it already)."""
    if missing(low) or missing(high):
        return MISSING
    if percent:
        low_text, high_text = fmt_decimal(low, lang, 0), fmt_pct(high, lang)
    else:
        low_text, high_text = signed(low, lang), signed(high, lang)
    return t("awareness.interval" if named else "awareness.range", lang, low=low_text,
             high=high_text)


def p_text(p: float | None, lang: str, *, equals: bool = True) -> str:
    """"< 0,001", "= 0,03" (after "p"), or "0,03" in a column headed "p"."""
    if missing(p):
        return MISSING
    if p < 0.001:
        return f"< {fmt_decimal(0.001, lang, 3)}"
    value = fmt_decimal(p, lang, 3 if p < 0.01 else 2)
    return f"= {value}" if equals else value


def people_text(n: int | None, k: int, lang: str) -> str:
    """A count of people on screen: "< K" when hidden (None) or from 1 to K - 1.

    The query layer leaves such counts visible to staff (they explain a suppression in the
    export); a screen shows "< K" to everyone (DESIGN.md section 6).
    """
    if n is None or 0 < n < k:
        return suppressed_text(k)
    return fmt_int(n, lang)


def n_text(n: int | None, k: int, lang: str) -> str:
    """"n = 12", or "n < 5" for a hidden count."""
    shown = people_text(n, k, lang)
    return f"n {shown}" if shown.startswith("<") else f"n = {shown}"


def attrition_counts_shown(attrition: dict, k: int) -> bool:
    """The identified, matched and lost counts (and the share lost) may be shown: none is a
    cell under K. Any two give the third, so one small cell hides all three; the query layer
    does so for funders and schools, the screen does so for everyone."""
    counts = [attrition.get(name) for name in ("n_pre_identified", "n_matched", "n_lost")]
    return all(n is not None and not 0 < n < k for n in counts)


def colon(lang: str) -> str:
    return "\u00a0: " if lang == "fr" else ": "


def item_label(item: str, lang: str, *, short: bool = False) -> str:
    from dashboard.queries.awareness import ITEM_LABELS

    return (SHORT_LABELS if short else ITEM_LABELS)[item][0 if lang == "fr" else 1]


def question(item: str, lang: str) -> str:
    return QUESTIONS[item][0 if lang == "fr" else 1]


def frame_records(frame: pd.DataFrame) -> list[dict]:
    """`frame.to_dict("records")` at a third of its cost: a list per column, then rows."""
    columns = list(frame.columns)
    return [dict(zip(columns, row)) for row in zip(*(frame[c].tolist() for c in columns))]


def item_rows(items: pd.DataFrame) -> dict[tuple[str, str], dict]:
    """The items table as {(item, analysis): row}, blanks as None."""
    return {(row["item"], row["analysis"]): {key: (None if missing(v) else v)
                                             for key, v in row.items()}
            for row in frame_records(items)}


def item_row(rows: dict, item: str, analysis: str) -> dict:
    return rows.get((item, analysis), {"item": item, "analysis": analysis, "suppressed": True})


def hidden_or(row: dict, k: int, text: str) -> str:
    return suppressed_text(k) if row.get("suppressed") else text


def fragile_mark(row: dict, lang: str) -> str:
    return f" ({t('chart.fragile', lang)})" if row.get("fragile") else ""


def share_with_interval(row: dict, wave: str, k: int, lang: str) -> str:
    if row.get("suppressed"):
        return suppressed_text(k)
    if missing(row.get(f"{wave}_pct")):
        return MISSING
    interval = interval_text(row.get(f"{wave}_ci_low_pct"), row.get(f"{wave}_ci_high_pct"),
                             lang, percent=True)
    return f"{fmt_pct(row[f'{wave}_pct'], lang)} ({interval})"


def change_text(row: dict, k: int, lang: str) -> str:
    if row.get("suppressed"):
        return suppressed_text(k)
    if missing(row.get("diff_pp")):
        return MISSING
    return (f"{fmt_points(row['diff_pp'], lang)} "
            f"({interval_text(row.get('ci_low_pp'), row.get('ci_high_pp'), lang)})"
            + fragile_mark(row, lang))


def definition(lang: str, entries: list[tuple[str, object]]) -> html.Details:
    """A chart's entry of the metric dictionary: wording, what counts, population, method,
    caveats; closed until the reader opens it."""
    items = []
    for name, text in entries:
        items += [html.Dt(t(f"awareness.def.{name}", lang),
                          style={"fontWeight": 600, "color": NAVY}),
                  html.Dd(text, style={"marginBottom": "0.45rem", "marginLeft": 0})]
    return html.Details(className="chart-definition", style={
        "fontSize": "0.85rem", "margin": "0.2rem 0 0.2rem", "color": TEXT_COLOUR}, children=[
        html.Summary(t("awareness.definition", lang),
                     style={"cursor": "pointer", "color": AFTER_COLOUR, "fontWeight": 600}),
        html.Dl(items, style={"margin": "0.5rem 0 0", "padding": "0.65rem 0.85rem",
                              "background": "#f5f7fb", "borderRadius": "6px"}),
    ])


def card_with_definition(graph_id: str, figure: dict, lang: str, *, title: str, summary: str,
          table: pd.DataFrame, note: str | None = None,
          definition: html.Details | None = None) -> html.Section:
    """`chart_card`, with the chart's definition just above its actions row."""
    card = chart_card(graph_id, figure, lang, title=title, summary=summary, table=table,
                      note=note)
    if definition is not None:
        card.children.insert(len(card.children) - 1, definition)
    return card


def two_columns(*children, ratio: str = "minmax(0, 1.3fr) minmax(0, 1fr)") -> html.Div:
    return html.Div(className="overview-columns", children=list(children),
                    style={"gridTemplateColumns": ratio, "marginBottom": "1.25rem"})


def has_answers(headline: dict) -> bool:
    """Somebody answered knows_ess in the selection (perhaps too few to show)."""
    unpaired = headline["unpaired"]
    return any(unpaired.get(f"n_{wave}") != 0 for wave in WAVES)
