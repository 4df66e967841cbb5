"""Figures as the query modules hand them on: SQL rows as a frame, figures on the 18 regions
as arrays, rates, and frames stored in (and read back from) a published snapshot's JSON.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from decimal import Decimal

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from etl import reference


SUPPRESSED_MASK = "suppressed_mask"  # the attrs key `dashboard.exports` reads


class Mask(pd.DataFrame):
    """The cells of a frame hidden for small counts, as `frame.attrs[SUPPRESSED_MASK]` holds
    them: built once, then only read. pandas deep-copies a frame's attrs into every frame or
    column it derives from it (each column read, slice or copy: 60 µs for the awareness
    items' 14 x 23 mask, most of the cost of reading the table); a mask is shared instead."""

    def __deepcopy__(self, memo=None) -> Mask:
        return self


def on_regions(keys, columns: Mapping[str, object]) -> dict[str, np.ndarray]:
    """Figures keyed by region (the i-th value of each of `columns` belongs to `keys[i]`) on
    the 18 regions in code order, as int64 arrays with 0 where a region has no value; a key
    that is no region (None, unknown) is left out. Plain arrays: a set_index, a reindex and a
    fillna per table cost more than the figures themselves."""
    at = {key: i for i, key in enumerate(keys)}
    rows = np.asarray([at.get(code, -1) for code in reference.regions()], dtype=np.int64)
    known = rows >= 0
    figures = {}
    for name, values in columns.items():
        column = np.zeros(len(rows), dtype=np.int64)
        column[known] = np.asarray(values, dtype=np.int64)[rows[known]]
        figures[name] = column
    return figures


def rate(numerator: np.ndarray, denominator: np.ndarray, scale: float) -> np.ndarray:
    """numerator * scale / denominator, NaN where the denominator is 0 (as pandas'
    `(a * scale / b).where(b > 0)`, the same float operations)."""
    some = denominator > 0
    return np.where(some, numerator * scale / np.where(some, denominator, 1), np.nan)


def ratio_pct(numerator, denominator) -> float | None:
    return None if not denominator else float(numerator) * 100.0 / float(denominator)


def read_frame(conn: Connection, statement) -> pd.DataFrame:
    """The rows of a statement as a DataFrame, numbers as numbers."""
    result = conn.execute(statement)
    columns = list(result.keys())
    # Plain tuples: pandas probes each row object, and SQLAlchemy rows answer that slowly.
    frame = pd.DataFrame([tuple(row) for row in result], columns=columns)
    for column in columns:
        # PostgreSQL sums integers as numeric (Decimal); the figures are plain numbers.
        if len(frame) and isinstance(frame[column].iloc[0], Decimal):
            frame[column] = pd.to_numeric(frame[column])
    return frame


def chosen_parts(parts: Mapping[str, Callable[[], object]], keys=None) -> dict:
    """The figures of a module's `snapshot_figures` named in `keys` (all of them when None),
    each computed only when asked for."""
    return {key: make() for key, make in parts.items() if keys is None or key in keys}


def stored(snapshot: Mapping | None, name: str):
    """The figure `name` of a published snapshot; None for live figures."""
    if snapshot is None:
        return None
    if snapshot.get(name) is None:
        raise KeyError(f"the published snapshot holds no '{name}' figure")
    return snapshot[name]


def plain(value):
    """A JSON-ready value: None for missing, Python numbers, ISO dates."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return value.item() if hasattr(value, "item") else value


def frame_to_json(frame: pd.DataFrame) -> dict:
    mask = frame.attrs.get(SUPPRESSED_MASK)
    hidden = [] if mask is None else [[int(i), column] for column in mask.columns
                                      for i in np.flatnonzero(mask[column].to_numpy())]
    return {"columns": list(frame.columns), "hidden": hidden, "rows": json_rows(frame)}


def json_rows(frame: pd.DataFrame) -> list[list]:
    """Each row's values, JSON-ready (`plain`). Every value is read at once as a Python object:
    a column read costs more than its cells, and itertuples makes a class per call."""
    return [[plain(v) for v in row] for row in frame.to_numpy(dtype=object).tolist()]


def json_records(frame: pd.DataFrame) -> list[dict]:
    """`json_rows` as {column: value} records."""
    columns = list(frame.columns)
    return [dict(zip(columns, row)) for row in json_rows(frame)]


def frame_from_json(data: Mapping, dtypes: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The frame `frame_to_json` stored; its mask, if any, attached last (see the docstring
    above on masks in attrs)."""
    dtypes = dtypes or {}
    columns = data["columns"]
    if data["rows"] and len(set(columns)) == len(columns) and set(dtypes.values()) <= set(_BUILT):
        # Column by column, each typed as it is built: a table built from rows, then converted
        # a column at a time, cost five times more (the report page reads two per view).
        values = dict(zip(columns, map(list, zip(*data["rows"]))))
        frame = pd.DataFrame({column: _BUILT[dtypes[column]](values[column])
                              if column in dtypes else values[column] for column in columns},
                             columns=columns)
        return _with_hidden(frame, data)
    frame = pd.DataFrame(data["rows"], columns=columns)
    for column, dtype in dtypes.items():
        if dtype == "date":
            frame[column] = [None if pd.isna(v) else dt.date.fromisoformat(v)
                             for v in frame[column]]
        else:
            frame[column] = frame[column].astype(dtype)
    return _with_hidden(frame, data)


_BUILT = {"Int64": lambda values: pd.array(values, dtype="Int64"),
          "float64": lambda values: np.array(values, dtype="float64")}


def _with_hidden(frame: pd.DataFrame, data: Mapping) -> pd.DataFrame:
    if data.get("hidden"):
        cells = np.zeros((len(frame), len(frame.columns)), dtype=bool)
        position = {column: j for j, column in enumerate(frame.columns)}
        for i, column in data["hidden"]:
            cells[int(i), position[column]] = True
        frame.attrs[SUPPRESSED_MASK] = Mask(cells, index=frame.index, columns=frame.columns)
    return frame
