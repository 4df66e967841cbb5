"""The awareness figures (dashboard.queries.awareness) on small hand-written surveys.

Every survey below is written as named counts of people, loaded through the real ETL
(`etl.load.load_paths` on the canonical template CSV) into a fresh SQLite and PostgreSQL
warehouse, so the figures are checked from file to table. Expected values are arithmetic over
those counts; the method of each interval is dashboard.stats' business (tests/test_stats.py),
here two published examples pin the wiring: the right counts in the right slots, and the sign
of a difference is post - pre.

Schools come from the reference data: INSA Lyon and École centrale de Lyon are in
Auvergne-Rhône-Alpes (84), CentraleSupélec in Île-de-France (11).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, insert, select

from dashboard import stats
from dashboard.exports import ExportMeta, write
from dashboard.queries import awareness
from dashboard.queries.awareness import (
    EXPORT_COLUMNS,
    breakdown,
    export_table,
    headline,
    hidden_groups,
    items_table,
    likert_distribution,
    sentence,
    snapshot_figures,
)
from dashboard.queries.base import STAFF, Filters, Scope
from etl.load import forget, load_paths
from etl.schema import mart_pair, mart_response

K = 5
E1, E2 = "2025-2026", "2026-2027"
LYON, CENTRALE_LYON, PARIS = "insa-lyon", "centrale-lyon", "centralesupelec"
ARA, IDF = "84", "11"
FUNDER_ARA = Scope(role="funder", regions=(ARA,))

TEMPLATE_HEADER = ["email", "school", "edition", "wave", "submitted_at", "knows_ess",
                   "ess_structures_known", "wants_useful", "tech_for_good",
                   "consider_ess_career", "intends_volunteer", "satisfaction", "recommend"]
KNOWS_LABEL = {2: "Oui, précisément", 1: "Vaguement", 0: "Non", None: ""}
AWARE, VAGUELY, NO = 2, 1, 0
ESS_KINDS = ("Association", "Coopérative", "Mutuelle", "Fondation", "Entreprise sociale (ESUS)")
EXPORT_ORDER = [(item, analysis) for item in awareness.PAIRED_ITEMS
                for analysis in ("paired", "unpaired")] + [("satisfaction", "unpaired"),
                                                           ("recommend", "unpaired")]


@dataclass
class Response:
    """One row of the survey template. `email` None is an anonymous response; `kinds` is the
    number of kinds of ESS organisations named (0 = none known, an empty cell); `likert` is the
    answer given to the four Likert items."""

    email: str | None
    wave: str
    knows: int | None = None
    kinds: int = 0
    likert: int | None = None
    satisfaction: int | None = None
    recommend: int | None = None
    school: str = LYON
    edition: str = E1
    minute: int | None = None  # minutes after 10:00 on the wave's day; default: the row number

    def cells(self, row_number: int) -> list[str]:
        start = int(self.edition[:4])
        day = dt.datetime(start, 10, 1) if self.wave == "pre" else dt.datetime(start + 1, 5, 1)
        # distinct times by default: anonymous responses are told apart by time and answers
        at = day + dt.timedelta(hours=10, minutes=row_number if self.minute is None
                                else self.minute)
        likert = "" if self.likert is None else str(self.likert)
        return [self.email or "", self.school, self.edition, self.wave,
                at.strftime("%Y-%m-%d %H:%M"), KNOWS_LABEL[self.knows],
                ";".join(ESS_KINDS[:self.kinds]), likert, likert, likert, likert,
                "" if self.satisfaction is None else str(self.satisfaction),
                "" if self.recommend is None else str(self.recommend)]


class Survey:
    """Responses written as groups of people, numbered so that every person is distinct."""

    def __init__(self, first_person: int = 0):
        self.responses: list[Response] = []
        self._people = first_person

    def people(self, count: int) -> list[str]:
        emails = [f"student{self._people + i}@example.org" for i in range(count)]
        self._people += count
        return emails

    def matched(self, count: int, pre: dict, post: dict, **where) -> list[str]:
        """`count` identified people answering both waves; `pre`/`post` are Response fields."""
        emails = self.people(count)
        for email in emails:
            self.responses.append(Response(email, "pre", **pre, **where))
            self.responses.append(Response(email, "post", **post, **where))
        return emails

    def identified(self, count: int, wave: str, **answers) -> list[str]:
        emails = self.people(count)
        self.responses += [Response(email, wave, **answers) for email in emails]
        return emails

    def anonymous(self, count: int, wave: str, **answers) -> None:
        self.responses += [Response(None, wave, **answers) for _ in range(count)]

    def load(self, engine, folder: Path, name: str = "survey.csv") -> None:
        path = folder / name
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(TEMPLATE_HEADER)
            for number, response in enumerate(self.responses, start=2):
                writer.writerow(response.cells(number))
        [report] = load_paths([path], engine=engine)
        assert report.status == "loaded", report.message
        assert set(report.reasons) <= {"superseded"}, report.reasons  # no answer misread


def row_of(table, item: str, analysis: str) -> dict:
    [row] = table[(table["item"] == item) & (table["analysis"] == analysis)].to_dict("records")
    return {key: (None if _missing(value) else value) for key, value in row.items()}


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


# --- the main survey: knows_ess, one school, one edition ------------------------------------

# The matched people's 2x2 table (aware = "Oui, précisément"; "Vaguement" is not aware).
BOTH, PRE_ONLY, POST_ONLY, NEITHER = 3, 1, 6, 2
LOST_AWARE, LOST_UNAWARE = 1, 2             # identified, answered before only
ANON_PRE_AWARE, ANON_PRE_UNAWARE = 1, 1     # anonymous forms, before
ANON_POST_AWARE = 2                         # anonymous forms, after
NEWCOMER_POST_AWARE = 1                     # identified, answered after only

N_MATCHED = BOTH + PRE_ONLY + POST_ONLY + NEITHER                                # 12
N_PRE = N_MATCHED + LOST_AWARE + LOST_UNAWARE + ANON_PRE_AWARE + ANON_PRE_UNAWARE  # 17
PRE_AWARE = BOTH + PRE_ONLY + LOST_AWARE + ANON_PRE_AWARE                          # 6
N_POST = N_MATCHED + ANON_POST_AWARE + NEWCOMER_POST_AWARE                         # 15
POST_AWARE = BOTH + POST_ONLY + ANON_POST_AWARE + NEWCOMER_POST_AWARE              # 12
# Exact McNemar: two-sided binomial test of PRE_ONLY = 1 against POST_ONLY = 6 discordant
# pairs, 2 * P(X <= 1 | 7, 1/2) = 2 * (1 + 7) / 2**7.
MAIN_MCNEMAR_P = 2 * (1 + 7) / 2 ** 7  # 0.125


def main_survey() -> Survey:
    survey = Survey()
    survey.matched(BOTH, pre={"knows": AWARE}, post={"knows": AWARE})
    survey.matched(PRE_ONLY, pre={"knows": AWARE}, post={"knows": VAGUELY})
    survey.matched(POST_ONLY, pre={"knows": VAGUELY}, post={"knows": AWARE})
    survey.matched(NEITHER, pre={"knows": NO}, post={"knows": VAGUELY})
    survey.identified(LOST_AWARE, "pre", knows=AWARE)
    survey.identified(LOST_UNAWARE, "pre", knows=NO)
    survey.anonymous(ANON_PRE_AWARE, "pre", knows=AWARE)
    survey.anonymous(ANON_PRE_UNAWARE, "pre", knows=NO)
    survey.anonymous(ANON_POST_AWARE, "post", knows=AWARE)
    survey.identified(NEWCOMER_POST_AWARE, "post", knows=AWARE)
    return survey


@pytest.fixture
def main(warehouse, tmp_path):
    main_survey().load(warehouse, tmp_path)
    return warehouse


def test_the_export_has_the_contract_rows_and_columns_in_order(main):
    table = export_table(Filters(), STAFF, K, engine=main)

    assert list(table.columns) == EXPORT_COLUMNS
    assert list(zip(table["item"], table["analysis"])) == EXPORT_ORDER


def test_paired_row_counts_matched_people_and_their_shares(main):
    paired = row_of(export_table(Filters(), STAFF, K, engine=main), "knows_ess", "paired")

    assert (paired["n_pre"], paired["n_post"], paired["n_matched"]) == (N_PRE, N_POST, N_MATCHED)
    assert paired["pre_pct"] == pytest.approx(100 * (BOTH + PRE_ONLY) / N_MATCHED)     # 33.3
    assert paired["post_pct"] == pytest.approx(100 * (BOTH + POST_ONLY) / N_MATCHED)   # 75.0
    assert paired["diff_pp"] == pytest.approx(100 * (POST_ONLY - PRE_ONLY) / N_MATCHED)  # +41.7
    assert paired["p_value"] == pytest.approx(MAIN_MCNEMAR_P)
    assert paired["ci_low_pp"] < paired["diff_pp"] < paired["ci_high_pp"]
    expected = stats.paired_difference(BOTH, PRE_ONLY, POST_ONLY, NEITHER)
    assert (paired["ci_low_pp"], paired["ci_high_pp"]) == pytest.approx(
        (100 * expected.ci_low, 100 * expected.ci_high))
    assert paired["suppressed"] is False


def test_unpaired_row_counts_every_answer_anonymous_ones_included(main):
    table = export_table(Filters(), STAFF, K, engine=main)
    unpaired = row_of(table, "knows_ess", "unpaired")

    assert (unpaired["n_pre"], unpaired["n_post"]) == (N_PRE, N_POST)
    assert unpaired["n_matched"] == N_MATCHED  # a fact of the selection, on both rows
    assert unpaired["pre_pct"] == pytest.approx(100 * PRE_AWARE / N_PRE)
    assert unpaired["post_pct"] == pytest.approx(100 * POST_AWARE / N_POST)
    assert unpaired["diff_pp"] == pytest.approx(100 * (POST_AWARE / N_POST - PRE_AWARE / N_PRE))
    expected = stats.unpaired_difference(PRE_AWARE, N_PRE, POST_AWARE, N_POST)
    assert (unpaired["ci_low_pp"], unpaired["ci_high_pp"], unpaired["p_value"]) == pytest.approx(
        (100 * expected.ci_low, 100 * expected.ci_high, expected.p_value))


def test_post_only_items_have_no_pre_figures_and_no_matched_count(main):
    table = export_table(Filters(), STAFF, K, engine=main)

    for item in ("satisfaction", "recommend"):
        row = row_of(table, item, "unpaired")
        assert row["n_pre"] == 0 and row["n_matched"] is None
        assert row["n_post"] == 0  # the main survey leaves them unanswered
        assert row["suppressed"] is True
        assert all(row[c] is None for c in ("pre_pct", "post_pct", "diff_pp", "ci_low_pp",
                                            "ci_high_pp", "p_value"))


def test_headline_gives_paired_estimate_attrition_and_unpaired_estimate(main):
    figures = headline(Filters(), STAFF, K, engine=main)
    n_identified = N_MATCHED + LOST_AWARE + LOST_UNAWARE  # 15: anonymous forms cannot be lost
    n_lost = LOST_AWARE + LOST_UNAWARE                    # 3

    assert figures["analysis"] == "paired" and figures["fallback_unpaired"] is False
    assert figures["paired"]["n_matched"] == N_MATCHED
    assert figures["paired"]["diff_pp"] == pytest.approx(100 * (POST_ONLY - PRE_ONLY) / N_MATCHED)
    assert figures["unpaired"]["n_pre"] == N_PRE
    assert figures["fragile"] is True  # 12 people, fewer than 30
    attrition = figures["attrition"]
    assert (attrition["n_pre_identified"], attrition["n_lost"]) == (n_identified, n_lost)
    assert attrition["lost_pct"] == pytest.approx(100 * n_lost / n_identified)  # 20 %
    assert attrition["completers_pre_pct"] == pytest.approx(100 * (BOTH + PRE_ONLY) / N_MATCHED)
    assert attrition["lost_pre_pct"] is None  # 3 lost people: a cell under K


def test_attrition_compares_the_lost_with_the_completers_when_enough_were_lost(main):
    attrition = headline(Filters(), STAFF, 1, engine=main)["attrition"]

    lost = LOST_AWARE + LOST_UNAWARE
    assert attrition["lost_pre_pct"] == pytest.approx(100 * LOST_AWARE / lost)


def test_a_funder_does_not_see_the_count_of_a_small_cell(main):
    # Funder of the region: same figures, but the 3 lost people are a cell under K, and the
    # identified and matched counts would give it back by subtraction.
    attrition = headline(Filters(), FUNDER_ARA, K, engine=main)["attrition"]
    staff = headline(Filters(), STAFF, K, engine=main)["attrition"]

    assert staff["n_lost"] == 3
    assert {attrition[key] for key in ("n_pre_identified", "n_matched", "n_lost",
                                       "lost_pct")} == {None}
    assert attrition["completers_pre_pct"] == staff["completers_pre_pct"]


def test_sentence_says_the_headline_in_french_and_english(main):
    figures = headline(Filters(), STAFF, K, engine=main)
    low, high = round(figures["paired"]["ci_low_pp"]), round(figures["paired"]["ci_high_pp"])

    french, english = sentence(figures, "fr"), sentence(figures, "en")

    assert french.startswith(f"Parmi les {N_MATCHED} étudiants ayant répondu avant et après, "
                             "33\u202f% connaissaient précisément l'ESS avant le programme et "
                             f"75\u202f% après (+42 points, IC 95\u202f%\u00a0: +{low} à +{high}).")
    assert english.startswith(f"Among the {N_MATCHED} students who answered before and after, "
                              "33% knew precisely what the SSE is before the programme and 75% "
                              f"after (+42 points, 95% CI: +{low} to +{high}).")
    assert french.endswith("Estimation fragile (moins de 30 personnes ou intervalle de plus de "
                           "30 points).")  # 12 people


def test_sentence_uses_french_number_typography():
    figures = {"k": K, "suppressed": False, "fallback_unpaired": False, "fragile": False,
               "paired": {"n_matched": 1212, "pre_pct": 18.2, "post_pct": 61.4, "diff_pp": 43.2,
                          "ci_low_pp": -3.4, "ci_high_pp": 50.1}}

    assert sentence(figures, "fr") == (
        "Parmi les 1\u202f212 étudiants ayant répondu avant et après, 18\u202f% connaissaient "
        "précisément l'ESS avant le programme et 61\u202f% après (+43 points, IC 95\u202f%"
        "\u00a0: -3 à +50).")
    assert "Among the 1,212 students" in sentence(figures, "en")


# --- published examples: the right counts in the right slots ---------------------------------

# Newcombe RG, Statistics in Medicine 1998;17:2635-2650, method 10: e = 20 positive at both
# visits, f = 12 positive at the second only, g = 2 at the first only, h = 16 at neither:
# difference (f - g) / n = 0.2, 95 % interval 0.0562 to 0.3292 (also asserted by ratesci).
PAIRED_EXAMPLE = {"both": 20, "post_only": 12, "pre_only": 2, "neither": 16}
PAIRED_EXAMPLE_CI_PP = (5.62, 32.92)
# exact McNemar on 2 against 12 discordant pairs: 2 * (C(14,0) + C(14,1) + C(14,2)) / 2**14
PAIRED_EXAMPLE_P = 2 * (1 + 14 + 91) / 2 ** 14
# Newcombe RG, Statistics in Medicine 1998;17:873-890, Table II (a), method 10:
# 56/70 - 48/80 = 0.2, 95 % interval 0.0524 to 0.3339.
UNPAIRED_EXAMPLE = {"post": (56, 70), "pre": (48, 80)}
UNPAIRED_EXAMPLE_CI_PP = (5.24, 33.39)
PRINTED_4DP_IN_POINTS = 0.01  # limits printed to 4 decimals of a fraction: 0.01 point


def test_paired_interval_and_p_value_match_newcombe_published_example(warehouse, tmp_path):
    survey = Survey()
    survey.matched(PAIRED_EXAMPLE["both"], pre={"knows": AWARE}, post={"knows": AWARE})
    survey.matched(PAIRED_EXAMPLE["post_only"], pre={"knows": NO}, post={"knows": AWARE})
    survey.matched(PAIRED_EXAMPLE["pre_only"], pre={"knows": AWARE}, post={"knows": NO})
    survey.matched(PAIRED_EXAMPLE["neither"], pre={"knows": NO}, post={"knows": NO})
    survey.load(warehouse, tmp_path)

    paired = row_of(export_table(Filters(), STAFF, K, engine=warehouse), "knows_ess", "paired")

    assert paired["n_matched"] == sum(PAIRED_EXAMPLE.values()) == 50
    assert paired["diff_pp"] == pytest.approx(20.0)  # post - pre: (12 - 2) / 50, positive
    assert (paired["ci_low_pp"], paired["ci_high_pp"]) == pytest.approx(
        PAIRED_EXAMPLE_CI_PP, abs=PRINTED_4DP_IN_POINTS)
    assert paired["p_value"] == pytest.approx(PAIRED_EXAMPLE_P)


def test_unpaired_interval_matches_newcombe_published_example(warehouse, tmp_path):
    survey = Survey()
    (post_aware, n_post), (pre_aware, n_pre) = UNPAIRED_EXAMPLE["post"], UNPAIRED_EXAMPLE["pre"]
    survey.anonymous(pre_aware, "pre", knows=AWARE)
    survey.anonymous(n_pre - pre_aware, "pre", knows=NO)
    survey.anonymous(post_aware, "post", knows=AWARE)
    survey.anonymous(n_post - post_aware, "post", knows=NO)
    survey.load(warehouse, tmp_path)

    table = export_table(Filters(), STAFF, K, engine=warehouse)
    unpaired = row_of(table, "knows_ess", "unpaired")

    assert (unpaired["n_pre"], unpaired["n_post"], unpaired["n_matched"]) == (80, 70, 0)
    assert unpaired["diff_pp"] == pytest.approx(20.0)  # 80 % after - 60 % before
    assert (unpaired["ci_low_pp"], unpaired["ci_high_pp"]) == pytest.approx(
        UNPAIRED_EXAMPLE_CI_PP, abs=PRINTED_4DP_IN_POINTS)
    # Anonymous forms are never matched: the paired row has nobody behind it.
    assert row_of(table, "knows_ess", "paired")["suppressed"] is True


# --- binary outcomes of every item -----------------------------------------------------------

def test_each_item_counts_its_own_positive_answers(warehouse, tmp_path):
    # Two people, each just below then just at the item's threshold, and one skipping it all.
    survey = Survey()
    survey.matched(1, pre={"knows": VAGUELY, "kinds": 2, "likert": 3},
                   post={"knows": AWARE, "kinds": 3, "likert": 4, "satisfaction": 3,
                         "recommend": 8})
    survey.matched(1, pre={"knows": AWARE, "kinds": 5, "likert": 5},
                   post={"knows": AWARE, "kinds": 0, "likert": 2, "satisfaction": 4,
                         "recommend": 9})
    survey.identified(1, "post", knows=NO)  # then skipped everything, the multi-select too
    survey.load(warehouse, tmp_path)

    table = export_table(Filters(), STAFF, 1, engine=warehouse)

    for item in ("knows_ess", "ess_structures_known", *awareness.LIKERT_ITEMS):
        paired = row_of(table, item, "paired")
        assert paired["n_matched"] == 2, item
        assert (paired["pre_pct"], paired["post_pct"]) == (50.0, 100.0 if item == "knows_ess"
                                                            else 50.0), item
    # The third person's empty multi-select is "none known", an answer (DESIGN.md section 7);
    # the Likert items he skipped are not.
    assert row_of(table, "ess_structures_known", "unpaired")["n_post"] == 3
    assert row_of(table, "knows_ess", "unpaired")["n_post"] == 3
    assert row_of(table, "wants_useful", "unpaired")["n_post"] == 2
    assert row_of(table, "satisfaction", "unpaired")["post_pct"] == 50.0  # 4 of {3, 4}
    assert row_of(table, "recommend", "unpaired")["post_pct"] == 50.0     # 9 of {8, 9}


# --- suppression at K - 1, K and K + 1 -------------------------------------------------------

FIGURES = ["pre_pct", "post_pct", "diff_pp", "ci_low_pp", "ci_high_pp", "p_value"]
ANONYMOUS_EACH_WAVE = 10  # enough for the unpaired analysis whatever the matched count


@pytest.mark.parametrize("matched", [K - 1, K, K + 1])
def test_paired_figures_are_shown_from_k_matched_people(warehouse, tmp_path, matched):
    survey = Survey()
    survey.matched(matched, pre={"knows": NO}, post={"knows": AWARE})
    survey.anonymous(ANONYMOUS_EACH_WAVE, "pre", knows=NO)
    survey.anonymous(ANONYMOUS_EACH_WAVE, "post", knows=AWARE)
    survey.load(warehouse, tmp_path)

    table = export_table(Filters(), STAFF, K, engine=warehouse)
    paired, unpaired = row_of(table, "knows_ess", "paired"), row_of(table, "knows_ess", "unpaired")
    figures = headline(Filters(), STAFF, K, engine=warehouse)

    hidden = matched < K
    assert paired["suppressed"] is hidden
    assert paired["n_matched"] == matched  # staff see the reason for the suppression
    assert all((paired[c] is None) is hidden for c in FIGURES)
    if not hidden:
        assert (paired["pre_pct"], paired["post_pct"], paired["diff_pp"]) == (0.0, 100.0, 100.0)
    assert unpaired["suppressed"] is False
    assert unpaired["n_pre"] == unpaired["n_post"] == matched + ANONYMOUS_EACH_WAVE
    assert figures["fallback_unpaired"] is hidden
    assert figures["analysis"] == ("unpaired" if hidden else "paired")
    if hidden:
        assert sentence(figures, "fr").startswith(
            "Trop peu d'étudiants ont répondu avant et après (moins de 5) pour une comparaison "
            "appariée\u202f; sur l'ensemble des réponses, 0\u202f% des 14 répondants")
        assert "for a paired comparison; across all responses, 0% of the 14" in sentence(
            figures, "en")


@pytest.mark.parametrize("matched", [K - 1, K])
def test_a_funder_sees_no_count_under_k_but_staff_do(warehouse, tmp_path, matched):
    survey = Survey()
    survey.matched(matched, pre={"knows": NO}, post={"knows": AWARE})
    survey.load(warehouse, tmp_path)

    staff = row_of(export_table(Filters(), STAFF, K, engine=warehouse), "knows_ess", "paired")
    funder = row_of(export_table(Filters(), FUNDER_ARA, K, engine=warehouse), "knows_ess",
                    "paired")

    assert staff["n_matched"] == staff["n_pre"] == matched
    shown = matched if matched >= K else None
    assert funder["n_matched"] == funder["n_pre"] == funder["n_post"] == shown
    assert funder["suppressed"] is staff["suppressed"] is (matched < K)


@pytest.mark.parametrize(("n_pre", "n_post"), [(K - 1, K + 3), (K + 3, K - 1), (K, K)])
def test_unpaired_figures_need_k_answers_in_each_wave(warehouse, tmp_path, n_pre, n_post):
    survey = Survey()
    survey.anonymous(n_pre, "pre", knows=NO)
    survey.anonymous(n_post, "post", knows=AWARE, satisfaction=5, recommend=10)
    survey.load(warehouse, tmp_path)

    table = export_table(Filters(), STAFF, K, engine=warehouse)
    unpaired = row_of(table, "knows_ess", "unpaired")
    satisfaction = row_of(table, "satisfaction", "unpaired")

    assert (unpaired["n_pre"], unpaired["n_post"]) == (n_pre, n_post)
    assert unpaired["suppressed"] is (min(n_pre, n_post) < K)
    assert all((unpaired[c] is None) is unpaired["suppressed"] for c in FIGURES)
    # post-only items: only the post wave matters
    assert satisfaction["suppressed"] is (n_post < K)
    assert (satisfaction["post_pct"] == 100.0) is (n_post >= K)
    assert satisfaction["pre_pct"] is None and satisfaction["diff_pp"] is None


def test_an_empty_selection_gives_blank_suppressed_rows_without_error(warehouse):
    table = export_table(Filters(), STAFF, K, engine=warehouse)

    assert list(zip(table["item"], table["analysis"])) == EXPORT_ORDER
    assert table["suppressed"].all()
    assert table[FIGURES].isna().all().all()
    assert (table["n_pre"] == 0).all() and (table["n_post"] == 0).all()
    figures = headline(Filters(), STAFF, K, engine=warehouse)
    assert figures["suppressed"] is True and figures["fallback_unpaired"] is True
    assert sentence(figures, "fr") == ("Trop peu de réponses (moins de 5 par vague) pour "
                                       "mesurer l'évolution de la connaissance de l'ESS.")
    assert likert_distribution(Filters(), STAFF, K, engine=warehouse)["suppressed"].all()
    assert breakdown("school", Filters(), STAFF, K, engine=warehouse).empty
    assert items_table(Filters(), STAFF, K, engine=warehouse)["suppressed"].all()


def test_everyone_aware_at_both_waves_is_no_change_with_p_one(warehouse, tmp_path):
    survey = Survey()
    survey.matched(K + 1, pre={"knows": AWARE}, post={"knows": AWARE})
    survey.load(warehouse, tmp_path)

    table = export_table(Filters(), STAFF, K, engine=warehouse)

    for analysis in ("paired", "unpaired"):
        row = row_of(table, "knows_ess", analysis)
        assert (row["pre_pct"], row["post_pct"], row["diff_pp"], row["p_value"]) == (
            100.0, 100.0, 0.0, 1.0)
        assert row["ci_low_pp"] < 0 < row["ci_high_pp"]


# --- who counts: latest answer, anonymous answers, filters -----------------------------------

def test_a_second_answer_in_the_same_wave_replaces_the_first(warehouse, tmp_path):
    # One student answers before the programme twice: aware on 1 October at 10:00, then "Non"
    # at 11:00. The later answer counts, once; she is matched once.
    survey = Survey()
    [student] = survey.people(1)
    survey.responses += [Response(student, "pre", knows=NO, minute=60),
                         Response(student, "pre", knows=AWARE, minute=0),
                         Response(student, "post", knows=AWARE)]
    survey.load(warehouse, tmp_path)

    paired = row_of(export_table(Filters(), STAFF, 1, engine=warehouse), "knows_ess", "paired")

    assert (paired["n_pre"], paired["n_post"], paired["n_matched"]) == (1, 1, 1)
    assert (paired["pre_pct"], paired["post_pct"]) == (0.0, 100.0)


# Two schools of Auvergne-Rhône-Alpes and one of Île-de-France, two editions; a pair belongs
# to the school (and region) of its pre answer.
SPREAD = {  # (school, edition) -> (matched people, anonymous pre, anonymous post)
    (LYON, E1): (6, 1, 0),
    (CENTRALE_LYON, E1): (7, 0, 2),
    (PARIS, E1): (8, 0, 0),
    (PARIS, E2): (9, 3, 0),
}
MOVED = 1  # matched at INSA Lyon in E1 whose post answer names CentraleSupélec


@pytest.fixture
def spread(warehouse, tmp_path):
    survey = Survey()
    for (school, edition), (matched, anonymous_pre, anonymous_post) in SPREAD.items():
        where = {"school": school, "edition": edition}
        survey.matched(matched, pre={"knows": NO}, post={"knows": AWARE}, **where)
        survey.anonymous(anonymous_pre, "pre", knows=NO, **where)
        survey.anonymous(anonymous_post, "post", knows=AWARE, **where)
    [moved] = survey.people(MOVED)
    survey.responses += [Response(moved, "pre", knows=NO, school=LYON, edition=E1),
                         Response(moved, "post", knows=NO, school=PARIS, edition=E1)]
    survey.load(warehouse, tmp_path)
    return warehouse


def _counts(engine, filters, scope=STAFF) -> tuple:
    row = row_of(export_table(filters, scope, K, engine=engine), "knows_ess", "unpaired")
    return row["n_pre"], row["n_post"], row["n_matched"]


@pytest.mark.parametrize(("filters", "expected"), [
    # (n_pre, n_post, n_matched)
    (Filters(), (6 + 1 + 7 + 8 + 9 + 3 + MOVED, 6 + 7 + 2 + 8 + 9 + MOVED, 6 + 7 + 8 + 9 + MOVED)),
    (Filters.of(schools=[LYON]), (6 + 1 + MOVED, 6, 6 + MOVED)),
    (Filters.of(schools=[PARIS]), (8 + 9 + 3, 8 + 9 + MOVED, 8 + 9)),
    (Filters.of(regions=[ARA]), (6 + 1 + 7 + MOVED, 6 + 7 + 2, 6 + 7 + MOVED)),
    (Filters.of(editions=[E2]), (9 + 3, 9, 9)),
    (Filters.of(editions=[E1], regions=[IDF]), (8, 8 + MOVED, 8)),
])
def test_filters_select_by_edition_school_and_region(spread, filters, expected):
    assert _counts(spread, filters) == expected


def test_the_scope_narrows_the_filters(spread):
    # A funder of Île-de-France asking for Auvergne-Rhône-Alpes gets nothing; asking for
    # everything gets its region only.
    funder_idf = Scope(role="funder", regions=(IDF,))

    assert _counts(spread, Filters.of(regions=[ARA]), funder_idf) == (0, 0, 0)
    assert _counts(spread, Filters(), funder_idf) == _counts(spread, Filters.of(regions=[IDF]))


# --- breakdown --------------------------------------------------------------------------------

def test_breakdown_by_school_sorts_by_change_and_hides_small_groups(warehouse, tmp_path):
    # Paired change per school: INSA Lyon 8 people, 6 become aware (+75 points); Centrale Lyon
    # 6 people, 3 become aware (+50); CentraleSupélec 2 people (under K: hidden). With the
    # total of 16 shown, hiding CentraleSupélec alone would let 16 - 8 - 6 = 2 be read back:
    # the smallest other group (Centrale Lyon) is hidden too.
    survey = Survey()
    survey.matched(6, pre={"knows": NO}, post={"knows": AWARE}, school=LYON)
    survey.matched(2, pre={"knows": NO}, post={"knows": NO}, school=LYON)
    survey.matched(3, pre={"knows": NO}, post={"knows": AWARE}, school=CENTRALE_LYON)
    survey.matched(3, pre={"knows": NO}, post={"knows": NO}, school=CENTRALE_LYON)
    survey.matched(2, pre={"knows": NO}, post={"knows": AWARE}, school=PARIS)
    survey.load(warehouse, tmp_path)

    by_school = breakdown("school", Filters(), STAFF, K, engine=warehouse)

    assert list(by_school.columns) == ["group", "label", "n_matched", "pre_pct", "post_pct",
                                       "diff_pp", "ci_low_pp", "ci_high_pp", "fragile",
                                       "suppressed"]
    assert list(by_school["group"]) == [LYON, CENTRALE_LYON, PARIS]
    lyon = by_school.iloc[0]
    assert (lyon["label"], lyon["n_matched"], lyon["diff_pp"]) == ("INSA Lyon", 8, 75.0)
    assert lyon["fragile"] is True and not lyon["suppressed"]
    assert list(by_school["suppressed"]) == [False, True, True]
    assert by_school.iloc[1:][["n_matched", "diff_pp", "ci_low_pp"]].isna().all().all()

    # By region: Île-de-France's 2 people are hidden, and so is Auvergne-Rhône-Alpes, which
    # the total of 16 would otherwise turn into 2.
    by_region = breakdown("region", Filters(), STAFF, K, engine=warehouse)
    assert list(by_region["group"]) == [IDF, ARA]
    assert by_region["suppressed"].all() and by_region["n_matched"].isna().all()
    assert list(by_region["label"]) == ["Île-de-France", "Auvergne-Rhône-Alpes"]
    assert list(breakdown("edition", Filters(), STAFF, K, engine=warehouse)["group"]) == [E1]


@pytest.mark.parametrize(("counts", "hidden"), [
    ({"a": 20, "b": 10, "c": 3}, {"c", "b"}),          # one small cell: the next smallest too
    ({"a": 20, "b": 10, "c": 1, "d": 2}, {"c", "d", "b"}),  # 1 + 2 < K: one more
    ({"a": 20, "b": 10, "c": 3, "d": 4}, {"c", "d"}),  # 3 + 4 >= K: enough
    ({"a": 20, "b": 10}, set()),
    ({"a": 2, "b": 1}, {"a", "b"}),                    # the total is itself under K
])
def test_hidden_groups_never_leave_fewer_than_k_people_to_subtract(counts, hidden):
    assert hidden_groups(counts, K) == hidden


# --- Likert distributions and the items table ------------------------------------------------

def test_likert_distribution_counts_each_answer_and_hides_a_small_wave(warehouse, tmp_path):
    # After: 2 answer 5, 3 answer 4, 1 answers 2 (n = 6). Before: only 3 answered (< K).
    survey = Survey()
    survey.identified(2, "post", likert=5, satisfaction=5)
    survey.identified(3, "post", likert=4, satisfaction=4)
    survey.identified(1, "post", likert=2, satisfaction=1)
    survey.identified(3, "pre", likert=3)
    survey.load(warehouse, tmp_path)

    bars = likert_distribution(Filters(), STAFF, K, engine=warehouse)
    after = bars[(bars["item"] == "wants_useful") & (bars["wave"] == "post")]
    before = bars[(bars["item"] == "wants_useful") & (bars["wave"] == "pre")]

    assert list(bars.columns) == ["item", "wave", "answer", "count", "share", "n", "suppressed"]
    assert list(after["answer"]) == [1, 2, 3, 4, 5]
    assert list(after["count"]) == [0, 1, 0, 3, 2]
    assert list(after["share"]) == pytest.approx([0, 1 / 6, 0, 3 / 6, 2 / 6])
    assert not after["suppressed"].any()
    assert before["suppressed"].all() and before["count"].isna().all()
    assert list(before["n"]) == [3] * 5
    satisfaction = bars[bars["item"] == "satisfaction"]
    assert set(satisfaction["wave"]) == {"post"}
    assert list(satisfaction["count"]) == [1, 0, 0, 3, 2]


# Matched people: (Likert answer before, after, recommend score after).
LIKERT_AND_SCORES = [(2, 4, 10), (2, 4, 10), (2, 4, 9), (3, 4, 7), (3, 4, 8), (5, 5, 6)]
MEAN_CHANGE = (2 + 2 + 2 + 1 + 1 + 0) / 6                    # 4/3 of an answer point
PROMOTERS, DETRACTORS = 3, 1                                  # 9-10 and 0-6; 7-8 are passive


def test_items_table_adds_labels_fragility_mean_change_and_nps(warehouse, tmp_path):
    survey = Survey()
    for before, after, score in LIKERT_AND_SCORES:
        survey.matched(1, pre={"likert": before}, post={"likert": after, "recommend": score})
    survey.load(warehouse, tmp_path)
    n = len(LIKERT_AND_SCORES)

    table = items_table(Filters(), STAFF, K, engine=warehouse)
    useful = row_of(table, "wants_useful", "paired")
    recommend = row_of(table, "recommend", "unpaired")

    assert list(table.columns[:len(EXPORT_COLUMNS)]) == EXPORT_COLUMNS
    assert useful["label_fr"].startswith("Veut que son travail soit utile")
    assert useful["label_en"].startswith("Wants their work to be useful")
    assert useful["pre_pct"] == pytest.approx(100 / n) and useful["post_pct"] == 100.0
    assert useful["post_ci_low_pct"] < useful["post_pct"] <= useful["post_ci_high_pct"]
    assert useful["fragile"] is True  # 6 people
    assert useful["mean_change"] == pytest.approx(MEAN_CHANGE)
    _, low, high = stats.mean_paired_change([b for b, _, _ in LIKERT_AND_SCORES],
                                            [a for _, a, _ in LIKERT_AND_SCORES])
    assert (useful["mean_change_ci_low"], useful["mean_change_ci_high"]) == pytest.approx(
        (low, high))
    assert row_of(table, "wants_useful", "unpaired")["mean_change"] is None
    assert recommend["post_pct"] == pytest.approx(100 * PROMOTERS / n)
    assert recommend["nps"] == pytest.approx(100 * (PROMOTERS - DETRACTORS) / n)
    assert recommend["nps"] == pytest.approx(
        100 * stats.nps([score for _, _, score in LIKERT_AND_SCORES])[1])


# --- exports, snapshots and fresh figures ----------------------------------------------------

def test_the_csv_export_has_exactly_the_contract_header(main, tmp_path):
    table = export_table(Filters(), STAFF, K, engine=main)
    meta = ExportMeta(figure="awareness", filters={}, k=K, as_of=None)
    path = tmp_path / "awareness.csv"

    write(table, meta, "csv", path)

    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ("item,analysis,n_pre,n_post,n_matched,pre_pct,post_pct,diff_pp,"
                        "ci_low_pp,ci_high_pp,p_value,suppressed")
    assert len(lines) == 1 + len(EXPORT_ORDER)
    # 4 of the 12 matched knew the ESS before, 9 after: full precision, dot decimal.
    assert lines[1].startswith(f"knows_ess,paired,{N_PRE},{N_POST},{N_MATCHED},"
                               f"{repr(100 * 4 / 12)},75,")
    assert lines[1].endswith(",0.125,false")
    assert lines[-1] == "recommend,unpaired,0,0,,,,,,,,true"


def test_a_snapshot_keeps_the_published_figures_when_the_data_change(main, tmp_path):
    published = json.loads(json.dumps(snapshot_figures(Filters(), STAFF, K, engine=main)))
    before = {"export": export_table(Filters(), STAFF, K, engine=main),
              "items": items_table(Filters(), STAFF, K, engine=main),
              "likert": likert_distribution(Filters(), STAFF, K, engine=main),
              "school": breakdown("school", Filters(), STAFF, K, engine=main),
              "headline": headline(Filters(), STAFF, K, engine=main)}

    more = Survey(first_person=1000)  # new people
    more.matched(4, pre={"knows": NO}, post={"knows": AWARE})
    more.load(main, tmp_path, "more.csv")

    live = export_table(Filters(), STAFF, K, engine=main)
    assert row_of(live, "knows_ess", "paired")["n_matched"] == N_MATCHED + 4
    frozen = {"export": export_table(Filters(), STAFF, K, engine=main, snapshot=published),
              "items": items_table(Filters(), STAFF, K, engine=main, snapshot=published),
              "likert": likert_distribution(Filters(), STAFF, K, engine=main,
                                            snapshot=published),
              "school": breakdown("school", Filters(), STAFF, K, engine=main,
                                  snapshot=published)}
    for name, frame in frozen.items():
        pd.testing.assert_frame_equal(frame, before[name], obj=name)
    assert headline(Filters(), STAFF, K, snapshot=published) == before["headline"]
    with pytest.raises(KeyError, match="'awareness'"):
        export_table(Filters(), STAFF, K, snapshot={"headline": {}})


def test_figures_follow_an_erasure_and_rows_written_by_hand(main):
    forget("student0@example.org")  # one of the BOTH people (aware before and after)

    paired = row_of(export_table(Filters(), STAFF, K, engine=main), "knows_ess", "paired")
    assert paired["n_matched"] == N_MATCHED - 1
    assert paired["pre_pct"] == pytest.approx(100 * (BOTH - 1 + PRE_ONLY) / (N_MATCHED - 1))

    with main.begin() as conn:
        next_id = conn.execute(select(func.max(mart_response.c.response_id))).scalar() + 1
        conn.execute(insert(mart_response).values(
            response_id=next_id, pseudonym=None, edition=E1, wave="post", school_id=LYON,
            region_code=ARA, knows_ess=AWARE))
        conn.execute(insert(mart_pair).values(
            pseudonym="hand-written", edition=E1, school_id=LYON, region_code=ARA,
            pre_knows_ess=AWARE, post_knows_ess=AWARE))
    table = export_table(Filters(), STAFF, K, engine=main)
    assert row_of(table, "knows_ess", "unpaired")["n_post"] == N_POST - 1 + 1
    assert row_of(table, "knows_ess", "paired")["n_matched"] == N_MATCHED


def test_impact_export_awareness_writes_the_contract_table(main):
    from click.testing import CliRunner

    from impact.cli import cli

    result = CliRunner().invoke(cli, ["export", "awareness", "--school", LYON])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == ",".join(EXPORT_COLUMNS)
    assert lines[1].startswith(f"knows_ess,paired,{N_PRE},{N_POST},{N_MATCHED},")
    assert [line.split(",")[:2] for line in lines[1:]] == [list(key) for key in EXPORT_ORDER]


def test_xlsx_marks_hidden_cells_but_not_cells_that_do_not_apply(main):
    table = export_table(Filters(), FUNDER_ARA, K, engine=main)
    mask = table.attrs["suppressed_mask"]
    satisfaction = table.index[table["item"] == "satisfaction"][0]
    knows_paired = table.index[(table["item"] == "knows_ess")
                               & (table["analysis"] == "paired")][0]

    # satisfaction: nobody answered, so its post share is hidden ("< 5"); it has no pre share
    assert mask.loc[satisfaction, "post_pct"] and not mask.loc[satisfaction, "pre_pct"]
    assert not mask.loc[satisfaction, "n_matched"]
    # knows_ess: 12 matched people are shown to a funder
    assert not mask.loc[knows_paired].any()
