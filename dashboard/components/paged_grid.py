"""One block of a grid's rows, for dash-ag-grid's infinite row model: the server keeps the
rows, and the browser asks for the rows it shows (`getRowsRequest`), sorted and filtered as
the person chose (`sortModel`, `filterModel`).

Everything in the request comes from the browser, so it is read as untrusted: the rows
themselves are computed by the caller from the server-side view (the account's scope, the
URL's filters), never taken from the request; the block is cut to at most MAX_BLOCK rows; a
sort or a filter on a column the grid does not show, of a kind AG Grid does not send, or with
a value of the wrong type, is ignored (it can only narrow or order rows the account may see
anyway). Filters compare as AG Grid's do in the browser: text case-insensitively, numbers as
numbers, blank = missing.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Mapping

MAX_BLOCK = 100  # rows per request at most: the largest page the grid offers
TEXT_TESTS: dict[str, Callable[[str, str], bool]] = {
    "contains": lambda value, wanted: wanted in value,
    "notContains": lambda value, wanted: wanted not in value,
    "equals": lambda value, wanted: value == wanted,
    "notEqual": lambda value, wanted: value != wanted,
    "startsWith": lambda value, wanted: value.startswith(wanted),
    "endsWith": lambda value, wanted: value.endswith(wanted),
}
NUMBER_TESTS: dict[str, Callable[[float, float], bool]] = {
    "equals": lambda value, wanted: value == wanted,
    "notEqual": lambda value, wanted: value != wanted,
    "lessThan": lambda value, wanted: value < wanted,
    "lessThanOrEqual": lambda value, wanted: value <= wanted,
    "greaterThan": lambda value, wanted: value > wanted,
    "greaterThanOrEqual": lambda value, wanted: value >= wanted,
}


def block(rows: list[dict], request, columns: Iterable[str]) -> dict:
    """{"rowData": the requested rows, "rowCount": how many rows the filters keep}."""
    allowed = set(columns)
    request = request if isinstance(request, Mapping) else {}
    kept = [row for row in rows if _passes(row, request.get("filterModel"), allowed)]
    for column, descending in reversed(_sorts(request.get("sortModel"), allowed)):
        kept.sort(key=lambda row, c=column: _order(row.get(c)), reverse=descending)
    start, end = _bounds(request.get("startRow"), request.get("endRow"))
    return {"rowData": kept[start:end], "rowCount": len(kept)}


def _whole(value) -> int | None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        return None
    return int(value)


def _bounds(start, end) -> tuple[int, int]:
    start = max(0, _whole(start) or 0)
    end = _whole(end)
    if end is None or end <= start:
        end = start + MAX_BLOCK
    return start, min(end, start + MAX_BLOCK)


def _sorts(model, allowed: set[str]) -> list[tuple[str, bool]]:
    if not isinstance(model, list):
        return []
    return [(entry["colId"], entry["sort"] == "desc") for entry in model
            if isinstance(entry, Mapping) and entry.get("colId") in allowed
            and entry.get("sort") in ("asc", "desc")]


def _order(value) -> tuple:
    """Missing values first (AG Grid's ascending order), then numbers, then text."""
    if value is None:
        return (0, 0, "")
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return (1, value, "")
    return (2, 0, str(value).casefold())


def _passes(row: dict, model, allowed: set[str]) -> bool:
    if not isinstance(model, Mapping):
        return True
    return all(_condition(row.get(column), condition) for column, condition in model.items()
               if column in allowed and isinstance(condition, Mapping))


def _condition(value, condition: Mapping) -> bool:
    """One column's filter: a single condition, or conditions joined by AND / OR."""
    conditions = condition.get("conditions")
    if isinstance(conditions, list):
        results = [_condition(value, c) for c in conditions if isinstance(c, Mapping)]
        if not results:
            return True
        return any(results) if condition.get("operator") == "OR" else all(results)
    kind = condition.get("type")
    if kind == "empty":  # AG Grid's "choose..." placeholder: no condition yet
        return True
    if kind in ("blank", "notBlank"):
        return (value is None or value == "") == (kind == "blank")
    if condition.get("filterType") == "number":
        return _number_condition(value, kind, condition)
    wanted = condition.get("filter")
    if kind not in TEXT_TESTS or not isinstance(wanted, str):
        return True
    return TEXT_TESTS[kind]("" if value is None else str(value).casefold(), wanted.casefold())


def _number_condition(value, kind, condition: Mapping) -> bool:
    wanted, wanted_to = condition.get("filter"), condition.get("filterTo")
    if not _is_number(wanted) or (kind == "inRange" and not _is_number(wanted_to)):
        return True
    if kind not in NUMBER_TESTS and kind != "inRange":
        return True
    if not _is_number(value):
        return False  # AG Grid leaves a missing number out of every comparison
    if kind == "inRange":  # AG Grid's default range excludes both ends
        return wanted < value < wanted_to
    return NUMBER_TESTS[kind](value, wanted)


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and value == value
