"""The reader (填报表识读): one unit's workbook → tidy rows, each value with its cell.

    file ──workbook_safety──▶ sheet (python-calamine) ──header, title, rows──▶ WorkbookReading

Workbooks come back messy and are still read (contract section 3): the header anywhere in the
first 15 rows, columns in any order under common synonyms, extra columns ignored, merged
cells, blank and subtotal rows, figures typed as text (`figures.py`). What cannot be read is a
`Problem` with its cell (`进度填报!F7`), never a guess and never silently dropped.

Values come from python-calamine (fast, cached formula results). openpyxl is opened only when
the sheet has formulas or error cells, or a percentage cell needs its number format: it tells
a formula without a cached result (calamine shows it as empty) from a truly empty cell.

Header synonyms, and the one judgement call: `完成情况` is what many offices head the figure
column with, but it is just as often the prose column. It is read as 本年累计完成 only when
the sheet has no column that is unambiguously the figure (`本年累计完成`, `累计完成`,
`本年累计完成值`, …); otherwise it is read as 进展情况 (when there is no 进展情况 column) or
ignored. In a `完成情况` figure column a cell holding only a status word (`已完成`) is taken as
完成状态 when that is empty, and on a task without a metric its prose as 进展情况.
A column headed with 上月/上年/去年/同期/参考 (the template's `上月累计（参考）`) is never a
figure of this month.

What the reader does not judge: an empty input cell or a task line without a row is read as
such (value None, no row) and left to the completeness checks (checks/completeness.py), so
that each gap is reported once.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from progress_audit.files.short_texts import cache_short_texts
from progress_audit.intake.reading.figures import (
    Figure,
    parse_date,
    parse_figure,
    parse_percent,
    parse_status,
)
from progress_audit.intake.reading.safety import Inspection, SafetyLimits, inspect_workbook
from progress_audit.model.period import Period, PeriodError
from progress_audit.model.problems import CellRef, Problem
from progress_audit.model.records import ReportedRow
from progress_audit.standards.catalogue import Catalogue
from progress_audit.standards.responsibility import TaskLine

READER_VERSION = "1"
"""Bump when the form of a reading changes. (Readings are also keyed on the reading modules'
source, `READING_PACKAGES` in intake: any change to the code reads the workbooks again.)"""

PREFERRED_SHEET = "进度填报"
HEADER_SEARCH_ROWS = 15

# ---- the outside ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkbookReading:
    """What a workbook says: whose, which month, its rows, and everything wrong with it.

    `problems` holds file-level and row-level problems (row problems are also on each
    ReportedRow). `usable` False → the intake marks the submission `rejected`; an error problem
    says why. `unit`/`period` come from the title cells, else the file name and folders (also
    for a rejected file, when its name tells).
    """

    unit: str | None
    period: str | None
    rows: tuple[ReportedRow, ...]
    problems: tuple[Problem, ...]
    usable: bool
    sheet: str | None = None
    """The sheet the rows were read from."""


def read_workbook(
    path: Path,
    display_name: str,
    catalogue: Catalogue,
    assignments: Mapping[str, tuple[TaskLine, ...]],
    *,
    limits: SafetyLimits | None = None,
) -> WorkbookReading:
    """Read the workbook at `path` (the archived copy); never raises for bad input.

    `display_name` is the file relative to the inbox: it names the file in every CellRef and
    is the fallback for unit and month. `limits` defaults to the settings.
    """
    limits = limits or SafetyLimits.from_settings()
    inspection = inspect_workbook(path, display_name, limits)
    if not inspection.usable:
        unit, period = _path_unit_month(display_name, assignments, catalogue.year)
        return WorkbookReading(unit, period, (), inspection.problems, False)
    try:
        return _Reader(path, display_name, catalogue, assignments, inspection).read()
    except Exception as e:  # the workbook passed the sniff but its insides are broken
        unit, period = _path_unit_month(display_name, assignments, catalogue.year)
        problem = Problem(
            "corrupt_workbook",
            f"工作簿内容已损坏，无法读取（{type(e).__name__}）：请用 Excel 或 WPS 打开后另存为 "
            ".xlsx 再报送",
            ref=CellRef(display_name),
        )
        return WorkbookReading(unit, period, (), (*inspection.problems, problem), False)


# ---- headers -------------------------------------------------------------------------------

# field → (exact synonyms, strength). The strongest column of a field wins; equal strength →
# the first, with a warning.
_SYNONYMS: dict[str, dict[str, int]] = {
    "task_id": {
        "任务编号": 3,
        "任务序号": 2,
        "工作标准编号": 2,
        "标准编号": 2,
        "任务号": 2,
        "编号": 1,
    },
    "metric_id": {"指标编号": 3, "指标序号": 2, "指标号": 2},
    "text": {
        "工作标准": 3,
        "指标名称": 2,
        "工作任务": 2,
        "任务内容": 2,
        "重点任务": 2,
        "任务名称": 2,
        "工作内容": 1,
    },
    "target": {
        "目标值": 3,
        "年度目标": 2,
        "全年目标": 2,
        "年度目标值": 2,
        "全年目标值": 2,
        "目标": 1,
    },
    "unit_of_measure": {"计量单位": 3, "单位": 1},
    "value": {
        "本年累计完成": 4,
        "实际完成": 2,
        "完成值": 2,
        "完成数": 2,
        "实际完成值": 2,
        "完成情况": 0,
    },
    "status": {"完成状态": 3, "状态": 2, "进度状态": 2, "推进状态": 2, "工作状态": 2},
    "percent": {"形象进度": 3, "完成进度": 2, "完成比例": 2, "完成百分比": 2, "进度": 1},
    "expected_completion": {
        "预计完成时间": 3,
        "预计完成日期": 2,
        "计划完成时间": 2,
        "完成时限": 2,
        "预计完成时限": 2,
        "完成时间": 1,
    },
    "progress": {
        "进展情况": 3,
        "工作进展": 2,
        "进展": 2,
        "推进情况": 2,
        "主要进展": 2,
        "工作进展情况": 2,
        "工作推进情况": 2,
        "进展情况说明": 2,
    },
    "issues": {
        "存在问题": 3,
        "存在的问题": 2,
        "问题": 1,
        "困难和问题": 2,
        "存在困难和问题": 2,
        "存在问题和困难": 2,
    },
    "next_steps": {
        "下步计划": 3,
        "下一步计划": 2,
        "下步工作计划": 2,
        "下一步工作计划": 2,
        "下步打算": 2,
        "下一步打算": 2,
        "下步工作打算": 2,
    },
}
# 本年累计完成 and its spellings: 累计完成, 本年累计完成值, 1-6月累计完成, 截至6月底累计完成数 …
_VALUE_HEADER = re.compile(
    r"^(?:本年|今年|年度|全年|本年度|截至本月|截至\d{1,2}月(?:底|末)?|1-\d{1,2}月|1至\d{1,2}月)?"
    r"累计(?:完成)?(?:值|数|量|情况)?$"
)
_REFERENCE_WORDS = ("上月", "上年", "去年", "同期", "参考", "上期")
_WEAK_VALUE = 0
_IDENTITY = ("task_id", "metric_id", "text")
_REPORTED = (
    "value",
    "status",
    "percent",
    "expected_completion",
    "progress",
    "issues",
    "next_steps",
)
# Columns whose merged cells may span several rows (one status, one narrative for a task);
# a figure merged across rows belongs to no row in particular.
_NOT_FILLED_DOWN = ("value", "percent")


def _clean_header(raw: object) -> tuple[str, bool]:
    """A header cell as a key (`本年累计\\n完成（万元）*` → `本年累计完成`), and whether it names
    a reference column (上月, 参考…)."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(raw)))
    reference = any(w in text for w in _REFERENCE_WORDS)
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】", "", text).strip("*:：")
    return text, reference


