"""Derived tables the dashboard reads, rebuilt for the editions a load touched.

Staging (survey_response + survey_answer, long) -> mart_response (one row per response, one
column per item) -> mart_pair (identified respondents with both waves in one edition). Each step
is set-based (a statement or two), run inside the load's transaction, so readers never see a
half refresh. A load hands over the answers it has just written, still wide, so that they are
not pivoted back out of survey_answer (bench/README.md: a national edition's refresh).
"""

from __future__ import annotations

from sqlalchemy import Table, bindparam, delete, select, text
from sqlalchemy.engine import Connection

from etl.schema import mart_pair, mart_response, survey_response

WIDE_ITEMS = ("knows_ess", "ess_structures_known", "wants_useful", "tech_for_good",
              "consider_ess_career", "intends_volunteer", "satisfaction", "recommend")
PAIRED_ITEMS = WIDE_ITEMS[:6]


def _editions_param(statement):
    return statement.bindparams(bindparam("editions", expanding=True))


def build_mart_response(conn: Connection, editions: list[str],
                        fresh_answers: Table | None = None) -> None:
    """`fresh_answers`: a load's answers as it has just written them, wide (response_id, one
    column per item); those responses' rows are read from it rather than pivoted back out of
    survey_answer (the same values, without reading them again)."""
    conn.execute(delete(mart_response).where(mart_response.c.edition.in_(editions)))
    others = ""
    if fresh_answers is not None:
        values = [f"f.{item}" if item in fresh_answers.c else "NULL" for item in WIDE_ITEMS]
        _insert_mart_rows(conn, editions, f"JOIN {fresh_answers.name} f "
                                          f"ON f.response_id = r.response_id", values)
        others = f"AND r.response_id NOT IN (SELECT response_id FROM {fresh_answers.name})"
    answers, values = (_answers_pivoted(others) if conn.dialect.name == "postgresql"
                       else _answers_looked_up())
    _insert_mart_rows(conn, editions, answers, values, others)


def _insert_mart_rows(conn: Connection, editions: list[str], answers: str, values: list[str],
                      others: str = "") -> None:
    conn.execute(_editions_param(text(f"""
        INSERT INTO mart_response (response_id, pseudonym, edition, wave, school_id, region_code,
                                   {', '.join(WIDE_ITEMS)})
        SELECT r.response_id, r.pseudonym, r.edition, r.wave, r.school_id, s.region_code,
               {', '.join(values)}
        FROM survey_response r
        JOIN school s ON s.school_id = r.school_id
        {answers}
        WHERE r.edition IN :editions {others}
    """)), {"editions": editions})


def _answers_looked_up() -> tuple[str, list[str]]:
    """SQLite: one primary-key look-up per item (response_id, item) is cheaper than grouping
    the joined answers (0.8 s against 1.3 s for a national edition)."""
    joins = "\n".join(f"LEFT JOIN survey_answer a{i} ON a{i}.response_id = r.response_id "
                      f"AND a{i}.item = '{item}'" for i, item in enumerate(WIDE_ITEMS))
    return joins, [f"a{i}.value" for i in range(len(WIDE_ITEMS))]


def _answers_pivoted(others: str) -> tuple[str, list[str]]:
    """PostgreSQL: the edition's answers pivoted on their own, narrow rows grouped by response;
    grouping the joined wide rows sorted a million of them, and look-ups per item run a
    nested loop of 800,000 index scans."""
    pivots = ",\n".join(f"MAX(CASE WHEN a.item = '{item}' THEN a.value END) AS {item}"
                        for item in WIDE_ITEMS)
    return f"""LEFT JOIN (
            SELECT a.response_id, {pivots}
            FROM survey_answer a
            JOIN survey_response r ON r.response_id = a.response_id
            WHERE r.edition IN :editions {others}
            GROUP BY a.response_id
        ) p ON p.response_id = r.response_id""", [f"p.{item}" for item in WIDE_ITEMS]


def build_mart_pair(conn: Connection, editions: list[str]) -> None:
    conn.execute(delete(mart_pair).where(mart_pair.c.edition.in_(editions)))
    columns = [f"{wave}_{item}" for item in PAIRED_ITEMS for wave in ("pre", "post")]
    values = [f"{wave}.{item}" for item in PAIRED_ITEMS for wave in ("pre", "post")]
    conn.execute(_editions_param(text(f"""
        INSERT INTO mart_pair (pseudonym, edition, school_id, region_code, {', '.join(columns)})
        SELECT pre.pseudonym, pre.edition, pre.school_id, pre.region_code, {', '.join(values)}
        FROM mart_response pre
        JOIN mart_response post
          ON post.pseudonym = pre.pseudonym AND post.edition = pre.edition AND post.wave = 'post'
        WHERE pre.wave = 'pre' AND pre.pseudonym IS NOT NULL AND pre.edition IN :editions
    """)), {"editions": editions})


# PostgreSQL sorts a national edition's answers (about 100 MB) in memory rather than on disk;
# SET LOCAL ends with the load's transaction.
POSTGRES_MART_WORK_MEM = "256MB"


def refresh(conn: Connection, editions, fresh_answers: Table | None = None) -> None:
    editions = sorted({e for e in editions if e})
    if not editions:
        return
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"SET LOCAL work_mem = '{POSTGRES_MART_WORK_MEM}'"))
    build_mart_response(conn, editions, fresh_answers)
    build_mart_pair(conn, editions)


def refresh_all(conn: Connection) -> None:
    refresh(conn, list(conn.scalars(select(survey_response.c.edition).distinct())))
