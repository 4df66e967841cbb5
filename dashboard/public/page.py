"""The public page's content: the published editions as words, numbers, maps and tables.

`page_html(snapshots, lang)` renders the latest public snapshot of every published edition
(`audience.versions`) with the Jinja template of this package, autoescaped: every text that
comes from data (region names, the staff's commentary) is escaped, never taken as markup.
The figures are read from the stored report dict through the query layer's `snapshot=`
argument and the report's own sections (`dashboard.report.render`), so the page and the PDF
say the same thing, with the same "< K".
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from dashboard.i18n import MISSING, fmt_date, fmt_int, fmt_pct, t
from dashboard.public import svgmap
from dashboard.queries import reach
from dashboard.report import render
from etl.commentary import to_html
from etl.schema import COMMENTARY_SECTIONS

TEMPLATES = Path(__file__).with_name("templates")


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)),
                       autoescape=select_autoescape(["html"]), trim_blocks=True,
                       lstrip_blocks=True)


@lru_cache(maxsize=1)
def stylesheet() -> str:
    return (TEMPLATES / "public.css").read_text(encoding="utf-8")


def page_html(snapshots: list, lang: str, *, sign_in: str, switch: str) -> str:
    """The whole page: `snapshots` newest edition first; `sign_in` and `switch` the URLs of
    the only two links (the sign-in page, this page in the other language)."""
    editions = [edition_model(snapshot, lang) for snapshot in snapshots]
    k = snapshots[0].data["k"] if snapshots else None
    return environment().get_template("public.html").render(
        lang=lang, t=lambda key, **fmt: t(key, lang, **fmt), editions=editions,
        method=method(k, lang) if k else [], css=stylesheet(), shapes=svgmap.shapes(),
        sign_in=sign_in, switch=switch, other_lang="en" if lang == "fr" else "fr")


def method(k: int, lang: str) -> list[str]:
    return [t("public.method.frozen", lang), t("public.method.awareness", lang),
            t("public.method.k", lang, k=k)]


def edition_model(snapshot, lang: str) -> dict:
    data, edition = snapshot.data, snapshot.edition
    figures = data["figures"]
    return {
        "edition": edition,
        "as_of": t("public.as_of", lang, date=fmt_date(snapshot.published_at, lang)),
        "kpis": kpis(figures, data["k"], lang),
        "map": region_map(figures, edition, lang),
        "table": region_table(figures, data["k"], lang),
        "commentary": commentary(data.get("commentary"), edition, lang),
    }


def kpis(figures: dict, k: int, lang: str) -> list[dict]:
    """The headline tiles: reach, awareness before and after, projects and their outcomes."""
    tiles = list(render.reach_section(figures, lang)["kpis"])
    awareness = render.awareness_section(figures, lang)
    headline = awareness["headline"]
    lead = headline["unpaired" if headline["fallback_unpaired"] else "paired"]
    if lead.get("n_pre") == 0 and lead.get("n_post") == 0:  # nobody answered: no figure
        tiles.append({"label": t("public.awareness", lang), "value": MISSING,
                      "detail": t("public.awareness.none", lang), "suppressed": False})
    elif awareness["big"]:
        before, after = awareness["big"]
        value = t("public.awareness.values", lang, before=before, after=after)
        tiles.append({"label": t("public.awareness", lang), "value": value,
                      "detail": awareness["note"], "suppressed": False})
    else:
        tiles.append({"label": t("public.awareness", lang), "value": f"< {k}",
                      "detail": t("report.suppressed", lang, k=k), "suppressed": True})
    tiles += render.outcomes_section(figures, k, lang)["kpis"]
    return tiles


def region_map(figures: dict, edition: str, lang: str) -> dict:
    table = reach.export_table(None, None, None, snapshot=figures)
    values = {code: (float(events) if events else None)
              for code, events in zip(table["region_code"], table["events"])}
    labels = {code: fmt_int(value, lang) for code, value in values.items() if value}
    names = dict(zip(table["region_code"], table["region_name"]))
    top = max([v for v in values.values() if v] + [1.0])
    title = t("public.map.title", lang, edition=edition)
    return {"title": title, "svg": svgmap.region_map(values, labels, title=title, names=names,
                                                      top=top),
            "legend": {"low": fmt_int(0, lang), "high": fmt_int(top, lang),
                       "colours": svgmap.RAMP}}


def region_table(figures: dict, k: int, lang: str) -> dict:
    """The map's figures as a table, with the share who know the SSE after, by region (the
    report's breakdown: "< K" where the region is not a whole publication unit)."""
    table = reach.export_table(None, None, None, snapshot=figures)
    aware = {row["group"]: row for row in figures.get("awareness_by_region") or []}
    rows = []
    for row in table.sort_values("region_name").to_dict("records"):
        by_region = aware.get(row["region_code"])
        if not (row["events"] or row["guide_copies"] or by_region):
            continue
        rows.append({"code": row["region_code"], "cells": [
            row["region_name"], fmt_int(row["events"], lang), fmt_int(row["attendees"], lang),
            fmt_int(row["guide_copies"], lang), _aware_after(by_region, k, lang)]})
    return {"columns": [t(f"public.table.{key}", lang) for key in
                        ("region", "events", "attendees", "guide", "aware_after")],
            "rows": rows}


def _aware_after(row: dict | None, k: int, lang: str) -> str:
    if row is None:
        return MISSING
    if row.get("suppressed"):
        return f"< {k}"
    return MISSING if row.get("post_pct") is None else fmt_pct(row["post_pct"], lang)


def commentary(items, edition: str, lang: str) -> list[dict]:
    """The staff's comments frozen with the snapshot (absent: none), their small Markdown
    drawn as the PDF draws it (every character escaped, links to http(s) and mailto only).
    A comment in one language only shows in both."""
    if not isinstance(items, list):
        return []
    shown = []
    for item in items:
        if not isinstance(item, dict) or item.get("edition") not in (None, edition):
            continue
        text = item.get(f"text_{lang}") or item.get("text_fr") or item.get("text_en")
        if not isinstance(text, str) or not text.strip():
            continue
        section = item.get("section")
        shown.append({"section": t(f"public.section.{section}", lang)
                      if section in COMMENTARY_SECTIONS else None,
                      "region": _region_name(item.get("region_code")),
                      "html": Markup(to_html(text.strip()))})
    return shown


def _region_name(code) -> str | None:
    from dashboard.maps import region_names

    return region_names().get(str(code)) if code else None