def _header_field(raw: object) -> tuple[str, int] | None:
    """The field a header cell names, with its strength, or None for an extra column."""
    if not isinstance(raw, str):
        return None
    return _text_header_field(raw)


CACHED_TEXT = 512
"""Texts up to this many characters are cached by `_header_field` and `_norm`."""


# Cached: every row is tried as a header (a repeated header on a printed page), and the same
# task texts come back in every month's workbook.
@cache_short_texts(CACHED_TEXT)
def _text_header_field(raw: str) -> tuple[str, int] | None:
    if not raw.strip():
        return None
    key, reference = _clean_header(raw)
    if reference or not key:
        return None
    for name, synonyms in _SYNONYMS.items():
        if key in synonyms:
            return name, synonyms[key]
    if _VALUE_HEADER.match(key):
        return "value", 3
    return None


@dataclass(frozen=True)
class _Header:
    row: int
    columns: dict[str, int]
    """field → column index (0-based)."""
    demoted_value: int | None = None
    """A 完成情况 column set aside because a stronger figure column exists."""
    weak_value: bool = False
    """The figure column is 完成情况 (see the module docstring)."""
    duplicates: tuple[tuple[str, int, int], ...] = ()
    """(field, column used, column ignored) for equally strong columns."""

    @property
    def score(self) -> int:
        return len(self.columns)

    @property
    def recognisable(self) -> bool:
        has_identity = any(f in self.columns for f in _IDENTITY)
        has_report = any(f in self.columns for f in ("value", "status", "percent"))
        return self.score >= 3 and has_identity and has_report


def _header_of(row_index: int, cells: list[Any]) -> _Header:
    found: dict[str, list[tuple[int, int]]] = {}
    for col, raw in enumerate(cells):
        hit = _header_field(raw)
        if hit:
            found.setdefault(hit[0], []).append((-hit[1], col))
    columns: dict[str, int] = {}
    duplicates: list[tuple[str, int, int]] = []
    demoted = None
    for name, hits in found.items():
        hits.sort()
        columns[name] = hits[0][1]
        for strength, col in hits[1:]:
            if strength == hits[0][0]:
                duplicates.append((name, hits[0][1], col))
            elif name == "value" and -strength == _WEAK_VALUE:
                demoted = col
    weak = "value" in found and -found["value"][0][0] == _WEAK_VALUE
    if demoted is not None and "progress" not in columns:
        columns["progress"] = demoted
    return _Header(row_index, columns, demoted, weak, tuple(duplicates))


def _find_header(grid: list[list[Any]]) -> _Header | None:
    """The header row: the most recognised fields in the first 15 rows (the lowest on a tie,
    so that a two-row header with merged cells is read from the row nearest the data)."""
    best: _Header | None = None
    for r in range(min(HEADER_SEARCH_ROWS, len(grid))):
        header = _header_of(r, grid[r])
        if header.recognisable and (best is None or header.score >= best.score):
            best = header
    return best


# ---- the sheet as a grid with merged cells -------------------------------------------------


class _Grid:
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


def _coordinate(at: tuple[int, int]) -> str:
    return f"{_column_letter(at[1])}{at[0] + 1}"


@lru_cache(maxsize=1024)
def _column_letter(index: int) -> str:
    """0 → A, 27 → AB. (Cached: a workbook names a few columns in every cell reference.)"""
    from openpyxl.utils.cell import get_column_letter

    return get_column_letter(index + 1)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    """A cell as the text a clerk sees (numbers without a trailing .0, dates as ISO)."""
    if _blank(value):
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


