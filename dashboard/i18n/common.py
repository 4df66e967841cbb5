"""Messages of the shell and of the shared components (pages register their own)."""

MESSAGES = {
    # shell
    "app.name": {"fr": "Latitudes Impact", "en": "Latitudes Impact"},
    "app.tagline": {"fr": "Mesure d'impact du programme Tech for Good",
                    "en": "Impact measurement of the Tech for Good programme"},
    "shell.skip": {"fr": "Aller au contenu", "en": "Skip to content"},
    "shell.nav_label": {"fr": "Pages du tableau de bord", "en": "Dashboard pages"},
    "shell.menu": {"fr": "Menu", "en": "Menu"},
    "shell.lang_label": {"fr": "Langue", "en": "Language"},
    "shell.freshness": {"fr": "Données au {date}", "en": "Data as of {date}"},
    "shell.freshness_none": {"fr": "Aucune donnée chargée", "en": "No data loaded yet"},
    "shell.freshness_title": {
        "fr": "Date du dernier chargement de données réussi",
        "en": "Date of the last successful data load"},
    "shell.demo": {"fr": "Données de démonstration", "en": "Demonstration data"},
    "shell.demo_detail": {
        "fr": "Chiffres fictifs générés pour présenter l'outil : ne pas les citer.",
        "en": "Made-up figures generated to show the tool: do not quote them."},
    "shell.warehouse_down": {
        "fr": "L'entrepôt de données est inaccessible : les chiffres ne peuvent pas s'afficher.",
        "en": "The data warehouse cannot be reached: figures cannot be shown."},
    "shell.footer": {
        "fr": "Chiffres masqués sous {k} personnes (« < {k} ») pour protéger la vie privée.",
        "en": "Figures built from fewer than {k} people are hidden (“< {k}”) to protect "
              "privacy."},
    "shell.page_error": {
        "fr": "Cette vue n'a pas pu être calculée. Réessayez ou changez les filtres.",
        "en": "This view could not be computed. Try again or change the filters."},
    # filters
    "filters.title": {"fr": "Filtres", "en": "Filters"},
    "filters.edition": {"fr": "Éditions", "en": "Editions"},
    "filters.school": {"fr": "Écoles", "en": "Schools"},
    "filters.region": {"fr": "Régions", "en": "Regions"},
    "filters.all_editions": {"fr": "Toutes les éditions", "en": "All editions"},
    "filters.all_schools": {"fr": "Toutes les écoles", "en": "All schools"},
    "filters.all_regions": {"fr": "Toutes les régions", "en": "All regions"},
    "filters.reset": {"fr": "Réinitialiser", "en": "Reset"},
    "filters.reset_title": {"fr": "Retirer tous les filtres", "en": "Remove every filter"},
    "dropdown.select_all": {"fr": "Tout sélectionner", "en": "Select all"},
    "dropdown.deselect_all": {"fr": "Tout désélectionner", "en": "Deselect all"},
    "dropdown.selected_count": {"fr": "{num_selected} sélectionnés",
                                "en": "{num_selected} selected"},
    "dropdown.search": {"fr": "Rechercher…", "en": "Search…"},
    "dropdown.clear_search": {"fr": "Effacer la recherche", "en": "Clear search"},
    "dropdown.clear_selection": {"fr": "Effacer la sélection", "en": "Clear selection"},
    "dropdown.no_options_found": {"fr": "Aucun résultat", "en": "No match"},
    # shared components
    "kpi.suppressed": {"fr": "Masqué : moins de {k} personnes",
                       "en": "Hidden: fewer than {k} people"},
    "chart.show_table": {"fr": "Voir le tableau", "en": "View as table"},
    "chart.hide_table": {"fr": "Masquer le tableau", "en": "Hide table"},
    "chart.download": {"fr": "Télécharger l'image", "en": "Download the image"},
    "chart.no_data": {"fr": "Aucune donnée pour cette sélection",
                      "en": "No data for this selection"},
    "chart.fragile": {"fr": "estimation fragile", "en": "fragile estimate"},
}
