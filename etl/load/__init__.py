"""Load files into the warehouse: one transaction and one load_batch row per file.

A file is read, recognised, transformed and written completely or not at all. Rows are compared
with what the warehouse holds through their natural key and a digest of their values, so a
re-load updates or leaves rows unchanged and never duplicates; the very same file (same sha256)
is not loaded twice. Writes are set-based: COPY on PostgreSQL, `executemany` of multi-row
INSERTs on SQLite; values are converted a column at a time, never cell by cell (bench/README.md
has the figures of a national file).

From the top down: `batches` (one file, one transaction: `load_paths`, `load_table`), `rows`
(upserts of tables, rejected rows) and `surveys` (responses, answers, answers set aside),
`lineage` (which batch holds which row), `bulk` (values as the drivers take them, COPY and
multi-row INSERTs), `base` (kinds of file, the report, the error); `unloading` takes a batch
or a person back out. This face hands on what the rest of the project uses.
"""

from etl.load.base import LOAD_ORDER, PEOPLE_KINDS, WAVES_OF_KIND, FileReport, LoadError
from etl.load.batches import collect_files, detect_kind, load_paths, load_table
from etl.load.bulk import bulk_insert
from etl.load.surveys import foreign_keys_checked_per_batch
from etl.load.unloading import Unloaded, forget, unload

__all__ = [
    "LOAD_ORDER", "PEOPLE_KINDS", "WAVES_OF_KIND", "FileReport", "LoadError", "Unloaded",
    "bulk_insert", "collect_files", "detect_kind", "foreign_keys_checked_per_batch", "forget",
    "load_paths", "load_table", "unload",
]
