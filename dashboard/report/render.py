"""The report as words and numbers (`report_model`), as HTML (Jinja2) and as PDF (WeasyPrint).

`report_model(data, lang)` turns the report dict into every text the report shows, formatted
for the language (French: decimal comma, narrow no-break spaces). The page "Rapport" and the
PDF template both read it, so screen and paper say the same thing.

The PDF: A4, the charts as SVG (vector) from kaleido, the Inter font of `data/fonts/` embedded,
and on every page a footer (CSS margin boxes) with the filters, the as-of date, K, the
methodology version and "Page x / y".
"""

from __future__ import annotations

import base64
import datetime as dt
import html
from functools import lru_cache
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape

from dashboard.i18n import MISSING, fmt_date, fmt_decimal, fmt_int, fmt_pct, t, tn
from dashboard.queries import awareness, guide, outcomes, reach
from dashboard.report import charts
from dashboard.report.commentary import commentary_model
from dashboard.report.collect import REPORT_FORMAT
from etl import reference
from etl.reference import MAP_ATTRIBUTION

TEMPLATES = Path(__file__).with_name("templates")


class ReportUnavailable(RuntimeError):
    """Chromium or pango is missing: the message says which, in one line."""


def missing_requirements() -> list[str]:
    """What the PDF needs and this machine lacks: Chromium (kaleido) and pango (WeasyPrint)."""
    missing = []
    if charts.chromium_path() is None:
        missing.append("Chromium for the charts (apt-get install chromium, or set BROWSER_PATH)")
    try:
        import weasyprint  # noqa: F401 - loading it is what needs pango
    except (OSError, ImportError):
        missing.append("pango for the PDF (apt-get install libpango-1.0-0 libpangoft2-1.0-0)")
    return missing


def check_requirements() -> None:
    missing = missing_requirements()
    if missing:
        raise ReportUnavailable("cannot render reports, missing: " + "; ".join(missing))


# ---- words and numbers -----------------------------------------------------------------------

def editions_label(editions: list[str], chosen: list[str], lang: str) -> str:
    if not editions:
        return t("report.edition.none", lang)
    if len(editions) == 1:
        return t("report.edition.one", lang, edition=editions[0])
    key = "report.edition.range" if chosen else "report.edition.all"
    return t(key, lang, first=editions[0], last=editions[-1])


def _names(values: list[str], lang: str) -> str:
    if len(values) <= 1:
        return "".join(values)
    joiner = " et " if lang == "fr" else " and "
    return ", ".join(values[:-1]) + joiner + values[-1]


def audience_label(data: dict, lang: str) -> str:
    who = data["audience"]
    places = []
    if who["regions"]:
        key = "report.audience.region" if len(who["regions"]) == 1 else "report.audience.regions"
        places.append(t(key, lang, names=_names(who["regions"], lang)))
    if who["schools"]:
        places.append(_names(who["schools"], lang))
    where = " ; ".join(places) if lang == "en" else "\u202f; ".join(places)
    if who["kind"] == "national":
        return t("report.audience.national", lang)
    if not where:
        where = t("report.audience.everywhere", lang)
    return t(f"report.audience.{who['kind']}", lang, where=where)


def filters_label(data: dict, lang: str) -> str:
    chosen = data["filters"]
    parts = []
    editions = chosen["editions"]
    if editions:
        key = "report.footer.edition" if len(editions) == 1 else "report.footer.editions"
        parts.append(t(key, lang, values=", ".join(editions)))
    else:
        parts.append(t("report.footer.all_editions", lang))
    if chosen["schools"]:
        parts.append(t("report.footer.schools", lang, values=", ".join(chosen["schools"])))
    else:
        parts.append(t("report.footer.all_schools", lang))
    names = reference.regions()
    if chosen["regions"]:
        parts.append(t("report.footer.regions", lang,
                       values=", ".join(names.get(c, c) for c in chosen["regions"])))
    else:
        parts.append(t("report.footer.all_regions", lang))
    return t("report.footer.filters", lang, filters=", ".join(parts))


def _batch_ranges(ids: list[int]) -> str:
    """[1, 2, 3, 7] -> '1-3, 7'."""
    ranges, start, previous = [], None, None
    for n in sorted(ids):
        if start is None:
            start = previous = n
        elif n == previous + 1:
            previous = n
        else:
            ranges.append((start, previous))
            start = previous = n
    if start is not None:
        ranges.append((start, previous))
    return ", ".join(str(a) if a == b else f"{a}\u2013{b}" for a, b in ranges) or MISSING


