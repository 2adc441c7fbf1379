"""The sheet as the reader sees it: its values as a grid with merged cells (from calamine), the
cell details only openpyxl knows, a cell as text, and the problems found so far with their cells.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from progress_audit.files.short_texts import cache_short_texts
from progress_audit.model.problems import CellRef, Problem

CACHED_TEXT = 512
"""Texts up to this many characters are cached by `header_field` and `normalised`."""


class Grid:
    """A sheet's values (from calamine) with merged ranges: `origin` maps a covered cell to the
    top-left cell that holds the value."""

    def __init__(self, rows: list[list[Any]], merged: Iterable[tuple[tuple[int, int], ...]]):
        self.rows = rows
        self.height = len(rows)
        self.width = max((len(r) for r in rows), default=0)
        self.origin: dict[tuple[int, int], tuple[int, int]] = {}
        self.spans: dict[tuple[int, int], tuple[int, int, int, int]] = {}
        self.merged_rows: set[int] = set()
        """Rows with a merged cell; the others are shown as they are (the common case)."""
        for (r0, c0), (r1, c1) in merged:
            r1, c1 = min(r1, self.height - 1), min(c1, self.width - 1)
            self.merged_rows.update(range(r0, r1 + 1))
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    self.spans[(r, c)] = (r0, c0, r1, c1)
                    if (r, c) != (r0, c0):
                        self.origin[(r, c)] = (r0, c0)

    def raw(self, r: int, c: int) -> Any:
        row = self.rows[r] if 0 <= r < self.height else ()
        return row[c] if 0 <= c < len(row) else ""

    def value(self, r: int, c: int) -> tuple[Any, tuple[int, int]]:
        """The value shown in (r, c) and the cell that holds it (the merge's top-left)."""
        at = self.origin.get((r, c), (r, c))
        return self.raw(*at), at

    def filled_row(self, r: int, *, vertical_only: bool = False) -> list[Any]:
        """The row as shown; `vertical_only` leaves the continuation of a cell merged across
        columns blank, so that a wide header cell counts once."""
        if r not in self.merged_rows and 0 <= r < self.height:
            row = self.rows[r]
            return [*row, *([""] * (self.width - len(row)))]
        out = []
        for c in range(self.width):
            at = self.origin.get((r, c), (r, c))
            out.append("" if vertical_only and at[1] != c else self.raw(*at))
        return out


def coordinate(at: tuple[int, int]) -> str:
    return f"{column_letter(at[1])}{at[0] + 1}"


@lru_cache(maxsize=1024)
def column_letter(index: int) -> str:
    """0 → A, 27 → AB. (Cached: a workbook names a few columns in every cell reference.)"""
    # openpyxl is slow to import, and a rerun with nothing new to read never needs it.
    from openpyxl.utils.cell import get_column_letter

    return get_column_letter(index + 1)


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    """A cell as the text a clerk sees (numbers without a trailing .0, dates as ISO)."""
    if blank(value):
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


@cache_short_texts(CACHED_TEXT)
def normalised(text: str) -> str:
    """For comparing names and texts: NFKC, no spaces. (Cached: unit names and task texts are
    compared again in every workbook.)"""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


class CellDetails:
    """Formulas, error values and percentage formats of one sheet, loaded with openpyxl the
    first time they are asked for (most workbooks never need it)."""

    def __init__(self, path: Path, sheet: str):
        self.path, self.sheet = path, sheet
        self._loaded = False
        self.formulas: set[tuple[int, int]] = set()
        self.errors: dict[tuple[int, int], str] = {}
        self.percent_format: set[tuple[int, int]] = set()
        self._cached: dict[tuple[int, int], Any] | None = None

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        # openpyxl is slow to import, and most workbooks are read without it.
        from openpyxl import load_workbook

        wb = load_workbook(self.path, read_only=True, data_only=False)
        try:
            for row in wb[self.sheet].iter_rows():
                for cell in row:
                    kind = getattr(cell, "data_type", None)
                    if kind is None or cell.value is None:
                        continue
                    at = (cell.row - 1, cell.column - 1)
                    if kind == "f":
                        self.formulas.add(at)
                    elif kind == "e":
                        self.errors[at] = str(cell.value)
                    elif kind == "n" and "%" in (cell.number_format or ""):
                        self.percent_format.add(at)
        finally:
            wb.close()

    def formula(self, at: tuple[int, int]) -> bool:
        self._load()
        return at in self.formulas

    def error(self, at: tuple[int, int]) -> str | None:
        self._load()
        return self.errors.get(at)

    def is_percent(self, at: tuple[int, int]) -> bool:
        self._load()
        return at in self.percent_format

    def cached_result(self, at: tuple[int, int]) -> Any:
        """The formula's cached result as Excel saved it (None when there is none)."""
        if self._cached is None:
            # openpyxl is slow to import, and most workbooks are read without it.
            from openpyxl import load_workbook

            wb = load_workbook(self.path, read_only=True, data_only=True)
            try:
                self._cached = {
                    (c.row - 1, c.column - 1): c.value
                    for row in wb[self.sheet].iter_rows()
                    for c in row
                    if getattr(c, "row", None) and (c.row - 1, c.column - 1) in self.formulas
                }
            finally:
                wb.close()
        return self._cached.get(at)


@dataclass
class RowCells:
    """One sheet row: each mapped field's value and the cell that holds it."""

    index: int
    values: dict[str, Any] = field(default_factory=dict)
    at: dict[str, tuple[int, int]] = field(default_factory=dict)
    merged_figure: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        return self.values.get(name, "")


@dataclass
class SheetProblems:
    """What is wrong with a workbook so far, and how its cells are named in a problem: the file,
    the sheet once chosen, and the unit once known (its problems carry it)."""

    file: str
    problems: list[Problem]
    sheet: str = ""
    unit: str | None = None

    def ref(self, at: tuple[int, int] | None = None) -> CellRef:
        if at is None:
            return CellRef(self.file, self.sheet or None)
        return CellRef(self.file, self.sheet, coordinate(at))

    def add(self, code: str, message: str, severity: str = "error", **kw: Any) -> None:
        """A problem with the file (its sheet, unless `ref` names a cell)."""
        kw.setdefault("ref", CellRef(self.file, self.sheet or None))
        self.problems.append(Problem(code, message, severity, unit=self.unit, **kw))  # type: ignore[arg-type]
