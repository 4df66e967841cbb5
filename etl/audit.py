"""The audit log: who did what and when, never a password or a person's identifier.

`record` writes a row inside the caller's transaction (an account change and its audit row
commit together). `record_later` is for actions that must not wait on the warehouse: a download
answers at once, and its row is written by a background thread of the process, which retries
until the warehouse takes it. On SQLite a load holds the only write lock for as long as it
runs; a download writing its row in the request would wait for it (up to the busy timeout).
The row keeps the time of the action, not of its writing. No row is dropped: the thread keeps
retrying, and at the process's exit it is given `EXIT_WAIT` seconds to finish; whatever the
warehouse still refuses then is written to the server log (ERROR, "audit row not written",
then the row as JSON), so that it can be inserted by hand.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import logging
import os
import queue
import threading
import time

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from etl.schema import audit_log

ERASURE = "forget"                  # a person erased (etl.load.forget)
LABEL_MAP = "answer_label_map"      # an answer label mapped to a value (etl.labels)
LABEL_UNMAP = "answer_label_unmap"  # a mapping removed (etl.labels)
# A staff comment written, changed or removed (etl.commentary)
COMMENTARY_ACTIONS = ("commentary_add", "commentary_update", "commentary_remove")
# The audited actions that change what a page or report shows: the dashboard's caches (the
# report's collection holds the comments) watch the latest of them. Sign-ins, downloads and
# account changes change none.
FIGURE_ACTIONS = (ERASURE, LABEL_MAP, LABEL_UNMAP, *COMMENTARY_ACTIONS)

log = logging.getLogger(__name__)

EXIT_WAIT = 30.0  # seconds a stopping process gives the background writer
RETRY_DELAYS = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0)  # then every 2 s until the warehouse takes it
UNWRITTEN = "audit row not written"  # the log line's prefix, before the row as JSON


def _values(actor: str | None, action: str, detail: dict | None,
            at: dt.datetime | None = None) -> dict:
    return {"at": at or dt.datetime.now(dt.UTC).replace(tzinfo=None), "actor": actor,
            "action": action, "detail": json.dumps(detail or {}, ensure_ascii=False, default=str)}


def record(conn: Connection, *, actor: str | None, action: str, detail: dict | None = None) -> None:
    conn.execute(audit_log.insert().values(**_values(actor, action, detail)))


class _Writer:
    """One queue and one daemon thread per process (started at the first row: a gunicorn
    worker forked from a parent that had one gets its own)."""

    def __init__(self):
        self.pending: queue.Queue = queue.Queue()
        self.thread: threading.Thread | None = None
        self.pid = os.getpid()
        self.lock = threading.Lock()

    def put(self, engine: Engine, values: dict) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self.run, name="audit-writer",
                                               daemon=True)
                self.thread.start()
        self.pending.put((engine, values))

    def run(self) -> None:
        while True:
            engine, values = self.pending.get()
            try:
                self.write(engine, values)
            finally:
                self.pending.task_done()

    @staticmethod
    def write(engine: Engine, values: dict) -> None:
        attempt = 0
        while True:
            try:
                with engine.begin() as conn:
                    conn.execute(audit_log.insert().values(**values))
                return
            except SQLAlchemyError as error:
                if attempt == 0:
                    first = str(getattr(error, "orig", None) or error).splitlines()[0]
                    log.warning("audit row of %s waits for the warehouse (%s)",
                                values["action"], first)
                time.sleep(RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)])
                attempt += 1

    def flush(self, timeout: float | None) -> bool:
        """Wait until every queued row is written; False if `timeout` passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self.pending.all_tasks_done:
            while self.pending.unfinished_tasks:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self.pending.all_tasks_done.wait(remaining)
        return True

    def at_exit(self) -> None:
        if self.pid != os.getpid() or self.flush(EXIT_WAIT):
            return
        while True:  # the warehouse still refuses: the rows go to the log, never lost
            try:
                _engine, values = self.pending.get_nowait()
            except queue.Empty:
                return
            log.error("%s: %s", UNWRITTEN, json.dumps(values, default=str, ensure_ascii=False))


_writer: _Writer | None = None
_writer_lock = threading.Lock()


def _current_writer() -> _Writer:
    global _writer
    with _writer_lock:
        if _writer is None or _writer.pid != os.getpid():
            _writer = _Writer()
            atexit.register(_writer.at_exit)
        return _writer


def record_later(engine: Engine, *, actor: str | None, action: str,
                 detail: dict | None = None) -> None:
    """Queue a row for the background writer; returns at once."""
    _current_writer().put(engine, _values(actor, action, detail))


def flush(timeout: float | None = None) -> bool:
    """Wait for the rows queued by `record_later` in this process (tests, commands that exit)."""
    return _writer is None or _writer.pid != os.getpid() or _writer.flush(timeout)

