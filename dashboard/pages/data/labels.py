"""The answers set aside: labels no one could read yet, what staff say they mean, and the
mappings saved.
"""

from __future__ import annotations

import csv
import functools
import logging
import re
import time

from dash import ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import ids, uploads
from dashboard.components.page import page_error
from dashboard.i18n import fmt_int, t, tn
from dashboard.pages import context
from dashboard.pages.data.base import alert_box, signed_in_email, when_text
from dashboard.pages.data.rejected import choice_line, value_beside


log = logging.getLogger(__name__)

NUMBERED_SCALES = ("agreement", "satisfaction", "recommend")  # the step's number means something
NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


@functools.cache
def _answer_words() -> dict[tuple[str, str, str], str]:
    """(scale, lang, value) -> the first wording of that answer in the reference vocabulary
    (the words the loader reads), so the page names each step as forms write it."""
    from etl.survey_formats import ANSWERS_CSV

    words = {}
    with ANSWERS_CSV.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            scale = "ess_option" if row["scale"] == "ess_none" else row["scale"]
            value = row["value"] or "none"
            words.setdefault((scale, row["lang"], value), row["label"])
    return words


def scale_name(scale: str, lang: str) -> str:
    from dashboard.i18n import MESSAGES

    key = f"data.scale.{scale}"
    return t(key, lang) if key in MESSAGES else scale


def step_label(scale: str, value: str, lang: str) -> str:
    """'3 – Ni d'accord ni pas d'accord', 'Oui, précisément', '10 – très probable'."""
    from dashboard.i18n import MESSAGES

    key = f"data.step.{scale}.{value}"
    word = t(key, lang) if key in MESSAGES else _answer_words().get((scale, lang, value))
    if scale in NUMBERED_SCALES:
        return f"{value} – {word}" if word else value
    return word or value


def step_options(scale: str, lang: str) -> list[dict]:
    from etl import labels

    return [{"label": step_label(scale, value, lang), "value": value}
            for value in labels.SCALES.get(scale, ())]


def set_aside_groups(rows: list[dict]) -> list[dict]:
    """The rows of `set_aside_by_label` by (scale, label), since one mapping reads a label in
    every question of its scale: {"scale", "label", "count", "questions": [(question, n)]},
    most answers first."""
    groups: dict[tuple[str, str], dict] = {}
    for row in rows:
        group = groups.setdefault((row["scale"], row["label"]), {
            "scale": row["scale"], "label": row["label"], "count": 0, "questions": []})
        group["count"] += row["count"]
        group["questions"].append((row["question"], row["count"]))
    return sorted(groups.values(), key=lambda g: (-g["count"], g["scale"], g["label"]))


def render_labels(search, _changed, _job_done):
    from sqlalchemy.exc import SQLAlchemyError

    from etl import labels

    view = context(search)
    if not uploads.is_staff():
        return None
    engine = uploads.warehouse_engine()
    try:
        set_aside, saved = labels.set_aside_by_label(engine), labels.mappings(engine)
    except SQLAlchemyError:
        log.exception("data page: the answers set aside could not be read")
        return page_error(view.lang)
    return labels_section(set_aside, saved, view.lang)


def labels_section(set_aside: list[dict], saved: list[dict], lang: str) -> html.Section:
    """The answers set aside, one line per label with its dropdown, then the saved labels."""
    from etl.answers import answer_key

    groups = set_aside_groups(set_aside)
    saved_values = {(m["scale"], answer_key(m["label"])): str(m["value"]) for m in saved}
    body = [html.P(t("data.labels.help", lang), className="data-help")]
    if groups:
        body.append(html.P(tn("data.labels.summary", sum(g["count"] for g in groups), lang)))
        body.append(html.Ul([label_line(position, group, saved_values.get(
                                 (group["scale"], answer_key(group["label"]))), lang)
                             for position, group in enumerate(groups)],
                            className="data-alias-list data-label-list"))
    else:
        body.append(html.P(t("data.labels.none", lang), className="data-muted"))
    body += [
        dcc.Store(id=ids.DATA_LABEL_KEYS,
                  data=[{"scale": g["scale"], "label": g["label"]} for g in groups]),
        html.H3(t("data.mappings.title", lang), className="data-subtitle"),
        mapping_table(saved, lang),
        dcc.Store(id=ids.DATA_MAPPING_KEYS,
                  data=[{"scale": m["scale"], "label": m["label"]} for m in saved]),
    ]
    return html.Section(className="data-card data-labels", children=[
        html.H2(t("data.labels.title", lang), id=ids.DATA_LABELS_TITLE,
                className="section-title"), *body],
        **{"aria-labelledby": ids.DATA_LABELS_TITLE})


def label_line(position: int, group: dict, mapped: str | None, lang: str) -> html.Li:
    """A label to map; or, when no new mapping can read it, why not (no dropdown then).
    `mapped`: the value the label already reads as (its answers wait for another label)."""
    from etl import labels

    label, scale = group["label"], scale_name(group["scale"], lang)
    questions = " ; " if lang == "fr" else "; "
    where = t("data.labels.where", lang, scale=scale, questions=questions.join(
        t("data.labels.question", lang, question=question, n=fmt_int(n, lang))
        for question, n in group["questions"]))
    shown = label if label != labels.NOT_SHOWN else "…"
    quoted = [html.Span(t("data.alias.name", lang, name=shown), className="data-alias-name"),
              " ", html.Span(t("data.alias.rows", lang,
                               rows=tn("data.labels.answers", group["count"], lang)),
                             className="data-muted"),
              html.Div(where, className="data-help data-help-small data-label-where")]
    why_not = (t("data.labels.hidden", lang) if label == labels.NOT_SHOWN
               else t("data.labels.number", lang) if is_number_outside(label, group["scale"])
               else t("data.labels.waits", lang, step=step_label(group["scale"], mapped, lang))
               if mapped is not None else None)
    if why_not:
        return html.Li(className="data-alias is-waiting", children=[
            html.Div(quoted, className="data-alias-quoted"),
            html.P(why_not, className="data-help data-help-small")])
    return choice_line(
        quoted, {"type": ids.DATA_LABEL_STEP, "index": position},
        step_options(group["scale"], lang), t("data.labels.choose", lang, label=label),
        {"type": ids.DATA_LABEL_SAVE, "index": position}, t("data.labels.save", lang),
        t("data.labels.save_label", lang, label=label, scale=scale), lang,
        searchable=group["scale"] == "recommend")


