"""No hidden figure comes back by subtraction (docs/disclosure.md), on SQLite and PostgreSQL.

A small programme is loaded through the real ETL: two editions, two regions, five schools, some
with fewer than K respondents, projects with few students. The two attacks of the issue are
replayed and fail. Then every selection a funder may make is computed once through the public
query functions (overview, awareness export, headline, distributions and breakdowns, outcomes
export and headline figures), and for each family of figures the cells of the selections that
show it are checked: every class of cells that belong to exactly the same shown selections (an
"atom") holds at least K people of the family's population, counted here from the rows written
below. Any linear combination of shown figures is a combination of atoms, so none isolates
fewer than K people.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections import defaultdict

import pandas as pd
import pytest
from flask import Flask

from dashboard.queries import awareness, outcomes, overview
from dashboard.queries.base import STAFF, Filters, Scope
from dashboard.queries.disclosure import HIDDEN, partitions, units_of
from etl.load import load_paths
from tests.test_awareness import AWARE, NO, Survey

K = 5
E1, E2 = "2024-2025", "2025-2026"
ARA, IDF = "84", "11"
INSA, CENTRALE, ENSIMAG, CPE = "insa-lyon", "centrale-lyon", "ensimag", "cpe-lyon"
SUPELEC = "centralesupelec"
REGION_OF_SCHOOL = {INSA: ARA, CENTRALE: ARA, ENSIMAG: ARA, CPE: ARA, SUPELEC: IDF}
SCHOOLS = tuple(REGION_OF_SCHOOL)

# Respondents per (edition, school): matched (answered before and after), of whom `aware`
# knew the ESS precisely before; lost (answered before only, not aware). Everyone answers every
# item; after, everyone knows the ESS.
SURVEY = {  # (edition, school): (matched, aware before, lost)
    (E1, INSA): (10, 8, 5),
    (E1, CENTRALE): (12, 6, 0),
    (E1, ENSIMAG): (6, 4, 0),
    (E1, CPE): (3, 1, 0),         # the school shown "< 5": 1 of its 3 knew the ESS
    (E1, SUPELEC): (7, 3, 0),
    (E2, INSA): (8, 4, 0),
    (E2, CPE): (2, 1, 0),
    (E2, SUPELEC): (3, 1, 0),     # 2025-2026 in Île-de-France: 3 people in all
}
# Projects, one organisation each: (project, school, edition, organisation's region, students,
# end satisfaction, six-month answer)
PROJECTS = [
    ("P1", INSA, E1, ARA, 10, 5, "oui"),
    ("P2", CENTRALE, E1, ARA, 6, 4, "oui"),
    ("P3", ENSIMAG, E1, ARA, 5, 3, "non"),
    ("P4", CPE, E1, ARA, 3, 4, None),      # 3 students: shown "< 5"
    ("P5", SUPELEC, E1, IDF, 7, 2, "oui"),
    ("P6", INSA, E2, ARA, 4, 5, "partiellement"),
    ("P7", CPE, E2, ARA, 2, 4, None),
    ("P8", SUPELEC, E2, IDF, 3, None, "oui"),
]
FUNDER = Scope(role="funder", regions=(ARA,), editions=(E1,))
NATIONAL_FUNDER = Scope(role="funder")


def _survey() -> Survey:
    survey = Survey()
    before, after = dict(kinds=1, likert=3), dict(kinds=3, likert=4, satisfaction=4,
                                                  recommend=9)
    for (edition, school), (matched, aware, lost) in SURVEY.items():
        where = dict(school=school, edition=edition)
        survey.matched(aware, pre={"knows": AWARE, **before}, post={"knows": AWARE, **after},
                       **where)
        survey.matched(matched - aware, pre={"knows": NO, **before},
                       post={"knows": AWARE, **after}, **where)
        survey.identified(lost, "pre", knows=NO, **before, **where)
    return survey


def _project_files() -> dict[str, str]:
    organisations = ["org_id,name,legal_form,cause,city,region_code"] + [
        f"O{pid},Partenaire {pid},association,education,Ville,{region}"
        for pid, _, _, region, *_ in PROJECTS]
    projects = ["project_id,title,org_id,school_id,edition,tech_type,status,students_count,"
                "mentors_count,start_date,end_date"] + [
        f"{pid},Projet {pid},O{pid},{school},{edition},web_app,delivered,{students},1,,"
        for pid, school, edition, _, students, *_ in PROJECTS]
    answers = ["project_id,wave,delivered,in_use,satisfaction,mission_impact,"
               "beneficiaries_reached,would_apply_again"]
    for pid, *_, satisfaction, in_use in PROJECTS:
        if satisfaction is not None:
            answers.append(f"{pid},end,oui,,{satisfaction},4,,oui")
        if in_use is not None:
            answers.append(f"{pid},six_months,oui,{in_use},,,10,oui")
    return {"organisations.csv": organisations, "projects.csv": projects,
            "org_survey.csv": answers}


@pytest.fixture
def programme(warehouse, tmp_path):
    _survey().load(warehouse, tmp_path)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, lines in _project_files().items():
        (inbox / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    reports = load_paths([inbox], engine=warehouse)
    assert [(r.file, r.status) for r in reports if not r.ok] == []
    assert all(r.rows_rejected == 0 for r in reports), [r.reasons for r in reports]
    return warehouse


# ---- the populations, from the rows above ---------------------------------------------------

def _survey_populations() -> dict[str, dict[tuple, int]]:
    """Per family, the people of each cell (edition, school, region)."""
    families = defaultdict(dict)
    for (edition, school), (matched, _, lost) in SURVEY.items():
        cell = (edition, school, REGION_OF_SCHOOL[school])
        families["pre"][cell] = matched + lost
        families["post"][cell] = families["pairs"][cell] = matched
        families["lost"][cell] = lost
    return families


def _project_populations() -> dict[str, dict[tuple, frozenset | int]]:
    families = defaultdict(lambda: defaultdict(frozenset))
    students = defaultdict(int)
    for pid, school, edition, region, count, satisfaction, in_use in PROJECTS:
        cell = (edition, school, region)
        students[cell] += count
        if satisfaction is not None:
            families["satisfaction"][cell] |= {pid}
        if in_use is not None:
            families["in_use"][cell] |= {pid}
            families["beneficiaries"][cell] |= {pid}
    return {"students": dict(students), **{name: dict(cells) for name, cells in families.items()}}


def _people(values) -> int:
    values = list(values)
    if values and isinstance(values[0], frozenset):
        return len(frozenset().union(*values))
    return sum(values)


def _cells(scope: Scope, chosen: Filters, population: dict, within: tuple = ()) -> frozenset:
    """The cells with people that a selection (filters within the scope) holds; `within`:
    (position in the cell, value), a breakdown row's group."""
    def keeps(allowed, values, value):
        return (not allowed or value in allowed) and (not values or value in values)

    return frozenset(
        cell for cell, people in population.items() if _people([people]) > 0
        and keeps(scope.editions, chosen.editions, cell[0])
        and keeps(scope.schools, chosen.schools, cell[1])
        and keeps(scope.regions, chosen.regions, cell[2])
        and (not within or cell[within[0]] == within[1]))