def _kpi(label: str, value: str, detail: str, *, suppressed: bool = False,
         fragile: bool = False, lang: str = "fr") -> dict:
    if fragile:
        detail = f"{detail} ({t('report.fragile', lang)})"
    return {"label": label, "value": value, "detail": detail, "suppressed": suppressed}


def _slash(lang: str) -> str:
    """"8 / 18": narrow no-break spaces in French, plain ones in English."""
    return "\u202f/\u202f" if lang == "fr" else " / "


def _count(value, k: int, lang: str) -> str:
    return f"< {k}" if value is None else fmt_int(value, lang)


def reach_section(figures: dict, lang: str) -> dict:
    kpis = reach.reach_kpis(None, None, None, snapshot=figures)
    copies = guide.guide_kpis(None, None, None, snapshot=figures)["copies"]
    regions = f"{fmt_int(kpis['regions_covered'], lang)}{_slash(lang)}{kpis['regions_total']}"
    tiles = [
        _kpi(t("report.reach.events", lang), fmt_int(kpis["events"], lang),
             t("report.reach.events.detail", lang)),
        _kpi(t("report.reach.regions", lang), regions, t("report.reach.regions.detail", lang)),
        _kpi(t("report.reach.attendees", lang), fmt_int(kpis["attendees"], lang),
             t("report.reach.attendees.detail", lang)),
        _kpi(t("report.reach.guide", lang), fmt_int(copies, lang),
             t("report.reach.guide.detail", lang)),
    ]
    if kpis["events"]:
        summary = t("report.reach.summary", lang,
                    events=tn("report.count.events", kpis["events"], lang),
                    cities=tn("report.count.cities", kpis["cities"], lang),
                    regions=tn("report.count.regions", kpis["regions_covered"], lang),
                    attendees=tn("report.count.attendees", kpis["attendees"], lang),
                    students=tn("report.count.students", kpis["students_attending"], lang),
                    organisations=tn("report.count.organisations",
                                     kpis["organisations_attending"], lang),
                    schools=tn("report.count.schools", kpis["schools_reached"], lang))
    else:
        summary = t("report.reach.none", lang)
    return {"title": t("report.reach.title", lang), "kpis": tiles, "summary": summary,
            "events": kpis["events"]}


def awareness_section(figures: dict, lang: str) -> dict:
    headline = awareness.headline(None, None, None, snapshot=figures)
    lead = headline["unpaired" if headline["fallback_unpaired"] else "paired"]
    big = note = None
    if not headline["suppressed"]:
        big = (fmt_pct(lead["pre_pct"], lang), fmt_pct(lead["post_pct"], lang))
        note = (t("report.awareness.unpaired_note", lang) if headline["fallback_unpaired"] else
                t("report.awareness.paired_note", lang, n=fmt_int(lead["n_matched"], lang)))
    return {"title": t("report.awareness.title", lang), "big": big,
            "big_label": t("report.awareness.big", lang), "note": note,
            "sentence": awareness.sentence(headline, lang),
            "baseline": t("report.awareness.baseline", lang), "headline": headline}


