"""Every item of the questionnaire: the dot-and-interval chart and the compact table, the
Likert distributions, the items asked after the programme only.
"""

from __future__ import annotations

import pandas as pd
from dash import html

from dashboard import ids
from dashboard.components.kpi import suppressed_text
from dashboard.components.table_toggle import data_table
from dashboard.figures import AFTER_COLOUR, PALETTE
from dashboard.i18n import MISSING, NNBSP, fmt_decimal, fmt_pct, fmt_points, t
from dashboard.pages.awareness.base import (
    NAVY, card_with_definition, change_text, colon, definition, fragile_mark, frame_records,
    hidden_or, interval_text, item_label, item_row, missing, p_text, people_text, question,
    share_with_interval, signed)
from dashboard.pages.awareness.charts import (
    bar_figure, dot_interval_figure, dot_row, likert_figure, wave_hover)
from dashboard.pages.awareness.headline import ANALYSES
from dashboard.queries.awareness.items import (
    LIKERT_ANSWERS, LIKERT_ITEMS, LIKERT_LABELS, PAIRED_ITEMS, POST_ONLY_ITEMS, WAVES)


# ---- every item: dot-and-interval chart and the compact table -------------------------------

def items_card(rows: dict, analysis: str, lang: str, k: int) -> html.Section:
    from dashboard.queries.awareness import NATIONAL_BASELINE_PCT

    dots, references, lines = [], {}, []
    for index, item in enumerate(PAIRED_ITEMS):
        row, label = item_row(rows, item, analysis), item_label(item, lang, short=True)
        dots.append(dot_row(row, label, k, lang))
        if item in NATIONAL_BASELINE_PCT:
            references[index] = NATIONAL_BASELINE_PCT[item]
        lines.append(t("awareness.items.line_hidden", lang, item=label, k=k)
                     if row.get("suppressed") else
                     t("awareness.items.line", lang, item=label,
                       pre=fmt_pct(row.get("pre_pct"), lang),
                       post=fmt_pct(row.get("post_pct"), lang),
                       change=fmt_points(row.get("diff_pp"), lang)))
    figure = dot_interval_figure(dots, lang, k, references=references)
    table = pd.DataFrame([_item_table_row(item_row(rows, item, a), lang, k)
                          for item in PAIRED_ITEMS for a in ANALYSES])
    wording = [html.Li(f"{item_label(i, lang, short=True)}{colon(lang)}{_quoted(question(i, lang), lang)}")
               for i in PAIRED_ITEMS]
    return card_with_definition(ids.AWARENESS_ITEMS_GRAPH, figure, lang,
                 title=t("awareness.items.title", lang),
                 summary=t("awareness.items.summary", lang,
                           analysis=t(f"awareness.analysis.{analysis}.adj", lang),
                           lines=_list_separator(lang).join(lines)),
                 table=table, note=t("awareness.fragile.rule", lang),
                 definition=definition(lang, [
                     ("question", html.Ul(wording, className="mb-0 ps-3")),
                     ("counted", t("awareness.def.items.counted", lang)),
                     ("population", t("awareness.def.population.paired", lang)),
                     ("method", t("awareness.def.method.paired", lang)),
                     ("caveats", t("awareness.def.caveats.general", lang, k=k))]))


def _quoted(text: str, lang: str) -> str:
    return f"«\u00a0{text}\u00a0»" if lang == "fr" else f"“{text}”"


def _list_separator(lang: str) -> str:
    return f"{NNBSP}; " if lang == "fr" else "; "


def _item_table_row(row: dict, lang: str, k: int) -> dict:
    return {
        t("awareness.col.item", lang): item_label(row["item"], lang),
        t("awareness.col.analysis", lang): t(f"awareness.analysis.{row['analysis']}", lang),
        t("awareness.col.pre", lang): share_with_interval(row, "pre", k, lang),
        t("awareness.col.post", lang): share_with_interval(row, "post", k, lang),
        t("awareness.col.change", lang): change_text(row, k, lang),
        t("awareness.col.p", lang): hidden_or(row, k, p_text(row.get("p_value"), lang, equals=False)),
        t("awareness.col.n_pre", lang): people_text(row.get("n_pre"), k, lang),
        t("awareness.col.n_post", lang): people_text(row.get("n_post"), k, lang),
        t("awareness.col.n", lang): people_text(row.get("n_matched"), k, lang),
    }