# ---- the attacks of the issue ----------------------------------------------------------------

ALL_BUT_CPE = [INSA, CENTRALE, ENSIMAG]


def test_the_overview_no_longer_gives_a_hidden_school_by_subtraction(programme):
    whole = overview.headline(Filters(), FUNDER, K, engine=programme)
    pre_e1_84 = [SURVEY[(E1, s)] for s in (INSA, CENTRALE, ENSIMAG, CPE)]
    n = sum(matched + lost for matched, _, lost in pre_e1_84)                 # 36
    aware = sum(aware for _, aware, _ in pre_e1_84)                            # 19
    assert (whole["n_pre"], whole["share_pre"]) == (n, pytest.approx(aware / n))  # 53 %

    but_one = overview.headline(Filters.of(schools=ALL_BUT_CPE), FUNDER, K, engine=programme)
    cpe_matched, cpe_aware, _ = SURVEY[(E1, CPE)]
    # Before: 55 % of 33, so 19 - 18 = 1 of CPE Lyon's 3 knew the ESS. Now the count stays
    # (a number of respondents), the share does not: the selection cuts CPE Lyon's unit.
    assert but_one["n_pre"] == n - cpe_matched
    assert but_one["share_pre"] is None and "share_pre" in but_one["suppressed"]
    alone = overview.headline(Filters.of(schools=[CPE]), FUNDER, K, engine=programme)
    assert alone["share_pre"] is None and alone["n_pre"] is None                 # 3 < K
    assert cpe_aware == 1


