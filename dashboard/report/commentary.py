"""Staff's comments in the report: each under its section, in the report's language.

The report dict carries the comments as collected (`collect`: section, edition, region and
texts), so a published report prints the comments of its publication, whatever was edited
since. The text becomes HTML through the comments' own Markdown parser (`etl.commentary`):
every character of the text is escaped, only checked links are links.
"""

from __future__ import annotations

from markupsafe import Markup

from dashboard.i18n import t
from etl import reference
from etl.commentary import to_html
from etl.schema import COMMENTARY_SECTIONS


def _meta(item: dict, lang: str, names: dict[str, str]) -> str:
    code = item.get("region_code")
    place = names.get(code, code) if code else t("report.commentary.national", lang)
    return f"{t('report.commentary.label', lang)} \u00b7 {item['edition']} \u00b7 {place}"


def item_model(item: dict, lang: str, names: dict[str, str]) -> dict:
    text_lang = "en" if lang == "en" and item.get("text_en") else "fr"
    meta = _meta(item, lang, names)
    if text_lang != lang:
        meta += f" ({t('report.commentary.in_french', lang)})"
    text = item["text_en"] if text_lang == "en" else item["text_fr"]
    return {"meta": meta.replace("'", "\u2019"), "lang": text_lang,
            "html": Markup(to_html(text))}


def commentary_model(data: dict, lang: str) -> dict[str, list[dict]]:
    """Section -> its comments, ready to print (a report without comments: empty lists)."""
    names = reference.regions()
    model = {section: [] for section in COMMENTARY_SECTIONS}
    for item in data.get("commentary") or []:
        if item.get("section") in model:
            model[item["section"]].append(item_model(item, lang, names))
    return model