def summary_table(rows: dict, structures: dict, analysis: str, lang: str,
                  k: int) -> pd.DataFrame:
    """The compact table: one row per indicator in the headline's analysis, the mean number of
    kinds of organisations named under its share, then the post-only items."""
    n_column = t("awareness.col.n" if analysis == "paired" else "awareness.col.n_pre", lang)
    columns = [t(f"awareness.col.{name}", lang)
               for name in ("item", "pre", "post", "change", "interval", "p")] + [n_column]
    table = []
    for item in PAIRED_ITEMS:
        row = item_row(rows, item, analysis)
        table.append(dict(zip(columns, [
            item_label(item, lang),
            hidden_or(row, k, fmt_pct(row.get("pre_pct"), lang)),
            hidden_or(row, k, fmt_pct(row.get("post_pct"), lang)),
            hidden_or(row, k, fmt_points(row.get("diff_pp"), lang) + fragile_mark(row, lang)),
            hidden_or(row, k, interval_text(row.get("ci_low_pp"), row.get("ci_high_pp"), lang,
                                             named=False)),
            hidden_or(row, k, p_text(row.get("p_value"), lang, equals=False)),
            people_text(row.get("n_matched" if analysis == "paired" else "n_pre"), k, lang)])))
        if item == "ess_structures_known":
            table.append(dict(zip(columns, _structures_cells(structures[analysis], analysis,
                                                             lang, k))))
    for item in POST_ONLY_ITEMS:
        row = item_row(rows, item, "unpaired")
        table.append(dict(zip(columns, [
            item_label(item, lang), t("awareness.not_applicable", lang),
            hidden_or(row, k, fmt_pct(row.get("post_pct"), lang) + fragile_mark(row, lang)),
            MISSING, MISSING, MISSING, MISSING])))
    return pd.DataFrame(table, columns=columns)


def _structures_cells(figures: dict, analysis: str, lang: str, k: int) -> list[str]:
    hidden = figures["suppressed"]

    def mean(wave: str) -> str:
        return suppressed_text(k) if hidden else fmt_decimal(figures[f"{wave}_mean"], lang, 1)

    change = (suppressed_text(k) if hidden else
              signed(figures["post_mean"] - figures["pre_mean"], lang, 1))
    n = figures.get("n") if analysis == "paired" else figures.get("n_pre")
    return [f"↳ {t('awareness.structures.mean', lang)}", mean("pre"), mean("post"), change,
            MISSING, MISSING, suppressed_text(k) if hidden else people_text(n, k, lang)]


def summary_table_section(rows: dict, structures: dict, analysis: str, lang: str,
                          k: int) -> html.Section:
    table = summary_table(rows, structures, analysis, lang, k)
    caption = t("awareness.table.caption", lang,
                analysis=t(f"awareness.analysis.{analysis}.adj", lang))
    return html.Section(
        className="chart-card", **{"aria-labelledby": ids.AWARENESS_TABLE_TITLE}, children=[
            html.H2(t("awareness.table.title", lang), id=ids.AWARENESS_TABLE_TITLE,
                    className="chart-title"),
            html.Div(data_table(table, lang, caption=caption), id=ids.AWARENESS_ITEMS_TABLE,
                     className="table-responsive", tabIndex="0", role="region",
                     **{"aria-label": caption}),  # it scrolls inside its card on a phone
            html.P(t("awareness.fragile.rule", lang), className="chart-note"),
        ])


# ---- Likert distributions -------------------------------------------------------------------

def likert_rows(distribution: pd.DataFrame) -> list[tuple[str, str, dict | None, int | None]]:
    """(item, wave, {answer: percent} or None when hidden, n) per Likert item and wave."""
    shares: dict[tuple[str, str], dict] = {}
    for record in frame_records(distribution):
        key = (record["item"], record["wave"])
        entry = shares.setdefault(key, {"hidden": False, "n": None, "answers": {}})
        entry["hidden"] |= bool(record["suppressed"])
        entry["n"] = None if missing(record["n"]) else int(record["n"])
        if not missing(record["share"]):
            entry["answers"][int(record["answer"])] = 100 * float(record["share"])
    rows = []
    for item in LIKERT_ITEMS:
        for wave in WAVES:
            entry = shares.get((item, wave))
            if entry is not None:
                rows.append((item, wave, None if entry["hidden"] else entry["answers"],
                             entry["n"]))
    return rows


