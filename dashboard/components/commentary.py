"""Staff's comments beside a figure, and the small editor staff write them with.

A page places `commentary_slot("tour")` where the comment belongs; the slot fills itself from
the URL (`show`; `register_callbacks` is called by create_app, as `table_toggle`'s), for
whoever is signed in: the comments of the view within the account's scope
(`queries.commentary.for_view`), and for staff an editor of the comment of the view's edition
and region (one edition chosen; one region or none, a national comment).

The text is drawn from markdown-it's tokens into Dash components (`rendered`): only the tags
of `TAGS` exist, a link only with the address the parser validated (http, https, mailto).
No HTML of the text reaches the page as HTML.

Writing is for staff only, twice over: the editor's callbacks have outputs whose ids start
with `ids.COMMENTARY_EDIT_PREFIX` (`auth.restrict_callbacks`: the gate answers 403 to a
funder's forged request), and `save_or_remove` checks the role again.
"""

from __future__ import annotations

import logging

from dash import MATCH, Input, Output, State, ctx, html, no_update

from dashboard import ids
from dashboard.auth import STAFF_ROLES, restrict_callbacks
from dashboard.i18n import t

log = logging.getLogger(__name__)

restrict_callbacks(ids.COMMENTARY_EDIT_PREFIX, STAFF_ROLES)

TAGS = {"p": html.P, "ul": html.Ul, "ol": html.Ol, "li": html.Li, "em": html.Em,
        "strong": html.Strong, "a": html.A, "code": html.Code, "br": html.Br}


def _slot_id(kind: str, section: str) -> dict:
    return {"type": kind, "section": section}


def commentary_slot(section: str) -> html.Div:
    """Where a page shows the comments of `section` (filled by `show`)."""
    return html.Div(id=_slot_id(ids.COMMENTARY_SLOT, section), className="commentary-slot")


# ---- the text, from markdown-it's tokens -----------------------------------------------------

def _leaf(token) -> object:
    if token.type in ("softbreak",):
        return "\n"
    if token.type == "hardbreak":
        return html.Br()
    if token.type == "code_inline":
        return html.Code(token.content)
    return token.content  # text, and whatever else: as text


def _element(token):
    if token.tag == "a":
        return html.A([], href=token.attrGet("href"), rel="noopener noreferrer nofollow",
                      target="_blank")
    return TAGS[token.tag]([])


def _walk(tokens, root: list) -> list:
    stack = [root]
    for token in tokens:
        if token.hidden:
            continue
        if token.type == "inline":
            _walk(token.children or [], stack[-1])
        elif token.nesting == 1 and token.tag in TAGS:
            element = _element(token)
            stack[-1].append(element)
            stack.append(element.children)
        elif token.nesting == -1 and token.tag in TAGS and len(stack) > 1:
            stack.pop()
        elif token.nesting == 0:
            stack[-1].append(_leaf(token))
    return root


def rendered(text: str) -> list:
    """The comment's text as Dash components (paragraphs, lists, emphasis, checked links)."""
    from etl.commentary import markup

    return _walk(markup().parse(text or ""), [])


# ---- what the slot shows ---------------------------------------------------------------------

def _place(item: dict, lang: str) -> str:
    return item["region_name"] or item["region_code"] if item["region_code"] else \
        t("commentary.national", lang)


def comment_item(item: dict, lang: str) -> html.Div:
    text_lang = "en" if lang == "en" and item["text_en"] else "fr"
    text = item["text_en"] if text_lang == "en" else item["text_fr"]
    meta = f"{t('commentary.label', lang)} · {item['edition']} · {_place(item, lang)}"
    if text_lang != lang:
        meta += f" ({t('commentary.in_french', lang)})"
    return html.Div(className="commentary-item", children=[
        html.Div(meta, className="commentary-meta"),
        html.Div(rendered(text), lang=text_lang, className="commentary-text"),
    ])


def comment_list(items: list[dict], lang: str) -> list:
    return [comment_item(item, lang) for item in items]


def report_comments(data: dict, sections: tuple[str, ...], lang: str) -> html.Aside | None:
    """The comments a report dict carries for `sections` (the page "Rapport": live for staff,
    as published for funders and schools, like the PDF)."""
    from etl import reference

    names = reference.regions()
    items = [{**item, "region_name": names.get(item["region_code"])}
             for item in data.get("commentary") or [] if item.get("section") in sections]
    if not items:
        return None
    return html.Aside(comment_list(items, lang), className="commentary",
                      **{"aria-label": t("commentary.label", lang)})


def editor_place(view) -> tuple[str, str | None] | None:
    """(edition, region or None) the editor writes for: one edition, at most one region."""
    filters = view.filters
    if len(filters.editions) != 1 or len(filters.regions) > 1:
        return None
    return filters.editions[0], (filters.regions[0] if filters.regions else None)


