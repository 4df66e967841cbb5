"""Publication units: which selections may show figures about people (docs/disclosure.md).

A figure about people (a share, a mean, a count of answers) of a selection reveals the answers
of the people in it; two selections that differ by a few people reveal those people's answers
by subtraction (53 % of 36 and 55 % of 33 give the 3 people between them: 1 of them aware).
Hiding each figure under K people does not stop that. The rule here does:

- the data are cut into *cells*, one per (edition, school, region) as the marts and the
  projects hold them; a cell's *population* is the number of people behind one family of
  figures (the respondents to an item in a wave, the matched pairs of an item, the students of
  the projects, the organisations that answered a follow-up question...);
- the cells are grouped into *publication units* of at least K people each (`units_of`), over
  the whole warehouse, never per user, so every account sees the same units;
- a selection (the cells its filters keep, within the account's scope) may show the family's
  figures only when it is *whole*: for every unit, it holds all of that unit's cells or none
  (`Partition.whole`; cells without people of the family do not count).

Every selection a user can make is then a union of whole units, and so is the difference of
any two nested ones: no combination of shown figures isolates fewer than K people. Figures
shown stay exact.

How units are made, per family (`units_of`): within each (edition, region), a cell of at least
K people is a unit of its own; the smaller cells of that (edition, region) are pooled into one
unit, which, when still under K, joins the smallest unit of the same (edition, region). An
(edition, region) whose people add up to fewer than K is pooled with the other such regions of
the edition (and joins the edition's smallest unit when that pool is still under K); the same
once more across editions. A unit still under K (the whole warehouse under K) is hidden
everywhere.

Partitions are built once per warehouse version from the structures already in memory (the
awareness cubes, the projects' arrays) and kept with them (`dashboard.queries.versioned`);
checking a selection is a mask over a few thousand cells, memoised per filter.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from dashboard.queries.base import Filters

Cell = tuple  # (edition, school_id, region_code)
HIDDEN = -1  # the unit number of cells that no selection may show
CELL_KEYS = ("edition", "school_id", "region_code")
FILTER_OF_KEY = {"edition": "editions", "school_id": "schools", "region_code": "regions"}
_MEMO_LIMIT = 4096


def _size(populations: Iterable) -> int:
    """People behind a set of cells: counts add up; sets of organisations are united (one
    organisation may stand behind projects of several cells)."""
    populations = list(populations)
    if populations and isinstance(populations[0], (set, frozenset)):
        return len(frozenset().union(*populations))
    return int(sum(populations))


def _order(cell: Cell) -> tuple:
    return tuple("" if value is None else str(value) for value in cell)


def units_of(population: Mapping[Cell, object], k: int) -> dict[Cell, int]:
    """Each cell with people (a count > 0 or a non-empty set) and its unit: 0, 1, ... or
    HIDDEN. Deterministic: ties between equally small units go to the first by cell key."""
    alone = {cell: _size([value]) for cell, value in population.items()}
    people = {cell: population[cell] for cell, size in alone.items() if size > 0}
    counted = not any(isinstance(value, (set, frozenset)) for value in people.values())
    order = {cell: _order(cell) for cell in people}
    units: list[list[Cell]] = []

    def size(cells: Sequence[Cell]) -> int:
        if counted:  # counts add up: no set to unite
            return sum(alone[cell] for cell in cells)
        return _size(people[cell] for cell in cells)

    def smallest(indices: list[int]) -> int:
        return min(indices, key=lambda i: (size(units[i]), order[units[i][0]]))

    def settle(pool: list[Cell], into: list[int]) -> int | None:
        """A pool of at least K people becomes a unit; a smaller one joins the smallest unit
        of `into` (never empty here: the caller sends a region under K up a level)."""
        if size(pool) >= k:
            units.append(pool)
            return len(units) - 1
        units[smallest(into)].extend(pool)
        return None

    regions: dict[tuple, list[Cell]] = defaultdict(list)
    for cell in sorted(people, key=order.__getitem__):
        regions[(cell[0], cell[2])].append(cell)
    by_edition: dict[object, list[int]] = defaultdict(list)
    left_in_edition: dict[object, list[Cell]] = defaultdict(list)
    for (edition, _region), cells in sorted(regions.items(), key=lambda kv: _order(kv[0])):
        own = []
        for cell in cells:
            if alone[cell] >= k:
                units.append([cell])
                own.append(len(units) - 1)
        small = [cell for cell in cells if alone[cell] < k]
        if small:
            if size(cells) < k:  # the whole (edition, region) is under K
                left_in_edition[edition].extend(small)
            else:
                made = settle(small, own)
                own += [made] if made is not None else []
        by_edition[edition] += own
    left_overall: list[Cell] = []
    for edition in sorted(left_in_edition, key=lambda e: _order((e,))):
        pool = left_in_edition[edition]
        if size(pool) >= k:
            units.append(pool)
        elif by_edition[edition]:
            units[smallest(by_edition[edition])].extend(pool)
        else:
            left_overall.extend(pool)
    unit_of = {cell: i for i, cells in enumerate(units) for cell in cells}
    if left_overall:
        if size(left_overall) >= k:
            unit_of |= dict.fromkeys(left_overall, len(units))
        elif units:
            target = smallest(list(range(len(units))))
            unit_of |= dict.fromkeys(left_overall, target)
        else:
            unit_of |= dict.fromkeys(left_overall, HIDDEN)
    return unit_of


@dataclass(frozen=True)
class Partition:
    """The cells of one family of figures and their units, as arrays for fast selections."""

    keys: Mapping[str, np.ndarray]  # CELL_KEYS -> object array, one entry per cell with people
    unit: np.ndarray                # the cell's unit, HIDDEN for cells never shown
    cells_in_unit: np.ndarray       # how many cells each unit has
    _memo: dict = field(default_factory=dict, compare=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    @classmethod
    def of(cls, population: Mapping[Cell, object], k: int) -> "Partition":
        unit_of = units_of(population, k)
        cells = list(unit_of)
        unit = np.fromiter((unit_of[cell] for cell in cells), dtype=np.int64, count=len(cells))
        keys = {name: np.asarray([cell[i] for cell in cells], dtype=object)
                for i, name in enumerate(CELL_KEYS)}
        shown = unit[unit >= 0]
        return cls(keys, unit, np.bincount(shown, minlength=int(shown.max(initial=-1)) + 1))

    def whole(self, chosen: Filters) -> bool:
        """True when the selection holds every cell or no cell of each unit it touches (and
        touches no hidden cell): then its figures of this family may be shown."""
        with self._lock:
            known = self._memo.get(chosen.key)
        if known is not None:
            return known
        touched = self.unit[self._kept(chosen)]
        if (touched == HIDDEN).any():
            answer = False
        else:
            taken = np.bincount(touched, minlength=len(self.cells_in_unit))
            answer = bool(np.all((taken == 0) | (taken == self.cells_in_unit)))
        with self._lock:
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            self._memo[chosen.key] = answer
        return answer

    def whole_by(self, chosen: Filters, key: str) -> dict:
        """For each value of a cell key (CELL_KEYS) that the selection holds cells of: whether
        the selection narrowed to that value (a breakdown row) is whole. One pass over the
        cells for every row, rather than one `whole` per row."""
        memo_key = (chosen.key, key)
        with self._lock:
            known = self._memo.get(memo_key)
        if known is not None:
            return known
        keep = self._kept(chosen)
        values, rows = np.unique(self.keys[key][keep].astype(str), return_inverse=True)
        units = self.unit[keep]
        hidden = np.zeros(len(values), dtype=bool)
        np.logical_or.at(hidden, rows, units == HIDDEN)
        shown = units != HIDDEN
        taken = np.zeros((len(values), len(self.cells_in_unit)), dtype=np.int64)
        np.add.at(taken, (rows[shown], units[shown]), 1)
        cut = ((taken > 0) & (taken != self.cells_in_unit)).any(axis=1)
        answer = dict(zip(values.tolist(), (~(cut | hidden)).tolist()))
        with self._lock:
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            self._memo[memo_key] = answer
        return answer

    def _kept(self, chosen: Filters) -> np.ndarray:
        keep = np.ones(len(self.unit), dtype=bool)
        for name in CELL_KEYS:
            values = getattr(chosen, FILTER_OF_KEY[name])
            if values:
                keep &= np.isin(self.keys[name], list(values))
        return keep

    def units(self) -> dict[Cell, int]:
        """Each cell and its unit (for tests and the documentation's examples)."""
        cells = zip(*(self.keys[name].tolist() for name in CELL_KEYS))
        return dict(zip(cells, self.unit.tolist()))


def partitions(cells: Sequence[Cell], populations: Mapping[str, Sequence], k: int
               ) -> dict[str, Partition]:
    """One partition per family: `populations[name][i]` is the people of `cells[i]` (a count,
    or a set of organisations). A cell listed several times adds up (or unites)."""
    index: dict[Cell, int] = {}
    at = [index.setdefault(cell, len(index)) for cell in cells]
    unique = list(index)
    built = {}
    for name, values in populations.items():
        values = list(values)
        if any(isinstance(value, (set, frozenset)) for value in values):
            merged: list = [set() for _ in unique]
            for i, value in zip(at, values):
                if value:
                    merged[i].update(value)
        else:
            merged = np.bincount(np.asarray(at, dtype=np.int64),
                                 weights=np.asarray(values, dtype=float),
                                 minlength=len(unique)).round().astype(np.int64).tolist()
        built[name] = Partition.of(dict(zip(unique, merged)), k)
    return built


@dataclass(frozen=True)
class Gate:
    """The partitions of a module's families and the selection (effective filters) at hand:
    `gate.whole("pre:knows_ess", "post:knows_ess")` says whether figures needing both families
    may be shown; `gate.whole_by("school_id", ...)` answers for each row of a breakdown."""

    units: Mapping[str, Partition]
    chosen: Filters

    def whole(self, *families: str) -> bool:
        return all(self.units[family].whole(self.chosen) for family in families)

    def whole_by(self, key: str, *families: str) -> dict:
        """Per value of `key` held by the selection: whether its breakdown row is whole for
        every one of `families` (a value absent from the result selects no cell of them)."""
        rows: dict = {}
        for family in families:
            for value, whole in self.units[family].whole_by(self.chosen, key).items():
                rows[value] = rows.get(value, True) and whole
        return rows