def likert_card(distribution: pd.DataFrame, lang: str, k: int) -> html.Section:
    rows = likert_rows(distribution)
    figure = likert_figure(rows, lang, k)
    labels = LIKERT_LABELS[lang]
    table, lines = [], []
    for item in LIKERT_ITEMS:
        agree = {}
        for row_item, wave, answers, n in rows:
            if row_item != item:
                continue
            record = {t("awareness.col.item", lang): item_label(item, lang, short=True),
                      t("awareness.col.wave", lang): t(f"awareness.wave.{wave}", lang)}
            for answer in LIKERT_ANSWERS:
                record[labels[answer - 1]] = (suppressed_text(k) if answers is None
                                              else fmt_pct(answers.get(answer, 0), lang))
            record["n"] = people_text(n, k, lang)
            table.append(record)
            agree[wave] = (suppressed_text(k) if answers is None
                           else fmt_pct(answers.get(4, 0) + answers.get(5, 0), lang))
        label = item_label(item, lang, short=True)
        if agree and set(agree.values()) == {suppressed_text(k)}:
            lines.append(t("awareness.items.line_hidden", lang, item=label, k=k))
        elif agree:
            lines.append(t("awareness.likert.line", lang, item=label,
                           pre=agree.get("pre", MISSING), post=agree.get("post", MISSING)))
    return card_with_definition(ids.AWARENESS_LIKERT_GRAPH, figure, lang, title=t("awareness.likert.title", lang),
                 summary=t("awareness.likert.summary", lang,
                           lines=_list_separator(lang).join(lines) or MISSING),
                 table=pd.DataFrame(table), note=t("awareness.likert.note", lang),
                 definition=definition(lang, [
                     ("question", html.Ul([html.Li(question(i, lang)) for i in LIKERT_ITEMS],
                                          className="mb-0 ps-3")),
                     ("scale", " · ".join(f"{n} = {label}" for n, label in
                                          enumerate(labels, start=1))),
                     ("population", t("awareness.def.likert.population", lang)),
                     ("caveats", t("awareness.def.caveats.general", lang, k=k))]))


# ---- post-only items ------------------------------------------------------------------------

def post_only_card(rows: dict, lang: str, k: int) -> html.Section:
    post = [item_row(rows, item, "unpaired") for item in POST_ONLY_ITEMS]
    labels = [item_label(item, lang, short=True) for item in POST_ONLY_ITEMS]
    values = [None if row.get("suppressed") else row.get("post_pct") for row in post]
    fragile = [bool(row.get("fragile")) and not row.get("suppressed") for row in post]
    texts = [hidden_or(row, k, fmt_pct(row.get("post_pct"), lang)) for row in post]
    hovers = [wave_hover(label, "post", v, row.get("post_ci_low_pct"),
                          row.get("post_ci_high_pct"), row.get("n_post"), k, lang, f)
              if v is not None else f"<b>{label}</b><br>{suppressed_text(k)}"
              for label, v, row, f in zip(labels, values, post, fragile)]
    figure = bar_figure(labels, values, [r.get("post_ci_low_pct") for r in post],
                         [r.get("post_ci_high_pct") for r in post], [AFTER_COLOUR, PALETTE[2]],
                         fragile, texts, hovers, lang, height=210)
    recommend = post[1]
    nps = (suppressed_text(k) if recommend.get("suppressed") or recommend.get("nps") is None
           else signed(recommend["nps"], lang))
    table = pd.DataFrame([{
        t("awareness.col.item", lang): item_label(item, lang),
        t("awareness.col.share", lang): share_with_interval(row, "post", k, lang)
        + ("" if row.get("suppressed") else fragile_mark(row, lang)),
        t("awareness.col.n_post", lang): people_text(row.get("n_post"), k, lang),
    } for item, row in zip(POST_ONLY_ITEMS, post)] + [{
        t("awareness.col.item", lang): t("awareness.post.nps", lang),
        t("awareness.col.share", lang): nps,
        t("awareness.col.n_post", lang): people_text(recommend.get("n_post"), k, lang)}])
    card = card_with_definition(ids.AWARENESS_POST_ONLY_GRAPH, figure, lang,
                 title=t("awareness.post.title", lang),
                 summary=post_only_summary(post, texts, nps, lang, k),
                 table=table, note=t("awareness.post.note", lang),
                 definition=definition(lang, [
                     ("question", html.Ul([html.Li(question(i, lang)) for i in POST_ONLY_ITEMS],
                                          className="mb-0 ps-3")),
                     ("counted", t("awareness.def.post.counted", lang)),
                     ("population", t("awareness.def.post.population", lang, k=k))]))
    card.children.insert(2, html.Div(className="d-flex align-items-baseline gap-2 mb-1", children=[
        html.Span(t("awareness.post.nps", lang), className="kpi-label"),
        html.Span(nps, id=ids.AWARENESS_NPS, style={"fontSize": "1.6rem", "fontWeight": 700,
                                                    "color": NAVY})]))
    return card


def post_only_summary(post: list[dict], texts: list[str], nps: str, lang: str, k: int) -> str:
    if all(row.get("suppressed") for row in post):
        return t("awareness.post.hidden", lang, k=k)
    return t("awareness.post.summary", lang, satisfaction=texts[0], promoters=texts[1], nps=nps)