def outcomes_section(figures: dict, k: int, lang: str) -> dict:
    kpis = outcomes.outcomes_kpis(None, None, None, snapshot=figures)
    hidden = set(kpis["suppressed"])
    fragile = kpis["fragile"]
    tiles = [_kpi(t("report.outcomes.projects", lang), fmt_int(kpis["projects"], lang),
                  t("report.outcomes.projects.detail", lang, organisations=tn(
                      "report.count.structures", kpis["organisations"], lang)))]
    if kpis["delivery_n"]:
        tiles.append(_kpi(t("report.outcomes.delivery", lang),
                          fmt_pct(kpis["delivery_rate_pct"], lang),
                          t("report.outcomes.delivery.detail", lang,
                            delivered=fmt_int(kpis["delivered"], lang),
                            decided=fmt_int(kpis["delivery_n"], lang)),
                          fragile=fragile["delivery_rate_pct"], lang=lang))
    else:
        tiles.append(_kpi(t("report.outcomes.delivery", lang), MISSING,
                          t("report.outcomes.delivery.none", lang)))
    label = t("report.outcomes.in_use", lang)
    if "in_use_rate_pct" in hidden:
        tiles.append(_kpi(label, f"< {k}", t("report.suppressed", lang, k=k), suppressed=True))
    elif kpis["in_use_n"]:
        tiles.append(_kpi(label, fmt_pct(kpis["in_use_rate_pct"], lang),
                          t("report.outcomes.in_use.detail", lang,
                            yes=fmt_int(kpis["in_use_yes"], lang),
                            n=fmt_int(kpis["in_use_n"], lang),
                            partial=fmt_int(kpis["in_use_partial"], lang)),
                          fragile=fragile["in_use_rate_pct"], lang=lang))
    else:
        tiles.append(_kpi(label, MISSING, t("report.outcomes.in_use.none", lang)))
    label = t("report.outcomes.satisfaction", lang)
    if "mean_satisfaction" in hidden:
        tiles.append(_kpi(label, f"< {k}", t("report.suppressed", lang, k=k), suppressed=True))
    elif kpis["satisfaction_n"]:
        tiles.append(_kpi(label, f"{fmt_decimal(kpis['mean_satisfaction'], lang, 1)}{_slash(lang)}5",
                          t("report.outcomes.satisfaction.detail", lang,
                            n=tn("report.count.answers", kpis["satisfaction_n"], lang)),
                          fragile=fragile["mean_satisfaction"], lang=lang))
    else:
        tiles.append(_kpi(label, MISSING, t("report.outcomes.satisfaction.none", lang)))
    beneficiaries = ""
    if "beneficiaries_reached" not in hidden and kpis["beneficiaries_reached"]:
        beneficiaries = t("report.outcomes.beneficiaries", lang,
                          n=fmt_int(kpis["beneficiaries_reached"], lang))
    students = (f"< {k} " + ("étudiants" if lang == "fr" else "students")
                if "students" in hidden else tn("report.count.students", kpis["students"], lang))
    summary = t("report.outcomes.summary", lang, students=students,
                mentors=tn("report.count.mentors", kpis["mentors"], lang),
                beneficiaries=beneficiaries) if kpis["projects"] else \
        t("report.outcomes_chart.none", lang)
    return {"title": t("report.outcomes.title", lang), "kpis": tiles, "summary": summary,
            "kpis_raw": kpis}


def reach_table(figures: dict, lang: str) -> dict:
    """The regions behind the map: those with an event or guide copies, and the total."""
    table = charts.stored_table(reach.export_table, figures)
    table = table[(table["events"] > 0) | (table["guide_copies"] > 0)]
    table = table.sort_values(["events", "attendees", "region_name"],
                              ascending=[False, False, True])
    columns = ["events", "cities", "attendees", "students_attending", "guide_copies"]
    rows = [[name, *(fmt_int(value, lang) for value in values)]
            for name, *values in table[["region_name", *columns]].itertuples(index=False)]
    total = [t("report.table.total", lang), *(fmt_int(table[c].sum(), lang) for c in columns)]
    return {"caption": t("report.table.regions_caption", lang),
            "columns": [t(f"report.table.{key}", lang) for key in
                        ("region", "events", "cities", "attendees", "students", "guide")],
            "rows": rows, "total": total if len(rows) > 1 else None}


def _signed(points: float, lang: str) -> str:
    text = fmt_decimal(points, lang, 0)
    if text in ("0", "-0"):
        return "0"
    return text if text.startswith("-") else f"+{text}"


def awareness_table(figures: dict, k: int, lang: str, analysis: str) -> dict:
    """Every item, before and after, for the lead analysis (post-only items: after only)."""
    table = charts.stored_table(awareness.export_table, figures)
    # each (item, analysis) row once, as a dict: selecting rows of the frame item by item
    # cost more than the rest of the report's model
    by_key = {}
    for row in table.to_dict("records"):
        by_key.setdefault((row["item"], row["analysis"]), row)
    rows = []
    for item in awareness.ITEMS:
        wanted = "unpaired" if item in awareness.POST_ONLY_ITEMS else analysis
        row = by_key.get((item, wanted))
        if row is None:
            continue
        label = t(f"report.item.{item}", lang)
        n = row["n_post"] if item in awareness.POST_ONLY_ITEMS or wanted == "unpaired" \
            else row["n_matched"]
        n_text = MISSING if pd.isna(n) else fmt_int(n, lang)
        if row["suppressed"]:
            rows.append([label, f"< {k}", f"< {k}", "", "", n_text if n_text != MISSING
                         else f"< {k}"])
            continue
        has_change = item not in awareness.POST_ONLY_ITEMS and not pd.isna(row["diff_pp"])
        rows.append([
            label,
            fmt_pct(row["pre_pct"], lang) if item not in awareness.POST_ONLY_ITEMS else MISSING,
            fmt_pct(row["post_pct"], lang),
            _signed(row["diff_pp"], lang) + ("\u202fpts" if lang == "fr" else " pts")
            if has_change else "",
            t("report.table.ci_range", lang, low=_signed(row["ci_low_pp"], lang),
              high=_signed(row["ci_high_pp"], lang)) if has_change else "",
            n_text])
    return {"caption": t("report.table.items_caption", lang,
                         analysis=t(f"report.awareness_chart.{analysis}", lang)),
            "columns": [t(f"report.table.{key}", lang) for key in
                        ("item", "before", "after", "change", "ci", "n")],
            "rows": rows, "total": None}


