"""The outcomes page's key figures: projects, delivery, satisfaction, use, people engaged.
"""

from __future__ import annotations

from dash import html

from dashboard.components.kpi import kpi_card
from dashboard.i18n import MISSING, fmt_decimal, fmt_int, fmt_pct, t


def _with_detail(card: html.Div, detail: str) -> html.Div:
    card.children[2] = html.Div(detail, className="kpi-detail")
    return card


def kpi_cards(kpis: dict, lang: str, k: int) -> list:
    hidden = set(kpis.get("suppressed") or [])
    fragile = kpis.get("fragile") or {}
    fragile_text = f" · {t('outcomes.fragile', lang)}"
    cards = [
        kpi_card("projects", t("outcomes.kpi.projects", lang), fmt_int(kpis["projects"], lang),
                 detail=t("outcomes.kpi.projects.detail", lang,
                          in_progress=fmt_int(kpis["in_progress"], lang),
                          abandoned=fmt_int(kpis["abandoned"], lang)), lang=lang),
        kpi_card("organisations", t("outcomes.kpi.organisations", lang),
                 fmt_int(kpis["organisations"], lang),
                 detail=t("outcomes.kpi.organisations.detail", lang), lang=lang),
        kpi_card("delivered", t("outcomes.kpi.delivered", lang),
                 fmt_int(kpis["delivered"], lang),
                 detail=t("outcomes.kpi.delivered.detail", lang,
                          n=fmt_int(kpis["delivery_n"], lang)), lang=lang),
    ]
    if kpis["delivery_n"]:
        detail = t("outcomes.kpi.delivery_rate.detail", lang, n=fmt_int(kpis["delivery_n"], lang))
        if fragile.get("delivery_rate_pct"):
            detail += fragile_text
        cards.append(kpi_card("delivery-rate", t("outcomes.kpi.delivery_rate", lang),
                              fmt_pct(kpis["delivery_rate_pct"], lang), detail=detail,
                              lang=lang))
    else:
        cards.append(kpi_card("delivery-rate", t("outcomes.kpi.delivery_rate", lang), MISSING,
                              detail=t("outcomes.kpi.no_finished", lang), lang=lang))
    cards.append(_in_use_kpi(kpis, lang, k, hidden, fragile_text))
    cards.append(_satisfaction_kpi(kpis, lang, k, hidden, fragile_text))
    if "beneficiaries_reached" in hidden:
        cards.append(_with_detail(
            kpi_card("beneficiaries", t("outcomes.kpi.beneficiaries", lang), "", k=k,
                     lang=lang, suppressed=True), t("outcomes.kpi.hidden_orgs", lang, k=k)))
    else:
        cards.append(kpi_card("beneficiaries", t("outcomes.kpi.beneficiaries", lang),
                              fmt_int(kpis["beneficiaries_reached"], lang),
                              detail=t("outcomes.kpi.beneficiaries.detail", lang), lang=lang))
    mentors = fmt_int(kpis["mentors"], lang)
    if "students" in hidden:
        cards.append(_with_detail(
            kpi_card("students", t("outcomes.kpi.students", lang), "", k=k, lang=lang,
                     suppressed=True),
            t("outcomes.kpi.students.hidden", lang, k=k, mentors=mentors)))
    else:
        cards.append(kpi_card("students", t("outcomes.kpi.students", lang),
                              fmt_int(kpis["students"], lang),
                              detail=t("outcomes.kpi.students.detail", lang, mentors=mentors),
                              lang=lang))
    return cards


def _in_use_kpi(kpis: dict, lang: str, k: int, hidden: set, fragile_text: str) -> html.Div:
    label = t("outcomes.kpi.in_use", lang)
    if "in_use_rate_pct" in hidden:
        return _with_detail(kpi_card("in-use", label, "", k=k, lang=lang, suppressed=True),
                            t("outcomes.kpi.hidden_orgs", lang, k=k))
    if not kpis["in_use_n"]:
        return kpi_card("in-use", label, MISSING, detail=t("outcomes.kpi.no_answer", lang),
                        lang=lang)
    detail = t("outcomes.kpi.in_use.detail", lang,
               partial=fmt_pct(kpis["in_use_partial_pct"], lang),
               n=fmt_int(kpis["in_use_n"], lang))
    if (kpis.get("fragile") or {}).get("in_use_rate_pct"):
        detail += fragile_text
    return kpi_card("in-use", label, fmt_pct(kpis["in_use_rate_pct"], lang), detail=detail,
                    lang=lang)


def _satisfaction_kpi(kpis: dict, lang: str, k: int, hidden: set,
                      fragile_text: str) -> html.Div:
    label = t("outcomes.kpi.satisfaction", lang)
    if "mean_satisfaction" in hidden:
        return _with_detail(kpi_card("satisfaction", label, "", k=k, lang=lang,
                                     suppressed=True), t("outcomes.kpi.hidden_orgs", lang, k=k))
    if not kpis["satisfaction_n"]:
        return kpi_card("satisfaction", label, MISSING,
                        detail=t("outcomes.kpi.no_answer", lang), lang=lang)
    detail = t("outcomes.kpi.satisfaction.detail", lang, n=fmt_int(kpis["satisfaction_n"], lang))
    if (kpis.get("fragile") or {}).get("mean_satisfaction"):
        detail += fragile_text
    value = t("outcomes.kpi.satisfaction.value", lang,
              mean=fmt_decimal(kpis["mean_satisfaction"], lang))
    return kpi_card("satisfaction", label, value, detail=detail, lang=lang)