@cache_short_texts(CACHED_TEXT)
def _norm(text: str) -> str:
    """For comparing names and texts: NFKC, no spaces. (Cached: unit names and task texts are
    compared again in every workbook.)"""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


# ---- cell details that only openpyxl knows -------------------------------------------------


class _CellDetails:
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


# ---- title cells: unit and month -----------------------------------------------------------

_LABEL = re.compile(
    r"(?P<unit>(?:填报|报送|责任|牵头)单位(?:名称)?|单位名称)"
    r"|(?P<month>(?:填报|报送|所属|统计)月份|填报期间|报告期|月份(?=\s*[:：]|\s*$))"
    r"|(?P<stop>填报人|联系人|联系电话|电话|填报日期|报送日期|填报时间|报送时间|报送截止|截止时间"
    r"|审核人|负责人|分管领导)"
)
_LABEL_TAIL = re.compile(r"^\s*(?:\([^)]*\))?\s*[:：]?\s*")
_CUMULATIVE_MONTH = re.compile(r"(20\d{2})\s*年?\s*1\s*[-—~至到]\s*(\d{1,2})\s*月")
_TITLE_MONTH = re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月(?!\s*\d{1,2}\s*日)")


@dataclass
class _Labelled:
    """What the title rows say, with the cells that say it."""

    unit: tuple[str, tuple[int, int]] | None = None
    month: tuple[Any, tuple[int, int]] | None = None
    title_month: tuple[Period, tuple[int, int]] | None = None


def _segments(text: str) -> tuple[str, list[tuple[str, str]]]:
    """`填报单位：人社局 填报月份：2019年6月` → ("", [("unit", "人社局"), ("month", …)])."""
    matches = list(_LABEL.finditer(text))
    if not matches:
        return text, []
    out: list[tuple[str, str]] = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        rest = text[m.end() : end]
        rest = rest[_LABEL_TAIL.match(rest).end() :]  # type: ignore[union-attr]
        out.append((m.lastgroup or "", rest.strip()))
    return text[: matches[0].start()], out


def _read_title(grid: _Grid, header_row: int) -> _Labelled:
    found = _Labelled()
    for r in range(header_row):
        for c in range(grid.width):
            raw = grid.raw(r, c)
            if _blank(raw) or not isinstance(raw, str):
                continue
            text = unicodedata.normalize("NFKC", raw)
            before, labelled = _segments(text)
            for kind, value in labelled:
                if kind == "stop":
                    continue
                at = (r, c)
                got: Any = value
                if not value:  # the name is in the next cell: | 填报单位 | 人社局 |
                    got, at = _next_cell(grid, r, c)
                if _blank(got):
                    continue
                if kind == "unit" and found.unit is None:
                    found.unit = (_clean_unit(_text(got)), at)
                elif kind == "month" and found.month is None:
                    found.month = (got, at)
            # A month in unlabelled title text: `2019年6月重点任务进度填报表`.
            period = _month_in_text(before if labelled else text)
            if period and found.title_month is None:
                found.title_month = (period, (r, c))
    return found


def _next_cell(grid: _Grid, r: int, c: int) -> tuple[Any, tuple[int, int]]:
    for cc in range(c + 1, grid.width):
        if (r, cc) in grid.origin:
            continue
        raw = grid.raw(r, cc)
        if not _blank(raw):
            if isinstance(raw, str) and _LABEL.match(unicodedata.normalize("NFKC", raw).strip()):
                break
            return raw, (r, cc)
    return "", (r, c)


def _clean_unit(text: str) -> str:
    text = re.sub(r"\((?:盖章|章|公章|签章)\)", "", _norm(text))
    return text.strip(":：,，;；。.")


def _month_in_text(text: str) -> Period | None:
    for pattern in (_CUMULATIVE_MONTH, _TITLE_MONTH):
        m = pattern.search(text)
        if m:
            try:
                return Period(int(m[1]), int(m[2]))
            except PeriodError:
                return None
    return None


def _parse_month(raw: Any, year: int) -> tuple[Period | None, str | None]:
    """A labelled month: `2019年6月`, `2019-06`, `2019.6`, `6月`, `2019年1-6月`, a date cell."""
    if isinstance(raw, datetime | date):
        return Period(raw.year, raw.month), None
    if isinstance(raw, float | int) and not isinstance(raw, bool):
        text = repr(raw)
        if re.fullmatch(r"20\d{2}\.1", text):
            return None, (
                f"填报月份“{text}”无法判断是 1 月还是 10 月（Excel 把 2019.10 存成了 2019.1）："
                "请填写如“2019年10月”"
            )
    else:
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(raw)))
    period = _month_in_text(text)
    if period:
        return period, None
    try:
        return Period.parse(text), None
    except PeriodError:
        pass
    m = re.fullmatch(r"(?:1-)?(\d{1,2})月份?", text)
    if m and 1 <= int(m[1]) <= 12:
        return Period(year, int(m[1])), None
    return None, f"填报月份“{_text(raw)}”无法识别：请填写如“{year}年6月”"


# ---- unit and month from the file name and folders -----------------------------------------

_PATH_MONTHS = (
    _CUMULATIVE_MONTH,
    re.compile(r"(?<!\d)(20\d{2})\s*[-._年/]\s*(\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(20\d{2})(0[1-9]|1[0-2])(?!\d)"),
)
_PATH_MONTH_ONLY = re.compile(r"(?<!\d)(\d{1,2})\s*月")


