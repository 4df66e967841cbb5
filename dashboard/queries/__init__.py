"""The only SQL of the dashboard: filter-, scope- and suppression-aware queries.

Every query takes the same arguments: `filters` (what the user picked), `scope` (what the
account may see) and `k` (the small-cell threshold), so that roles and snapshots plug in without
touching any callback. Modules: base (filters, scope, freshness), one module per figure family.
"""