def method_section(data: dict, headline: dict, outcome_kpis: dict, lang: str) -> dict:
    k = data["k"]
    lead = headline["paired"]
    attrition = headline["attrition"]
    lost = ""
    if attrition.get("n_lost") is not None and attrition.get("n_lost"):
        lost = t("report.method.attrition", lang, lost=fmt_int(attrition["n_lost"], lang),
                 lost_pct=fmt_pct(attrition["lost_pct"], lang))
    paragraphs = [
        t("report.method.who", lang, n_pre=_count(lead["n_pre"], k, lang),
          n_post=_count(lead["n_post"], k, lang), n_matched=_count(lead["n_matched"], k, lang),
          attrition=lost),
        t("report.method.paired", lang) + " " + t(
            "report.method.analysis_unpaired" if headline["fallback_unpaired"]
            else "report.method.analysis_paired", lang),
        t("report.method.k", lang, k=k),
        t("report.method.baseline", lang),
        t("report.method.definitions", lang),
        t("report.method.sources", lang, batches=_batch_ranges(data["batch_ids"]),
          as_of=fmt_date(data["as_of"], lang) if data["as_of"] else MISSING,
          version=data["methodology_version"]),
        set_aside_sentence(data.get("set_aside_answers"), lang),
        t("report.method.more", lang),
    ]
    return {"title": t("report.method.title", lang),
            "paragraphs": [_lead(paragraph, lang) for paragraph in paragraphs if paragraph]}


def set_aside_sentence(count: int | None, lang: str) -> str | None:
    """How many answers of the selection were set aside; None for a report published before
    the count was collected (it cannot be known for those figures any more)."""
    if count is None:
        return None
    if count == 0:
        return t("report.method.set_aside.none", lang)
    return tn("report.method.set_aside", count, lang)


def _lead(paragraph: str, lang: str) -> dict:
    """{"lead": "Qui a répondu", "text": the rest}: the words before the first colon."""
    colon = "\u00a0: " if lang == "fr" else ": "
    lead, found, text = paragraph.partition(colon)
    if not found or len(lead) > 60:
        return {"lead": "", "text": paragraph}
    return {"lead": lead + colon.rstrip(), "text": text}


def typographic(value, keep: tuple[str, ...] = ()):
    """Typographic apostrophes (’) in every text of the model, French and English alike
    (the entries named in `keep` are data, left as they are)."""
    if isinstance(value, str):
        return value.replace("'", "\u2019")
    if isinstance(value, dict):
        return {key: item if key in keep else typographic(item, keep)
                for key, item in value.items()}
    if isinstance(value, list):
        return [typographic(item, keep) for item in value]
    if isinstance(value, tuple):
        return tuple(typographic(item, keep) for item in value)
    return value


def status_label(data: dict, lang: str, published: dict | None, generated_at: dt.datetime):
    if published:
        moment = published["published_at"]
        return t("report.published", lang, date=fmt_date(moment, lang),
                 hash=published["content_hash"][:12])
    return t("report.live", lang, date=fmt_date(generated_at.isoformat(), lang))