def is_number_outside(label: str, scale: str) -> bool:
    """A number on a numbered scale was set aside for being outside it: `map_label` refuses
    to make it mean another step (a 7 out of 5 is a typing error, not a wording)."""
    from etl import labels

    return scale in labels.NUMERIC_SCALES and NUMBER.fullmatch(label.strip()) is not None


def mapping_table(saved: list[dict], lang: str):
    if not saved:
        return html.P(t("data.mappings.none", lang), className="data-muted")
    columns = ("label", "scale", "value", "by", "when")
    head = html.Thead(html.Tr([html.Th(t(f"data.mappings.col.{c}", lang), scope="col")
                               for c in columns]
                              + [html.Th(t("data.col.action", lang), scope="col")]))
    rows = []
    for position, mapping in enumerate(saved):
        label, scale = mapping["label"], scale_name(mapping["scale"], lang)
        rows.append(html.Tr([
            html.Td(t("data.alias.name", lang, name=label), className="data-alias-name"),
            html.Td(scale),
            html.Td(step_label(mapping["scale"], str(mapping["value"]), lang)),
            html.Td(mapping.get("created_by") or "—"),
            html.Td(when_text(mapping.get("created_at"), lang), className="text-nowrap"),
            html.Td(html.Button(
                t("data.mappings.remove", lang), type="button", n_clicks=0,
                id={"type": ids.DATA_MAPPING_REMOVE, "index": position},
                className="btn btn-sm btn-outline-danger",
                **{"aria-label": t("data.mappings.remove_label", lang, label=label,
                                   scale=scale)})),
        ]))
    return html.Div([
        html.P(t("data.mappings.help", lang), className="data-help data-help-small"),
        html.Div(html.Table([html.Caption(t("data.mappings.caption", lang),
                                          className="visually-hidden"),
                             head, html.Tbody(rows)],
                            className="table table-sm data-table data-mappings"),
                 className="table-responsive")])


def save_label(clicks, _steps, keys, search):
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(clicks or []) or not keys:
        raise PreventUpdate
    position = trigger["index"]
    if position >= len(keys):
        raise PreventUpdate
    value = value_beside(ctx.states_list[0], position)
    return map_message(keys[position]["label"], keys[position]["scale"], value,
                       context(search).lang, actor=signed_in_email())


def remove_mapping(clicks, keys, search):
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(clicks or []) or not keys:
        raise PreventUpdate
    position = trigger["index"]
    if position >= len(keys):
        raise PreventUpdate
    return unmap_message(keys[position]["label"], keys[position]["scale"],
                         context(search).lang, actor=signed_in_email())


def map_message(label: str, scale: str, value: str | None, lang: str, *,
                actor: str | None) -> tuple:
    """Map the label, re-read its answers; (message, DATA_CHANGED) for the page."""
    from sqlalchemy.exc import SQLAlchemyError

    from etl import labels

    if not uploads.is_staff():
        return alert_box(t("data.forbidden", lang), "warning"), no_update
    if value in (None, ""):
        return alert_box(t("data.labels.pick_first", lang), "warning"), no_update
    value = str(value)
    if value not in labels.SCALES.get(scale, ()):
        return alert_box(t("data.labels.outside", lang, value=value,
                        scale=scale_name(scale, lang)), "danger"), no_update
    try:
        reread = labels.map_label(label, scale, value, actor=actor,
                                  engine=uploads.warehouse_engine())
    except labels.LabelError as error:
        return alert_box(t("data.labels.refused", lang, why=str(error)), "danger"), no_update
    except SQLAlchemyError:
        log.exception("data page: the label could not be saved")
        return alert_box(t("data.labels.failed", lang), "danger"), no_update
    return alert_box(t("data.labels.mapped", lang, label=label, scale=scale_name(scale, lang),
                    step=step_label(scale, value, lang),
                    reread=tn("data.labels.reread", reread, lang)), "success"), time.time()


def unmap_message(label: str, scale: str, lang: str, *, actor: str | None) -> tuple:
    """Remove the label's mapping, set its answers aside again; (message, DATA_CHANGED)."""
    from sqlalchemy.exc import SQLAlchemyError

    from etl import labels

    if not uploads.is_staff():
        return alert_box(t("data.forbidden", lang), "warning"), no_update
    engine = uploads.warehouse_engine()
    try:
        value = next((str(m["value"]) for m in labels.mappings(engine)
                      if m["label"] == label and m["scale"] == scale), None)
        again = labels.unmap_label(label, scale, actor=actor, engine=engine)
    except labels.LabelError as error:
        return alert_box(t("data.labels.unmap_refused", lang, why=str(error)), "danger"), no_update
    except SQLAlchemyError:
        log.exception("data page: the label could not be removed")
        return alert_box(t("data.labels.failed", lang), "danger"), no_update
    step = step_label(scale, value, lang) if value is not None else "—"
    return alert_box(t("data.labels.unmapped", lang, label=label, scale=scale_name(scale, lang),
                    step=step, again=tn("data.labels.again", again, lang)),
                  "success"), time.time()