def test_the_awareness_export_hides_the_same_selection_for_every_role(programme):
    # `impact export awareness` runs with the staff scope: the rule holds for staff too.
    chosen = Filters.of(editions=[E1], regions=[ARA], schools=ALL_BUT_CPE)
    for scope in (FUNDER, STAFF):
        table = awareness.export_table(chosen, scope, K, engine=programme)
        assert table["suppressed"].all(), scope.role
        assert table[awareness.FIGURE_COLUMNS].isna().all().all()
    staff = awareness.export_table(chosen, STAFF, K, engine=programme)
    assert staff.loc[staff["item"] == "knows_ess", "n_pre"].tolist() == [33, 33]


def test_the_outcomes_export_no_longer_gives_students_by_subtraction(programme):
    def students(schools=()):
        table = outcomes.export_table(Filters.of(schools=schools), FUNDER, K, engine=programme)
        value = table.set_index("region_code").loc[ARA, "students"]
        return None if value is pd.NA else int(value)

    e1_84 = [count for _, _, edition, region, count, *_ in PROJECTS
             if (edition, region) == (E1, ARA)]
    assert students() == sum(e1_84) == 24
    assert students(ALL_BUT_CPE) is None           # was 21: 24 - 21 gave CPE Lyon's 3
    assert students([CPE]) is None
    kpis = outcomes.outcomes_kpis(Filters.of(schools=ALL_BUT_CPE), FUNDER, K, engine=programme)
    assert kpis["students"] is None and "students" in kpis["suppressed"]


def test_a_school_that_is_its_own_unit_is_still_shown(programme):
    insa = overview.headline(Filters.of(schools=[INSA]), FUNDER, K, engine=programme)
    matched, aware, lost = SURVEY[(E1, INSA)]
    assert insa["share_pre"] == pytest.approx(aware / (matched + lost))
    table = outcomes.export_table(Filters.of(schools=[INSA]), FUNDER, K, engine=programme)
    assert table.set_index("region_code").loc[ARA, "students"] == 10   # P1


def test_units_follow_the_rule_of_the_documentation():
    units = units_of(_survey_populations()["pre"], K)
    # 2024-2025, 84: INSA (15), Centrale (12), Ensimag (6) are their own units; CPE (3) is
    # pooled alone, under K, so it joins the smallest: Ensimag.
    assert units[(E1, CPE, ARA)] == units[(E1, ENSIMAG, ARA)] != units[(E1, INSA, ARA)]
    # 2025-2026: 84 holds INSA (9) and CPE (2), pooled into INSA's; 11 holds 3 people in all,
    # so it joins the edition's smallest unit: 84's.
    assert units[(E2, CPE, ARA)] == units[(E2, INSA, ARA)] == units[(E2, SUPELEC, IDF)]
    assert units_of({(E1, CPE, ARA): 3}, K) == {(E1, CPE, ARA): HIDDEN}


def test_a_breakdown_row_is_whole_exactly_when_its_selection_is():
    population = _survey_populations()["pre"]
    [partition] = partitions(list(population), {"pre": list(population.values())}, K).values()
    for chosen in _selections(NATIONAL_FUNDER):
        for key, field in (("edition", "editions"), ("school_id", "schools"),
                           ("region_code", "regions")):
            for value, whole in partition.whole_by(chosen, key).items():
                row = dataclasses.replace(chosen, **{field: (value,)})
                assert whole is partition.whole(row), (chosen, key, value)


# ---- every selection a funder may make ------------------------------------------------------

def _subsets(values):
    return [combo for size in range(len(values) + 1)
            for combo in itertools.combinations(values, size)]


def _selections(scope: Scope):
    editions = scope.editions or (E1, E2)
    regions = scope.regions or (ARA, IDF)
    schools = [s for s in SCHOOLS if not scope.regions or REGION_OF_SCHOOL[s] in scope.regions]
    for chosen in itertools.product(_subsets(editions), _subsets(schools), _subsets(regions)):
        yield Filters.of(*chosen)