def report_model(data: dict, lang: str = "fr", *, published: dict | None = None,
                 generated_at: dt.datetime | None = None) -> dict:
    """Every text of the report, ready to show. `published`: the snapshot's published_at
    (ISO), content_hash and id, for a published report."""
    if data.get("format") != REPORT_FORMAT:
        raise ValueError(f"report format {data.get('format')} is not {REPORT_FORMAT}")
    generated_at = generated_at or dt.datetime.now()
    figures = data["figures"]
    reach_part = reach_section(figures, lang)
    awareness_part = awareness_section(figures, lang)
    outcomes_part = outcomes_section(figures, data["k"], lang)
    headline = awareness_part["headline"]
    as_of = fmt_date(data["as_of"], lang) if data["as_of"] else None
    lead = "unpaired" if headline["fallback_unpaired"] else "paired"
    footer = t("report.footer.line", lang, filters=filters_label(data, lang),
               as_of=as_of or MISSING, k=data["k"], version=data["methodology_version"])
    return typographic({
        "lang": lang,
        "brand": t("report.brand", lang),
        "title": t("report.doc_title", lang),
        "programme": t("report.programme", lang),
        "editions": editions_label(data["editions"], data["filters"]["editions"], lang),
        "audience": audience_label(data, lang),
        "account": (t("report.audience.account", lang, account=data["audience"]["account"])
                    if data["audience"].get("account") else None),
        "as_of": t("report.as_of", lang, date=as_of) if as_of else t("report.as_of.none", lang),
        "status": status_label(data, lang, published, generated_at),
        "demo": t("report.demo", lang) if data.get("is_demo") else None,
        "intro": t("report.intro", lang),
        "reach": reach_part,
        "awareness": awareness_part,
        "outcomes": outcomes_part,
        "charts": {
            "title": t("report.charts.title", lang),
            "reach_map": {"title": t("report.map.title", lang),
                          "caption": t("report.map.caption", lang),
                          "attribution": MAP_ATTRIBUTION},
            "awareness": {"title": t("report.awareness_chart.title", lang),
                          "caption": t("report.awareness_chart.caption", lang,
                                       analysis=t(f"report.awareness_chart.{lead}", lang))},
            "outcomes_by_region": {"title": t("report.outcomes_chart.title", lang),
                                   "caption": t("report.outcomes_chart.caption", lang)},
        },
        "tables": {"regions": reach_table(figures, lang),
                   "statements": awareness_table(figures, data["k"], lang, lead)},
        "method": method_section(data, headline, outcomes_part["kpis_raw"], lang),
        "footer": footer,
        "page_word": t("report.footer.page", lang),
        "commentary": commentary_model(data, lang),
    }, keep=("headline", "kpis_raw", "commentary"))


# ---- HTML and PDF ----------------------------------------------------------------------------

def css_string(value: str) -> str:
    """A CSS string literal (for `content:` in the page's margin boxes)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["css_string"] = css_string
    return env


def _data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode()


MAP_PRINT_SCALE = 2  # the map as PNG: 1520 px over 150 mm, about 260 dpi


def print_images(data: dict, lang: str) -> dict[str, str]:
    """The charts as image URIs for the PDF: SVG (vector) for the bar charts; the map as a
    high-resolution PNG, because WeasyPrint draws no SVG gradients (the map's colour bar) and
    the map's SVG (700 kB of paths) would slow the PDF down for no visible gain."""
    figures = {"reach_map": charts.reach_map(data, lang, attribution=False),
               "awareness": charts.awareness_chart(data, lang),
               "outcomes_by_region": charts.outcomes_chart(data, lang)}
    images = {}
    for name, figure in figures.items():
        if name == "reach_map":
            images[name] = _data_uri(charts.png(figure, MAP_PRINT_SCALE), "image/png")
        else:
            images[name] = _data_uri(charts.svg(figure).encode("utf-8"), "image/svg+xml")
    return images


def render_html(data: dict, lang: str = "fr", *, published: dict | None = None,
                images: dict[str, str] | None = None,
                generated_at: dt.datetime | None = None) -> str:
    """The report as one HTML document; `images`: chart name -> image URI (SVG data URIs
    from kaleido when None)."""
    model = report_model(data, lang, published=published, generated_at=generated_at)
    if images is None:
        images = print_images(data, lang)
    env = _environment()
    css = env.get_template("report.css").render(model=model, fonts=charts.FONTS_DIR.as_uri())
    return env.get_template("report.html").render(model=model, images=images, css=css,
                                                  escape=html.escape)


def render_pdf(data: dict, lang: str = "fr", *, published: dict | None = None,
               generated_at: dt.datetime | None = None) -> bytes:
    """The report as PDF bytes (A4, charts in vector, fonts embedded)."""
    check_requirements()
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    document = render_html(data, lang, published=published, generated_at=generated_at)
    fonts = FontConfiguration()
    return HTML(string=document, base_url=str(TEMPLATES)).write_pdf(font_config=fonts)