def _path_parts(display_name: str) -> list[str]:
    """The file name (without extension) first, then its folders from the innermost out."""
    p = PurePosixPath(display_name.replace("\\", "/"))
    return [p.stem, *reversed(p.parts[:-1])]


def _unit_in_text(text: str, units: Iterable[str]) -> str | None:
    """The one known unit named in `text` (the longest; two different ones → None)."""
    norm = _norm(text)
    hits = [u for u in units if _norm(u) and _norm(u) in norm]
    hits = [u for u in hits if not any(u != v and _norm(u) in _norm(v) for v in hits)]
    return hits[0] if len(hits) == 1 else None


def _path_unit(display_name: str, units: Iterable[str]) -> tuple[str | None, str]:
    units = tuple(units)
    for part in _path_parts(display_name):
        unit = _unit_in_text(part, units)
        if unit:
            return unit, part
    return None, ""


def _path_month(display_name: str, year: int) -> tuple[Period | None, str]:
    for part in _path_parts(display_name):
        text = unicodedata.normalize("NFKC", part)
        for pattern in _PATH_MONTHS:
            m = pattern.search(text)
            if m and 1 <= int(m[2]) <= 12:
                return Period(int(m[1]), int(m[2])), part
        m = _PATH_MONTH_ONLY.search(text)
        if m and 1 <= int(m[1]) <= 12:
            return Period(year, int(m[1])), part
    return None, ""


def _path_unit_month(
    display_name: str, assignments: Mapping[str, Any], year: int
) -> tuple[str | None, str | None]:
    unit, _ = _path_unit(display_name, assignments)
    period, _ = _path_month(display_name, year)
    return unit, (str(period) if period else None)


def _resolve_unit(name: str, units: tuple[str, ...]) -> tuple[str | None, bool]:
    """A unit's name as the catalogue spells it: exact, then ignoring width and spaces, then
    the one known name inside it (`金坛区人社局`) or containing it (`生态环境局`).
    Returns (unit, inexact)."""
    if name in units:
        return name, False
    norm = _norm(name)
    for u in units:
        if _norm(u) == norm:
            return u, False
    inside = _unit_in_text(norm, units)
    if inside:
        return inside, True
    if len(norm) >= 2:
        around = [u for u in units if norm in _norm(u)]
        if len(around) == 1:
            return around[0], True
    return None, False


def _close_names(name: str, units: tuple[str, ...]) -> list[str]:
    norm = _norm(name)
    scored = sorted(
        ((difflib.SequenceMatcher(None, norm, _norm(u)).ratio(), u) for u in units),
        key=lambda x: (-x[0], units.index(x[1])),
    )
    return [u for score, u in scored[:3] if score >= 0.3]


# ---- the reading itself --------------------------------------------------------------------


@dataclass
class _RowCells:
    """One sheet row: each mapped field's value and the cell that holds it."""

    index: int
    values: dict[str, Any] = field(default_factory=dict)
    at: dict[str, tuple[int, int]] = field(default_factory=dict)
    merged_figure: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        return self.values.get(name, "")


_SUBTOTAL = re.compile(r"^(?:合计|小计|总计|共计)")


def _subtotal(cells: _RowCells, whole_row: list[Any]) -> bool:
    """合计/小计 rows: a subtotal word in the row and no real task or metric id."""
    ids = [_norm(_text(cells.get(f))) for f in ("task_id", "metric_id")]
    if any(i and not _SUBTOTAL.match(i) for i in ids):
        return False
    return any(isinstance(v, str) and _SUBTOTAL.match(_norm(v)) for v in whole_row)


_TARGET_WORDS = re.compile(
    r"^(?:≥|>=|>|≤|<=|<|不低于|不少于|不超过|达到|超过|超|力争|确保|新增|完成)+|(?:以上|以内|左右)$"
)