def editor(section: str, view, existing: dict | None) -> html.Details:
    lang = view.lang
    place = editor_place(view)
    summary = html.Summary(t("commentary.editor", lang), className="commentary-editor-title")
    if place is None:
        return html.Details([summary, html.P(t("commentary.editor.choose", lang),
                                             className="small text-muted")],
                            className="commentary-editor")
    from etl import reference

    edition, region_code = place
    where = (t("commentary.editor.region", lang,
               name=reference.regions().get(region_code, region_code))
             if region_code else t("commentary.editor.national", lang))
    fr_id = _slot_id(ids.COMMENTARY_EDIT_FR, section)
    en_id = _slot_id(ids.COMMENTARY_EDIT_EN, section)
    return html.Details(className="commentary-editor", children=[
        summary,
        html.P(t("commentary.editor.place", lang, edition=edition, place=where),
               className="small mb-1"),
        _textarea(fr_id, t("commentary.editor.fr", lang), existing, "text_fr"),
        _textarea(en_id, t("commentary.editor.en", lang), existing, "text_en"),
        html.P(t("commentary.editor.help", lang), className="small text-muted mb-1"),
        html.Button(t("commentary.editor.save", lang), n_clicks=0, type="button",
                    id=_slot_id(ids.COMMENTARY_EDIT_SAVE, section),
                    className="btn btn-sm btn-primary me-2"),
        html.Button(t("commentary.editor.remove", lang), n_clicks=0, type="button",
                    id=_slot_id(ids.COMMENTARY_EDIT_REMOVE, section),
                    className="btn btn-sm btn-outline-danger"),
        html.Div(id=_slot_id(ids.COMMENTARY_EDIT_STATUS, section), role="status",
                 className="small mt-1"),
    ])


def _textarea(component_id: dict, label: str, existing: dict | None, field: str):
    from dash import dcc

    return html.Label(className="d-block small mb-1", children=[
        label, dcc.Textarea(id=component_id, value=(existing or {}).get(field) or "", rows=3,
                            className="form-control form-control-sm")])


def slot_content(section: str, view, engine=None) -> list:
    """What the slot shows: the comments of the view, and for staff the editor."""
    from dashboard.queries import commentary as queries

    items = queries.for_view(view.filters, view.scope, [section], engine)
    children = [html.Div(comment_list(items, view.lang),
                         id=_slot_id(ids.COMMENTARY_LIST, section))]
    if view.scope.full_view:
        place = editor_place(view)
        existing = next((item for item in items if place and item["edition"] == place[0]
                         and item["region_code"] == place[1]), None)
        children.append(editor(section, view, existing))
    elif not items:
        return []
    return [html.Aside(children, className="commentary",
                       **{"aria-label": t("commentary.label", view.lang)})]


def show(search: str | None, slot_id: dict):
    from sqlalchemy.exc import SQLAlchemyError

    from dashboard.auth import current_scope
    from dashboard.view import view_state

    try:
        return slot_content(slot_id["section"], view_state(search, current_scope()))
    except SQLAlchemyError:
        log.exception("commentary: the comments could not be read for %s", search)
        return []


# ---- writing (staff) -------------------------------------------------------------------------

def save_or_remove(action: str, section: str, view, text_fr: str | None,
                   text_en: str | None, actor: str | None, engine=None) -> tuple[str, bool]:
    """Save or remove the comment of the view's place: (message, whether it changed).
    Refused unless the view's scope is staff's, whatever the browser sent."""
    from etl import commentary
    from etl.db import get_engine

    lang = view.lang
    if not view.scope.full_view:
        log.warning("commentary: %s refused for role %s", action, view.scope.role)
        return t("commentary.refused", lang), False
    place = editor_place(view)
    if place is None:
        return t("commentary.editor.choose", lang), False
    engine = engine or get_engine()
    try:
        if action == "remove":
            found = commentary.find(engine, section, *place)
            if found is None:
                return t("commentary.nothing_to_remove", lang), False
            commentary.remove(engine, found.commentary_id, actor=actor)
            return t("commentary.removed", lang), True
        commentary.save(engine, section, place[0], place[1], text_fr, text_en, actor=actor)
    except commentary.CommentaryError as error:
        return _error_text(error, lang), False
    return t("commentary.saved", lang), True


def _error_text(error, lang: str) -> str:
    if error.code in ("empty", "too_long"):
        return t(f"commentary.error.{error.code}", lang, **error.fields)
    return t("commentary.error.invalid", lang, message=str(error))


def edit(save_clicks, remove_clicks, text_fr, text_en, search):
    from dashboard import auth
    from dashboard.queries import commentary as queries
    from dashboard.view import view_state

    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not (save_clicks or remove_clicks):
        return no_update, no_update, no_update, no_update
    action = "remove" if trigger.get("type") == ids.COMMENTARY_EDIT_REMOVE else "save"
    section = trigger.get("section")
    view = view_state(search, auth.current_scope())
    account = auth.current_account()
    message, changed = save_or_remove(action, section, view, text_fr, text_en,
                                      account.email if account is not None else None)
    if not changed:
        return message, no_update, no_update, no_update
    items = queries.for_view(view.filters, view.scope, [section])
    cleared = "" if action == "remove" else no_update
    return message, comment_list(items, view.lang), cleared, cleared


def register_callbacks(app) -> None:
    """The slots' filling and the editor's buttons (called by create_app)."""
    app.callback(Output(_slot_id(ids.COMMENTARY_SLOT, MATCH), "children"),
                 Input(ids.URL, "search"),
                 State(_slot_id(ids.COMMENTARY_SLOT, MATCH), "id"))(show)
    app.callback(Output(_slot_id(ids.COMMENTARY_EDIT_STATUS, MATCH), "children"),
                 Output(_slot_id(ids.COMMENTARY_LIST, MATCH), "children"),
                 Output(_slot_id(ids.COMMENTARY_EDIT_FR, MATCH), "value"),
                 Output(_slot_id(ids.COMMENTARY_EDIT_EN, MATCH), "value"),
                 Input(_slot_id(ids.COMMENTARY_EDIT_SAVE, MATCH), "n_clicks"),
                 Input(_slot_id(ids.COMMENTARY_EDIT_REMOVE, MATCH), "n_clicks"),
                 State(_slot_id(ids.COMMENTARY_EDIT_FR, MATCH), "value"),
                 State(_slot_id(ids.COMMENTARY_EDIT_EN, MATCH), "value"),
                 State(ids.URL, "search"), prevent_initial_call=True)(edit)
