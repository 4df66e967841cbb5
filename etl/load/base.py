"""What every step of a load shares: the kinds of file and the tables they fill, the report of
one file's load, and the error that stops it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from etl.schema import guide_record, org_followup, organisation, project, student, tour_event


LOAD_ORDER = ("organisations", "projects", "students", "events", "guide", "survey", "org-survey")
TABLE_OF_KIND = {
    "organisations": (organisation, ("org_id",)),
    "projects": (project, ("project_id",)),
    "students": (student, ("pseudonym", "edition")),
    "events": (tour_event, ("event_id",)),
    "guide": (guide_record, ("record_id",)),
    "org-survey": (org_followup, ("project_id", "wave")),
}
PEOPLE_KINDS = ("students", "survey")
WAVES_OF_KIND = {"survey": ("pre", "post"), "org-survey": ("end", "six_months")}


class LoadError(RuntimeError):
    """A load cannot go on (the message is for a person)."""


@dataclass
class FileReport:
    file: str
    kind: str | None = None
    tool: str | None = None
    sha256: str | None = None
    rows_read: int = 0
    rows_new: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    rows_rejected: int = 0
    reasons: Counter = field(default_factory=Counter)
    ignored_columns: list[str] = field(default_factory=list)
    batch_id: int | None = None
    status: str = "pending"          # loaded, dry_run, skipped (already loaded), failed
    message: str | None = None
    editions: set = field(default_factory=set)
    answers_set_aside: int = 0       # answers no vocabulary label nor staff mapping reads
    # [{"question", "label", "count"}] of the answers set aside, largest count first
    set_aside_by_label: list = field(default_factory=list)

    @property
    def rows_loaded(self) -> int:
        return self.rows_new + self.rows_updated + self.rows_unchanged

    @property
    def ok(self) -> bool:
        return self.status != "failed"


Progress = Callable[[str, str], None]  # (file, stage)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


_pauses = 0
_resume = False  # whether the collector was on when the first pause began
_pauses_lock = threading.Lock()


@contextlib.contextmanager
def collector_paused():
    """Python's cycle collector off while files load. A national file makes millions of
    short-lived containers (the CSV's rows, each column's cells, the rows handed to the
    driver), and the collector, run every 700 new ones, scanned them again and again: 0.5 s
    of a 5.5 s load, half of reading the file. Reference counting still frees them as soon as
    they are dropped; the few cycles wait for the collector's next run. Loads running at once
    (an upload beside a command, in one web worker) share the pause: the collector comes back
    when the last one ends, failed or not, unless it was off before the first began."""
    global _pauses, _resume
    with _pauses_lock:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pauses_lock:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()