class _Reader:
    def __init__(
        self,
        path: Path,
        display_name: str,
        catalogue: Catalogue,
        assignments: Mapping[str, tuple[TaskLine, ...]],
        inspection: Inspection,
    ):
        self.path, self.name, self.catalogue = path, display_name, catalogue
        self.assignments = assignments
        self.units = tuple(assignments)
        self.inspection = inspection
        self.problems: list[Problem] = list(inspection.problems)
        self.sheet = ""
        self.unit: str | None = None

    # -- helpers ---------------------------------------------------------------------------

    def ref(self, at: tuple[int, int] | None = None) -> CellRef:
        if at is None:
            return CellRef(self.name, self.sheet or None)
        return CellRef(self.name, self.sheet, _coordinate(at))

    def file_problem(self, code: str, message: str, severity: str = "error", **kw: Any) -> None:
        kw.setdefault("ref", CellRef(self.name, self.sheet or None))
        self.problems.append(Problem(code, message, severity, unit=self.unit, **kw))  # type: ignore[arg-type]

    def unusable(self, unit: str | None = None, period: str | None = None) -> WorkbookReading:
        if unit is None and period is None:
            unit, period = _path_unit_month(self.name, self.assignments, self.catalogue.year)
        return WorkbookReading(unit, period, (), tuple(self.problems), False, self.sheet or None)

    # -- the steps -------------------------------------------------------------------------

    def read(self) -> WorkbookReading:
        from python_calamine import CalamineWorkbook

        with CalamineWorkbook.from_path(str(self.path)) as wb:
            chosen = self.choose_sheet(wb)
        if chosen is None:
            self.file_problem(
                "no_header",
                f"在各工作表前 {HEADER_SEARCH_ROWS} 行中没有找到表头（应有“任务编号”“指标编号”"
                "“本年累计完成”“完成状态”等列）：请使用下发的进度填报表模板填写，不要删除表头行",
            )
            return self.unusable()
        self.sheet, grid, header = chosen
        unit, period = self.unit_and_month(grid, header)
        if unit is None or period is None:
            return self.unusable(unit, str(period) if period else None)
        self.unit = unit
        # File-level problems found before the unit was known are the unit's too.
        self.problems = [replace(p, unit=p.unit or unit) for p in self.problems]
        self.report_duplicate_columns(header)
        details = _CellDetails(self.path, self.sheet)
        rows = self.read_rows(grid, header, unit, str(period), details)
        if not rows:
            self.file_problem(
                "no_rows",
                f"表中没有找到{unit}的任务行（按任务编号、指标编号对应）：请使用下发给本单位的"
                "进度填报表模板填写，不要修改编号",
            )
            return WorkbookReading(unit, str(period), (), tuple(self.problems), False, self.sheet)
        return WorkbookReading(unit, str(period), rows, tuple(self.problems), True, self.sheet)

    def choose_sheet(self, wb: Any) -> tuple[str, _Grid, _Header] | None:
        """`进度填报` if it has a header, else the first visible sheet that does, then hidden."""
        from python_calamine import SheetTypeEnum, SheetVisibleEnum

        metas = {m.name: m for m in wb.sheets_metadata}

        def order(name: str) -> tuple[int, int]:
            meta = metas.get(name)
            hidden = meta is not None and meta.visible != SheetVisibleEnum.Visible
            preferred = _norm(name) == PREFERRED_SHEET
            return (0 if preferred else 2 if hidden else 1, wb.sheet_names.index(name))

        for name in sorted(wb.sheet_names, key=order):
            meta = metas.get(name)
            if meta is not None and meta.typ != SheetTypeEnum.WorkSheet:
                continue
            try:
                sheet = wb.get_sheet_by_name(name)
                rows = sheet.to_python(skip_empty_area=False)
                merged = sheet.merged_cell_ranges or []
            except Exception:  # a chart sheet or a part calamine cannot read: try the next
                continue
            grid = _Grid(rows, merged)
            header_rows = [
                grid.filled_row(r, vertical_only=True)
                for r in range(min(HEADER_SEARCH_ROWS, grid.height))
            ]
            header = _find_header(header_rows)
            if header:
                return name, grid, header
        return None

    def unit_and_month(self, grid: _Grid, header: _Header) -> tuple[str | None, Period | None]:
        year = self.catalogue.year
        title = _read_title(grid, header.row)
        path_unit, unit_part = _path_unit(self.name, self.units)
        path_period, month_part = _path_month(self.name, year)

        unit: str | None = None
        if title.unit:
            written, at = title.unit
            unit, inexact = _resolve_unit(written, self.units)
            if unit is None:
                close = _close_names(written, self.units)
                hint = f"（相近的有：{'、'.join(close)}）" if close else ""
                self.file_problem(
                    "unknown_unit",
                    f"填报单位“{written}”不在{year}年牵头单位名单中{hint}：请按下发模板填写"
                    "单位名称",
                    ref=self.ref(at),
                )
            elif inexact:
                self.file_problem(
                    "unit_name_normalised",
                    f"填报单位“{written}”按“{unit}”读取：请按下发模板填写单位名称",
                    "warning",
                    ref=self.ref(at),
                    dimension="consistency",
                )
            if unit and path_unit and path_unit != unit:
                self.file_problem(
                    "unit_mismatch",
                    f"表中填报单位为“{unit}”，文件名或文件夹“{unit_part}”却是“{path_unit}”："
                    f"按表中的“{unit}”读取，如有误请改正后重新报送",
                    "warning",
                    ref=self.ref(at),
                    dimension="consistency",
                )
        elif path_unit:
            unit = path_unit
            self.file_problem(
                "unit_from_file_name",
                f"表中没有填写填报单位，按文件名或文件夹“{unit_part}”认定为“{unit}”："
                "请在表头填写“填报单位：…”",
                "warning",
                dimension="completeness",
            )
        else:
            self.file_problem(
                "no_unit",
                "表中没有填写填报单位，文件名也看不出是哪个单位：请在表头填写“填报单位：…”"
                "（如“填报单位：人社局”）后重新报送",
                dimension="completeness",
            )

        period = self.month(title, path_period, month_part, year)
        if period is not None and period.year != year:
            self.file_problem(
                "wrong_year",
                f"填报月份为{period.label}，不是{year}年：请使用{year}年的进度填报表",
            )
            return unit, None
        return unit, period

    def month(
        self, title: _Labelled, path_period: Period | None, month_part: str, year: int
    ) -> Period | None:
        period: Period | None = None
        at: tuple[int, int] | None = None
        if title.month:
            raw, at = title.month
            period, error = _parse_month(raw, year)
            if error:
                self.file_problem("no_month", error, ref=self.ref(at), dimension="completeness")
                return None
        elif title.title_month:
            period, at = title.title_month
        if period is not None:
            if path_period and path_period != period:
                self.file_problem(
                    "month_mismatch",
                    f"表中填报月份为{period.label}，文件名或文件夹“{month_part}”却是"
                    f"{path_period.label}：按表中的{period.label}读取，如有误请改正后重新报送",
                    "warning",
                    ref=self.ref(at),
                    dimension="consistency",
                )
            return period
        if path_period:
            self.file_problem(
                "month_from_file_name",
                f"表中没有填写填报月份，按文件名或文件夹“{month_part}”认定为{path_period.label}："
                "请在表头填写“填报月份：…”",
                "warning",
                dimension="completeness",
            )
            return path_period
        self.file_problem(
            "no_month",
            f"表中没有填写填报月份，文件名也看不出是哪个月：请在表头填写“填报月份：{year}年6月”"
            "这样的月份后重新报送",
            dimension="completeness",
        )
        return None

    def report_duplicate_columns(self, header: _Header) -> None:
        for name, used, ignored in header.duplicates:
            self.file_problem(
                "duplicate_column",
                f"表头有两列都是“{_FIELD_LABELS[name]}”：按第 {_coordinate((header.row, used))} "
                f"列读取，{_coordinate((header.row, ignored))} 列未读取，请删除多余的列",
                "warning",
                ref=self.ref((header.row, ignored)),
                dimension="consistency",
            )

    # -- rows ------------------------------------------------------------------------------

    def row_cells(self, grid: _Grid, header: _Header, r: int) -> _RowCells:
        cells = _RowCells(r)
        for name, c in header.columns.items():
            span = grid.spans.get((r, c))
            if name in _NOT_FILLED_DOWN and span and span[0] != span[2]:
                cells.merged_figure[name] = span
                at = (span[0], span[1])
                cells.values[name] = grid.raw(*at) if at == (r, c) else ""
                cells.at[name] = (r, c)
                continue
            value, at = grid.value(r, c)
            cells.values[name], cells.at[name] = value, at
        return cells

    def read_rows(
        self, grid: _Grid, header: _Header, unit: str, period: str, details: _CellDetails
    ) -> tuple[ReportedRow, ...]:
        lines = self.assignments.get(unit, ())
        matcher = _Matcher(lines, self.catalogue)
        seen: dict[tuple[str, str | None], ReportedRow] = {}
        order: list[tuple[str, str | None]] = []
        for r in range(header.row + 1, grid.height):
            cells = self.row_cells(grid, header, r)
            whole_row = grid.filled_row(r)
            if all(_blank(v) for v in whole_row):
                continue
            if _header_of(r, whole_row).score >= 3:  # the header repeated (a printed page)
                continue
            if _subtotal(cells, whole_row):
                continue
            has_report = any(not _blank(cells.get(f)) for f in _REPORTED)
            line, problem = matcher.match(cells, has_report)
            if problem:
                code, message, target_id = problem
                self.problems.append(
                    Problem(
                        code,
                        message,
                        "error",
                        self.ref(cells.at.get(target_id, (r, 0))),
                        unit=unit,
                        dimension="validity",
                    )
                )
                continue
            if line is None:  # a note or a footer row (填报人：…): nothing reported, no id
                continue
            row = self.reported_row(cells, line, unit, period, header, details)
            if line.key in seen:
                row = self.duplicate(seen[line.key], row)
                seen[line.key] = row
                continue
            seen[line.key] = row
            order.append(line.key)
        rows = tuple(seen[k] for k in order)
        for row in rows:
            self.problems.extend(row.problems)
        return rows

    def duplicate(self, first: ReportedRow, second: ReportedRow) -> ReportedRow:
        """The same task line twice: the first row counts; if the two differ it is an error."""
        same = _content(first) == _content(second)
        what = f"指标 {first.metric_id}" if first.metric_id else f"任务 {first.task_id}"
        problem = Problem(
            "duplicate_row",
            (
                f"{what}在第 {first.row} 行和第 {second.row} 行重复填写"
                + (
                    "（内容相同），已按第一行读取：请删除重复的行"
                    if same
                    else "，两行内容不同，无法判断以哪行为准：请删除多余的行后重新报送"
                )
            ),
            "warning" if same else "error",
            second.sources.get("metric_id") or second.sources.get("task_id") or self.ref(),
            unit=first.unit,
            task_id=first.task_id,
            metric_id=first.metric_id,
            dimension="consistency",
        )
        return replace(first, problems=(*first.problems, problem))

    def reported_row(
        self,
        cells: _RowCells,
        line: TaskLine,
        unit: str,
        period: str,
        header: _Header,
        details: _CellDetails,
    ) -> ReportedRow:
        problems: list[Problem] = []
        sources = {
            name: self.ref(at)
            for name, at in cells.at.items()
            if name not in ("text", "unit_of_measure")
        }
        if "target" in sources:
            sources["target_reported"] = sources.pop("target")

        def problem(
            code: str, message: str, name: str, severity: str = "error", dimension: str = "validity"
        ) -> None:
            ref = self.ref(cells.at[name]) if name in cells.at else self.ref()
            problems.append(
                Problem(
                    code,
                    message,
                    severity,
                    ref,
                    unit=unit,
                    task_id=line.task_id,  # type: ignore[arg-type]
                    metric_id=line.metric_id,
                    dimension=dimension,
                )
            )

        def raw_of(name: str) -> tuple[Any, bool]:
            """The cell's value, or None with a problem when Excel left no usable result."""
            value = cells.get(name)
            if name in cells.merged_figure:
                r0, c0, r1, c1 = cells.merged_figure[name]
                problem(
                    "merged_figure",
                    f"{_coordinate((r0, c0))}:{_coordinate((r1, c1))} 把多行合并成了一个单元格，"
                    "无法判断数值属于哪一行：请取消合并，每行分别填写",
                    name,
                )
                return None, False
            suspect = self.inspection.has_formulas or self.inspection.has_error_cells
            if name not in cells.at or not suspect or not _blank(value):
                return value, True  # calamine has the value, or the cached result of a formula
            at = cells.at[name]
            error = details.error(at)
            if error:
                return error, True
            if details.formula(at):
                cached = details.cached_result(at)
                if isinstance(cached, str) and cached.startswith("#"):
                    return cached, True
                problem(
                    "formula_without_value",
                    "该单元格是公式但没有计算结果：请在 Excel 中重新计算并保存，或直接填写数值",
                    name,
                )
                return None, False
            return value, True

        def percent_cell(name: str, value: Any) -> bool:
            """Is this number in a percentage-formatted cell (65% stored as 0.65)?"""
            if name == "value" and line.unit_of_measure != "%":
                return False
            if not isinstance(value, int | float) or not 0 < abs(value) <= 1:
                return False
            return name in cells.at and details.is_percent(cells.at[name])

        # 本年累计完成
        value: float | None = None
        approximate = False
        raw_value, ok = raw_of("value")
        value_text = _text(raw_value)
        status_from_value = None
        progress_from_value = ""
        if ok and header.weak_value and isinstance(raw_value, str) and not _blank(raw_value):
            status_word, error = parse_status(raw_value)
            if error is None and status_word:
                status_from_value, raw_value = status_word, ""
            elif line.metric is None:
                progress_from_value, raw_value = value_text, ""
        if ok and not _blank(raw_value):
            written_unit = self.written_unit(cells, line)
            if line.metric is not None:
                fig = parse_figure(
                    raw_value,
                    line.unit_of_measure,
                    written_unit=written_unit,
                    cell_is_percent=percent_cell("value", raw_value),
                )
                self.figure_problems(fig, value_text, "value", line, problem)
                value, approximate = fig.value, fig.approximate
            else:
                fig = parse_figure(raw_value, "")
                value = fig.value
                if fig.error and _blank(cells.get("percent")):
                    problem(
                        "value_without_metric",
                        f"该任务没有量化指标，“本年累计完成”栏的“{value_text}”未作为数值读取："
                        "请在“形象进度”栏填写完成百分比（0–100）",
                        "value",
                        "warning",
                    )

        # 目标值 (the catalogue's target is what counts)
        target_reported = self.target(cells, line, problem)

        # 完成状态
        status: str | None = status_from_value
        raw_status, ok = raw_of("status")
        if ok and not _blank(raw_status):
            status, error = parse_status(raw_status)
            if error:
                problem("unreadable_status", error, "status")
        elif status_from_value and "value" in cells.at:
            sources["status"] = sources["value"]

        # 形象进度
        percent: float | None = None
        raw_percent, ok = raw_of("percent")
        if ok and not _blank(raw_percent):
            fig = parse_percent(raw_percent, cell_is_percent=percent_cell("percent", raw_percent))
            self.figure_problems(fig, _text(raw_percent), "percent", line, problem)
            percent = fig.value

        # 预计完成时间
        expected: date | None = None
        raw_date, ok = raw_of("expected_completion")
        if ok and not _blank(raw_date):
            expected, error = parse_date(raw_date, self.catalogue.year)
            if error:
                problem("unreadable_date", error, "expected_completion")

        texts = {name: _text(raw_of(name)[0]) for name in ("progress", "issues", "next_steps")}
        if progress_from_value and not texts["progress"]:
            texts["progress"] = progress_from_value
            sources["progress"] = sources["value"]
        return ReportedRow(
            unit=unit,
            period=period,
            task_id=line.task_id,
            metric_id=line.metric_id,
            row=cells.index + 1,
            value=value,
            value_text=value_text,
            approximate=approximate,
            target_reported=target_reported,
            status=status,
            percent=percent,
            expected_completion=expected,
            progress=texts["progress"],
            issues=texts["issues"],
            next_steps=texts["next_steps"],
            sources=sources,
            problems=tuple(problems),
        )

    @staticmethod
    def figure_problems(fig: Figure, shown: str, name: str, line: TaskLine, problem: Any) -> None:
        label = "形象进度" if name == "percent" else "本年累计完成"
        if fig.error:
            problem(
                "unreadable_percent" if name == "percent" else "unreadable_value", fig.error, name
            )
            return
        if fig.approximate:
            problem(
                "approximate_value",
                f"{label}“{shown}”是约数，已按 {_fmt_value(fig.value)} 读取：请填写确切的数值",
                name,
                "warning",
            )
        if fig.note:
            problem("interpreted_value", f"{label}“{shown}”：{fig.note}，请核对", name, "warning")

    def written_unit(self, cells: _RowCells, line: TaskLine) -> str | None:
        """The row's 计量单位 when the unit changed it to another unit of measure (a column
        headed 单位 may instead hold a unit's name: that is not a unit of measure)."""
        raw = cells.get("unit_of_measure")
        if _blank(raw) or line.metric is None:
            return None
        written = _norm(_text(raw))
        if written == _norm(line.unit_of_measure) or not _is_measure(written):
            return None
        return written

    def target(self, cells: _RowCells, line: TaskLine, problem: Any) -> float | None:
        raw = cells.get("target")
        if _blank(raw) or line.metric is None or line.target is None:
            return None
        shown = _text(raw)
        text = _TARGET_WORDS.sub("", _norm(shown)) if isinstance(raw, str) else raw
        # Pre-filled in the catalogue's unit: a changed 计量单位 converts the figure, not this.
        fig = parse_figure(text, line.unit_of_measure)
        expected = f"{_fmt_value(line.target)}{line.unit_of_measure}"
        if fig.error or fig.value is None:
            edited = True
        else:
            edited = abs(fig.value - line.target) > 1e-9 * max(1.0, abs(line.target))
        if edited:
            problem(
                "target_edited",
                f"目标值被改为“{shown}”，与任务表的目标 {expected} 不一致：以任务表为准，"
                "请勿修改目标值；目标如有调整请在“存在问题”栏说明",
                "target",
                "warning",
                "consistency",
            )
        return fig.value