def _shown(value) -> bool:
    return not (value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)))


def _shown_selections(engine, scope: Scope) -> dict[str, list[frozenset]]:
    """Per family, the cell sets of the selections whose figures of that family are shown,
    each selection computed once through the public query functions."""
    survey, projects = _survey_populations(), _project_populations()
    shown = defaultdict(set)
    # One request, as a page's callbacks are: the warehouse version is read once.
    with Flask(__name__).test_request_context():
        for chosen in _selections(scope):
            _add_shown(engine, scope, chosen, survey, projects, shown)
    return {family: sorted(sets, key=sorted) for family, sets in shown.items()}


OUTCOME_FIGURES = (("students", "students"), ("in_use", "in_use_rate_pct"),
                   ("satisfaction", "mean_satisfaction"),
                   ("beneficiaries", "beneficiaries_reached"))  # family, its figure


def _add_shown(engine, scope, chosen, survey, projects, shown) -> None:
    def add(family, within=()):
        cells = _cells(scope, chosen, survey.get(family) or projects[family], within)
        if cells:
            shown[family].add(cells)

    figures = overview.headline(chosen, scope, K, engine=engine)
    for wave in ("pre", "post"):
        if _shown(figures[f"share_{wave}"]):
            add(wave)
    for row in awareness.export_table(chosen, scope, K, engine=engine).to_dict("records"):
        if not row["suppressed"]:
            paired = row["analysis"] == "paired"
            for family in (("pairs",) if paired else ("pre", "post")
                           if row["item"] in awareness.PAIRED_ITEMS else ("post",)):
                add(family)
    lead = awareness.headline(chosen, scope, K, engine=engine)
    if not lead["paired"]["suppressed"] or lead["attrition"]["completers_pre_pct"] is not None:
        add("pairs")
    if not lead["unpaired"]["suppressed"]:
        add("pre"), add("post")
    if lead["attrition"]["lost_pre_pct"] is not None:
        add("lost")
    for row in awareness.likert_distribution(chosen, scope, K, engine=engine).to_dict("records"):
        if not row["suppressed"]:
            add(row["wave"])
    for dimension, position in (("edition", 0), ("school", 1), ("region", 2)):
        rows = awareness.breakdown(dimension, chosen, scope, K, engine=engine)
        for group in rows.loc[~rows["suppressed"], "group"]:
            add("pairs", (position, group))
    for row in outcomes.export_table(chosen, scope, K, engine=engine).to_dict("records"):
        for family, column in OUTCOME_FIGURES:
            if _shown(row[column]):
                add(family, (2, row["region_code"]))
    kpis = outcomes.outcomes_kpis(chosen, scope, K, engine=engine)
    for family, name in OUTCOME_FIGURES:
        if _shown(kpis[name]):
            add(family)


def _atoms(shown: list[frozenset]) -> dict[tuple, list]:
    """Cells grouped by the shown selections they belong to (cells in none left out)."""
    atoms = defaultdict(list)
    for cell in frozenset().union(*shown):
        atoms[tuple(cell in cells for cells in shown)].append(cell)
    return atoms


@pytest.mark.parametrize("scope", [FUNDER, NATIONAL_FUNDER], ids=["funder-84-2024", "national"])
def test_no_combination_of_shown_figures_isolates_fewer_than_k_people(programme, scope):
    populations = {**_survey_populations(), **_project_populations()}
    shown = _shown_selections(programme, scope)
    # The check has something to check: whole selections do show figures of every family
    # (2024-2025's satisfaction answers in 84 come from 4 organisations: their unit takes in
    # P5's, in 11, so only the national funder sees them).
    assert {"pre", "post", "pairs", "lost", "students"} <= set(shown)
    assert ("satisfaction" in shown) is (scope == NATIONAL_FUNDER)
    for family, selections in shown.items():
        population = populations[family]
        for atom in _atoms(selections).values():
            people = _people(population[cell] for cell in atom)
            assert people >= K, (family, sorted(atom), people)
        # Directly: a shown selection inside another differs from it by 0 or at least K.
        for inner, outer in itertools.permutations(selections, 2):
            if inner < outer:
                people = _people(population[cell] for cell in outer - inner)
                assert people >= K, (family, sorted(outer - inner), people)
