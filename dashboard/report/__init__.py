"""Funder reports and the annual-report pack: reports that explain themselves and can be
reproduced (DESIGN.md sections 6 to 9).

One dict carries every figure of a report, and everything downstream reads only that dict:

    collect.collect(filters, scope)  ->  data (JSON-ready: the figures, the filters, the scope,
                                         the as-of date, K, the load batches)
    snapshots.publish(data)          ->  a frozen copy in `published_snapshot` (SHA-256 hash)
    snapshots.for_view(filters, scope) -> the same dict, read back years later (for a view
                                         inside the account's scope only)
    render.render_pdf(data, lang)    ->  the funder report (HTML + CSS -> PDF via WeasyPrint)
    pack.write_pack(data, folder)    ->  the annual-report pack (XLSX + charts as PNG and SVG)
    charts.build(data, lang)         ->  the print charts (plotly figures, images via kaleido)

Because a published report is rendered from its stored dict with the same code as a live one,
`impact report --published` gives the numbers and sentences that were published, whatever was
loaded since. The page "Rapport" (`dashboard/pages/report.py`) shows the same dict on screen.

Modules: audience (whose report: scope, key, name), collect, charts, render, snapshots, pack.
Its French and English texts are the "report." entries of the gettext catalogues
(dashboard/i18n/locale).
"""