_MEASURES = frozenset(
    (
        "人",
        "人次",
        "家",
        "个",
        "件",
        "亩",
        "元",
        "所",
        "%",
        "项",
        "户",
        "座",
        "公里",
        "千米",
        "米",
        "平方米",
        "平方公里",
        "公顷",
        "吨",
        "辆",
        "台",
        "套",
        "处",
        "次",
        "场",
        "名",
        "位",
        "张",
        "篇",
        "条",
        "部",
        "只",
        "头",
        "株",
        "棵",
        "床",
        "间",
        "栋",
        "幢",
        "千瓦",
        "度",
    )
)


def _is_measure(unit: str) -> bool:
    """`万元`, `亿元`, `人`, `%`: a unit of measure, perhaps with a magnitude in front."""
    return unit in _MEASURES or (unit[:1] in "十百千万亿" and unit[1:].lstrip("万亿") in _MEASURES)


def _fmt_value(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _content(row: ReportedRow) -> tuple[Any, ...]:
    return (
        row.value,
        row.value_text,
        row.status,
        row.percent,
        row.expected_completion,
        row.progress,
        row.issues,
        row.next_steps,
    )


_FIELD_LABELS = {
    "task_id": "任务编号",
    "metric_id": "指标编号",
    "text": "工作标准",
    "target": "目标值",
    "unit_of_measure": "计量单位",
    "value": "本年累计完成",
    "status": "完成状态",
    "percent": "形象进度",
    "expected_completion": "预计完成时间",
    "progress": "进展情况",
    "issues": "存在问题",
    "next_steps": "下步计划",
}


# ---- matching rows to task lines -----------------------------------------------------------


def _id_text(raw: Any) -> str:
    """An id cell as text: `16.1`, ` 16．1 ` → `16.1`; a number cell 16.1 → `16.1`."""
    if isinstance(raw, float):
        return repr(raw)
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", _text(raw))).strip(".。")


_ID_SHAPE = re.compile(r"^\d{1,3}(?:\.\d{1,3}){0,3}$")


class _Matcher:
    """Finds the unit's task line for a sheet row: by 指标编号, else 任务编号, else the text."""

    def __init__(self, lines: tuple[TaskLine, ...], catalogue: Catalogue):
        self.by_metric = {ln.metric_id: ln for ln in lines if ln.metric_id}
        self.by_task: dict[str, list[TaskLine]] = {}
        for ln in lines:
            self.by_task.setdefault(ln.task_id, []).append(ln)
        self.by_text: dict[str, list[TaskLine]] = {}
        for ln in lines:
            self.by_text.setdefault(_norm(ln.text), []).append(ln)
        self.all_metrics = {m.id for m in catalogue.metrics}
        self.all_tasks = {s.id for s in catalogue.standards}

    def match(
        self, cells: _RowCells, has_report: bool
    ) -> tuple[TaskLine | None, tuple[str, str, str] | None]:
        """(line, None), or (None, (code, message, field)) for a row that cannot be used, or
        (None, None) for a row that is not a task row at all (a note, a footer)."""
        metric = _id_text(cells.get("metric_id"))
        task_raw = cells.get("task_id")
        task = _id_text(task_raw)
        text = _norm(_text(cells.get("text")))
        if not has_report and not (_ID_SHAPE.match(metric) or _ID_SHAPE.match(task)):
            return None, None  # 填报人：…, 注：… in the id column, and nothing reported
        if metric:
            if metric in self.by_metric:
                return self.by_metric[metric], None
            if metric in self.all_metrics:
                return None, (
                    "not_this_unit",
                    f"指标编号 {metric} 不是本单位牵头的指标：请删除该行，或使用下发给本单位的模板",
                    "metric_id",
                )
            return None, (
                "unknown_id",
                f"指标编号“{metric}”在任务表中不存在：请按下发模板填写编号，不要修改",
                "metric_id",
            )
        if task:
            # A number cell 3.1 may be 3.1 or 3.10 (Excel drops the trailing zero).
            candidates = [task]
            if isinstance(task_raw, float) and re.fullmatch(r"\d+\.\d", task):
                candidates.append(task + "0")
            found = [c for c in candidates if c in self.by_task]
            lines = [ln for c in found for ln in self.by_task[c]]
            if text:
                by_text = [ln for ln in lines if _norm(ln.text) == text]
                if len(by_text) == 1:
                    return by_text[0], None
            if len(found) == 1 and len(lines) == 1:
                return lines[0], None
            if len(found) > 1:
                return None, (
                    "ambiguous_row",
                    f"任务编号 {task} 无法判断是 {' 还是 '.join(found)}"
                    "（单元格是数字，末尾的 0 被省略）：请把编号设为文本格式重新填写",
                    "task_id",
                )
            if lines:
                message = (
                    f"任务 {task} 有 {len(lines)} 个量化指标，这一行没有填写指标编号：请按模板填写"
                )
                return None, ("ambiguous_row", message, "task_id")
            if any(c in self.all_tasks for c in candidates):
                return None, (
                    "not_this_unit",
                    f"任务编号 {task} 不是本单位牵头的任务：请删除该行，或使用下发给本单位的模板",
                    "task_id",
                )
            return None, (
                "unknown_id",
                f"任务编号“{task}”在任务表中不存在：请按下发模板填写编号，不要修改",
                "task_id",
            )
        if not has_report:
            return None, None
        by_text = self.by_text.get(text, []) if text else []
        if len(by_text) == 1:
            return by_text[0], None
        return None, (
            "row_without_id",
            "这一行填写了进度，但没有任务编号和指标编号，无法对应到任务：请按模板填写编号",
            "value",
        )
