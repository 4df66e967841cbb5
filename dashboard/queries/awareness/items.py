"""The items of the awareness figures, their positive answers, labels and the columns of
every table this package returns.
"""

from __future__ import annotations

from dashboard import stats


PAIRED_ITEMS = ("knows_ess", "ess_structures_known", "wants_useful", "tech_for_good",
                "consider_ess_career", "intends_volunteer")
POST_ONLY_ITEMS = ("satisfaction", "recommend")
ITEMS = PAIRED_ITEMS + POST_ONLY_ITEMS
LIKERT_ITEMS = ("wants_useful", "tech_for_good", "consider_ess_career", "intends_volunteer")
DISTRIBUTION_ITEMS = LIKERT_ITEMS + ("satisfaction",)
LIKERT_ANSWERS = (1, 2, 3, 4, 5)
RECOMMEND_SCORES = tuple(range(11))
LIKERT_CHANGES = tuple(range(-4, 5))  # post - pre of two answers 1-5
WAVES = ("pre", "post")
HEADLINE_ITEM = "knows_ess"

# The smallest answer that counts as the item's positive outcome.
POSITIVE_FROM = {
    "knows_ess": 2,               # "Oui, précisément" (1 = vaguement, 0 = non)
    "ess_structures_known": 3,    # at least three kinds of ESS organisations named
    "wants_useful": 4, "tech_for_good": 4, "consider_ess_career": 4, "intends_volunteer": 4,
    "satisfaction": 4,            # agree or strongly agree / 4 or 5 out of 5
    "recommend": stats.PROMOTER_MIN_SCORE,  # promoters: 9 or 10
}

EXPORT_COLUMNS = ["item", "analysis", "n_pre", "n_post", "n_matched", "pre_pct", "post_pct",
                  "diff_pp", "ci_low_pp", "ci_high_pp", "p_value", "suppressed"]
COUNT_COLUMNS = ["n_pre", "n_post", "n_matched"]
FIGURE_COLUMNS = ["pre_pct", "post_pct", "diff_pp", "ci_low_pp", "ci_high_pp", "p_value"]
ITEMS_TABLE_EXTRA = ["label_fr", "label_en", "fragile", "pre_ci_low_pct", "pre_ci_high_pct",
                     "post_ci_low_pct", "post_ci_high_pct", "mean_change", "mean_change_ci_low",
                     "mean_change_ci_high", "nps"]
BREAKDOWN_COLUMNS = ["group", "label", "n_matched", "pre_pct", "post_pct", "diff_pp",
                     "ci_low_pp", "ci_high_pp", "fragile", "suppressed"]
DISTRIBUTION_COLUMNS = ["item", "wave", "answer", "count", "share", "n", "suppressed"]
BREAKDOWN_DIMENSIONS = {"school": "school_id", "region": "region_code", "edition": "edition"}

# The outcome each row measures, as the page and the report name it.
ITEM_LABELS = {
    "knows_ess": ("Connaît précisément l'ESS", "Knows precisely what the SSE is"),
    "ess_structures_known": ("Connaît au moins 3 types de structures de l'ESS",
                             "Knows at least 3 kinds of SSE organisations"),
    "wants_useful": ("Veut que son travail soit utile à la société (d'accord)",
                     "Wants their work to be useful to society (agrees)"),
    "tech_for_good": (("Le numérique peut aider à résoudre des problèmes sociaux et "
                       "environnementaux (d'accord)"),
                      ("Digital technologies can help solve social and environmental "
                       "problems (agrees)")),
    "consider_ess_career": (("Envisage de travailler dans l'ESS ou pour l'intérêt général "
                             "(d'accord)"),
                            "Considers working in the SSE or for the public interest (agrees)"),
    "intends_volunteer": (("A l'intention de mettre ses compétences au service d'une "
                           "association (d'accord)"),
                          "Intends to put their skills at the service of a non-profit (agrees)"),
    "satisfaction": ("Satisfait du programme (4 ou 5 sur 5)",
                     "Satisfied with the programme (4 or 5 out of 5)"),
    "recommend": ("Recommanderait le programme (promoteurs\u00a0: 9 ou 10)",
                  "Would recommend the programme (promoters: 9 or 10)"),
}
LIKERT_LABELS = {
    "fr": ("Pas du tout d'accord", "Plutôt pas d'accord", "Ni d'accord ni pas d'accord",
           "Plutôt d'accord", "Tout à fait d'accord"),
    "en": ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
           "Strongly agree"),
}
# BCG / IPSOS study quoted by the funders (DESIGN.md section 1), drawn as reference lines.
NATIONAL_BASELINE_PCT = {"knows_ess": 20.0, "wants_useful": 97.0}

SNAPSHOT_EXPORT = "awareness"
SNAPSHOT_ITEMS = "awareness_items"
SNAPSHOT_HEADLINE = "awareness_headline"
SNAPSHOT_DISTRIBUTION = "awareness_likert"
SNAPSHOT_BREAKDOWN = "awareness_by_{dimension}"
